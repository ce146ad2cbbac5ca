"""The top-level command group, which builds each sub-group only when it is used.

Typer turns every command of every sub-app into a Click command at start-up, reading each
function's signature: ~15 ms for all of `taskflow`, a third of that for `taskflow tasks`. A
command needs only its own group; `--help`, completion and "did you mean" still see them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

import typer.main
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer._click import Command

# Sub-group name -> the module whose `app` (a Typer) holds its commands, in help order.
SUB_APPS = {
    "auth": "taskflow_cli.commands.auth",
    "tasks": "taskflow_cli.commands.tasks",
    "users": "taskflow_cli.commands.users",
    "notifications": "taskflow_cli.commands.notifications",
    "db": "taskflow_cli.commands.db",
}


class LazyCommands(MutableMapping[str, "Command"]):
    """Commands by name, where a sub-group is a module name until first looked up."""

    def __init__(self, built: Mapping[str, Command], modules: Mapping[str, str]) -> None:
        self._entries: dict[str, Command | str] = {**built, **modules}

    def __getitem__(self, name: str) -> Command:
        entry = self._entries[name]
        if isinstance(entry, str):
            entry = self._entries[name] = _build_group(name, entry)
        return entry

    def __setitem__(self, name: str, command: Command) -> None:
        self._entries[name] = command

    def __delitem__(self, name: str) -> None:
        del self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class TaskflowGroup(TyperGroup):
    """`taskflow`: its own commands, then the sub-groups of `SUB_APPS`, built on demand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(self.commands, SUB_APPS)


def _build_group(name: str, module_name: str) -> Command:
    module = importlib.import_module(module_name)
    group = typer.main.get_group(module.app)
    group.name = name
    return group
