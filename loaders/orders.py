"""Orders, their lines, payments, receivables and shipments, scoped to the caller on every path.

Staff holding `orders:read_all` see every order; a client user sees its own company's and no
other; everyone else sees none. A row a caller may not see is a miss, exactly like one that
does not exist, whether it is asked for by id, by `node(id:)` or through a nested field.
Receivables are finance's: staff need `finance:read`; a client sees its own.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import col

from auth.policy import Permission
from auth.principal import Principal
from loaders.relations import Relation
from loaders.scoping import own_company_rows, rows_under
from models.ledger import LedgerEntry, Receivable
from models.orders import Order, OrderLine, Payment
from models.shipments import Shipment, ShipmentLeg, TrackingEvent


def order_is_visible(principal: Principal) -> ColumnElement[bool]:
    return own_company_rows(
        principal, col(Order.client_company_id), staff_permission=Permission.ORDERS_READ_ALL
    )


def shipment_is_visible(principal: Principal) -> ColumnElement[bool]:
    return own_company_rows(
        principal, col(Shipment.client_company_id), staff_permission=Permission.ORDERS_READ_ALL
    )


def receivable_is_visible(principal: Principal) -> ColumnElement[bool]:
    return own_company_rows(
        principal, col(Receivable.client_company_id), staff_permission=Permission.FINANCE_READ
    )


ORDER_BY_ID = Relation("order_by_id", Order, col(Order.id), visible=order_is_visible)
LINES_BY_ORDER = Relation(
    "lines_by_order",
    OrderLine,
    col(OrderLine.order_id),
    many=True,
    order_by=(col(OrderLine.position), col(OrderLine.id)),
    visible=rows_under(order_is_visible, col(Order.id), col(OrderLine.order_id)),
)
PAYMENTS_BY_ORDER = Relation(
    "payments_by_order",
    Payment,
    col(Payment.order_id),
    many=True,
    order_by=(col(Payment.received_at), col(Payment.id)),
    visible=rows_under(order_is_visible, col(Order.id), col(Payment.order_id)),
)
RECEIVABLE_BY_ORDER = Relation(
    "receivable_by_order",
    Receivable,
    col(Receivable.order_id),
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
SHIPMENT_BY_ID = Relation("shipment_by_id", Shipment, col(Shipment.id), visible=shipment_is_visible)
SHIPMENTS_BY_ORDER = Relation(
    "shipments_by_order",
    Shipment,
    col(Shipment.order_id),
    many=True,
    order_by=(col(Shipment.id),),
    visible=shipment_is_visible,
)
LEGS_BY_SHIPMENT = Relation(
    "legs_by_shipment",
    ShipmentLeg,
    col(ShipmentLeg.shipment_id),
    many=True,
    order_by=(col(ShipmentLeg.sequence),),
    visible=rows_under(shipment_is_visible, col(Shipment.id), col(ShipmentLeg.shipment_id)),
)
TRACKING_BY_SHIPMENT = Relation(
    "tracking_by_shipment",
    TrackingEvent,
    col(TrackingEvent.shipment_id),
    many=True,
    order_by=(col(TrackingEvent.occurred_at), col(TrackingEvent.id)),
    visible=rows_under(shipment_is_visible, col(Shipment.id), col(TrackingEvent.shipment_id)),
)
