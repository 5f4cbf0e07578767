"""A mapping that keeps at most so many entries, forgetting the least recently used first.

What the in-process stores and the per-process caches keep (cache entries, rate counters,
budget buckets, registry answers, statement shapes, listing plans) is bounded with it, so a
flood of distinct keys costs memory up to the bound and no further.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruMapping(Generic[K, V]):
    """At most `max_entries` entries; reading or writing one makes it the most recent."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __getitem__(self, key: K) -> V:
        """The entry, now the most recent; KeyError when there is none."""
        value = self._entries[key]
        self._entries.move_to_end(key)
        return value

    def get(self, key: K) -> V | None:
        """The entry, now the most recent; None when there is none."""
        try:
            return self[key]
        except KeyError:
            return None

    def __setitem__(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._entries.pop(key, None)
