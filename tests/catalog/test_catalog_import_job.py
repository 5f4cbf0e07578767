"""A catalog import in the background: stored, queued, applied by a worker, progress kept."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from app.worker_main import build_worker, job_context
from auth.principal import Principal, PrincipalKind
from core.cache import InMemoryCache
from core.db import Database
from core.kv import KeyValueStores
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from models.accounts import Role
from models.catalog.imports import CatalogImport, ImportStatus
from resolvers.catalog.catalog_import_jobs import start_catalog_import
from resolvers.context import Context
from tests.catalog.catalog_file_support import CSV, catalog_rows, zipped
from tests.user_builders import make_user


@pytest.fixture
async def ctx(jobs_settings: Settings, committed_db: Database) -> AsyncIterator[Context]:
    async with committed_db.transaction() as session:
        manager = await make_user(session, Role.CATALOG_MANAGER)
    context = Context.for_request(
        request_id="import-test",
        settings=jobs_settings,
        database=committed_db,
        stores=KeyValueStores(InMemoryCache(), InMemoryRateLimiter(), None),
        principal=Principal(kind=PrincipalKind.USER, role=manager.role, user_id=manager.id),
    )
    yield context
    await context.close()


async def _start(ctx: Context, content: bytes) -> CatalogImport:
    sha256 = hashlib.sha256(content).hexdigest()
    return await start_catalog_import(ctx, filename="catalog.zip", content=content, sha256=sha256)


async def _run_worker(settings: Settings, database: Database) -> None:
    async with job_context(settings, database) as context:
        await build_worker(settings, database, context).run_once()


async def _job(database: Database, pk: int | None) -> CatalogImport:
    async with database.session() as session:
        job = await session.get(CatalogImport, pk)
        assert job is not None
        return job


@pytest.mark.slow
async def test_a_background_import_applies_the_good_rows_reports_the_bad_and_reruns_idly(
    ctx: Context, jobs_settings: Settings, committed_db: Database
) -> None:
    # given a file with one bad row, started twice while it waits
    files = dict(CSV)
    files["products.csv"] = CSV["products.csv"].replace("5209.42", "52")
    content = zipped(files)
    job = await _start(ctx, content)
    assert (await _start(ctx, content)).id == job.id  # the same unfinished file: one import
    assert job.status == ImportStatus.QUEUED
    # when a worker runs it
    await _run_worker(jobs_settings, committed_db)
    # then the good rows landed, the bad one is reported by row and column, all counted
    done = await _job(committed_db, job.id)
    assert done.status == ImportStatus.DONE
    assert done.records_done == done.records_total > 0
    # the product with the bad HS code, then its variant, its two ladders and its stock
    assert done.failed == 5
    assert {(e["file"], e["row"], e["column"], e["code"]) for e in done.errors} >= {
        ("products.csv", 2, "hs_code", "INVALID_HS_CODE")
    }
    assert done.created > 0
    assert [row[0] for row in (await catalog_rows(committed_db))["products"]] == ["grey-plain"]
    # and the same file again, once finished, is a new import that changes nothing
    again = await _start(ctx, content)
    assert again.id != job.id
    await _run_worker(jobs_settings, committed_db)
    rerun = await _job(committed_db, again.id)
    assert rerun.status == ImportStatus.DONE
    assert (rerun.created, rerun.updated, rerun.failed) == (0, 0, done.failed)
    assert rerun.unchanged == done.created + done.updated + done.unchanged


@pytest.mark.slow
async def test_an_unreadable_file_fails_the_import_with_its_errors(
    ctx: Context, jobs_settings: Settings, committed_db: Database
) -> None:
    job = await _start(ctx, b"\x00\x01 not a catalog")
    await _run_worker(jobs_settings, committed_db)
    failed = await _job(committed_db, job.id)
    assert failed.status == ImportStatus.FAILED
    assert failed.errors
    assert failed.records_total == 0


BREAK_PRICE_TIERS = [
    """CREATE FUNCTION test_refuse_price_tiers() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'price_tiers refuses writes (a broken database)'; END $$""",
    """CREATE TRIGGER test_refuse_price_tiers BEFORE INSERT ON price_tiers
    FOR EACH ROW EXECUTE FUNCTION test_refuse_price_tiers()""",
]
MEND_PRICE_TIERS = [
    "DROP TRIGGER IF EXISTS test_refuse_price_tiers ON price_tiers",
    "DROP FUNCTION IF EXISTS test_refuse_price_tiers()",
]


async def _execute(database: Database, statements: list[str]) -> None:
    async with database.transaction() as session:
        for statement in statements:
            await session.execute(text(statement))


@pytest.mark.slow
async def test_an_import_failing_on_every_attempt_is_marked_stopped_not_left_running(
    ctx: Context, jobs_settings: Settings, committed_db: Database
) -> None:
    # given a database that fails every batch of the file (a real fault, not a refused row)
    await _execute(committed_db, BREAK_PRICE_TIERS)
    try:
        job = await _start(ctx, zipped(dict(CSV)))
        # when workers run it until its event is dead-lettered (3 attempts in these settings)
        async with asyncio.timeout(30):
            while (await _job(committed_db, job.id)).status != ImportStatus.FAILED:
                await _run_worker(jobs_settings, committed_db)
                await asyncio.sleep(0.06)
    finally:
        await _execute(committed_db, MEND_PRICE_TIERS)
    # then the import says it stopped, and nothing of its failed batch landed
    stopped = await _job(committed_db, job.id)
    assert [e["code"] for e in stopped.errors] == ["IMPORT_STOPPED"]
    assert stopped.records_done == 0 < stopped.records_total
    assert stopped.finished_at is not None
    assert (await catalog_rows(committed_db))["products"] == []
    async with committed_db.session() as session:
        states = (await session.execute(text("select state from outbox_events"))).scalars()
        assert list(states) == ["dead"]
