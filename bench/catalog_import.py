"""Catalog imports: records a second at two file sizes, and the wall time of the larger.

    .venv/bin/python -m bench.catalog_import [--small 1000] [--large 10000]

Seeds a demo catalog in a scratch database, exports it as a catalog file, and imports that
file into a fresh empty database through the path a background import takes (read the file,
apply it 500 records a transaction, each record with the mutations' own rules). The sizes
are records of the file, approximately: the demo products are seeded until the export holds
at least that many. The rate must not fall as files grow (ratio at least 0.8), and 10,000
records should take under a minute on 2 cores. Figures are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from dataclasses import dataclass

from app.cli.seed_commands import seed_demo
from bench import scratch_database
from core.db import Database, create_engine
from core.settings import Settings
from resolvers.catalog.catalog_export import export_catalog
from resolvers.catalog.catalog_import import Actor, BatchOutcome, apply_in_batches
from resolvers.catalog.catalog_rows import read_catalog_file

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
# Records of the demo export per seeded product, about (product, status, variants, ladders,
# stock); the seeding is sized from it and checked after.
RECORDS_PER_PRODUCT = 9


@dataclass(frozen=True)
class Run:
    records: int
    seconds: float
    outcome: BatchOutcome

    @property
    def rate(self) -> float:
        return self.records / self.seconds


async def _catalog_file(records: int) -> bytes:
    """A demo catalog of about `records` records, exported as a catalog file."""
    name = f"bench_import_source_{uuid.uuid4().hex[:8]}"
    url = await scratch_database.create_migrated(PG_SERVER, name)
    engine = create_engine(Settings(env="test", database_url=url, redis_url=None))
    try:
        database = Database(engine)
        await seed_demo(database, products=max(records // RECORDS_PER_PRODUCT, 1))
        async with database.session() as session:
            return await export_catalog(session)
    finally:
        await engine.dispose()
        await scratch_database.drop(PG_SERVER, name)


async def _import(content: bytes) -> Run:
    """The file imported into an empty database, timed from reading it to the last batch."""
    name = f"bench_import_target_{uuid.uuid4().hex[:8]}"
    url = await scratch_database.create_migrated(PG_SERVER, name)
    settings = Settings(env="test", database_url=url, redis_url=None)
    engine = create_engine(settings)
    try:
        started = time.perf_counter()
        catalog = read_catalog_file(content, "catalog.zip")
        outcome = await apply_in_batches(Database(engine), settings, Actor(label="bench"), catalog)
        seconds = time.perf_counter() - started
        return Run(len(catalog.records), seconds, outcome)
    finally:
        await engine.dispose()
        await scratch_database.drop(PG_SERVER, name)


def _line(label: str, run: Run) -> str:
    done = f"{run.outcome.created} created, {run.outcome.failed} refused"
    return (
        f"{label}: {run.records:>6,} records in {run.seconds:6.1f} s = "
        f"{run.rate:6.0f} records/s ({done})"
    )


async def main(small: int, large: int) -> None:
    runs = []
    for size in (small, large):
        content = await _catalog_file(size)
        runs.append(await _import(content))
    print("catalog import into an empty PostgreSQL database, 500 records a transaction")
    print(_line("small", runs[0]))
    print(_line("large", runs[1]))
    print(f"ratio (large rate / small rate): {runs[1].rate / runs[0].rate:.2f} (goal: >= 0.8)")
    print(f"wall time of the large file: {runs[1].seconds:.1f} s (goal: under 60 s at 10,000)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=10_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.small, arguments.large))
