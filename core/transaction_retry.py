"""Rerun a whole transaction when PostgreSQL aborts it to break a deadlock or a serialization
conflict, so such an abort never reaches a client.

Writes take their row locks in a consistent order (ascending ids), so deadlocks should not
happen; this is the safety net for the case nobody foresaw. Only the two SQLSTATEs that mean
"nothing was committed, the same work may simply run again" are retried: 40P01
(deadlock_detected) and 40001 (serialization_failure). The work passed in must open its own
transaction on each call, so a retry starts from a clean slate.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

T = TypeVar("T")

RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
DEFAULT_ATTEMPTS = 4
BASE_DELAY_SECONDS = 0.02


def is_retryable(error: BaseException) -> bool:
    """True when `error` is a deadlock or serialization failure reported by the database."""
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return sqlstate in RETRYABLE_SQLSTATES


async def retry_transaction(
    work: Callable[[], Awaitable[T]],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    base_delay: float = BASE_DELAY_SECONDS,
) -> T:
    """`await work()`, rerun up to `attempts` times in all on a retryable abort.

    Between attempts it sleeps a random time up to `base_delay * 2**attempt` ("full
    jitter"), so transactions that collided do not collide again in lockstep.
    """
    for attempt in range(attempts):
        try:
            return await work()
        except DBAPIError as error:
            if not is_retryable(error) or attempt == attempts - 1:
                raise
        await asyncio.sleep(random.uniform(0, base_delay * 2**attempt))  # noqa: S311 - jitter
    raise AssertionError("unreachable: the last attempt returns or raises")
