"""Which tasks a command means: the filter words and options of `tasks list|done|start|rm|
edit` (`project:home +bills -later pri:high status:done 12 rent`), as `GET /tasks` parameters.

In a filter, `project:NAME` keeps that project's tasks and those of the projects inside it
(`project:` alone: the tasks in no project), `+name` the tasks with that label, `-name` those
without it, a number (`12`, `#12`) that task; the other words are searched for in titles and
descriptions. Open tasks only, unless a `status:` word (or an option) says otherwise.
"""

from __future__ import annotations

from taskflow_cli.arguments import bad_usage
from taskflow_cli.task_words import CLEARED

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from taskflow_cli.client import ApiClient, Params
    from taskflow_cli.task_words import TaskWords

    Json = dict[str, Any]

OPEN = ("PENDING", "IN_PROGRESS")


class TaskFilter:
    """What a filter keeps; `query()` is its `GET /tasks` parameters."""

    def __init__(self, phrase: str = "") -> None:
        self.phrase = phrase
        self.numbers: list[int] = []
        self.search: str | None = None
        self.statuses: list[str] = []
        self.include_done = False
        self.priorities: list[str] = []
        self.project: str | None = None
        self.no_project = False
        self.labels: list[str] = []
        self.any_labels: list[str] = []
        self.not_labels: list[str] = []

    @property
    def noun(self) -> str:
        """`open tasks`, or `tasks` when the filter picks statuses itself."""
        return "tasks" if self.statuses or self.include_done else "open tasks"

    def query(self) -> Params:
        statuses = self.statuses or ([] if self.include_done else list(OPEN))
        return {
            "status": ",".join(dict.fromkeys(statuses)) or None,
            "priority": ",".join(dict.fromkeys(self.priorities)) or None,
            "search": self.search,
            "number": ",".join(map(str, dict.fromkeys(self.numbers))) or None,
            "project": self.project,
            "noProject": "true" if self.no_project else None,
            "label": self.labels or None,
            "anyLabel": self.any_labels or None,
            "notLabel": self.not_labels or None,
        }

    def resolve(self, client: ApiClient) -> None:
        """Turn a project's path (`home/garden`) into its id: the server reads names only."""
        if self.project is not None and "/" in self.project:
            from taskflow_cli.project_tree import fetch_tree

            self.project = fetch_tree(client).get(self.project)["id"]

    def explain(self, client: ApiClient, error: Exception) -> Exception:
        """`error`, or for the server's 404 for a project or label this filter names that
        the caller does not have, one that says which (asked only when a list fails)."""
        from taskflow_core.domain.errors import NotFound

        if not isinstance(error, NotFound):
            return error
        detail = error.detail
        if detail.startswith("Project") and self.project is not None:
            return NotFound(f"No project {self.project!r} (`taskflow projects list` shows yours)")
        if detail.startswith("Label"):
            known = {label["name"].casefold() for label in client.labels()}
            missing = [
                name for name in (*self.labels, *self.any_labels) if name.casefold() not in known
            ]
            if missing:
                names = ", ".join(repr(name) for name in missing)
                noun = "label" if len(missing) == 1 else "labels"
                return NotFound(f"No {noun} {names} (`taskflow labels list` shows yours)")
        return error


def filter_from_words(read: TaskWords, phrase: str) -> TaskFilter:
    """The filter that words say; numbers pick tasks, other plain words are a search."""
    if read.due is not None:
        raise bad_usage(
            "due: is not a filter; use `taskflow tasks list --due-before DATE` or --due-after"
        )
    found = TaskFilter(phrase)
    searched = []
    for word in read.words:
        number = _number(word)
        if number is None:
            searched.append(word)
        else:
            found.numbers.append(number)
    found.search = " ".join(searched) or None
    if read.status is not None:
        found.statuses.append(read.status)
    if read.priority is not None:
        found.priorities.append(read.priority)
    if read.project == CLEARED:
        found.no_project = True
    else:
        found.project = read.project
    found.labels = list(read.labels)
    found.not_labels = list(read.unlabels)
    return found


def matching_tasks(client: ApiClient, found: TaskFilter) -> list[Json]:
    """Every task the filter keeps (all pages), most urgent first."""
    found.resolve(client)
    query = found.query() | {"sort": "urgency", "order": "asc"}
    try:
        return [task for page in client.pages("/tasks", query) for task in page["data"]]
    except Exception as error:
        raise found.explain(client, error) from None


def _number(word: str) -> int | None:
    digits = word.removeprefix("#")
    if digits.isascii() and digits.isdigit() and 1 <= int(digits) <= 2**31 - 1:
        return int(digits)
    return None
