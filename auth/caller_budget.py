"""One request's draw on its caller's budget of query-cost points.

The operation's estimated cost (schema/cost.py) is taken from the caller's bucket before it
runs, or the request is refused whole (THROTTLED) with the wait until enough is restored;
afterwards the part the answer did not use is given back. Every operation costs at least
MINIMUM_COST, so a flood of cheap requests is bounded too, and an answer served from the
response cache costs exactly that. docs/api/limits.md is the caller's view of these rules.
"""

from __future__ import annotations

import math
from typing import Any

from auth.policy import Budget
from core.budget_buckets import BucketLevel, CostBuckets
from core.errors import QueryTooComplex, Throttled, TradeQLError

MINIMUM_COST = 1


class CallerBudget:
    """Built per request by the HTTP endpoint and read by the cost extension."""

    def __init__(
        self, buckets: CostBuckets, bucket_key: str, budget: Budget, *, report: bool
    ) -> None:
        self._buckets = buckets
        self._bucket_key = bucket_key
        self.budget = budget
        # Whether the caller asked for `extensions.cost` in the answer.
        self.report = report
        self.requested: int | None = None
        self.actual: int | None = None
        # The bucket after the last take or give-back; None while unknown (Redis down).
        self.level: BucketLevel | None = None
        self.refusal: Throttled | None = None
        self._taken = 0

    async def charge(self, cost: int) -> TradeQLError | None:
        """Take the operation's cost, or the reason it must not run."""
        requested = max(MINIMUM_COST, cost)
        self.requested = requested
        if requested > self.budget.size:
            self.actual = 0
            return QueryTooComplex(
                f"This operation would cost {requested:,} points and this caller's budget "
                f"holds at most {self.budget.size:,}: ask for fewer items per page (`first`) "
                "or fewer nested lists, and page through the rest."
            )
        self.level = await self._buckets.take(
            self._bucket_key,
            requested,
            size=self.budget.size,
            restore_rate=self.budget.restore_rate,
        )
        if self.level is None:
            return None  # Redis is down: the request runs unmetered
        if not self.level.taken:
            self.actual = 0
            self.refusal = self._throttled(requested, self.level.available)
            return self.refusal
        self._taken = requested
        return None

    async def settle(self, counted: int) -> None:
        """Give back what the answer did not use; it never pays more than it was charged."""
        if self.requested is None or self.actual is not None:
            return  # not charged, refused, or settled already
        self.actual = min(self.requested, max(MINIMUM_COST, counted))
        unused = self._taken - self.actual
        self._taken = 0
        if unused <= 0:
            return  # nothing was taken (Redis down), or all of it was used
        level = await self._buckets.give_back(
            self._bucket_key, unused, size=self.budget.size, restore_rate=self.budget.restore_rate
        )
        if level is not None:
            self.level = level

    async def charge_cached_answer(self) -> None:
        """An answer from the response cache costs MINIMUM_COST, requested and actual; a
        refusal is in `refusal` (one point always fits a bucket, so it is never too large)."""
        if await self.charge(MINIMUM_COST) is None:
            await self.settle(MINIMUM_COST)

    def _throttled(self, requested: int, available: float) -> Throttled:
        rate = self.budget.restore_rate
        wait = max(1, math.ceil((requested - available) / rate))
        return Throttled(
            f"This operation costs {requested:,} points and this caller's budget holds "
            f"{math.floor(available):,} now; it regains {rate:,} points a second. "
            f"Send it again in {wait} seconds.",
            retry_after_seconds=wait,
        )

    def cost_extension(self) -> dict[str, Any]:
        """`extensions.cost` of the answer, for callers who asked (Shopify's names)."""
        return {
            "requestedQueryCost": self.requested,
            "actualQueryCost": self.actual,
            "throttleStatus": {
                "maximumAvailable": self.budget.size,
                "currentlyAvailable": (
                    None if self.level is None else math.floor(self.level.available)
                ),
                "restoreRate": self.budget.restore_rate,
            },
        }
