"""Bulk writes for the seeders: COPY on PostgreSQL, executemany on SQLite (the dev database,
small books only), into the caller's transaction.

The rows carry their own ids, taken from blocks above every existing id; afterwards each
PostgreSQL id sequence is moved past the highest id, so the application's next insert does
not collide with a seeded row (SQLite takes max(id) + 1 by itself). Where the role allows,
foreign keys are not checked row by row (`skip_reference_checks`): the drafts reference only
what they write or read, and the tests check every foreign key of the written tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import metadata


class BulkWriter:
    def __init__(self, session: AsyncSession, *, is_sqlite: bool) -> None:
        self.session = session
        self.is_sqlite = is_sqlite

    async def skip_reference_checks(self) -> bool:
        """Turn off PostgreSQL's per-row foreign-key triggers for the rest of the transaction,
        where the role may (a superuser), as `pg_restore --disable-triggers` does: they are
        half the time of the COPY, and the rows are drafted consistent (tested). Whether
        they are off."""
        if self.is_sqlite:
            return False
        if await self.session.scalar(text("SELECT current_setting('is_superuser')")) != "on":
            return False
        await self.session.execute(text("SET LOCAL session_replication_role = replica"))
        return True

    async def first_free_id(self, table: str) -> int:
        column = metadata.tables[table].c.id
        return int(await self.session.scalar(select(func.max(column))) or 0) + 1

    async def write(
        self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        """Insert `rows` (tuples in `columns` order); how many."""
        rows = list(rows)
        if not rows:
            return 0
        if self.is_sqlite:
            await self.session.execute(
                insert(metadata.tables[table]),
                [dict(zip(columns, row, strict=True)) for row in rows],
            )
            return len(rows)
        encoded = _json_positions(table, columns)
        if encoded:
            rows = [
                tuple(json.dumps(value) if n in encoded else value for n, value in enumerate(row))
                for row in rows
            ]
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table, records=rows, columns=list(columns)
        )
        return len(rows)

    async def move_sequences_past_ids(self, tables: Iterable[str]) -> None:
        if self.is_sqlite:
            return
        for table in tables:
            await self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our table names
                    f"(SELECT max(id) FROM {table}))"
                )
            )

    async def analyze(self, tables: Iterable[str]) -> None:
        """Fresh statistics, so the first report after a seed is planned for its size."""
        if not self.is_sqlite:
            await self.session.execute(text(f"ANALYZE {', '.join(tables)}"))


def _json_positions(table: str, columns: Sequence[str]) -> set[int]:
    """Positions of JSON columns, which COPY takes as text."""
    columns_of = metadata.tables[table].c
    return {n for n, name in enumerate(columns) if isinstance(columns_of[name].type, JSON)}
