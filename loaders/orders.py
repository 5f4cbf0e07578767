"""Orders, their lines and payments, scoped to the caller on every path.

Staff holding `orders:read_all` see every order; a client user sees its own company's and no
other; everyone else sees none. A row a caller may not see is a miss, exactly like one that
does not exist, whether it is asked for by id, by `node(id:)` or through a nested field.
An order's shipments are in `loaders.shipments`, its receivable in `loaders.ledger`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import col

from auth.policy import Permission
from auth.principal import Principal
from loaders.relations import Relation
from loaders.scoping import own_company_rows, rows_under
from models.orders import Order, OrderCharge, OrderLine, Payment


def order_is_visible(principal: Principal) -> ColumnElement[bool]:
    return own_company_rows(
        principal, col(Order.client_company_id), staff_permission=Permission.ORDERS_READ_ALL
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
CHARGES_BY_ORDER = Relation(
    "charges_by_order",
    OrderCharge,
    col(OrderCharge.order_id),
    many=True,
    order_by=(col(OrderCharge.position), col(OrderCharge.id)),
    visible=rows_under(order_is_visible, col(Order.id), col(OrderCharge.order_id)),
)
PAYMENTS_BY_ORDER = Relation(
    "payments_by_order",
    Payment,
    col(Payment.order_id),
    many=True,
    order_by=(col(Payment.received_at), col(Payment.id)),
    visible=rows_under(order_is_visible, col(Order.id), col(Payment.order_id)),
)
