"""Receivables and their ledger entries, scoped to the caller on every path.

Receivables are finance's: staff need `finance:read`; a client user sees its own company's;
everyone else sees none. An order has one receivable of its own (what is not owed per
shipment) and one per departed shipment whose value falls due from its bill of lading:
`RECEIVABLES_BY_ORDER` reads them all (its visibility clause is the one every receivable
list applies), `ORDER_RECEIVABLE` the order's own, `RECEIVABLE_BY_SHIPMENT` a shipment's.
An entry is visible exactly when its receivable is, and a receivable a caller may not see is
a miss, exactly like one that does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from auth.policy import Permission
from auth.principal import Principal
from loaders.relations import Relation
from loaders.scoping import own_company_rows, rows_under
from models.ledger import LedgerEntry, Receivable


def receivable_is_visible(principal: Principal) -> ColumnElement[bool]:
    return own_company_rows(
        principal, col(Receivable.client_company_id), staff_permission=Permission.FINANCE_READ
    )


def _order_own_receivable_is_visible(principal: Principal) -> ColumnElement[bool]:
    return and_(receivable_is_visible(principal), col(Receivable.shipment_id).is_(None))


RECEIVABLES_BY_ORDER = Relation(
    "receivables_by_order",
    Receivable,
    col(Receivable.order_id),
    many=True,
    order_by=(col(Receivable.id),),
    visible=receivable_is_visible,
)
# The name the lists of receivables (finance's, the aging, any other) apply the
# visibility clause by, from before an order had several receivables; they read them all.
RECEIVABLE_BY_ORDER = RECEIVABLES_BY_ORDER
ORDER_RECEIVABLE = Relation(
    "order_receivable",
    Receivable,
    col(Receivable.order_id),
    visible=_order_own_receivable_is_visible,
)
RECEIVABLE_BY_SHIPMENT = Relation(
    "receivable_by_shipment",
    Receivable,
    col(Receivable.shipment_id),
    visible=receivable_is_visible,
)
ENTRIES_BY_RECEIVABLE = Relation(
    "entries_by_receivable",
    LedgerEntry,
    col(LedgerEntry.receivable_id),
    many=True,
    order_by=(col(LedgerEntry.id),),
    visible=rows_under(receivable_is_visible, col(Receivable.id), col(LedgerEntry.receivable_id)),
)
