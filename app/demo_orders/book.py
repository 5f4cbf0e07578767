"""Drafting the order book batch by batch: each order with its lines, its inquiry and quotes
when it came from one, its payments, receivable, ledger entries and their events, and its
shipment; plus the inquiries that did not become orders.

Ids are assigned here, from blocks above every existing id, so one batch's rows reference
each other without a round trip; `rows.py` lays each draft out as its table's row.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from app.demo_orders import rows
from app.demo_orders.catalog import Catalog
from app.demo_orders.inquiries import DraftInquiry, other_inquiry, won_inquiry
from app.demo_orders.lifecycle import Life, live
from app.demo_orders.markets import AIR_CARRIERS, ORIGIN_PORTS, ROAD_CARRIERS, SEA_CARRIERS, VESSELS
from app.demo_orders.parties import Company, Parties
from app.demo_orders.rates import RateBook
from app.demo_orders.rows import Row
from core import event_types
from core.global_id import encode_global_id
from jobs.ledger import POST_TO_LEDGER
from models.ledger import LedgerEntryKind, ReceivableStatus
from models.orders import OrderStatus
from resolvers.ledger.postings import settlement

# Share of orders converted from a quote, and other inquiries per order.
FROM_QUOTE_SHARE = 0.15
OTHER_INQUIRIES_PER_ORDER = 0.25
LINE_COUNTS, LINE_COUNT_WEIGHTS = (1, 2, 3, 4, 5), (30, 30, 20, 12, 8)
OPEN_STATUSES = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PAID)


@dataclass(frozen=True, slots=True)
class OpenLine:
    """A line of an order still holding stock: what reservation placement made."""

    order_id: int
    variant_id: int
    quantity: int
    placed_at: datetime


@dataclass
class Batch:
    """Rows by table name, in the order their foreign keys need them written."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, row: Row) -> None:
        self.rows[table].append(row)


