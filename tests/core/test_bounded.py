"""The bounded mapping behind the in-process stores and caches: at most so many entries, the
least recently used forgotten first."""

from __future__ import annotations

import pytest

from core.bounded import LruMapping


def test_past_its_bound_the_least_recently_used_entry_goes() -> None:
    kept: LruMapping[str, int] = LruMapping(2)
    kept["a"] = 1
    kept["b"] = 2
    assert kept.get("a") == 1  # read: now the most recent
    kept["c"] = 3
    assert ("a" in kept, "b" in kept, "c" in kept) == (True, False, True)
    kept["a"] = 10  # written: the most recent again
    kept["d"] = 4
    assert (kept.get("a"), kept.get("c"), kept.get("d")) == (10, None, 4)
    assert len(kept) == 2


def test_a_stored_none_is_told_apart_from_a_missing_entry() -> None:
    kept: LruMapping[str, int | None] = LruMapping(3)
    kept["unpreparable"] = None
    assert kept["unpreparable"] is None
    with pytest.raises(KeyError):
        kept["never"]
    assert kept.pop("unpreparable") is None
    assert kept.pop("never") is None
    assert len(kept) == 0


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        LruMapping(0)
