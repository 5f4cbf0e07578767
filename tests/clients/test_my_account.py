"""`myAccount`: a client user reads its own company's credit, terms and open invoices, never
another company's; staff, API keys and guests get null (they have the staff views)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.worker_main import job_context
from auth.api_keys import create_api_key
from core import event_types
from core.db import Database
from core.settings import Settings
from models.accounts import STAFF_ROLES, Role
from models.clients import BalanceDueOn, ClientCompany
from models.orders import Order, OrderStatus, order_number
from resolvers.orders.standing import refresh_standing
from tests.callers import make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.ledger.books import make_order, order_event, payment_event, post

ACCOUNT = """query($overdueOnly: Boolean! = false, $first: Int! = 20) { myAccount {
  companyName
  creditLimit { amount currency } creditUsed { amount currency }
  creditAvailable { amount currency } overdueAmount { amount currency }
  paymentTerms { advancePercent balanceDueOn netDays }
  openInvoices(first: $first, overdueOnly: $overdueOnly) {
    orderNumber amount { amount currency } balance { amount } advanceAmount { amount }
    dueDate overdue order { number } } } }"""
NOW = datetime.now(UTC)
TODAY = NOW.date()
A_MONTH_AGO = NOW - timedelta(days=30)


async def _confirmed(
    db: Database, settings: Settings, company: ClientCompany, total: str, *, paid: str = "0"
) -> Order:
    """An order of `company` confirmed a month ago, with what was paid on it, in the ledger."""
    order = await make_order(
        db,
        company,
        total=total,
        currency="EUR",
        status=OrderStatus.CONFIRMED,
        confirmed_at=A_MONTH_AGO,
        amount_paid=Decimal(paid),
    )
    async with job_context(settings, db) as context:
        events = [await order_event(db, event_types.ORDER_CONFIRMED, order)]
        if paid != "0":
            events.append(await payment_event(db, order, paid))
        await post(context, *events)
    return order


async def _books(
    db: Database, settings: Settings
) -> tuple[ClientCompany, ClientCompany, list[Order]]:
    """Hanse owes on an old invoice (overdue) and a recent one; one order is paid off and one
    not confirmed yet. Other Company is over its limit on a recent invoice."""
    terms: dict[str, Any] = {
        "advance_percent": 0,
        "balance_due_on": BalanceDueOn.INVOICE,
        "net_days": 10,
    }
    async with db.transaction() as session:
        hanse = await make_client_company(session, credit_limit=Decimal("10000.00"), **terms)
        other = await make_client_company(
            session, name="Other Company SA", credit_limit=Decimal("5000.00"), **terms
        )
    old = await _confirmed(db, settings, hanse, "4000.00", paid="1000.00")
    await _confirmed(db, settings, hanse, "500.00", paid="500.00")
    recent = await make_order(
        db, hanse, total="2500.00", currency="EUR", confirmed_at=NOW, status=OrderStatus.CONFIRMED
    )
    async with job_context(settings, db) as context:
        await post(context, await order_event(db, event_types.ORDER_CONFIRMED, recent))
    await make_order(db, hanse, total="1000.00", currency="EUR", status=OrderStatus.PLACED)
    others = await make_order(
        db, other, total="7000.00", currency="EUR", confirmed_at=NOW, status=OrderStatus.CONFIRMED
    )
    async with job_context(settings, db) as context:
        await post(context, await order_event(db, event_types.ORDER_CONFIRMED, others))
    async with db.transaction() as session:
        for company in (hanse, other):
            assert company.id is not None
            await refresh_standing(session, company.id)
    return hanse, other, [old, recent, others]


def _eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def _account(api: GraphQLClient, token: str | None, **variables: Any) -> Any:
    return (await api.as_(token).data(ACCOUNT, variables))["myAccount"]


async def test_a_client_user_sees_its_own_credit_and_never_another_company_s(
    db: Database, settings: Settings
) -> None:
    hanse, other, (old, recent, others) = await _books(db, settings)
    async with db.transaction() as session:
        hanse_user = await token_for(session, settings, Role.CLIENT, company=hanse)
        other_user = await token_for(session, settings, Role.CLIENT, company=other)

    async with graphql_client(settings, db) as api:
        own = await _account(api, hanse_user)
        overdue_only = await _account(api, hanse_user, overdueOnly=True)
        theirs = await _account(api, other_user)

    # Hanse: 3,000 still owed on the old invoice, 2,500 on the recent one, 1,000 placed
    assert own["companyName"] == "Hanse Textil GmbH"
    assert own["creditLimit"] == _eur("10000.00")
    assert own["creditUsed"] == _eur("6500.00")
    assert own["creditAvailable"] == _eur("3500.00")
    assert own["overdueAmount"] == _eur("3000.00")
    assert own["paymentTerms"] == {"advancePercent": 0, "balanceDueOn": "INVOICE", "netDays": 10}
    old_due = (A_MONTH_AGO + timedelta(days=10)).date().isoformat()
    recent_due = (TODAY + timedelta(days=10)).isoformat()
    assert own["openInvoices"] == [
        {
            "orderNumber": order_number(old.id or 0),
            "amount": _eur("4000.00"),
            "balance": {"amount": "3000.00"},
            "advanceAmount": {"amount": "0.00"},
            "dueDate": old_due,
            "overdue": True,
            "order": {"number": order_number(old.id or 0)},
        },
        {
            "orderNumber": order_number(recent.id or 0),
            "amount": _eur("2500.00"),
            "balance": {"amount": "2500.00"},
            "advanceAmount": {"amount": "0.00"},
            "dueDate": recent_due,
            "overdue": False,
            "order": {"number": order_number(recent.id or 0)},
        },
    ]
    assert [invoice["orderNumber"] for invoice in overdue_only["openInvoices"]] == [
        order_number(old.id or 0)
    ]
    # the other company's user sees its own figures only: over its limit, nothing available
    assert theirs["companyName"] == "Other Company SA"
    assert (theirs["creditUsed"], theirs["creditAvailable"]) == (_eur("7000.00"), _eur("0.00"))
    assert theirs["overdueAmount"] == _eur("0.00")
    assert [invoice["orderNumber"] for invoice in theirs["openInvoices"]] == [
        order_number(others.id or 0)
    ]


async def test_staff_api_keys_and_guests_get_no_account(db: Database, settings: Settings) -> None:
    await _books(db, settings)
    async with db.transaction() as session:
        callers: dict[str, str | None] = {
            role.value: await token_for(session, settings, role) for role in STAFF_ROLES
        }
        for role in (Role.FINANCE, Role.STOREFRONT):
            callers[f"{role.value} key"] = (
                await create_api_key(session, name=f"{role.value} key", role=role)
            ).key
        callers["anonymous"] = None

    async with graphql_client(settings, db) as api:
        for who, token in callers.items():
            body = await api.as_(token).post(ACCOUNT, {})
            assert body == {"data": {"myAccount": None}}, who


async def test_the_invoice_list_is_bounded(db: Database, settings: Settings) -> None:
    hanse, _other, _orders = await _books(db, settings)
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.CLIENT, company=hanse)
    async with graphql_client(settings, db) as api:
        one = await _account(api, token, first=1)
        assert len(one["openInvoices"]) == 1
        for first in (0, 101):
            body = await api.as_(token).post(ACCOUNT, {"first": first})
            assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
            assert body["errors"][0]["path"] == ["myAccount", "openInvoices"]
