"""CSV exports refused or ended: malformed documents, no list of rows, callers who may not
export or read a field, someone else's export, the row cap, a disabled requester, too many
unfinished exports, an expired link."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import strawberry
from sqlalchemy import func, update
from sqlmodel import col, select

from core.db import Database
from core.global_id import decode_typed_id
from core.settings import Settings
from models.accounts import Role, User
from models.files import CsvExport, StoredFile
from schema.files.csv_export_run import run_csv_export
from tests.callers import error_codes, make_client_company, token_for
from tests.files.csv_export_support import (
    ORDERS,
    POLL,
    Staff,
    ask,
    export,
    exports_queued,
    make_orders,
)
from tests.graphql_client import GraphQLClient, graphql_client
from tests.user_builders import make_user, session_for


async def test_a_field_the_caller_may_not_read_refuses_the_export(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given orders, and a query reading a finance-only field
    await make_orders(db)
    query = "{ staffOrders { edges { node { number fxRate } } } }"
    # when sales (no finance:read) exports it
    failed = await export(staff.sales, export_schema, settings, db, query)
    # then the export fails with FORBIDDEN at that field and keeps no file
    assert failed["status"] == "FAILED"
    assert failed["error"]["code"] == "FORBIDDEN"
    assert failed["error"]["path"].endswith(".node.fxRate")
    assert (failed["fileId"], failed["downloadLink"]) == (None, None)
    # while finance, who may read it, gets every row
    done = await export(staff.finance, export_schema, settings, db, query)
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
    body = await ask(staff.sales, query, variables, operationName=operation)
    assert body["data"]["exportCsv"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [expected[1]]
    assert body["errors"][0]["extensions"]["argument"] in {"query", "variables", "operationName"}
    assert await exports_queued(db) == 0


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
    body = await ask(staff.sales, query)
    assert "errors" not in body, body
    payload = body["data"]["exportCsv"]
    assert payload["csvExport"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["query"], "NOT_EXPORTABLE")
    assert named in error["message"]
    assert await exports_queued(db) == 0


async def test_only_staff_and_api_keys_may_export(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        buyer = await token_for(session, settings, Role.CLIENT, company=company)
    query = "{ orders { edges { node { number } } } }"
    assert error_codes(await ask(client.as_(buyer), query)) == [("exportCsv", "FORBIDDEN")]
    assert error_codes(await ask(client, query)) == [("exportCsv", "UNAUTHENTICATED")]
    assert await exports_queued(db) == 0


async def test_an_export_and_its_file_are_unknown_to_anyone_but_who_asked(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    await make_orders(db)
    done = await export(staff.finance, export_schema, settings, db, ORDERS)
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
    await make_orders(db)
    capped = settings.model_copy(update={"export_max_rows": 13})
    failed = await export(staff.sales, export_schema, capped, db, ORDERS, {"first": 5})
    assert (failed["status"], failed["error"]["code"]) == ("FAILED", "EXPORT_TOO_LARGE")
    assert "13" in failed["error"]["message"]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 0


async def test_an_export_of_a_user_disabled_meanwhile_fails_unread(
    db: Database, settings: Settings, export_schema: strawberry.Schema
) -> None:
    await make_orders(db)
    async with db.transaction() as session:
        user = await make_user(session, Role.SALES)
        token = (await session_for(session, user, settings)).access_token
    async with graphql_client(settings, db) as client:
        body = await ask(client.as_(token), ORDERS)
        export_id = body["data"]["exportCsv"]["csvExport"]["id"]
    async with db.transaction() as session:
        await session.execute(
            update(User).where(col(User.id) == user.id).values(disabled_at=datetime.now(UTC))
        )
    pk = decode_typed_id(export_id, "CsvExport", argument="id")
    await run_csv_export(export_schema, settings, db, pk, last_attempt=True, buckets=None)
    async with db.session() as session:
        export = await session.get(CsvExport, pk)
    assert export is not None
    assert (export.status, export.error_code, export.file_id) == ("failed", "UNAUTHENTICATED", None)


async def test_the_download_link_expires_with_the_file(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given a finished export whose file is kept 1.5 s more (room for a busy machine to make
    # and follow its link first)
    await make_orders(db)
    done = await export(staff.sales, export_schema, settings, db, ORDERS)
    expiry = datetime.now(UTC) + timedelta(seconds=1.5)
    async with db.transaction() as session:
        await session.execute(update(StoredFile).values(expires_at=expiry))
    url = (await staff.sales.post(POLL, {"id": done["id"]}))["data"]["csvExport"]["downloadLink"]
    assert (await staff.sales.http.get(url["url"])).status_code == 200
    # when the moment passes, then the link is gone with a code
    await asyncio.sleep((expiry - datetime.now(UTC)).total_seconds() + 0.1)
    gone = await staff.sales.http.get(url["url"])
    assert (gone.status_code, gone.json()["errors"][0]["extensions"]["code"]) == (
        410,
        "LINK_EXPIRED",
    )
    assert (await staff.sales.post(POLL, {"id": done["id"]}))["data"]["csvExport"][
        "downloadLink"
    ] is None


async def test_a_caller_may_have_only_three_exports_unfinished(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given three exports queued by sales
    queued = [(await ask(staff.sales, ORDERS))["data"]["exportCsv"] for _ in range(3)]
    assert all(payload["userErrors"] == [] for payload in queued)
    # when sales asks for a fourth, then it is refused and nothing more is queued
    refused = (await ask(staff.sales, ORDERS))["data"]["exportCsv"]
    assert refused["csvExport"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(None, "TOO_MANY_EXPORTS")]
    assert await exports_queued(db) == 3
    # while finance is not held up by it, and sales may ask again once one has finished
    assert (await ask(staff.finance, ORDERS))["data"]["exportCsv"]["userErrors"] == []
    first = decode_typed_id(queued[0]["csvExport"]["id"], "CsvExport", argument="id")
    await run_csv_export(export_schema, settings, db, first, last_attempt=True, buckets=None)
    assert (await ask(staff.sales, ORDERS))["data"]["exportCsv"]["userErrors"] == []


async def test_an_export_left_running_by_a_dead_worker_starts_over_and_counts_once(
    db: Database, settings: Settings, staff: Staff, export_schema: strawberry.Schema
) -> None:
    # given an export a worker died in, seven rows into it
    await make_orders(db)
    body = await ask(staff.sales, ORDERS, {"first": 4})
    pk = decode_typed_id(body["data"]["exportCsv"]["csvExport"]["id"], "CsvExport", argument="id")
    async with db.transaction() as session:
        await session.execute(
            update(CsvExport).where(col(CsvExport.id) == pk).values(status="running", row_count=7)
        )
    # when the event is delivered again, twice
    await run_csv_export(export_schema, settings, db, pk, last_attempt=False, buckets=None)
    await run_csv_export(export_schema, settings, db, pk, last_attempt=False, buckets=None)
    # then the export holds every row once, in one file
    async with db.session() as session:
        export = await session.get(CsvExport, pk)
        files = await session.scalar(select(func.count()).select_from(StoredFile))
    assert export is not None
    assert (export.status, export.row_count, files) == ("done", 14, 1)
