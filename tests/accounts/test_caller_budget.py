"""One request's charge on its caller's bucket: the estimate first, then what was used."""

from __future__ import annotations

from auth.caller_budget import CallerBudget
from auth.policy import Budget
from core.budget_buckets import InMemoryCostBuckets
from core.errors import ErrorCode


class Clock:
    now = 50.0

    def __call__(self) -> float:
        return self.now


def budget_on(buckets: InMemoryCostBuckets, size: int = 100) -> CallerBudget:
    return CallerBudget(buckets, "user:1", Budget(size, 1), report=True)


async def test_the_unused_part_of_the_estimate_is_given_back() -> None:
    buckets = InMemoryCostBuckets(clock=Clock())
    budget = budget_on(buckets)

    assert await budget.charge(40) is None
    assert budget.cost_extension()["throttleStatus"]["currentlyAvailable"] == 60
    await budget.settle(15)

    assert budget.cost_extension() == {
        "requestedQueryCost": 40,
        "actualQueryCost": 15,
        "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 85, "restoreRate": 1},
    }


async def test_an_answer_pays_at_least_one_point_and_never_more_than_its_estimate() -> None:
    buckets = InMemoryCostBuckets(clock=Clock())
    free, larger = budget_on(buckets), budget_on(buckets)

    await free.charge(0)
    await free.settle(0)
    await larger.charge(10)
    await larger.settle(500)  # a list longer than the estimate assumed

    assert (free.requested, free.actual) == (1, 1)
    assert (larger.requested, larger.actual) == (10, 10)
    assert larger.level is not None
    assert larger.level.available == 100 - 1 - 10


async def test_a_refused_request_takes_nothing_and_says_when_to_come_back() -> None:
    clock = Clock()
    buckets = InMemoryCostBuckets(clock=clock)
    await budget_on(buckets).charge(95)
    budget = budget_on(buckets)

    refusal = await budget.charge(20)

    assert refusal is not None
    assert refusal.code is ErrorCode.THROTTLED
    assert budget.refusal is refusal
    assert budget.refusal.retry_after_seconds == 15  # 15 points missing, 1 a second
    assert budget.actual == 0
    clock.now += 15
    assert await budget_on(buckets).charge(20) is None


async def test_an_estimate_beyond_the_whole_bucket_is_too_complex_not_throttled() -> None:
    budget = budget_on(InMemoryCostBuckets(clock=Clock()), size=10)

    refusal = await budget.charge(11)

    assert refusal is not None
    assert refusal.code is ErrorCode.QUERY_TOO_COMPLEX
    assert budget.refusal is None
    assert budget.level is None  # the bucket was not touched
