"""A client user's own account: its company's credit, payment terms and open invoices.

Only a signed-in user of a client company gets one, about that company; every other caller,
staff and API keys included (they have the staff views), gets None. Every read is also
scoped by the loaders' visibility clauses (the company, its dues, its receivables), so no
path here can show another company's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import col, select

from loaders.clients import CLIENT_COMPANY_BY_ID
from loaders.ledger import RECEIVABLE_BY_ORDER
from models.clients import ClientCompany
from models.ledger import Receivable, ReceivableStatus, due_key_of
from models.orders import order_number
from resolvers.clients.reads import company_overdue
from resolvers.context import Context
from resolvers.orders.standing import today_of
from resolvers.pagination import check_page_size


@dataclass(frozen=True)
class OpenInvoice:
    """A receivable of the company with something still owed on it."""

    receivable: Receivable
    order_number: str
    overdue: bool  # its due date is before today (UTC)


async def my_account(ctx: Context) -> ClientCompany | None:
    """The signed-in client user's company; None for every other caller."""
    principal = ctx.principal
    if not principal.is_client or principal.client_company_id is None:
        return None
    company: ClientCompany | None = await ctx.loaders.one(
        CLIENT_COMPANY_BY_ID, principal.client_company_id
    )
    return company


def credit_available(company: ClientCompany) -> Decimal:
    """What the company may still order on credit: its limit less what is used, never below 0."""
    return max(Decimal(0), company.credit_limit - company.credit_used)


async def overdue_amount(ctx: Context, company: ClientCompany) -> Decimal:
    """What the company owes past its due dates today, in its credit currency."""
    return await company_overdue(ctx, company)


async def open_invoices(
    ctx: Context, company: ClientCompany, *, first: int, overdue_only: bool
) -> list[OpenInvoice]:
    """The company's receivables still owed, soonest due first (those with no due date yet,
    waiting for a bill of lading or a delivery, last); at most `first`."""
    check_page_size(first)
    today = today_of(datetime.now(UTC))
    statement = (
        select(Receivable)
        .where(
            col(Receivable.client_company_id) == company.id,
            col(Receivable.balance) > 0,
            col(Receivable.status) != ReceivableStatus.REVERSED,
            ctx.loaders.visible(RECEIVABLE_BY_ORDER),
        )
        .order_by(due_key_of(col(Receivable.due_date)), col(Receivable.id))
        .limit(first)
    )
    if overdue_only:
        statement = statement.where(col(Receivable.due_date) < today)
    found = await ctx.session.scalars(statement)
    return [
        OpenInvoice(
            receivable=row, order_number=order_number(row.order_id), overdue=_late(row, today)
        )
        for row in found
    ]


def _late(receivable: Receivable, today: date) -> bool:
    return receivable.due_date is not None and receivable.due_date < today
