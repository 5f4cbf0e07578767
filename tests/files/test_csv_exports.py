"""CSV exports of any list: the rows the query lists, as the caller, through an expiring link.

The exports run here by calling the worker's function directly on the test's database; one
slow test runs a real worker to show the handler is registered and the outbox drives it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from sqlalchemy import func, update
from sqlmodel import col, select

from app.worker_main import build_worker, job_context
from auth.api_keys import create_api_key
from core.db import Database
from core.global_id import decode_typed_id
from core.settings import Settings
from models.accounts import Role, User
from models.files import CsvExport, StoredFile
from models.orders import OrderStatus
from schema.build import build_schema
from schema.files.csv_export_run import run_csv_export
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.builders import make_rate
from tests.orders.staff_support import make_order
from tests.user_builders import make_user, session_for

EXPORT = """mutation($query: String!, $variables: JSON, $operationName: String) {
  exportCsv(query: $query, variables: $variables, operationName: $operationName) {
    csvExport { id status rowCount }
    userErrors { field code message }
  } }"""
POLL = """query($id: ID!) { csvExport(id: $id) {
  status rowCount error { code message path } fileId downloadLink { url expiresAt } } }"""

ORDERS = """query Orders($first: Int, $filter: StaffOrderFilter) {
  staffOrders(first: $first, filter: $filter, sortBy: PLACED_OLDEST) {
    edges { node { number status total { amount currency } placedAt
                   buyer: client { name } } } } }"""
ORDERS_PAGE = """query($first: Int, $after: String, $filter: StaffOrderFilter) {
  staffOrders(first: $first, after: $after, filter: $filter, sortBy: PLACED_OLDEST) {
    pageInfo { hasNextPage endCursor }
    nodes { number status total { amount currency } placedAt buyer: client { name } } } }"""


@pytest.fixture(scope="module")
def export_schema(settings: Settings) -> strawberry.Schema:
    return build_schema(settings)


@dataclass
class Staff:
    sales: GraphQLClient
    finance: GraphQLClient


@pytest.fixture
async def staff(settings: Settings, db: Database) -> AsyncIterator[Staff]:
    async with db.transaction() as session:
        sales = await token_for(session, settings, Role.SALES)
        finance = await token_for(session, settings, Role.FINANCE)
    async with graphql_client(settings, db) as client:
        yield Staff(sales=client.as_(sales), finance=client.as_(finance))


async def _orders(db: Database) -> None:
    """Fourteen orders of two clients, in three currencies, one a formula-like name."""
    async with db.transaction() as session:
        hanse = await make_client_company(session, name="Hanse Textil GmbH")
        sly = await make_client_company(session, name='=HYPERLINK("x")', country="IN")
        for n in range(14):
            await make_order(
                session,
                (hanse, sly)[n % 2],
                total=f"{n * 37 % 90 + 5}.{n:02d}",
                hours=n,
                currency=("USD", "EUR", "GBP")[n % 3],
                status=OrderStatus.CANCELLED if n == 5 else OrderStatus.PLACED,
            )


async def _ask(
    client: GraphQLClient, query: str, variables: dict[str, Any] | None = None, **more: Any
) -> dict[str, Any]:
    return await client.post(EXPORT, {"query": query, "variables": variables, **more})


async def _export(
    client: GraphQLClient,
    export_schema: strawberry.Schema,
    settings: Settings,
    db: Database,
    query: str,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Ask for an export, run it as a worker would, and answer its poll."""
    body = await _ask(client, query, variables)
    assert "errors" not in body, body
    payload = body["data"]["exportCsv"]
    assert payload["userErrors"] == []
    assert payload["csvExport"]["status"] == "QUEUED"
    export_id = payload["csvExport"]["id"]
    pk = decode_typed_id(export_id, "CsvExport", argument="id")
    await run_csv_export(export_schema, settings, db, pk, last_attempt=True)
    polled = await client.post(POLL, {"id": export_id})
    assert "errors" not in polled, polled
    found: dict[str, Any] = polled["data"]["csvExport"]
    found["id"] = export_id
    return found


async def _download(client: GraphQLClient, url: str) -> tuple[bytes, list[list[str]]]:
    response = await client.http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    content = response.content
    assert content.startswith("\ufeff".encode())
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


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
    await _orders(db)
    variables = {"first": 3, "filter": {"currency": "USD"}}
    # when sales exports the list, three orders a page
    done = await _export(staff.sales, export_schema, settings, db, ORDERS, variables)
    # then the CSV holds every order the query lists over all its pages, in its order
    assert done["status"] == "DONE"
    assert done["error"] is None
    content, lines = await _download(staff.sales, done["downloadLink"]["url"])
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
        done = await _export(books, export_schema, settings, db, query)
        _, lines = await _download(books, done["downloadLink"]["url"])
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
        done = await _export(caller, export_schema, settings, db, query)
        _, lines = await _download(caller, done["downloadLink"]["url"])
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
    done = await _export(client, export_schema, settings, db, query)
    _, lines = await _download(client, done["downloadLink"]["url"])
    return lines[1:]


