"""Taskwarrior's words for a task, in a title or a filter: `Pay rent project:home +bills
due:friday pri:high`.

The CLI's `tasks add`, `tasks edit` and the filters of `tasks list|done|start|rm`, and the
TUI's form, read them with `read_words`, so one phrase means the same everywhere:

  project:NAME (also pro:, proj:)  the project; `project:` alone means no project
  +NAME / -NAME                     add / remove a label (a filter: with / without it)
  due:WHEN                          a due date, as `--due` reads it; `due:` alone means none
  pri:P (also priority:)            low, medium or high (also l, m, h)
  status:S                          pending, in-progress or done

Any other word is part of the title (or, in a filter, a number or a search word), and so
is a word with an unknown `name:` (`Note:`, `http://…`) or a lone `+` or `-`. A word
written with a leading backslash (`\\+1`), and every word after `--`, is taken as it is,
backslash removed: the way to put `+word` in a title.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

PROJECT_KEYS = ("project", "proj", "pro")
PRIORITY_KEYS = ("priority", "pri")
_PRIORITY_LETTERS = {"l": "low", "m": "medium", "h": "high"}
# `due:` and `project:` with no value: clear the field.
CLEARED = ""


class UnreadableWords(ValueError):
    """A recognized word with a value it does not take (`pri:urgent`, `due:someday`)."""


class TaskWords:
    """What a phrase's words say: the plain words, and the fields its attribute words set.

    `project` and `due` are None when not given and `CLEARED` ("") when given empty;
    `due` is the RFC 3339 UTC timestamp the API takes; `priority` and `status` are the
    API's names (`HIGH`, `IN_PROGRESS`)."""

    __slots__ = ("due", "labels", "priority", "project", "status", "unlabels", "words")

    def __init__(self) -> None:
        self.words: list[str] = []
        self.project: str | None = None
        self.labels: list[str] = []
        self.unlabels: list[str] = []
        self.due: str | None = None
        self.priority: str | None = None
        self.status: str | None = None

    @property
    def text(self) -> str:
        """The plain words, one space apart: a title, or a search."""
        return " ".join(self.words)

    @property
    def has_attributes(self) -> bool:
        return bool(
            self.labels or self.unlabels
            or any(v is not None for v in (self.project, self.due, self.priority, self.status))
        )  # fmt: skip


def read_words(phrases: Iterable[str], *, date_order: str | None = None) -> TaskWords:
    """Sort the words of `phrases` into a `TaskWords`. Each phrase is split at whitespace, as
    Taskwarrior does: `tasks add "Pay rent +bills"` reads as `tasks add Pay rent +bills`,
    and so does the same line typed in the TUI's title field.

    Raises UnreadableWords for a recognized word whose value is not one it takes; the
    message names the word and what it takes.
    """
    read = TaskWords()
    literal = False
    for word in (word for phrase in phrases for word in phrase.split()):
        if literal:
            read.words.append(word)
        elif word == "--":
            literal = True
        elif word.startswith("\\") and len(word) > 1:
            read.words.append(word[1:])
        elif _is_label(word):
            name = word[1:]
            (read.labels if word[0] == "+" else read.unlabels).append(name)
        elif not _read_attribute(read, word, date_order):
            read.words.append(word)
    read.labels = unique_names(read.labels)
    read.unlabels = unique_names(read.unlabels)
    return read


def quote_title(title: str) -> str:
    """`title` written so that `read_words` reads it back as this title and nothing else:
    each word it would take for an attribute (or `--`, or a leading backslash) gets a
    backslash. For a form that shows a saved title in a field that reads these words."""
    return " ".join(_quoted(word) for word in title.split())


def _quoted(word: str) -> str:
    if word == "--" or word.startswith("\\") or _is_label(word) or _is_attribute(word):
        return "\\" + word
    return word


def _is_attribute(word: str) -> bool:
    key, colon, _ = word.partition(":")
    return bool(colon) and key.lower() in (*PROJECT_KEYS, *PRIORITY_KEYS, "due", "status")


def _is_label(word: str) -> bool:
    # `+1`, `-5`, `+`, `--x` and `+-` are not labels: a label starts with a letter or `_`.
    return len(word) > 1 and word[0] in "+-" and (word[1].isalpha() or word[1] == "_")


def _read_attribute(read: TaskWords, word: str, date_order: str | None) -> bool:
    """Set the field `word` names (`key:value`); False if it names none."""
    key, colon, value = word.partition(":")
    if not colon:
        return False
    key = key.lower()
    if key in PROJECT_KEYS:
        read.project = value.strip()
    elif key == "due":
        read.due = _due(word, value, date_order)
    elif key in PRIORITY_KEYS:
        read.priority = _priority(word, value)
    elif key == "status":
        read.status = _status(word, value)
    else:
        return False
    return True


def _due(word: str, value: str, date_order: str | None) -> str:
    if not value:
        return CLEARED
    from taskflow_cli.dates import as_api
    from taskflow_cli.due import UnreadableDate, parse_due

    # `due:tomorrow_17:00` or `due:"in 3 days"`: one shell word; `_` stands for a space.
    try:
        return as_api(parse_due(value.replace("_", " "), date_order=date_order))
    except UnreadableDate as error:
        raise UnreadableWords(f"{word!r}: {error}") from None


def _priority(word: str, value: str) -> str:
    key = value.strip().lower()
    key = _PRIORITY_LETTERS.get(key, key)
    if key not in ("low", "medium", "high"):
        raise UnreadableWords(f"{word!r}: a priority is low, medium or high (or l, m, h)")
    return key.upper()


def _status(word: str, value: str) -> str:
    from taskflow_cli.arguments import STATUS_CHOICES, STATUSES

    key = "-".join(value.strip().lower().replace("_", " ").split())
    if key not in STATUSES:
        raise UnreadableWords(f"{word!r}: a status is {STATUS_CHOICES}")
    return STATUSES[key]


def unique_names(names: list[str]) -> list[str]:
    """`names` without a second spelling of one already there (in any case), in order, as
    the server counts labels."""
    seen: set[str] = set()
    kept = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept
