"""The retry helper against a real PostgreSQL deadlock: both transactions end up committed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Update, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from core.db import Database
from core.transaction_retry import is_retryable, retry_transaction
from models.clients import ClientCompany
from tests.callers import make_client_company
from tests.concurrently import settled


@pytest.mark.slow
async def test_a_deadlocked_transaction_is_rerun_and_commits(committed_db: Database) -> None:
    async with committed_db.transaction() as session:
        first = await make_client_company(session, name="Deadlock A")
        second = await make_client_company(session, name="Deadlock B")
    both_hold_one = asyncio.Barrier(2)
    aborted: list[BaseException] = []

    def rename(pk: int | None, name: str) -> Update:
        return update(ClientCompany).where(col(ClientCompany.id) == pk).values(name=name)

    async def lock_in_order(a: int | None, b: int | None, name: str) -> str:
        attempts = 0

        async def work() -> str:
            nonlocal attempts
            attempts += 1
            try:
                async with committed_db.transaction() as session:
                    await session.execute(rename(a, name))
                    if attempts == 1:
                        await both_hold_one.wait()
                    await session.execute(rename(b, name))
            except DBAPIError as error:
                aborted.append(error)
                raise
            return name

        return await retry_transaction(work)

    # when two transactions lock the same two rows in opposite orders
    results = await settled(
        lock_in_order(first.id, second.id, "by one"),
        lock_in_order(second.id, first.id, "by other"),
    )
    # then PostgreSQL aborts one as a deadlock, the helper reruns it, and both commit
    assert sorted(results) == ["by one", "by other"]
    assert len(aborted) == 1
    assert is_retryable(aborted[0])