async def test_a_field_the_caller_may_not_read_refuses_the_export(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given orders, and a query reading a finance-only field
    await _orders(db)
    query = "{ staffOrders { edges { node { number fxRate } } } }"
    # when sales (no finance:read) exports it
    failed = await _export(staff.sales, export_schema, settings, db, query)
    # then the export fails with FORBIDDEN at that field and keeps no file
    assert failed["status"] == "FAILED"
    assert failed["error"]["code"] == "FORBIDDEN"
    assert failed["error"]["path"].endswith(".node.fxRate")
    assert (failed["fileId"], failed["downloadLink"]) == (None, None)
    # while finance, who may read it, gets every row
    done = await _export(staff.finance, export_schema, settings, db, query)
    assert (done["status"], done["rowCount"]) == ("DONE", 14)


@pytest.mark.parametrize(
    ("query", "variables", "operation", "expected"),
    [
        ("{ staffOrders { edges { node { id } ", None, None, ("exportCsv", "BAD_USER_INPUT")),
        ("{ staffOrders { edges { node { nope } } } }", None, None, ("", "BAD_USER_INPUT")),
        ("query A { me { email } } query B { me { email } }", None, None, ("", "BAD_USER_INPUT")),
        ("query A { me { email } }", None, "C", ("", "BAD_USER_INPUT")),
        ("{ categories { id } }", {"x": "y" * 70_000}, None, ("", "BAD_USER_INPUT")),
        ("{ categories { id } }", ["not", "an", "object"], None, ("", "BAD_USER_INPUT")),
    ],
)
async def test_malformed_documents_are_refused_naming_the_argument(
    db: Database,
    staff: Staff,
    query: str,
    variables: Any,
    operation: str | None,
    expected: tuple[str, str],
) -> None:
    body = await _ask(staff.sales, query, variables, operationName=operation)
    assert body["data"]["exportCsv"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [expected[1]]
    assert body["errors"][0]["extensions"]["argument"] in {"query", "variables", "operationName"}
    assert await _exports_queued(db) == 0


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("mutation { logout { userErrors { code } } }", "mutation"),
        ("{ categories { id } me { email } }", "categories, me"),
        ("{ me { email } }", "no list"),
        ("{ staffOrders { nodes { id } edges { node { id } } } }", "`staffOrders.nodes`"),
        ("{ facets { attributes { key } countriesOfOrigin { value } } }", "`facets.attributes`"),
    ],
)
async def test_documents_without_one_list_of_rows_are_user_errors(
    db: Database, staff: Staff, query: str, named: str
) -> None:
    body = await _ask(staff.sales, query)
    assert "errors" not in body, body
    payload = body["data"]["exportCsv"]
    assert payload["csvExport"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["query"], "NOT_EXPORTABLE")
    assert named in error["message"]
    assert await _exports_queued(db) == 0


async def _exports_queued(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(CsvExport)) or 0)


