"""Racing calls in tests: every one finishes before the test goes on, even when one fails.

`asyncio.gather` raises the first failure at once and leaves the other calls running. In a
racing test that fails (a request answered OVERLOADED on a busy machine, an assertion in a
helper), those calls then outlive the test: they hold pooled connections past its engine's
disposal, where nothing closes them, and every later test that needs a few connections fails
with "too many connections for role". `settled` waits for every call, then raises the first
failure, so a failing test fails alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def settled(*calls: Awaitable[T]) -> list[T]:
    """The results of `calls`, run concurrently and each finished; the first failure, if any,
    is raised once all have finished."""
    results: list[T] = []
    for outcome in await asyncio.gather(*calls, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome
        results.append(outcome)
    return results
