"""`home`: the back office's first screen in one query, each figure behind its report's
permission; the figures are the reports' own, so they agree with the reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from auth.policy import ROLE_PERMISSIONS, Permission
from core.db import Database
from core.settings import Settings
from models.accounts import STAFF_ROLES, Role
from models.ledger import Receivable, ReceivableStatus
from models.orders import OrderStatus
from models.shipments import Shipment
from resolvers.reports.periods import local_today
from resolvers.reports.sales_rollups import rebuild_sales
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.reports.books import BookLine, add_order

HOME = """
query Home($currency: String) {
  home(currency: $currency) {
    currency today
    ordersToday { orderCount amount unconvertedOrders }
    ordersThisMonth { orderCount amount unconvertedOrders }
    openInquiries { submittedToday total }
    quotesAwaitingAnswer { count expiringWithinSevenDays }
    shipmentsArrivingThisWeek
    overdueReceivables { currency overdue over90Days totalOwed }
    variantsShort
  }
}
"""
SHORT = "{ stockCoverage(first: 1, shortOnly: true) { totalCount } }"
# Each figure and the permission of the report (or list) it comes from.
FIGURES = {
    "ordersToday": Permission.REPORTS_READ,
    "ordersThisMonth": Permission.REPORTS_READ,
    "openInquiries": Permission.REPORTS_READ,
    "quotesAwaitingAnswer": Permission.REPORTS_READ,
    "shipmentsArrivingThisWeek": Permission.ORDERS_READ_ALL,
    "overdueReceivables": Permission.FINANCE_READ,
    "variantsShort": Permission.REPORTS_READ,
}


@pytest.fixture
async def api(settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(settings, db) as client:
        yield client


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def _screen(db: Database, settings: Settings) -> dict[str, Any]:
    """Today's orders (one in a currency without a rate, one cancelled), shipments due in and
    out of this week, an overdue receivable; the sales rollups rebuilt as the worker would."""
    today = local_today(settings.reporting_zone)
    monday = today - timedelta(days=today.weekday())
    async with db.transaction() as session:
        company = await make_client_company(session)
        assert company.id is not None
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
        )
        variant = await make_variant(session, product=product)
        line = [BookLine(variant, 10, "12.50")]
        now = datetime.now(UTC)
        placed = await add_order(session, company, now, line)
        await add_order(session, company, now, line, currency="JPY")
        await add_order(session, company, now, line, status=OrderStatus.CANCELLED)
        delivered = await add_order(session, company, now, line, status=OrderStatus.DELIVERED)
        for order, eta in (
            (placed, _at(monday, 1)),  # due this week
            (placed, _at(monday + timedelta(days=6), 23)),  # Sunday night: this week
            (placed, _at(monday + timedelta(days=7), 0)),  # next Monday: not
            (placed, _at(monday - timedelta(days=1), 23)),  # last Sunday: not
            (delivered, _at(monday, 2)),  # arrived already
        ):
            assert order.id is not None
            session.add(Shipment(order_id=order.id, client_company_id=company.id, eta=eta, etd=eta))
        assert delivered.id is not None
        session.add(
            Receivable(
                order_id=delivered.id,
                client_company_id=company.id,
                currency="USD",
                amount=Decimal("900"),
                balance=Decimal("400"),
                due_date=today - timedelta(days=100),
                status=ReceivableStatus.OPEN,
            )
        )
        await session.flush()
        await rebuild_sales(session, None, settings=settings)
    return {"today": today, "placed_total": placed.total}


async def test_an_admin_sees_every_figure(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    screen = await _screen(db, settings)
    async with db.transaction() as session:
        admin = await token_for(session, settings, Role.ADMIN)
    body = await api.as_(admin).post(HOME, {"currency": "usd"})
    assert error_codes(body) == []
    home = body["data"]["home"]
    assert (home["currency"], home["today"]) == ("USD", screen["today"].isoformat())
    # the USD and the delivered order count; the yen one has no rate; the cancelled is no sale
    amount = str(screen["placed_total"] * 2)
    today = {"orderCount": 2, "amount": amount, "unconvertedOrders": 1}
    assert home["ordersToday"] == today
    assert home["ordersThisMonth"] == today
    assert home["shipmentsArrivingThisWeek"] == 2
    assert home["overdueReceivables"] == [
        {
            "currency": "USD",
            "overdue": "400.0000",
            "over90Days": "400.0000",
            "totalOwed": "400.0000",
        }
    ]
    short = await api.as_(admin).post(SHORT)
    assert home["variantsShort"] == short["data"]["stockCoverage"]["totalCount"]
    assert home["openInquiries"] == {"submittedToday": 0, "total": 0}
    assert home["quotesAwaitingAnswer"] == {"count": 0, "expiringWithinSevenDays": 0}


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
async def test_each_figure_follows_its_reports_permission(
    api: GraphQLClient, db: Database, settings: Settings, role: Role
) -> None:
    hidden = {name for name, needs in FIGURES.items() if needs not in ROLE_PERMISSIONS[role]}
    async with db.transaction() as session:
        token = await token_for(session, settings, role)
    body = await api.as_(token).post(HOME)
    home = body["data"]["home"]
    assert {name for name in FIGURES if home[name] is None} == hidden
    assert sorted(error_codes(body)) == sorted((f"home.{name}", "FORBIDDEN") for name in hidden)


async def test_a_client_user_and_a_guest_reach_nothing(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        client = await token_for(session, settings, Role.CLIENT, company=company)
    for token, code in ((client, "FORBIDDEN"), (None, "UNAUTHENTICATED")):
        body = await api.as_(token).post(HOME)
        assert body["data"] == {"home": None}
        assert error_codes(body) == [("home", code)]


@pytest.mark.parametrize("currency", ["GBP", "US", "\u0000", ""])
async def test_a_currency_not_reported_in_is_refused_naming_it(
    api: GraphQLClient, db: Database, settings: Settings, currency: str
) -> None:
    async with db.transaction() as session:
        admin = await token_for(session, settings, Role.ADMIN)
    body = await api.as_(admin).post(HOME, {"currency": currency})
    # a NUL is refused at the input boundary, before execution, so `data` is null whole
    assert body["data"] in (None, {"home": None})
    assert [code for _, code in error_codes(body)] == ["BAD_USER_INPUT"]
    assert "currency" in str(body["errors"][0])
