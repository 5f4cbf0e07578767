"""Keyset pagination: opaque cursors that carry the sort key of the last row, never an offset.

A cursor records which sort it belongs to, so a cursor from one ordering cannot be replayed
against another and silently skip rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.errors import BadUserInput

T = TypeVar("T")
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 1_000


def check_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"must be between 1 and {MAX_PAGE_SIZE}", argument="first")
    return first


def encode_cursor(sort: str, key: Sequence[Any]) -> str:
    raw = json.dumps([sort, *key], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii")


def not_a_cursor() -> BadUserInput:
    """The one answer to a cursor this list did not issue, whatever is wrong with it."""
    return BadUserInput("is not a cursor of this list and ordering", argument="after")


def decode_cursor(cursor: str, sort: str, types: Sequence[type]) -> list[Any]:
    """The sort key inside `cursor`, checked against the sort and the key's types."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        # Strict: by default base64 skips characters outside its alphabet (a NUL, a space),
        # so a tampered cursor would pass as the one it was made from.
        raw = base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True)
        decoded = json.loads(raw)
        if not isinstance(decoded, list) or decoded[:1] != [sort]:
            raise ValueError
        key = decoded[1:]
        if len(key) != len(types) or not all(
            type(value) is kind for value, kind in zip(key, types, strict=True)
        ):
            raise ValueError
    except (ValueError, binascii.Error, UnicodeError, json.JSONDecodeError, RecursionError):
        raise not_a_cursor() from None
    return key


@dataclass
class Page(Generic[T]):
    """One page of rows with their cursors; `total_count` runs only if the client asks."""

    rows: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: Callable[[], Awaitable[int]]
