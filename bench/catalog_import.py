"""Catalog imports: rows a second at two file sizes, and the wall time of the larger.

    .venv/bin/python -m bench.catalog_import [--small 1000] [--large 10000]

Seeds a demo catalog in a scratch database, exports it as a catalog file, and imports that
file into a fresh empty database through the path a background import takes (read the file,
apply it BATCH_RECORDS records a transaction, each record with the mutations' own rules).

The sizes are rows of the file's CSVs, as a spreadsheet counts them (headers left out),
approximately: demo products are seeded until the export holds at least that many. A record
is what one mutation applies: a category, a product, a variant, or one SKU's whole price
ladder in a currency, whose tiers are rows of their own; the demo has about two rows a
record. The rate must not fall as files grow (ratio of rows/s at least 0.8), and 10,000 rows
should take under a minute on 2 cores. Figures are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import time
import uuid
import zipfile
from dataclasses import dataclass

from app.cli.seed_commands import seed_demo
from bench import scratch_database
from core.db import Database, create_engine
from core.settings import Settings
from resolvers.catalog.catalog_export import export_catalog
from resolvers.catalog.catalog_import import BATCH_RECORDS, Actor, BatchOutcome, apply_in_batches
from resolvers.catalog.catalog_rows import read_catalog_file

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
# Rows of the demo export per seeded product, about (its row, its variants' rows, their
# price tiers and stock); the seeding is sized from it.
ROWS_PER_PRODUCT = 21


@dataclass(frozen=True)
class Run:
    rows: int
    records: int
    seconds: float
    outcome: BatchOutcome

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def file_rows(content: bytes) -> int:
    """Data rows of the zipped CSVs, as a spreadsheet shows them."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(
            len(list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))) - 1
            for name in archive.namelist()
        )


async def _catalog_file(rows: int) -> bytes:
    """A demo catalog of about `rows` rows, exported as a catalog file."""
    name = f"bench_import_source_{uuid.uuid4().hex[:8]}"
    url = await scratch_database.create_migrated(PG_SERVER, name)
    engine = create_engine(Settings(env="test", database_url=url, redis_url=None))
    try:
        database = Database(engine)
        await seed_demo(database, products=max(rows // ROWS_PER_PRODUCT, 1))
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
        return Run(file_rows(content), len(catalog.records), seconds, outcome)
    finally:
        await engine.dispose()
        await scratch_database.drop(PG_SERVER, name)


def _line(label: str, run: Run) -> str:
    done = f"{run.outcome.created} created, {run.outcome.failed} refused"
    return (
        f"{label}: {run.rows:>6,} rows ({run.records:,} records) in {run.seconds:6.1f} s = "
        f"{run.rate:5.0f} rows/s, {run.records / run.seconds:4.0f} records/s ({done})"
    )


async def main(small: int, large: int) -> None:
    runs = []
    for size in (small, large):
        content = await _catalog_file(size)
        runs.append(await _import(content))
    print(
        f"catalog import into an empty PostgreSQL database, {BATCH_RECORDS} records a transaction"
    )
    print(_line("small", runs[0]))
    print(_line("large", runs[1]))
    print(f"ratio (large rows/s / small rows/s): {runs[1].rate / runs[0].rate:.2f} (goal: >= 0.8)")
    print(f"wall time of the large file: {runs[1].seconds:.1f} s (goal: under 60 s at 10,000 rows)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=10_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.small, arguments.large))
