"""Let a server worker give freed memory back to the operating system.

glibc serves a large allocation with a mapping of its own, returned to the OS when freed, but
it raises that size threshold to the largest such block freed so far (up to 32 MiB), and the
size of free memory it keeps at the end of each heap to twice that. A password hash takes its
7 MiB on each login, so after the first one every thread's heap may keep 14 MiB it no longer
uses: a worker grew by ~20 MB from ten logins and a few hundred page reads.

Fixed thresholds turn that adjustment off. At 8 MiB a hash still takes its memory from the
hashing thread's heap and finds it there, resident, for the next one; a threshold at glibc's
starting 128 KiB would map it afresh each time, ~4.5 ms more of kernel time on a 19 ms hash.
(That is argon2-cffi, which hashes when more than one lane is configured. libsodium, which
hashes the default single lane, maps each hash's memory itself and unmaps it at once.)
"""

from __future__ import annotations

import ctypes
import sys

# From glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# Above the default password hash's 7 MiB (`Settings.password_hash_memory_kib`).
THRESHOLD_BYTES = 8 << 20


def is_glibc() -> bool:
    """True where this process's C library is glibc (musl's mallopt exists but does nothing)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        ctypes.CDLL(None).gnu_get_libc_version  # noqa: B018
    except (OSError, AttributeError):
        return False
    return True


def return_freed_memory() -> bool:
    """Fix glibc's mmap and trim thresholds; False where the C library is not glibc."""
    if not is_glibc():
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return all(
        mallopt(option, THRESHOLD_BYTES) == 1 for option in (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD)
    )