async def test_only_staff_and_api_keys_may_export(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        buyer = await token_for(session, settings, Role.CLIENT, company=company)
    query = "{ orders { edges { node { number } } } }"
    assert error_codes(await _ask(client.as_(buyer), query)) == [("exportCsv", "FORBIDDEN")]
    assert error_codes(await _ask(client, query)) == [("exportCsv", "UNAUTHENTICATED")]
    assert await _exports_queued(db) == 0


async def test_an_export_and_its_file_are_unknown_to_anyone_but_who_asked(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    await _orders(db)
    done = await _export(staff.finance, export_schema, settings, db, ORDERS)
    async with db.transaction() as session:
        admin = await token_for(session, settings, Role.ADMIN)
    for other in (staff.sales, staff.sales.as_(admin)):
        assert (await other.post(POLL, {"id": done["id"]}))["data"]["csvExport"] is None
        link = await other.post("query($f: ID!) { downloadLink(fileId: $f) { url } }",
                                {"f": done["fileId"]})  # fmt: skip
        assert error_codes(link) == [("downloadLink", "NOT_FOUND")]


async def test_an_export_over_the_row_cap_fails_and_keeps_no_file(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    await _orders(db)
    capped = settings.model_copy(update={"export_max_rows": 13})
    failed = await _export(staff.sales, export_schema, capped, db, ORDERS, {"first": 5})
    assert (failed["status"], failed["error"]["code"]) == ("FAILED", "EXPORT_TOO_LARGE")
    assert "13" in failed["error"]["message"]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 0


async def test_an_export_of_a_user_disabled_meanwhile_fails_unread(
    db: Database, settings: Settings, export_schema: strawberry.Schema
) -> None:
    await _orders(db)
    async with db.transaction() as session:
        user = await make_user(session, Role.SALES)
        token = (await session_for(session, user, settings)).access_token
    async with graphql_client(settings, db) as client:
        body = await _ask(client.as_(token), ORDERS)
        export_id = body["data"]["exportCsv"]["csvExport"]["id"]
    async with db.transaction() as session:
        await session.execute(
            update(User).where(col(User.id) == user.id).values(disabled_at=datetime.now(UTC))
        )
    pk = decode_typed_id(export_id, "CsvExport", argument="id")
    await run_csv_export(export_schema, settings, db, pk, last_attempt=True)
    async with db.session() as session:
        export = await session.get(CsvExport, pk)
    assert export is not None
    assert (export.status, export.error_code, export.file_id) == ("failed", "UNAUTHENTICATED", None)


async def test_the_download_link_expires_with_the_file(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given a finished export whose file is kept 0.4 s more
    await _orders(db)
    done = await _export(staff.sales, export_schema, settings, db, ORDERS)
    async with db.transaction() as session:
        await session.execute(
            update(StoredFile).values(expires_at=datetime.now(UTC) + timedelta(seconds=0.4))
        )
    url = (await staff.sales.post(POLL, {"id": done["id"]}))["data"]["csvExport"]["downloadLink"]
    assert (await staff.sales.http.get(url["url"])).status_code == 200
    # when the moment passes, then the link is gone with a code
    await asyncio.sleep(0.5)
    gone = await staff.sales.http.get(url["url"])
    assert (gone.status_code, gone.json()["errors"][0]["extensions"]["code"]) == (
        410,
        "LINK_EXPIRED",
    )
    assert (await staff.sales.post(POLL, {"id": done["id"]}))["data"]["csvExport"][
        "downloadLink"
    ] is None


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
        body = await _ask(finance, ORDERS)
        export_id = body["data"]["exportCsv"]["csvExport"]["id"]
        async with job_context(jobs_settings, committed_db) as context:
            await build_worker(jobs_settings, committed_db, context).run_once()
        polled = (await finance.post(POLL, {"id": export_id}))["data"]["csvExport"]
        assert (polled["status"], polled["rowCount"]) == ("DONE", 1)
        _, lines = await _download(finance, polled["downloadLink"]["url"])
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
    done = await _export(caller, export_schema, settings, any_db, query)
    _, lines = await _download(caller, done["downloadLink"]["url"])
    # then every page's rows are there, once
    assert lines[0] == ["email", "role"]
    assert sorted(line[0] for line in lines[1:]) == sorted(emails)
    assert {line[1] for line in lines[1:]} == {"CLIENT"}


async def test_a_caller_may_have_only_three_exports_unfinished(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given three exports queued by sales
    queued = [(await _ask(staff.sales, ORDERS))["data"]["exportCsv"] for _ in range(3)]
    assert all(payload["userErrors"] == [] for payload in queued)
    # when sales asks for a fourth, then it is refused and nothing more is queued
    refused = (await _ask(staff.sales, ORDERS))["data"]["exportCsv"]
    assert refused["csvExport"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(None, "TOO_MANY_EXPORTS")]
    assert await _exports_queued(db) == 3
    # while finance is not held up by it, and sales may ask again once one has finished
    assert (await _ask(staff.finance, ORDERS))["data"]["exportCsv"]["userErrors"] == []
    first = decode_typed_id(queued[0]["csvExport"]["id"], "CsvExport", argument="id")
    await run_csv_export(export_schema, settings, db, first, last_attempt=True)
    assert (await _ask(staff.sales, ORDERS))["data"]["exportCsv"]["userErrors"] == []


async def test_an_export_left_running_by_a_dead_worker_starts_over_and_counts_once(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given an export a worker died in, seven rows into it
    await _orders(db)
    body = await _ask(staff.sales, ORDERS, {"first": 4})
    pk = decode_typed_id(body["data"]["exportCsv"]["csvExport"]["id"], "CsvExport", argument="id")
    async with db.transaction() as session:
        await session.execute(
            update(CsvExport).where(col(CsvExport.id) == pk).values(status="running", row_count=7)
        )
    # when the event is delivered again, twice
    await run_csv_export(export_schema, settings, db, pk, last_attempt=False)
    await run_csv_export(export_schema, settings, db, pk, last_attempt=False)
    # then the export holds every row once, in one file
    async with db.session() as session:
        export = await session.get(CsvExport, pk)
        files = await session.scalar(select(func.count()).select_from(StoredFile))
    assert export is not None
    assert (export.status, export.row_count, files) == ("done", 14, 1)
