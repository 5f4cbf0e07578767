"""`Receivable`: what a client owes for a confirmed order, and the entries that explain it.

Reached through `Order.receivable` (the order's own) and `Shipment.receivable` (a departed
shipment's, under terms from the bill of lading), which finance staff (`finance:read`) and
the client whose order it is may read (for anyone else null, as for an order not yet
confirmed), and through finance's `receivables` listing.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from models import ledger as rows
from models.money import round_money
from resolvers.ledger import reads as ledger
from resolvers.pagination import Page
from schema.clients.types import ClientCompany
from schema.info import Info
from schema.money import Money
from schema.node import PageInfo, connection_parts

if TYPE_CHECKING:
    from schema.orders.types import Order
    from schema.shipments.types import Shipment


@strawberry.enum(description="How far a receivable has been paid.")
class ReceivableStatus(Enum):
    OPEN = strawberry.enum_value(
        rows.ReceivableStatus.OPEN.value, description="Nothing has been paid yet."
    )
    PARTLY_SETTLED = strawberry.enum_value(
        rows.ReceivableStatus.PARTLY_SETTLED.value, description="Paid in part."
    )
    SETTLED = strawberry.enum_value(
        rows.ReceivableStatus.SETTLED.value, description="Paid in full."
    )
    REVERSED = strawberry.enum_value(
        rows.ReceivableStatus.REVERSED.value,
        description="The order was cancelled; what was still owed was written off.",
    )


@strawberry.enum(description="Why an amount was posted to a receivable.")
class LedgerEntryKind(Enum):
    INVOICE = strawberry.enum_value(
        rows.LedgerEntryKind.INVOICE.value,
        description="The order's total fell due when it was confirmed (positive).",
    )
    PAYMENT = strawberry.enum_value(
        rows.LedgerEntryKind.PAYMENT.value, description="Money received (negative)."
    )
    REVERSAL = strawberry.enum_value(
        rows.LedgerEntryKind.REVERSAL.value,
        description="What was still owed, written off on cancellation (negative).",
    )
    TRANSFER = strawberry.enum_value(
        rows.LedgerEntryKind.TRANSFER.value,
        description=(
            "A departed shipment's value moved from the order's receivable (negative) to the "
            "shipment's own (positive), due from its bill of lading; the client owes the same."
        ),
    )


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=round_money(amount, currency), currency=currency)


@strawberry.type(description="One posting to a receivable; the balance is their sum.")
class LedgerEntry:
    kind: LedgerEntryKind = strawberry.field(description="Why it was posted.")
    amount: Money = strawberry.field(
        description="Positive raises what the client owes; payments and reversals are negative."
    )
    posted_at: datetime = strawberry.field(description="When it was posted.")

    @classmethod
    def from_row(cls, row: rows.LedgerEntry) -> Self:
        assert row.created_at is not None
        return cls(
            kind=LedgerEntryKind(row.kind),
            amount=_money(row.amount, row.currency),
            posted_at=row.created_at,
        )


@strawberry.type(
    description=(
        "What the client owes for a confirmed order: the order's own receivable, or, under "
        "terms counted from the bill of lading, one departed shipment's."
    )
)
class Receivable:
    row: strawberry.Private[rows.Receivable]
    amount: Money = strawberry.field(
        description=(
            "The order's total, invoiced on confirmation; for a shipment's receivable, the "
            "value moved to it when the shipment departed."
        )
    )
    balance: Money = strawberry.field(
        description="What is still owed: the sum of the entries. Negative when overpaid."
    )
    advance_amount: Money = strawberry.field(
        description="The advance share of the client's payment terms, due on confirmation."
    )
    due_date: date | None = strawberry.field(
        description=(
            "When the balance is due: net days after the invoice, the bill of lading (a "
            "shipment's own, for a shipment's receivable) or the delivery, as the terms say; "
            "null until that event has happened."
        )
    )
    status: ReceivableStatus = strawberry.field(description="How far it has been paid.")

    @classmethod
    def from_row(cls, row: rows.Receivable) -> Self:
        return cls(
            row=row,
            amount=_money(row.amount, row.currency),
            balance=_money(row.balance, row.currency),
            advance_amount=_money(row.advance_amount, row.currency),
            due_date=row.due_date,
            status=ReceivableStatus(row.status),
        )

    @strawberry.field(description="The postings, oldest first.")
    async def entries(self, info: Info) -> list[LedgerEntry]:
        found = await ledger.entries_of(info.context, self.row.id)
        return [LedgerEntry.from_row(entry) for entry in found]

    @strawberry.field(
        description="The client who owes it; null if the caller may not see client companies."
    )
    async def client(self, info: Info) -> ClientCompany | None:
        found = await ledger.receivable_client(info.context, self.row)
        return None if found is None else ClientCompany.from_row(found)

    @strawberry.field(
        description="The order it was invoiced for; null if the caller may not see that order."
    )
    async def order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("schema.orders.types")] | None:
        from schema.orders.types import Order

        found = await ledger.receivable_order(info.context, self.row)
        return None if found is None else Order.from_row(found)

    @strawberry.field(
        description=(
            "The departed shipment whose goods it is owed for; null for the order's own "
            "receivable, or if the caller may not see the shipment."
        )
    )
    async def shipment(
        self, info: Info
    ) -> Annotated[Shipment, strawberry.lazy("schema.shipments.types")] | None:
        from schema.shipments.types import Shipment

        if self.row.shipment_id is None:
            return None
        found = await ledger.receivable_shipment(info.context, self.row.shipment_id)
        return None if found is None else Shipment.from_row(found)


async def receivable_of_shipment(info: Info, shipment_id: int) -> Receivable | None:
    """A departed shipment's receivable if the caller may see it and there is one."""
    found = await ledger.receivable_of_shipment(info.context, shipment_id)
    return None if found is None else Receivable.from_row(found)


@strawberry.type(description="A receivable in a list, with the cursor to continue after it.")
class ReceivableEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the receivables after it.")
    node: Receivable = strawberry.field(description="The receivable.")


@strawberry.type(description="A page of receivables (Relay connection), by due date.")
class ReceivableConnection:
    page: strawberry.Private[Page[rows.Receivable]]
    edges: list[ReceivableEdge] = strawberry.field(
        description="Receivables of this page with cursors."
    )
    nodes: list[Receivable] = strawberry.field(
        description="Receivables of this page, without cursors."
    )
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[rows.Receivable]) -> Self:
        edges, nodes, info = connection_parts(page, Receivable.from_row, ReceivableEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many receivables match, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()


async def receivable_of_order(info: Info, order_id: int) -> Receivable | None:
    """The order's receivable if the caller may see it (finance, or the client's own)."""
    found = await ledger.receivable_of_order(info.context, order_id)
    return None if found is None else Receivable.from_row(found)
