"""`myAccount`: a client user's own company account, a type of its own.

Staff read a company's credit through `ClientCompany`, field by field under `finance:read`;
a client user reads its own company's through `ClientAccount`, which only its users ever
get (`Query.myAccount` is null for every other caller, staff and API keys included). It
shows what a buyer needs to pay on time and nothing internal: no tax id, no contacts, no
other company.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Self

import strawberry

from models import clients as rows
from models.money import round_money
from resolvers.clients import account as accounts
from resolvers.ledger import reads as ledger
from schema.clients.types import BalanceDueOn, PaymentTerms
from schema.info import Info
from schema.money import Money
from schema.orders.types import Order

OPEN_INVOICES_FIRST = strawberry.argument(
    description="How many, from 1 to 100 (soonest due first)."
)
OVERDUE_ONLY = strawberry.argument(description="Only those past their due date.")


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=round_money(amount, currency), currency=currency)


@strawberry.type(description="An invoice of one's own company with something still owed on it.")
class AccountInvoice:
    open_invoice: strawberry.Private[accounts.OpenInvoice]
    order_number: str = strawberry.field(description="The order invoiced, e.g. SO-000042.")
    amount: Money = strawberry.field(description="What was invoiced, in the order's currency.")
    balance: Money = strawberry.field(description="What is still owed, in the order's currency.")
    advance_amount: Money = strawberry.field(
        description="The advance share of the payment terms, due at confirmation."
    )
    due_date: date | None = strawberry.field(
        description=(
            "When the balance falls due; null while it waits for the event the terms count "
            "from (the bill of lading, or delivery)."
        )
    )
    overdue: bool = strawberry.field(description="True when the due date is before today (UTC).")

    @classmethod
    def from_open_invoice(cls, found: accounts.OpenInvoice) -> Self:
        row = found.receivable
        return cls(
            open_invoice=found,
            order_number=found.order_number,
            amount=_money(row.amount, row.currency),
            balance=_money(row.balance, row.currency),
            advance_amount=_money(row.advance_amount, row.currency),
            due_date=row.due_date,
            overdue=found.overdue,
        )

    @strawberry.field(description="The order invoiced.")
    async def order(self, info: Info) -> Order | None:
        found = await ledger.receivable_order(info.context, self.open_invoice.receivable)
        return None if found is None else Order.from_row(found)


@strawberry.type(
    description=(
        "One's own client company account, as its users see it: credit, payment terms and "
        "what is owed. Amounts of credit are in the company's credit currency."
    )
)
class ClientAccount:
    row: strawberry.Private[rows.ClientCompany]
    company_name: str = strawberry.field(description="The company's registered name.")
    credit_limit: Money = strawberry.field(
        description="How much the company may owe at once; 0 until credit is granted."
    )
    credit_used: Money = strawberry.field(
        description="What the company's orders that are not cancelled still owe."
    )
    credit_available: Money = strawberry.field(
        description=(
            "What may still be ordered on credit: the limit less what is used, never below 0."
        )
    )
    payment_terms: PaymentTerms = strawberry.field(
        description="How the company pays: an advance with the order, the balance later."
    )

    @classmethod
    def from_row(cls, row: rows.ClientCompany) -> Self:
        currency = row.credit_currency
        return cls(
            row=row,
            company_name=row.name,
            credit_limit=_money(row.credit_limit, currency),
            credit_used=_money(row.credit_used, currency),
            credit_available=_money(accounts.credit_available(row), currency),
            payment_terms=PaymentTerms(
                advance_percent=row.advance_percent,
                balance_due_on=BalanceDueOn(row.balance_due_on),
                net_days=row.net_days,
            ),
        )

    @strawberry.field(description="What is still owed past its due dates, as of today (UTC).")
    async def overdue_amount(self, info: Info) -> Money:
        amount = await accounts.overdue_amount(info.context, self.row)
        return _money(amount, self.row.credit_currency)

    @strawberry.field(
        description=(
            "Invoices with something still owed, soonest due first (those whose due date "
            "waits for the bill of lading or delivery last)."
        )
    )
    async def open_invoices(
        self,
        info: Info,
        first: Annotated[int, OPEN_INVOICES_FIRST] = 20,
        overdue_only: Annotated[bool, OVERDUE_ONLY] = False,
    ) -> list[AccountInvoice]:
        found = await accounts.open_invoices(
            info.context, self.row, first=first, overdue_only=overdue_only
        )
        return [AccountInvoice.from_open_invoice(item) for item in found]
