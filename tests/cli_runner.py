"""Running `tradeql` as an operator would, against a migrated PostgreSQL database of its own."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import asyncpg

from tests.databases import PG_SERVER, database_url

TRADEQL = str(Path(sys.executable).parent / "tradeql")
ROOT = Path(__file__).resolve().parent.parent


async def fetch(database_name: str, sql: str, *arguments: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(f"postgresql://{PG_SERVER}/{database_name}")
    try:
        return list(await connection.fetch(sql, *arguments))
    finally:
        await connection.close()


class TradeqlCli:
    """`tradeql <command...> <args>` on `database_name`, with extra environment."""

    def __init__(
        self,
        database_name: str,
        *,
        command: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.database_name = database_name
        self.command = tuple(command)
        self.env = dict(env or {})

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        clean = {key: value for key, value in os.environ.items() if key != "ENV"}
        environment = {**clean, "DATABASE_URL": database_url(self.database_name), **self.env}
        return subprocess.run(
            [TRADEQL, *self.command, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            env=environment,
            cwd=ROOT,
            check=False,
        )

    def rows(self, sql: str, *arguments: object) -> list[asyncpg.Record]:
        return asyncio.run(fetch(self.database_name, sql, *arguments))
