"""A bulk writer's deferred rows: what its kept records made is written, in order, at the
end; what a refused record made is forgotten with it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from auth.audit import record
from core import outbox
from core.db import Database
from core.deferred_writes import DeferredWrites


async def _make(database: Database, label: str) -> None:
    async with database.transaction() as session:
        await record(session, actor=None, action="test.deferred", target_id=label)
        await outbox.emit(session, "test.deferred", {"label": label})


async def test_kept_rows_are_written_in_order_and_refused_ones_are_not(db: Database) -> None:
    assert isinstance(db.bind, AsyncConnection)
    bulk = Database(db.bind)
    deferred = bulk.deferred = DeferredWrites()
    await _make(bulk, "first")
    refused_from = deferred.checkpoint()
    await _make(bulk, "refused")
    deferred.roll_back_to(refused_from)
    await _make(bulk, "second")
    async with db.session() as session:
        written_early = await session.scalar(text("select count(*) from outbox_events"))
    assert written_early == 0  # nothing before the writer says so

    await deferred.write(db.bind)

    async with db.session() as session:
        events = (
            await session.execute(text("select payload->>'label' from outbox_events order by id"))
        ).scalars()
        audited = (
            await session.execute(text("select target_id from audit_entries order by id"))
        ).scalars()
        assert list(events) == ["first", "second"]
        assert list(audited) == ["first", "second"]
    assert deferred.rows == []
