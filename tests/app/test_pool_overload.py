"""More requests than pooled connections: the excess gets a prompt, coded, retryable 503.

The pool's connections are held busy for real: reads that wait on a table lock the test holds.
A request that finds no free connection within DATABASE_POOL_TIMEOUT_SECONDS is answered
OVERLOADED with Retry-After, and a mutation so refused changed nothing.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db import Database, create_engine
from core.settings import Settings
from models.inquiries import Inquiry, Lead
from tests.builders import make_category, make_fabric_type, make_product
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client
from tests.inquiries.support import SUBMIT, guest, inquiry_input, item

POOL_SIZE = 2  # and as many again of overflow: 4 connections in all
CONNECTIONS = 2 * POOL_SIZE
REQUESTS = 20
BLOCKED_READ = "{ categories { slug } }"
# pg_locks, not pg_stat_activity: the latter is a snapshot fixed for the holder's transaction.
_WAITING_FOR_CATEGORIES = """
SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'categories'::regclass
"""


@pytest.fixture
async def client(
    committed_settings: Settings, committed_db: Database
) -> AsyncIterator[GraphQLClient]:
    """The app on an engine of its own: a small pool that answers after 0.2 s of waiting;
    guest inquiries unthrottled, whatever other tests of this process sent before."""
    settings = committed_settings.model_copy(
        update={
            "database_pool_size": POOL_SIZE,
            "database_pool_timeout_seconds": 0.2,
            "inquiry_guest_max_per_hour": 10_000,
        }
    )
    engine = create_engine(settings)
    try:
        async with graphql_client(settings, Database(engine)) as client:
            yield client
    finally:
        await engine.dispose()


@asynccontextmanager
async def every_connection_busy(
    client: GraphQLClient, committed_db: Database
) -> AsyncIterator[list[asyncio.Task[httpx.Response]]]:
    """The app's every pooled connection held by a read waiting on a lock the test holds;
    the lock is released, and those reads answered, when the block ends."""
    assert isinstance(committed_db.bind, AsyncEngine)
    async with committed_db.bind.connect() as holder:
        await holder.execute(text("LOCK TABLE categories IN ACCESS EXCLUSIVE MODE"))
        blocked = [asyncio.create_task(client.response(BLOCKED_READ)) for _ in range(CONNECTIONS)]
        await _until_waiting_on_locks(holder, CONNECTIONS)
        try:
            yield blocked
        finally:
            await holder.rollback()
            await asyncio.gather(*blocked, return_exceptions=True)


async def _until_waiting_on_locks(holder: AsyncConnection, count: int) -> None:
    async with asyncio.timeout(10):
        while True:
            if await holder.scalar(text(_WAITING_FOR_CATEGORIES)) == count:
                return
            await asyncio.sleep(0.01)


async def answered_while_busy(calls: list[Awaitable[httpx.Response]]) -> list[httpx.Response]:
    """The responses to `calls`, which must all come while the pool stays busy (a generous
    bound only stops a hung test: the pool's timeout is what answers them)."""
    async with asyncio.timeout(30):
        return list(await settled(*calls))


def outcome(response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    if "errors" not in body:
        return f"{response.status_code}"
    (error,) = body["errors"]
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    retry_after = response.headers.get("retry-after")
    return f"{response.status_code} {error['extensions']['code']} retry-after={retry_after}"


async def test_requests_beyond_the_pool_are_answered_overloaded_within_its_timeout(
    client: GraphQLClient, committed_db: Database
) -> None:
    async with every_connection_busy(client, committed_db) as blocked:
        excess = await answered_while_busy(
            [client.response(BLOCKED_READ) for _ in range(REQUESTS - CONNECTIONS)]
        )
    served = [task.result() for task in blocked]

    assert Counter(map(outcome, excess)) == {"503 OVERLOADED retry-after=1": REQUESTS - CONNECTIONS}
    assert Counter(map(outcome, served)) == {"200": CONNECTIONS}


async def test_a_mutation_refused_for_overload_changed_nothing_and_may_be_retried(
    client: GraphQLClient, committed_db: Database
) -> None:
    async with committed_db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
            moq=100,
        )
    submission = {"input": inquiry_input([item(product)], guest=guest())}

    async with every_connection_busy(client, committed_db):
        (refused,) = await answered_while_busy([client.response(SUBMIT, submission)])
    written_while_busy = await _inquiries_and_leads(committed_db)
    retried = (await client.data(SUBMIT, submission))["submitInquiry"]

    assert outcome(refused) == "503 OVERLOADED retry-after=1"
    assert written_while_busy == (0, 0)
    assert retried["userErrors"] == []
    assert retried["reference"] is not None
    assert await _inquiries_and_leads(committed_db) == (1, 1)


async def _inquiries_and_leads(database: Database) -> tuple[int | None, int | None]:
    async with database.session() as session:
        inquiries = await session.scalar(select(func.count()).select_from(Inquiry))
        leads = await session.scalar(select(func.count()).select_from(Lead))
    return inquiries, leads
