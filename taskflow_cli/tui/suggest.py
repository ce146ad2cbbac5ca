"""Completions for the form's project and labels fields, from the person's own names.

Names match in any case; the completion keeps what the person typed and adds the rest of
the name (accepting it is what the field shows, so what is saved is what was seen).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.suggester import Suggester

if TYPE_CHECKING:
    from collections.abc import Iterable

# The last label being typed: what follows the last comma or space.
_LAST_PIECE = re.compile(r"[^,\s]*$")


def complete(prefix: str, names: Iterable[str], *, taken: Iterable[str] = ()) -> str | None:
    """The rest of the first name (in the order given) that starts with `prefix` in any
    case and is longer than it, skipping the names in `taken`; None if there is none."""
    if not prefix:
        return None
    wanted = prefix.casefold()
    skip = {name.casefold() for name in taken}
    for name in names:
        folded = name.casefold()
        if folded.startswith(wanted) and len(name) > len(prefix) and folded not in skip:
            return name[len(prefix) :]
    return None


class ProjectSuggester(Suggester):
    """Completes the field to one of the project names."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names: tuple[str, ...] = tuple(names)

    async def get_suggestion(self, value: str) -> str | None:
        rest = complete(value.lstrip(), self.names)
        return None if rest is None else value + rest


class LabelSuggester(Suggester):
    """Completes the label being typed (after the last comma or space) to a label name the
    field does not hold yet."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names: tuple[str, ...] = tuple(names)

    async def get_suggestion(self, value: str) -> str | None:
        match = _LAST_PIECE.search(value)
        piece = match.group(0) if match else ""
        earlier = re.split(r"[,\s]+", value[: len(value) - len(piece)])
        rest = complete(piece, self.names, taken=earlier)
        return None if rest is None else value + rest
