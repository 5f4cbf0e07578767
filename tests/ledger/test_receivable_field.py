"""`Order.receivable`: what the client owes, read by the client whose order it is and by
finance; other staff who may see the order get null there, with no error, as they would
for an order not yet confirmed."""

from __future__ import annotations

from datetime import UTC, datetime

from app.worker_main import job_context
from core import event_types
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.clients import BalanceDueOn
from models.orders import OrderStatus
from tests.callers import make_client_company, token_for
from tests.graphql_client import graphql_client
from tests.ledger.books import make_order, order_event, order_gid, payment_event, post

RECEIVABLE = """query($id: ID!) { node(id: $id) { ... on Order { number receivable {
  amount { amount currency } balance { amount } advanceAmount { amount } dueDate status
  entries { kind amount { amount currency } } } } } }"""


async def test_the_client_and_finance_read_the_receivable_other_staff_get_null(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(
            session, advance_percent=20, balance_due_on=BalanceDueOn.INVOICE, net_days=45
        )
        tokens = {
            "client": await token_for(session, settings, Role.CLIENT, company=company),
            "finance": await token_for(session, settings, Role.FINANCE),
            "sales": await token_for(session, settings, Role.SALES),
        }
    order = await make_order(
        db, company, total="4000.00", currency="EUR", confirmed_at=datetime(2026, 11, 1, tzinfo=UTC)
    )
    async with job_context(settings, db) as context:
        await post(
            context,
            await order_event(db, event_types.ORDER_CONFIRMED, order),
            await payment_event(db, order, "800.00"),
        )

    async with graphql_client(settings, db) as anyone:
        seen = {
            who: (await anyone.as_(token).data(RECEIVABLE, {"id": order_gid(order)}))["node"]
            for who, token in tokens.items()
        }
        before = await make_order(db, company, status=OrderStatus.PLACED)
        unconfirmed = await anyone.as_(tokens["client"]).data(RECEIVABLE, {"id": order_gid(before)})

    expected = {
        "amount": {"amount": "4000.00", "currency": "EUR"},
        "balance": {"amount": "3200.00"},
        "advanceAmount": {"amount": "800.00"},
        "dueDate": "2026-12-16",
        "status": "PARTLY_SETTLED",
        "entries": [
            {"kind": "INVOICE", "amount": {"amount": "4000.00", "currency": "EUR"}},
            {"kind": "PAYMENT", "amount": {"amount": "-800.00", "currency": "EUR"}},
        ],
    }
    assert seen["client"]["receivable"] == expected
    assert seen["finance"]["receivable"] == expected
    # sales may see the order, not what is owed on it
    assert seen["sales"]["number"] == seen["client"]["number"]
    assert seen["sales"]["receivable"] is None
    # and an order not confirmed yet has no receivable
    assert unconfirmed["node"]["receivable"] is None
