"""The in-process cache: embedded mode's cache, and each server process's copy of Redis's."""

from __future__ import annotations

import time

from taskflow_core.adapters.cache import LocalCache


def test_it_keeps_the_most_recently_used_entries_within_its_bytes() -> None:
    cache = LocalCache(max_bytes=10)
    cache.set("a", b"aaaa", 60)
    cache.set("b", b"bbbb", 60)
    assert cache.get("a") == b"aaaa"  # now "b" is the least recently used
    cache.set("c", b"cccc", 60)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"aaaa", None, b"cccc")


def test_a_replaced_entry_counts_once() -> None:
    cache = LocalCache(max_bytes=10)
    for _ in range(5):
        cache.set("a", b"aaaa", 60)
    cache.set("b", b"bbbbbb", 60)
    assert (cache.get("a"), cache.get("b")) == (b"aaaa", b"bbbbbb")


def test_a_value_larger_than_the_whole_cache_is_not_kept() -> None:
    cache = LocalCache(max_bytes=10)
    cache.set("a", b"aaaa", 60)
    cache.set("big", b"x" * 11, 60)
    assert (cache.get("a"), cache.get("big")) == (b"aaaa", None)


def test_entries_expire_and_their_bytes_are_given_back() -> None:
    cache = LocalCache(max_bytes=10)
    cache.set("a", b"aaaaaaaa", 0.01)
    cache.set("b", b"bb", 60)
    time.sleep(0.02)
    assert cache.get("a") is None
    cache.set("c", b"cccccccc", 60)
    assert (cache.get("b"), cache.get("c")) == (b"bb", b"cccccccc")


def test_it_keeps_at_most_its_entries() -> None:
    cache = LocalCache(max_entries=2)
    for key in "abc":
        cache.set(key, key.encode(), 60)
    assert [cache.get(key) for key in "abc"] == [None, b"b", b"c"]
