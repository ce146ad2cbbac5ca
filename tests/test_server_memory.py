"""A server worker hands freed memory back to the OS (glibc's mmap threshold stays fixed)."""

from __future__ import annotations

import subprocess
import sys

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
