"""Orders invalidate cached catalog reads of stock at most once per window, never later."""

from __future__ import annotations

import asyncio
import uuid

from app.coalesced_bump import CoalescedBump
from core.db import Database
from core.settings import Settings
from tests.graphql_client import graphql_client
from tests.orders.builders import PLACE, make_shop, order_input

STOCK = """query($slug: String!) { product(slug: $slug) { variants { sku available } } }"""
WINDOW = 0.3


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> None:
        self.count += 1


async def _until(condition: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_the_first_change_bumps_at_once_and_later_ones_once_at_the_window_end() -> None:
    bump = Counter()
    coalesced = CoalescedBump(bump, WINDOW)
    await coalesced()
    assert bump.count == 1
    for _ in range(5):
        await coalesced()
    assert bump.count == 1  # five more changes inside the window: one bump scheduled
    await _until(lambda: bump.count == 2)
    await asyncio.sleep(WINDOW * 1.5)
    assert bump.count == 2  # and nothing more without another change


async def test_flush_runs_the_scheduled_bump_now_and_a_zero_window_bumps_every_time() -> None:
    bump = Counter()
    coalesced = CoalescedBump(bump, 60)
    await coalesced()
    await coalesced()
    await coalesced.flush()
    assert bump.count == 2
    await coalesced.flush()
    assert bump.count == 2
    every = Counter()
    immediate = CoalescedBump(every, 0)
    for _ in range(3):
        await immediate()
    assert every.count == 3


async def test_cached_stock_lags_an_order_by_at_most_the_window(
    settings: Settings, redis_prefix: str, db: Database
) -> None:
    served = settings.model_copy(
        update={
            "debug_extensions": False,  # the cache is off while it is on
            "catalog_cache_seconds": 300,
            "stock_cache_seconds": 3.0,  # long enough for two requests on a busy machine
            "redis_prefix": f"{redis_prefix}stock-{uuid.uuid4().hex[:8]}:",
        }
    )
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    slug = {"slug": shop.product.slug}
    sku = shop.variant.sku

    def available(body: dict[str, object]) -> int:
        variants = body["product"]["variants"]  # type: ignore[index]
        return next(v["available"] for v in variants if v["sku"] == sku)  # type: ignore[no-any-return]

    async def order(key: str) -> None:
        body = await http.as_(shop.client_token).data(
            PLACE, {"input": order_input([(shop.variant, 10)]), "key": key}
        )
        assert body["placeOrder"]["userErrors"] == []

    async with graphql_client(served, db) as http:
        assert available(await http.data(STOCK, slug)) == 1_000
        await order("first")  # the first stock change after a quiet spell bumps at once
        assert available(await http.data(STOCK, slug)) == 990
        await order("second")  # inside the window: the cached answer may lag
        assert available(await http.data(STOCK, slug)) == 990
        latest: list[int] = []

        async def fresh() -> bool:
            latest.append(available(await http.data(STOCK, slug)))
            return latest[-1] == 980

        for _ in range(100):
            if await fresh():
                break
            await asyncio.sleep(0.1)
    assert latest[-1] == 980  # ... but by no more than the window
