"""Reports as CSV through `exportCsv`: an export holds exactly the rows its report lists,
with the report's permission; the home screen, which has no rows, is not exportable."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import strawberry

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from resolvers.reports.sales_rollups import rebuild_sales
from schema.build import build_schema
from tests.callers import token_for
from tests.files.csv_export_support import ask, download, export
from tests.graphql_client import GraphQLClient, graphql_client
from tests.reports.books import make_book

SALES = """query($by: SalesDimension!) {
  salesReport(currency: "USD", fromMonth: "2026-01", toMonth: "2026-03", by: $by) {
    rows { key label orderCount quantity amount share } } }"""
MARGIN = """{ marginReport(currency: "EUR", fromMonth: "2026-01", toMonth: "2026-03", by: PRODUCT) {
    rows { key label margin } } }"""


@pytest.fixture(scope="module")
def export_schema(settings: Settings) -> strawberry.Schema:
    return build_schema(settings)


@pytest.fixture
async def api(settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with db.transaction() as session:
        await make_book(session)
        await rebuild_sales(session, None, settings=settings)
    async with graphql_client(settings, db) as client:
        yield client


def _cell(value: object) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("by", ["MONTH", "CLIENT", "CATEGORY"])
async def test_a_sales_report_export_holds_the_reports_rows(
    api: GraphQLClient, db: Database, settings: Settings, export_schema: strawberry.Schema, by: str
) -> None:
    async with db.transaction() as session:
        sales = api.as_(await token_for(session, settings, Role.SALES))
    done = await export(sales, export_schema, settings, db, SALES, {"by": by})
    assert (done["status"], done["error"]) == ("DONE", None)
    _, lines = await download(sales, done["downloadLink"]["url"])
    rows = (await sales.post(SALES, {"by": by}))["data"]["salesReport"]["rows"]
    assert rows
    columns = ["key", "label", "orderCount", "quantity", "amount", "share"]
    assert lines == [columns, *[[_cell(row[name]) for name in columns] for row in rows]]
    assert done["rowCount"] == len(rows)


async def test_an_export_keeps_the_reports_permission(
    api: GraphQLClient, db: Database, settings: Settings, export_schema: strawberry.Schema
) -> None:
    async with db.transaction() as session:
        sales = api.as_(await token_for(session, settings, Role.SALES))
        admin = api.as_(await token_for(session, settings, Role.ADMIN))
    # sales may not read costs: the margin export fails as the query would
    refused = await export(sales, export_schema, settings, db, MARGIN)
    assert refused["status"] == "FAILED"
    assert refused["error"]["code"] == "FORBIDDEN"
    assert refused["downloadLink"] is None
    # an admin's holds the margin rows
    done = await export(admin, export_schema, settings, db, MARGIN)
    _, lines = await download(admin, done["downloadLink"]["url"])
    rows = (await admin.post(MARGIN))["data"]["marginReport"]["rows"]
    assert lines[1:] == [[row["key"], row["label"], _cell(row["margin"])] for row in rows]


async def test_the_home_screen_and_two_lists_at_once_are_not_exportable(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        admin = api.as_(await token_for(session, settings, Role.ADMIN))
    two_lists = (
        '{ salesReport(currency: "USD", fromMonth: "2026-01", toMonth: "2026-01", by: CLIENT) '
        "{ rows { key } unconverted { currency } } }"
    )
    for query in ("{ home { currency variantsShort } }", two_lists):
        body = await ask(admin, query)
        errors = body["data"]["exportCsv"]["userErrors"]
        assert [error["code"] for error in errors] == ["NOT_EXPORTABLE"]
