"""An order's life as it would have happened: confirmation, advance and balance payments as
the client's terms and habits have them, shipping, delivery, or cancellation; then cut at
`now`, so recent orders are still open and old ones are delivered, paid or overdue.

The rules are those of the mutations and the ledger: payments only once confirmed, an
order fully paid while confirmed becomes paid, cancellation only before shipping, a
receivable from confirmation with its due date from the event the terms name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.demo_orders.markets import Payer
from app.demo_orders.parties import Company
from models.clients import BalanceDueOn
from models.money import round_money
from models.orders import OrderStatus, PaymentStatus

CANCEL_REASONS = ("buyer changed the order", "duplicate order", "credit not approved")


@dataclass(frozen=True, slots=True)
class Leg:
    mode: str
    etd: datetime
    eta: datetime


@dataclass(slots=True)
class Life:
    status: OrderStatus = OrderStatus.PLACED
    previous_status: OrderStatus = OrderStatus.PLACED  # before cancellation
    amount_paid: Decimal = Decimal(0)
    fully_paid: bool = False
    confirmed_at: datetime | None = None
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    payments: list[tuple[Decimal, datetime]] = field(default_factory=list)
    due_date: date | None = None
    legs: tuple[Leg, ...] = ()
    updated_at: datetime | None = None

    @property
    def payment_status(self) -> PaymentStatus:
        if self.fully_paid:
            return PaymentStatus.PAID
        return PaymentStatus.PARTLY_PAID if self.amount_paid > 0 else PaymentStatus.UNPAID


def _days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def _legs(rng: random.Random, shipped: datetime) -> tuple[Leg, ...]:
    if rng.random() < 0.15:
        return (Leg("air", shipped, shipped + _days(rng, 2, 6)),)
    sea = Leg("sea", shipped, shipped + _days(rng, 12, 40))
    if rng.random() < 0.3:
        onward = sea.eta + _days(rng, 1, 3)
        return (sea, Leg("road", onward, onward + _days(rng, 1, 4)))
    return (sea,)


def _balance_paid_at(rng: random.Random, company: Company, due: datetime) -> datetime | None:
    """When the client pays a balance due at `due`; None if it never does."""
    if company.payer is Payer.PROMPT:
        return due - _days(rng, 0, company.net_days / 2) + _days(rng, 0, 2)
    if company.payer is Payer.LATE:
        return due + _days(rng, 5, 80)
    return None if rng.random() < 0.6 else due + _days(rng, 60, 200)


def live(
    rng: random.Random, company: Company, created: datetime, total: Decimal, now: datetime
) -> Life:
    """What has happened to an order placed at `created` by `now`."""
    currency = company.currency
    confirmed = created + timedelta(hours=rng.uniform(0.5, 72))
    shipped = confirmed + _days(rng, 7, 35)
    legs = _legs(rng, shipped)
    delivered = legs[-1].eta
    chance = rng.random()
    cancelled: datetime | None = None
    if chance < 0.03:  # before confirmation
        cancelled = created + (confirmed - created) * rng.uniform(0.1, 0.9)
    elif chance < 0.06:  # confirmed, not yet shipped
        cancelled = confirmed + (shipped - confirmed) * rng.uniform(0.1, 0.9)

    life = Life(updated_at=created)
    if cancelled is not None and cancelled <= now and cancelled < confirmed:
        _cancel(rng, life, cancelled)
        return life
    if confirmed > now or (cancelled is not None and cancelled < confirmed):
        return life  # still waiting for confirmation (or for a cancellation to come)
    life.status = OrderStatus.CONFIRMED
    life.confirmed_at = life.updated_at = confirmed

    due_from = {
        BalanceDueOn.INVOICE: confirmed,
        BalanceDueOn.BILL_OF_LADING: shipped,
        BalanceDueOn.DELIVERY: delivered,
    }[BalanceDueOn(company.balance_due_on)]
    due = due_from + timedelta(days=company.net_days)
    stop = now if cancelled is None else min(now, cancelled)
    advance = round_money(total * company.advance_percent / 100, currency)
    planned: list[tuple[Decimal, datetime]] = []
    if advance > 0:
        planned.append((advance, confirmed + _days(rng, 0.1, 7)))
    balance = total - advance
    paid_at = _balance_paid_at(rng, company, due) if balance > 0 else None
    if paid_at is not None:
        paid_at = max(paid_at, due_from + timedelta(hours=1))
        if rng.random() < 0.15:  # in two instalments
            first = round_money(balance / 2, currency)
            planned += [(first, paid_at), (balance - first, paid_at + _days(rng, 10, 40))]
        else:
            planned.append((balance, paid_at))
    for amount, moment in sorted(planned, key=lambda payment: payment[1]):
        if moment > stop:
            break
        _pay(life, amount, moment, total)

    if due_from <= stop:
        life.due_date = due_from.astimezone(UTC).date() + timedelta(days=company.net_days)
    if cancelled is not None:
        if cancelled <= now:
            _cancel(rng, life, cancelled)
        return life
    if shipped <= now:
        life.status, life.shipped_at, life.legs = OrderStatus.SHIPPED, shipped, legs
        life.updated_at = max(life.updated_at or shipped, shipped)
    if delivered <= now:
        life.status, life.delivered_at = OrderStatus.DELIVERED, delivered
        life.updated_at = max(life.updated_at or delivered, delivered)
    return life


def _pay(life: Life, amount: Decimal, moment: datetime, total: Decimal) -> None:
    life.payments.append((amount, moment))
    life.amount_paid += amount
    life.updated_at = moment
    if life.amount_paid >= total:
        life.fully_paid = True
        life.paid_at = moment
        if life.status is OrderStatus.CONFIRMED:
            life.status = OrderStatus.PAID


def _cancel(rng: random.Random, life: Life, moment: datetime) -> None:
    life.previous_status = life.status
    life.status = OrderStatus.CANCELLED
    life.cancelled_at = life.updated_at = moment
    life.cancel_reason = rng.choice(CANCEL_REASONS)
