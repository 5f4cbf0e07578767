"""A CSV export draws on its caller's budget page by page, as the same query sent over HTTP
would: a page the bucket cannot pay for waits until the points are back, and an export whose
pages each cost more than the caller's whole bucket is refused.

Against real Redis (the shared server, under a prefix of the test's own) and PostgreSQL. The
buckets are the ones a worker's job context builds from its settings; waits are counted, never
timed.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
import strawberry

from app.caller_budgets import cost_buckets_for
from app.worker_main import job_context
from auth.api_keys import create_api_key
from core.budget_buckets import InMemoryCostBuckets, RedisCostBuckets
from core.db import Database
from core.global_id import decode_typed_id
from core.kv import create_key_value_stores
from core.settings import Settings
from models.accounts import Role
from models.files import CsvExport
from schema.cost import operation_cost
from schema.files import csv_export_run
from schema.files.csv_export_run import prepare, run_csv_export
from tests.files.csv_export_support import ORDERS, ask, make_orders
from tests.graphql_client import graphql_client

# Fourteen orders (`make_orders`), five a page: three pages.
VARIABLES = {"first": 5}


@pytest.fixture
def budget_settings(settings: Settings, redis_prefix: str) -> Settings:
    return settings.model_copy(
        update={
            "caller_budgets": True,
            "redis_prefix": f"{redis_prefix}export-budget-{uuid.uuid4().hex[:8]}:",
        }
    )


def _page_cost(schema: strawberry.Schema, settings: Settings) -> int:
    """What one page of the export is estimated at: what its bucket is charged before it runs."""
    plan = prepare(schema._schema, ORDERS, dict(VARIABLES), None, max_tokens=settings.max_tokens)
    cost = operation_cost(schema._schema, plan.document, plan.operation_name, VARIABLES)
    assert cost is not None
    assert cost > 1
    return cost


async def _export_as_key(
    db: Database,
    settings: Settings,
    budget_settings: Settings,
    schema: strawberry.Schema,
    *,
    budget_size: int,
    restore_rate: int,
) -> CsvExport:
    """Queue an export of the orders as a sales key with this budget, run it as a worker of
    `budget_settings` would, and read it back."""
    await make_orders(db)
    async with db.transaction() as session:
        key = await create_api_key(
            session,
            name="ERP",
            role=Role.SALES,
            budget_size=budget_size,
            budget_restore_rate=restore_rate,
        )
    # Asked unmetered, so that the export's pages alone draw on the bucket.
    async with graphql_client(settings, db) as client:
        body: dict[str, Any] = await ask(client.as_(key.key), ORDERS, VARIABLES)
    pk = decode_typed_id(body["data"]["exportCsv"]["csvExport"]["id"], "CsvExport", argument="id")
    async with job_context(budget_settings, db) as context:
        assert isinstance(context.cost_buckets, RedisCostBuckets)
        await run_csv_export(
            schema, budget_settings, db, pk, last_attempt=True, buckets=context.cost_buckets
        )
    async with db.session() as session:
        export = await session.get(CsvExport, pk)
    assert export is not None
    return export


@pytest.mark.slow
async def test_an_export_pays_for_each_page_and_waits_when_the_bucket_is_empty(
    db: Database,
    settings: Settings,
    budget_settings: Settings,
    export_schema: strawberry.Schema,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a key whose bucket pays for one page, then refills in about a second
    page = _page_cost(export_schema, settings)
    caplog.set_level(logging.INFO, logger="tradeql.csv_exports")

    # when it exports three pages of orders
    export = await _export_as_key(
        db, settings, budget_settings, export_schema, budget_size=page, restore_rate=page
    )

    # then every row is exported, and each page after the first waited for its points
    assert (export.status, export.row_count, export.error_code) == ("done", 14, None)
    waits = [r.getMessage() for r in caplog.records if "caller's budget" in r.getMessage()]
    assert waits == [f"csv export {export.id} waits 1 s for its caller's budget"] * 2


@pytest.mark.slow
async def test_an_export_that_waits_too_long_in_all_is_stopped(
    db: Database,
    settings: Settings,
    budget_settings: Settings,
    export_schema: strawberry.Schema,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given exports may wait 1 s in all, and a bucket that needs a second per page
    monkeypatch.setattr(csv_export_run, "MAX_BUDGET_WAIT_SECONDS", 1)
    page = _page_cost(export_schema, settings)

    # when a key exports three pages, then the third page's wait is one too many
    export = await _export_as_key(
        db, settings, budget_settings, export_schema, budget_size=page, restore_rate=page
    )

    assert (export.status, export.error_code, export.file_id) == ("failed", "THROTTLED", None)
    assert export.error_message is not None
    assert "waiting over 1 seconds" in export.error_message


async def test_an_export_whose_page_outgrows_the_whole_bucket_is_refused(
    db: Database,
    settings: Settings,
    budget_settings: Settings,
    export_schema: strawberry.Schema,
) -> None:
    # given a key whose whole bucket holds less than one page costs
    page = _page_cost(export_schema, settings)

    # when it exports, then the export fails as the query over HTTP would, with nothing stored
    export = await _export_as_key(
        db, settings, budget_settings, export_schema, budget_size=page - 1, restore_rate=page
    )

    assert (export.status, export.error_code, export.file_id) == (
        "failed",
        "QUERY_TOO_COMPLEX",
        None,
    )
    assert export.error_message is not None
    assert "ask for fewer items per page" in export.error_message


async def test_without_redis_a_server_and_its_embedded_worker_share_their_buckets(
    db: Database, budget_settings: Settings
) -> None:
    # given a process without Redis (the embedded default): its buckets live in the process
    in_process = budget_settings.model_copy(update={"redis_url": None})
    stores = create_key_value_stores(in_process)
    # when its worker's job context is made over the server's stores, as the server's is
    async with job_context(in_process, db, stores) as context:
        # then an export draws on the very buckets the server's requests do
        assert context.cost_buckets is cost_buckets_for(in_process, stores)
        assert isinstance(context.cost_buckets, InMemoryCostBuckets)
    # and with budgets off, on none
    unmetered = in_process.model_copy(update={"caller_budgets": False})
    async with job_context(unmetered, db, stores) as context:
        assert context.cost_buckets is None
