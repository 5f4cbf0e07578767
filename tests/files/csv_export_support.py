"""What the CSV export tests share: the documents, the staff who export, orders to export,
and asking for, running and downloading an export as a worker would."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import func
from sqlmodel import select

from core.db import Database
from core.global_id import decode_typed_id
from core.settings import Settings
from models.files import CsvExport
from models.orders import OrderStatus
from schema.files.csv_export_run import run_csv_export
from tests.callers import make_client_company
from tests.graphql_client import GraphQLClient
from tests.orders.staff_support import make_order

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


@dataclass
class Staff:
    sales: GraphQLClient
    finance: GraphQLClient


async def make_orders(db: Database) -> None:
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


async def ask(
    client: GraphQLClient, query: str, variables: dict[str, Any] | None = None, **more: Any
) -> dict[str, Any]:
    return await client.post(EXPORT, {"query": query, "variables": variables, **more})


async def export(
    client: GraphQLClient,
    export_schema: strawberry.Schema,
    settings: Settings,
    db: Database,
    query: str,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Ask for an export, run it as a worker would, and answer its poll."""
    body = await ask(client, query, variables)
    assert "errors" not in body, body
    payload = body["data"]["exportCsv"]
    assert payload["userErrors"] == []
    assert payload["csvExport"]["status"] == "QUEUED"
    export_id = payload["csvExport"]["id"]
    pk = decode_typed_id(export_id, "CsvExport", argument="id")
    await run_csv_export(export_schema, settings, db, pk, last_attempt=True, buckets=None)
    polled = await client.post(POLL, {"id": export_id})
    assert "errors" not in polled, polled
    found: dict[str, Any] = polled["data"]["csvExport"]
    found["id"] = export_id
    return found


async def download(client: GraphQLClient, url: str) -> tuple[bytes, list[list[str]]]:
    response = await client.http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    content = response.content
    assert content.startswith("\ufeff".encode())
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def exports_queued(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(CsvExport)) or 0)