class OrderBook:
    """Drafts batches of orders from one random stream, so a seed gives the same book."""

    def __init__(
        self,
        rng: random.Random,
        parties: Parties,
        catalog: Catalog,
        rates: RateBook,
        now: datetime,
        first_ids: dict[str, int],
    ) -> None:
        self.rng = rng
        self.parties = parties
        self.catalog = catalog
        self.rates = rates
        self.now = now
        self.next_ids = dict(first_ids)
        self.cumulative = list(accumulate(parties.company_weights))
        self.open_lines: list[OpenLine] = []

    def _id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def _company(self, at: datetime) -> Company:
        """A company by size among those that had joined by `at` (the first always had)."""
        companies = self.parties.companies
        for _ in range(20):
            company = companies[
                bisect_left(self.cumulative, self.rng.random() * self.cumulative[-1])
            ]
            if company.joined_at <= at:
                return company
        return companies[0]

    def draft(self, moments: list[datetime]) -> Batch:
        batch = Batch()
        for created in moments:
            self._order(batch, created)
        for _ in range(round(len(moments) * OTHER_INQUIRIES_PER_ORDER)):
            asked = self.rng.choice(moments) - timedelta(days=self.rng.uniform(0, 10))
            company = self._company(asked)
            inquiry = other_inquiry(self.rng, self.parties, company, self.catalog, asked, self.now)
            self._inquiry(batch, inquiry)
        return batch

    def _order(self, batch: Batch, created: datetime) -> None:
        rng = self.rng
        company = self._company(created)
        from_quote = rng.random() < FROM_QUOTE_SHARE
        count = rng.choices(LINE_COUNTS, weights=LINE_COUNT_WEIGHTS)[0]
        discount = Decimal(rng.randint(0, 8)) / 100 if from_quote else None
        lines = self.catalog.draft_lines(rng, company.currency, count, discount)
        total = sum((line.line_total for line in lines), Decimal(0))
        rate = self.rates.rate_at(company.currency, company.credit_currency, created)
        # Credit in another currency than the order's is only granted in dollars, which
        # have a rate from the first day.
        assert rate is not None, (company.currency, company.credit_currency, created)
        quote_id = None
        if from_quote:
            inquiry = won_inquiry(rng, company, lines, created, self.parties.sales_ids)
            quote_id = self._inquiry(batch, inquiry)
        order_id = self._id("orders")
        life = live(rng, company, created, total, self.now)
        placed_by = rng.choice(company.user_ids)
        order = rows.order_row(order_id, company, placed_by, quote_id, total, rate, life, created)
        batch.add("orders", order)
        shipped = bool(life.legs)
        written: list[tuple[int, int]] = []  # (order line id, quantity)
        for position, line in enumerate(lines):
            line_id = self._id("order_lines")
            batch.add(
                "order_lines",
                rows.order_line_row(line_id, order_id, position, line, shipped=shipped),
            )
            written.append((line_id, line.quantity))
            if life.status in OPEN_STATUSES:
                self.open_lines.append(OpenLine(order_id, line.variant.id, line.quantity, created))
        self._books(batch, order_id, company, total, life)
        if shipped:
            self._shipment(batch, order_id, company, life, written)

    def _inquiry(self, batch: Batch, inquiry: DraftInquiry) -> int | None:
        """Write the inquiry, its items and quotes; the id of its last quote."""
        inquiry_id = self._id("inquiries")
        batch.add("inquiries", rows.inquiry_row(inquiry_id, inquiry))
        for position, line in enumerate(inquiry.items):
            batch.add("inquiry_items", rows.inquiry_item_row(
                self._id("inquiry_items"), inquiry_id, position, line
            ))  # fmt: skip
        quote_id = None
        for quote in inquiry.quotes:
            quote_id = self._id("quotes")
            batch.add(
                "quotes",
                rows.quote_row(quote_id, inquiry_id, quote, inquiry),
            )
            for position, line in enumerate(quote.lines):
                batch.add("quote_lines", rows.quote_line_row(
                    self._id("quote_lines"), quote_id, position, line
                ))  # fmt: skip
        return quote_id

    def _event(self, batch: Batch, event_type: str, payload: dict[str, Any], at: datetime) -> int:
        event_id = self._id("outbox_events")
        batch.add("outbox_events", rows.outbox_event_row(event_id, event_type, payload, at))
        batch.add("outbox_effects", rows.outbox_effect_row(event_id, POST_TO_LEDGER, at))
        return event_id

    def _books(
        self, batch: Batch, order_id: int, company: Company, total: Decimal, life: Life
    ) -> None:
        """Payments; and for a confirmed order its receivable and the ledger entries, each
        with the event it was posted from, as `jobs.ledger` posts them."""
        currency = company.currency
        finance = self.parties.finance_ids
        payment_ids = []
        for amount, at in life.payments:
            payment_id = self._id("payments")
            payment_ids.append(payment_id)
            batch.add("payments", rows.payment_row(
                payment_id, order_id, amount, currency, at, self.rng.choice(finance)
            ))  # fmt: skip
        if life.confirmed_at is None:
            return
        receivable_id = self._id("receivables")
        entries: list[tuple[str, Decimal, int, datetime]] = []
        confirmed = rows.order_payload(order_id, company, "confirmed", "placed", total)
        event_id = self._event(batch, event_types.ORDER_CONFIRMED, confirmed, life.confirmed_at)
        entries.append((LedgerEntryKind.INVOICE.value, total, event_id, life.confirmed_at))
        balance, paid = total, Decimal(0)
        settled_at = life.confirmed_at if total <= 0 else None
        for payment_id, (amount, at) in zip(payment_ids, life.payments, strict=True):
            paid += amount
            payload = {
                "order_id": encode_global_id("Order", order_id),
                "payment_id": encode_global_id("Payment", payment_id),
                "amount": str(amount),
                "currency": currency,
                "amount_paid": str(paid),
                "payment_status": "paid" if paid >= total else "partly_paid",
            }
            event_id = self._event(batch, event_types.ORDER_PAYMENT_RECORDED, payload, at)
            entries.append((LedgerEntryKind.PAYMENT.value, -amount, event_id, at))
            balance -= amount
            if balance <= 0 and settled_at is None:
                settled_at = at
        status = settlement(total, balance).value
        if life.cancelled_at is not None:
            payload = rows.order_payload(
                order_id, company, "cancelled", life.previous_status.value, total
            ) | {"reason": life.cancel_reason}
            event_id = self._event(batch, event_types.ORDER_CANCELLED, payload, life.cancelled_at)
            if balance > 0:
                entries.append(
                    (LedgerEntryKind.REVERSAL.value, -balance, event_id, life.cancelled_at)
                )
                balance, settled_at = Decimal(0), life.cancelled_at
            status = ReceivableStatus.REVERSED.value
        batch.add("receivables", rows.receivable_row(
            receivable_id, order_id, company, total, balance, status, life, settled_at
        ))  # fmt: skip
        for kind, amount, event_id, at in entries:
            batch.add("ledger_entries", rows.ledger_entry_row(
                self._id("ledger_entries"), receivable_id, kind, amount, currency, event_id, at
            ))  # fmt: skip

    def _shipment(
        self,
        batch: Batch,
        order_id: int,
        company: Company,
        life: Life,
        lines: list[tuple[int, int]],
    ) -> None:
        """The order's one shipment, carrying all of it, departed when the order shipped."""
        rng = self.rng
        shipment_id = self._id("shipments")
        assert life.shipped_at is not None
        shipment = rows.shipment_row(shipment_id, order_id, company, life.legs, life.shipped_at)
        batch.add("shipments", shipment)
        for line_id, quantity in lines:
            batch.add(
                "shipment_lines", (self._id("shipment_lines"), shipment_id, line_id, quantity)
            )
        origin = rng.choice(ORIGIN_PORTS)
        for sequence, leg in enumerate(life.legs, start=1):
            if leg.mode == "sea":
                carrier, prefix = rng.choice(SEA_CARRIERS)
                document, container = (
                    f"{prefix}{shipment_id:09d}",
                    f"{prefix}{rng.randrange(10**7):07d}",
                )
                vessel, start, end = rng.choice(VESSELS), origin, company.market.port
            elif leg.mode == "air":
                carrier, code = rng.choice(AIR_CARRIERS)
                document, container = f"{rng.randrange(100, 999)}-{shipment_id:08d}", ""
                vessel, start, end = f"{code} {rng.randrange(100, 999)}", origin, company.city
            else:
                carrier, document, container = (
                    rng.choice(ROAD_CARRIERS),
                    f"CMR{shipment_id:08d}",
                    "",
                )
                vessel, start, end = "", company.market.port, company.city
            batch.add("shipment_legs", rows.shipment_leg_row(
                self._id("shipment_legs"), shipment_id, sequence, leg, carrier, document,
                container, vessel, start, end,
            ))  # fmt: skip
