"""The words of a command line (`Pay rent +bills -later`) among its options."""

from __future__ import annotations

import pytest

from taskflow_cli.arguments import Parser, add_words
from taskflow_cli.errors import BadUsage


def parser() -> Parser:
    words = Parser(prog="taskflow tasks add")
    add_words(words, "words", metavar="WORDS", help="what to do")
    words.add_argument("-l", "--label", action="append")
    words.add_argument("-p", "--priority")
    words.add_argument("--due")
    words.add_argument("--due-before")
    words.add_argument("-y", "--yes", action="store_true")
    return words


def test_a_dash_word_is_a_word_unless_it_is_exactly_an_option() -> None:
    args = parser().parse_args(["Fix", "-later", "-l", "x", "-p", "high", "-5", "kg", "-y"])

    assert args.words == ["Fix", "-later", "-5", "kg"]
    assert (args.label, args.priority, args.yes) == (["x"], "high", True)


def test_long_options_take_values_joined_or_abbreviated() -> None:
    args = parser().parse_args(["a", "--prio", "low", "--due=friday", "--label", "-odd", "b"])

    assert args.words == ["a", "b"]
    assert (args.priority, args.due, args.label) == ("low", "friday", ["-odd"])


def test_everything_after_a_double_dash_is_a_word_and_the_dash_is_kept() -> None:
    args = parser().parse_args(["Read", "--", "+tags", "-y", "--due", "x"])

    assert args.words == ["Read", "--", "+tags", "-y", "--due", "x"]
    assert not args.yes


@pytest.mark.parametrize(("line", "says"), [
    (["x", "--colour", "red"], "Unrecognized arguments: --colour"),
    (["x", "--du", "y"], "Ambiguous option: --du could match --due, --due-before"),
    (["x", "--priority"], "expected one argument"),
])  # fmt: skip
def test_an_unknown_or_incomplete_option_is_one_usage_line(line: list[str], says: str) -> None:
    with pytest.raises(BadUsage, match=says):
        parser().parse_args(line)
