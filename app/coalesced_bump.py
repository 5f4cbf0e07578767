"""Stock changes invalidate cached catalog reads at most once per window, never later.

Every order, cancellation and shipment changes a variant's reserved or on-hand stock, which
cached catalog answers show (`available`, `inStock`). Bumping the catalog version on each
of them would empty the cache at exactly the moments it matters: at peak, orders arrive
several a second. So stock changes request a bump, and a `CoalescedBump` runs it at once
when none ran within the window, else once at the window's end: a cached answer may show
stock up to `STOCK_CACHE_SECONDS` old, and never older. Orders never rely on it: placement
checks stock itself, with a conditional update.

Coalescing is per process; N processes bump at most N times per window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger("tradeql.cache")


class CoalescedBump:
    def __init__(
        self,
        bump: Callable[[], Awaitable[object]],
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bump = bump
        self._window = window_seconds
        self._clock = clock
        self._last = float("-inf")
        self._trailing: asyncio.Task[None] | None = None
        self.bumps = 0  # how many bumps ran, for tests and the bench

    async def __call__(self) -> None:
        """Bump now if the window since the last bump has passed, else once at its end."""
        if self._trailing is not None:
            return  # the scheduled bump will cover this change too
        wait = self._last + self._window - self._clock()
        if wait <= 0:
            await self._run()
        else:
            self._trailing = asyncio.create_task(self._after(wait))

    async def flush(self) -> None:
        """Run a scheduled bump now (on shutdown), so no change is left uninvalidated."""
        trailing, self._trailing = self._trailing, None
        if trailing is not None:
            trailing.cancel()
            await self._run()

    async def _after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._trailing = None
        try:
            await self._run()
        except Exception:  # a task's error would otherwise vanish; the TTL still bounds staleness
            log.exception("scheduled catalog version bump failed")

    async def _run(self) -> None:
        self._last = self._clock()
        self.bumps += 1
        await self._bump()
