"""A server worker hands freed memory back to the OS (glibc's mmap threshold stays fixed),
and its garbage collections leave out the objects its start made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.memory import THRESHOLD_BYTES, is_glibc

# In a fresh interpreter: free one large block (as a password hash does), then allocate and
# free 24 MiB in 1 MiB blocks, and print how much of that the process still holds (KiB).
AFTER_A_LARGE_BLOCK = """
import sys
from server.memory import return_freed_memory

def anon_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:"))

if sys.argv[1] == "fixed":
    assert return_freed_memory()
large = b"x" * (16 << 20)
del large
before = anon_kib()
blocks = [b"x" * (1 << 20) for _ in range(24)]
del blocks
print(anon_kib() - before)
"""


def _kept_kib(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", AFTER_A_LARGE_BLOCK, mode],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


@pytest.mark.skipif(not is_glibc(), reason="glibc's allocator only")
def test_memory_freed_after_a_large_block_goes_back_to_the_os() -> None:
    # glibc's default: the freed 16 MiB block raised its thresholds, and all 24 MiB stay.
    assert _kept_kib("default") > 20 * 1024
    # Fixed: no more than the trim threshold stays.
    assert _kept_kib("fixed") <= THRESHOLD_BYTES // 1024


# In a fresh interpreter, as a `taskflow server` worker starts: how many objects the cyclic
# garbage collector would still walk in a full collection, and how many it leaves out.
SERVER_START = """
import gc
from server.app import create_server_app

create_server_app()
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_the_objects_of_a_server_workers_start_are_left_out_of_garbage_collections(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKFLOW_")}
    env["TASKFLOW_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", SERVER_START], capture_output=True, text=True, check=True, env=env
    )
    frozen, still_walked = map(int, done.stdout.split())
    assert frozen > 50_000
    assert still_walked < 1_000
