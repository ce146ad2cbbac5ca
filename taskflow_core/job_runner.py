"""What RQ runs in a `taskflow worker` process: `run_job(path, *args)`.

Every job of the process runs on one event loop that lives as long as the process, with one
`Runtime` opened in it, so connections are made once and reused by every job. RQ stores the
trampoline's path (`adapters.rq_queue.TRAMPOLINE`) and the job's own path as its first
argument.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from typing import TYPE_CHECKING, Any

from taskflow_core.runtime import Runtime, open_runtime
from taskflow_core.settings import get_settings

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from taskflow_core.adapters.instruments import Instruments
    from taskflow_core.settings import Settings

JOB_PACKAGE = "taskflow_core."


class _JobContext:
    """This process's event loop, and the Runtime opened in it that every job runs with."""

    def __init__(self, settings: Settings, instruments: Instruments | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self._opened: AbstractAsyncContextManager[Runtime] = open_runtime(
            settings, instruments=instruments
        )
        self.runtime = self.loop.run_until_complete(self._opened.__aenter__())

    def close(self) -> None:
        self.loop.run_until_complete(self._opened.__aexit__(None, None, None))
        self.loop.close()


_context: _JobContext | None = None
_context_lock = threading.Lock()


def run_job(path: str, *args: str) -> Any:
    """What RQ runs: the job at `path`, with this process's Runtime and `args`.

    Args:
        path: A job function under `taskflow_core` (nothing else is resolved).
        args: The job's string arguments.

    Returns:
        The job's result (RQ keeps it for a while).
    """
    if not path.startswith(JOB_PACKAGE):
        raise ValueError(f"not a TaskFlow job: {path!r}")
    module, _, name = path.rpartition(".")
    job = getattr(importlib.import_module(module), name)
    context = job_context(None)
    return context.loop.run_until_complete(job(context.runtime, *args))


def job_context(settings: Settings | None, instruments: Instruments | None = None) -> _JobContext:
    """This process's job context, opened on first use (from the environment's settings),
    its runtime measured by `instruments` if given."""
    global _context  # noqa: PLW0603 - one per worker process, by design
    with _context_lock:
        if _context is None:
            _context = _JobContext(settings or get_settings(), instruments)
        return _context


def close_job_context() -> None:
    global _context  # noqa: PLW0603 - as above
    with _context_lock:
        if _context is not None:
            _context.close()
            _context = None
