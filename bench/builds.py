"""The builds a benchmark compares: this checkout, and a baseline commit installed beside it.

The baseline is checked out with `git worktree` and installed (not editable) into a venv of its
own under the user's cache directory, once per commit; later runs reuse it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Build:
    label: str
    taskflow: Path

    def upgrade(self, database_url: str) -> None:
        """Migrate `database_url` with the build's own migrations."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASKFLOW_")}
        subprocess.run(
            [str(self.taskflow), "db", "upgrade"],
            env=env | {"TASKFLOW_DATABASE_URL": database_url},
            check=True,
            capture_output=True,
        )


def this_checkout() -> Build:
    return Build("this checkout", Path(sys.executable).with_name("taskflow"))


def baseline(revision: str) -> Build:
    """`revision` installed in a venv of its own (built on first use, then reused)."""
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    home = _cache_dir() / commit[:12]
    taskflow = home / "venv" / "bin" / "taskflow"
    if not (home / "venv" / ".installed").exists():
        print(f"bench: installing {commit[:12]} into {home}", file=sys.stderr, flush=True)
        source = home / "source"
        if not source.exists():
            _git("worktree", "add", "--detach", str(source), commit)
        subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
        pip = home / "venv" / "bin" / "pip"
        subprocess.run([str(pip), "install", "--quiet", str(source)], check=True)
        (home / "venv" / ".installed").touch()
    return Build(f"baseline {commit[:9]}", taskflow)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "taskflow-bench"


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()
