"""CSV exports of any list: exactly the rows the query lists, as the caller, formatted for a
spreadsheet. The exports run by calling the worker's function on the test's database; one
slow test runs a real worker to show the handler is registered and the outbox drives it."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import strawberry

from app.worker_main import build_worker, job_context
from auth.api_keys import create_api_key
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.callers import make_client_company, token_for
from tests.files.csv_export_support import (
    ORDERS,
    POLL,
    Staff,
    ask,
    download,
    export,
    make_orders,
)
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.builders import make_rate
from tests.orders.staff_support import make_order
from tests.user_builders import make_user

ORDERS_PAGE = """query($first: Int, $after: String, $filter: StaffOrderFilter) {
  staffOrders(first: $first, after: $after, filter: $filter, sortBy: PLACED_OLDEST) {
    pageInfo { hasNextPage endCursor }
    nodes { number status total { amount currency } placedAt buyer: client { name } } } }"""


async def _paged(client: GraphQLClient, variables: dict[str, Any]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = await client.post(ORDERS_PAGE, {**variables, "first": 4, "after": after})
        assert "errors" not in body, body
        page = body["data"]["staffOrders"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def _as_cells(node: dict[str, Any]) -> list[str]:
    name = node["buyer"]["name"]
    return [
        node["number"],
        node["status"],
        node["total"]["amount"],
        node["total"]["currency"],
        node["placedAt"],
        "'" + name if name.startswith("=") else name,
    ]


async def test_an_export_of_staff_orders_holds_exactly_the_rows_the_query_lists(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given orders, and a filter leaving some out
    await make_orders(db)
    variables = {"first": 3, "filter": {"currency": "USD"}}
    # when sales exports the list, three orders a page
    done = await export(staff.sales, export_schema, settings, db, ORDERS, variables)
    # then the CSV holds every order the query lists over all its pages, in its order
    assert done["status"] == "DONE"
    assert done["error"] is None
    content, lines = await download(staff.sales, done["downloadLink"]["url"])
    listed = await _paged(staff.sales, {"filter": {"currency": "USD"}})
    header = ["number", "status", "total.amount", "total.currency", "placedAt", "buyer.name"]
    assert lines == [header, *[_as_cells(node) for node in listed]]
    assert done["rowCount"] == len(listed) == 5
    # with CRLF line ends, plain decimals, ISO 8601 moments, and a formula made harmless
    assert content.count(b"\r\n") == len(lines)
    assert all("E" not in line[2] for line in lines[1:])
    assert all(datetime.fromisoformat(line[4]).tzinfo is not None for line in lines[1:])
    assert any(line[5].startswith("'=HYPERLINK") for line in lines[1:])


async def test_a_plain_list_is_exported_as_the_query_returns_it_for_an_api_key(
    db: Database, settings: Settings, export_schema: strawberry.Schema
) -> None:
    # given rates, one so small that Python would write it with an exponent
    async with db.transaction() as session:
        key = await create_api_key(session, name="books", role=Role.FINANCE)
        await make_rate(session, "USD", "EUR", "0.9215")
        await make_rate(session, "JPY", "BTC", "0.0000000100")
    query = "{ exchangeRates { base quote rate effectiveAt } }"
    async with graphql_client(settings, db) as client:
        books = client.as_(key.key)
        # when a finance API key exports the list
        done = await export(books, export_schema, settings, db, query)
        _, lines = await download(books, done["downloadLink"]["url"])
        listed = (await books.post(query))["data"]["exchangeRates"]
    # then each item is a row, rates as plain decimals
    assert lines[0] == ["base", "quote", "rate", "effectiveAt"]
    assert [line[:2] for line in lines[1:]] == [[r["base"], r["quote"]] for r in listed]
    assert [Decimal(line[2]) for line in lines[1:]] == [Decimal(r["rate"]) for r in listed]
    assert next(line for line in lines if line[0] == "JPY")[:3] == ["JPY", "BTC", "0.0000000100"]


async def test_row_scoping_is_the_callers(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given client users and staff
    async with db.transaction() as session:
        company = await make_client_company(session)
        for _ in range(3):
            await make_user(session, Role.CLIENT, company=company)
        admin = await token_for(session, settings, Role.ADMIN)
    query = "{ users(first: 100) { nodes { email role disabled lastSignedInAt } } }"
    for caller in (staff.sales, staff.sales.as_(admin)):
        # when each exports the user list
        done = await export(caller, export_schema, settings, db, query)
        _, lines = await download(caller, done["downloadLink"]["url"])
        # then each gets the rows their own query lists: sales client users only
        listed = (await caller.post(query))["data"]["users"]["nodes"]
        expected = [
            [u["email"], u["role"], "true" if u["disabled"] else "false", u["lastSignedInAt"] or ""]
            for u in listed
        ]
        assert lines[1:] == expected
    roles_seen_by_sales = {
        line[1] for line in (await _lines(staff.sales, export_schema, settings, db, query))
    }
    assert roles_seen_by_sales == {"CLIENT"}


async def _lines(
    client: GraphQLClient,
    export_schema: strawberry.Schema,
    settings: Settings,
    db: Database,
    query: str,
) -> list[list[str]]:
    done = await export(client, export_schema, settings, db, query)
    _, lines = await download(client, done["downloadLink"]["url"])
    return lines[1:]


@pytest.mark.slow
async def test_a_worker_runs_a_queued_export(
    committed_db: Database, committed_settings: Settings, jobs_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        token = await token_for(session, committed_settings, Role.FINANCE)
        company = await make_client_company(session)
        await make_order(session, company, total="12.50", hours=0)
    async with graphql_client(committed_settings, committed_db) as client:
        finance = client.as_(token)
        body = await ask(finance, ORDERS)
        export_id = body["data"]["exportCsv"]["csvExport"]["id"]
        async with job_context(jobs_settings, committed_db) as context:
            await build_worker(jobs_settings, committed_db, context).run_once()
        polled = (await finance.post(POLL, {"id": export_id}))["data"]["csvExport"]
        assert (polled["status"], polled["rowCount"]) == ("DONE", 1)
        _, lines = await download(finance, polled["downloadLink"]["url"])
    assert lines[1][2:4] == ["12.50", "USD"]
    assert json.loads(json.dumps(lines))[0][0] == "number"


async def test_an_export_runs_on_either_database(
    any_db: Database,
    any_client: GraphQLClient,
    settings: Settings,
    export_schema: strawberry.Schema,
) -> None:
    # given three client users, exported two a page by sales
    async with any_db.transaction() as session:
        token = await token_for(session, settings, Role.SALES)
        company = await make_client_company(session)
        emails = {(await make_user(session, Role.CLIENT, company=company)).email for _ in range(3)}
    caller = any_client.as_(token)
    query = "{ users(first: 2) { edges { node { email role } } } }"
    done = await export(caller, export_schema, settings, any_db, query)
    _, lines = await download(caller, done["downloadLink"]["url"])
    # then every page's rows are there, once
    assert lines[0] == ["email", "role"]
    assert sorted(line[0] for line in lines[1:]) == sorted(emails)
    assert {line[1] for line in lines[1:]} == {"CLIENT"}
