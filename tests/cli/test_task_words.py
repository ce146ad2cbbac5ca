"""Taskwarrior's words in a title or a filter, read the same by the CLI and the TUI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskflow_cli.task_words import CLEARED, UnreadableWords, quote_title, read_words


def test_a_quick_add_line_sets_project_labels_due_and_priority() -> None:
    read = read_words(["Pay rent project:home +bills due:2026-12-11T17:00Z pri:h +Bills"])
    assert read.text == "Pay rent"
    assert read.project == "home"
    assert read.labels == ["bills"]  # the second spelling of one label counts once
    assert read.due == "2026-12-11T17:00:00Z"
    assert read.priority == "HIGH"
    assert read.has_attributes


def test_words_given_one_by_one_read_as_the_same_line() -> None:
    one_by_one = read_words(["Pay", "rent", "pro:Home", "-later", "priority:Low", "status:done"])
    assert (one_by_one.text, one_by_one.project, one_by_one.unlabels) == (
        "Pay rent", "Home", ["later"],
    )  # fmt: skip
    assert (one_by_one.priority, one_by_one.status) == ("LOW", "COMPLETED")


def test_empty_project_and_due_clear_them() -> None:
    read = read_words(["project:", "due:"])
    assert (read.project, read.due) == (CLEARED, CLEARED)
    assert read.has_attributes
    assert read.text == ""


@pytest.mark.parametrize(
    "title",
    ["Call +1 555 0100", "Note: ask Bob", "http://example.com/x", "+ and -", "5-10 pages"],
)
def test_words_that_only_look_like_attributes_stay_in_the_title(title: str) -> None:
    read = read_words([title])
    assert read.text == title
    assert not read.has_attributes


def test_a_backslash_or_a_double_dash_keeps_a_word_as_it_is() -> None:
    read = read_words(["Read", "\\+1s", "about", "\\pri:high", "--", "+tags", "due:x"])
    assert read.text == "Read +1s about pri:high +tags due:x"
    assert not read.has_attributes


@pytest.mark.parametrize(
    ("word", "says"),
    [("pri:urgent", "low, medium or high"), ("due:someday", "due:someday"),
     ("status:later", "pending, in-progress, done")],
)  # fmt: skip
def test_a_known_word_with_a_value_it_does_not_take_is_refused(word: str, says: str) -> None:
    with pytest.raises(UnreadableWords, match=says):
        read_words(["Title", word])


def test_a_due_word_reads_relative_dates_with_underscores_for_spaces() -> None:
    read = read_words(["due:in_3_days"])
    assert read.due is not None
    due = datetime.fromisoformat(read.due)
    assert 2 < (due - datetime.now(UTC)).days + 1 <= 4


titles = st.lists(
    st.sampled_from(["+x", "-y", "--", "\\", "\\+z", "pro:a", "due:q", "Pri:M", "a:b", "w", "é"])
    | st.text(st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=6),
    min_size=1,
    max_size=8,
).map(" ".join)


@given(titles)
def test_a_quoted_title_reads_back_as_itself_and_nothing_else(title: str) -> None:
    read = read_words([quote_title(title)])
    assert read.text == title
    assert not read.has_attributes
