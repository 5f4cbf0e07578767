"""Writes a bulk writer makes once per transaction instead of once per record.

A catalog import applies hundreds of records in one transaction, each through a mutation, and
each mutation would rewrite the storefront's derived rows and insert its audit row and its
outbox event on its own. Bound to one connection, the import sets a `DeferredWrites` on its
`Database` (`core.db`) and, before it commits:

- rewrites the derived rows of every product the records touched, once (`DeferredIndex`);
- inserts the kept audit rows and events in a few multi-row statements, in the order they
  were made, so events keep their order.

A record that is refused rolls its savepoint back; the import then forgets the rows that
record made (`roll_back_to`), as the savepoint forgot its writes. Nobody outside the
transaction sees any of it before the commit, so deferring changes nothing they can observe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import SQLModel

from core.catalog_index.flush_changes import DeferredIndex


@dataclass
class DeferredWrites:
    index: DeferredIndex = field(default_factory=DeferredIndex)
    # Append-only rows (audit entries, outbox events) made by the records kept so far.
    rows: list[SQLModel] = field(default_factory=list)

    def keep(self, row: SQLModel) -> None:
        self.rows.append(row)

    def checkpoint(self) -> int:
        """Where the rows stand now, for `roll_back_to`."""
        return len(self.rows)

    def roll_back_to(self, checkpoint: int) -> None:
        """Forget the rows made since `checkpoint`: their record was refused."""
        del self.rows[checkpoint:]

    async def write(self, connection: AsyncConnection) -> None:
        """Apply everything deferred, in the connection's transaction (not committing it)."""
        await connection.run_sync(self.index.apply)
        if self.rows:
            # The ORM sends rows of one table in multi-row INSERTs, in the order added.
            async with (
                AsyncSession(bind=connection, join_transaction_mode="create_savepoint") as session,
                session.begin(),
            ):
                session.add_all(self.rows)
            self.rows.clear()
