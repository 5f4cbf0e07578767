"""Orders written directly for the staff order list tests, and the list's document."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from models.clients import ClientCompany
from models.orders import Order, OrderStatus, PaymentStatus

EPOCH = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

STAFF_ORDERS = """
query($first: Int, $after: String, $search: String, $filter: StaffOrderFilter,
      $sortBy: StaffOrderSort) {
  staffOrders(first: $first, after: $after, search: $search, filter: $filter, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor }
    nodes { id number status paymentStatus currency placedAt total { amount }
            shippingAddress { country } }
  }
}
"""


async def make_order(
    session: AsyncSession,
    company: ClientCompany,
    *,
    total: str,
    hours: float,
    status: OrderStatus = OrderStatus.PLACED,
    paid: PaymentStatus = PaymentStatus.UNPAID,
    currency: str = "USD",
    country: str = "DE",
) -> Order:
    """An order placed `hours` after EPOCH (equal hours make equal placed dates)."""
    assert company.id is not None
    key = f"{company.id}-{total}-{hours}-{status}-{currency}-{country}"
    order = Order(
        client_company_id=company.id,
        request_hash=hashlib.sha256(key.encode()).hexdigest(),
        status=status,
        payment_status=paid,
        currency=currency,
        incoterm="FOB",
        shipping_address={"name": company.name, "line1": "1 Quay", "city": "X", "country": country},
        total=Decimal(total),
        credit_currency="USD",
        fx_rate=Decimal(1),
        created_at=EPOCH + timedelta(hours=hours),
    )
    session.add(order)
    await session.flush()
    return order
