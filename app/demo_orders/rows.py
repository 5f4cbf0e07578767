"""The rows the order book writes: for each table, its columns and the one function that
lays a draft out in their order, side by side, so a new column is added in one place.

Rows are tuples (bulk copy takes them as they are); JSON columns hold Python dicts, which
the writer encodes for PostgreSQL's COPY.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.demo_orders.catalog import DraftLine
from app.demo_orders.inquiries import DraftInquiry, DraftQuote
from app.demo_orders.lifecycle import Leg, Life
from app.demo_orders.parties import Company, Lead, Person
from app.demo_orders.rates import BASE_CURRENCY, RATE_SOURCE
from core.global_id import encode_global_id
from models.money import round_money
from models.orders import order_number

Row = tuple[Any, ...]

FX_RATE_COLUMNS = (
    "id", "base_currency", "quote_currency", "rate", "effective_at", "source", "created_at",
)  # fmt: skip


def fx_rate_row(rate_id: int, currency: str, rate: Decimal, effective_at: datetime) -> Row:
    return (rate_id, BASE_CURRENCY, currency, rate, effective_at, RATE_SOURCE, effective_at)


CLIENT_COMPANY_COLUMNS = (
    "id", "name", "country", "tax_id", "credit_limit", "credit_currency", "advance_percent",
    "balance_due_on", "net_days", "preferred_currency", "preferred_incoterm", "version",
    "credit_used", "overdue_amount", "next_due_on", "created_at", "updated_at",
)  # fmt: skip


def client_company_row(company: Company) -> Row:
    # The credit standing is computed from the written receivables afterwards (standing.py).
    return (
        company.id, company.name, company.market.country,
        f"{company.market.country}{company.id:09d}",
        company.credit_limit, company.credit_currency, company.advance_percent,
        company.balance_due_on, company.net_days, company.currency, company.incoterm, 1,
        Decimal(0), Decimal(0), None, company.joined_at, company.joined_at,
    )  # fmt: skip


USER_COLUMNS = ("id", "email", "full_name", "role", "client_company_id", "created_at", "updated_at")


def user_row(person: Person) -> Row:
    # No password: seeded people are invited, not able to sign in until one is set.
    return (
        person.id, person.email, person.full_name, person.role, person.company_id,
        person.created_at, person.created_at,
    )  # fmt: skip


LEAD_COLUMNS = (
    "id",
    "email",
    "company_name",
    "contact_name",
    "country",
    "created_at",
    "updated_at",
)


def lead_row(lead: Lead) -> Row:
    return (
        lead.id, lead.email, lead.company_name, lead.contact_name, lead.country,
        lead.created_at, lead.created_at,
    )  # fmt: skip


INQUIRY_COLUMNS = (
    "id", "client_company_id", "lead_id", "submitted_by_user_id", "incoterm", "named_place",
    "required_by", "message", "status", "assigned_to_user_id", "lost_reason", "version",
    "created_at", "updated_at", "source", "lost_reason_code", "first_quoted_at",
)  # fmt: skip


def inquiry_row(inquiry_id: int, inquiry: DraftInquiry) -> Row:
    return (
        inquiry_id, inquiry.company_id, inquiry.lead_id, inquiry.submitted_by, inquiry.incoterm,
        inquiry.named_place, inquiry.required_by, inquiry.message, inquiry.status.value,
        inquiry.assigned_to, inquiry.lost_reason, inquiry.version, inquiry.created_at,
        inquiry.updated_at, inquiry.source, inquiry.lost_reason_code, inquiry.first_quoted_at,
    )  # fmt: skip


INQUIRY_ITEM_COLUMNS = ("id", "inquiry_id", "product_id", "variant_id", "quantity", "position")


def inquiry_item_row(item_id: int, inquiry_id: int, position: int, line: DraftLine) -> Row:
    variant = line.variant
    return (item_id, inquiry_id, variant.product_id, variant.id, line.quantity, position)


QUOTE_COLUMNS = (
    "id", "inquiry_id", "revision", "status", "currency", "valid_until", "lead_time_days",
    "notes", "changes", "total", "created_by_user_id", "created_at", "incoterm", "named_place",
    "advance_percent", "balance_due_on", "net_days", "charges_total",
)  # fmt: skip


def quote_row(quote_id: int, inquiry_id: int, quote: DraftQuote, inquiry: DraftInquiry) -> Row:
    """A revision under its inquiry's incoterm and the default terms, without charges."""
    valid_until: date = quote.created_at.date() + timedelta(days=30)
    return (
        quote_id, inquiry_id, quote.revision, quote.status.value, inquiry.currency, valid_until,
        quote.lead_time_days, "", quote.changes, quote.total, inquiry.assigned_to,
        quote.created_at, inquiry.incoterm, inquiry.named_place, inquiry.advance_percent,
        inquiry.balance_due_on, inquiry.net_days, 0,
    )  # fmt: skip


QUOTE_LINE_COLUMNS = (
    "id",
    "quote_id",
    "variant_id",
    "quantity",
    "unit_price",
    "line_total",
    "position",
)


def quote_line_row(line_id: int, quote_id: int, position: int, line: DraftLine) -> Row:
    return (
        line_id, quote_id, line.variant.id, line.quantity, line.unit_price, line.line_total,
        position,
    )  # fmt: skip


ORDER_COLUMNS = (
    "id", "client_company_id", "placed_by_user_id", "quote_id", "request_hash", "status",
    "payment_status", "currency", "incoterm", "named_place", "shipping_address", "note", "total",
    "amount_paid", "credit_currency", "fx_rate", "fx_rate_id", "cancel_reason", "version",
    "confirmed_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at", "created_at",
    "updated_at", "advance_percent", "balance_due_on", "net_days", "charges_total",
)  # fmt: skip


def order_row(
    order_id: int,
    company: Company,
    placed_by: int,
    quote_id: int | None,
    total: Decimal,
    rate: tuple[Decimal, int | None],
    life: Life,
    created_at: datetime,
) -> Row:
    address = {
        "name": company.name,
        "line1": f"{order_id % 200 + 1} Harbour Road",
        "city": company.city,
        "postal_code": f"{order_id % 90_000 + 10_000}",
        "country": company.market.country,
    }
    fingerprint = hashlib.sha256(f"seed-demo order {order_id}".encode()).hexdigest()
    # One version per transition the order went through.
    version = (
        1
        + sum(
            moment is not None
            for moment in (life.confirmed_at, life.paid_at, life.shipped_at, life.delivered_at)
        )
        + len(life.payments)
        + (life.cancelled_at is not None)
    )
    return (
        order_id, company.id, placed_by, quote_id, fingerprint, life.status.value,
        life.payment_status.value, company.currency, company.incoterm, company.market.port,
        address, "", total, life.amount_paid, company.credit_currency, rate[0], rate[1],
        life.cancel_reason, version, life.confirmed_at, life.paid_at, life.shipped_at,
        life.delivered_at, life.cancelled_at, created_at, life.updated_at,
        company.advance_percent, company.balance_due_on, company.net_days, 0,
    )  # fmt: skip


ORDER_LINE_COLUMNS = (
    "id", "order_id", "variant_id", "sku", "product_name", "quantity", "unit_price",
    "tier_min_quantity", "line_total", "position", "unit_cost", "cost_currency",
    "shipped_quantity",
)  # fmt: skip


def order_line_row(
    line_id: int, order_id: int, position: int, line: DraftLine, *, shipped: bool
) -> Row:
    variant = line.variant
    return (
        line_id, order_id, variant.id, variant.sku, variant.product_name, line.quantity,
        line.unit_price, line.tier_min_quantity, line.line_total, position, variant.cost_price,
        variant.cost_currency, line.quantity if shipped else 0,
    )  # fmt: skip


PAYMENT_COLUMNS = (
    "id", "order_id", "amount", "currency", "reference", "received_at", "recorded_by_user_id",
    "created_at",
)  # fmt: skip


def payment_row(
    payment_id: int, order_id: int, amount: Decimal, currency: str, at: datetime, by: int
) -> Row:
    return (payment_id, order_id, amount, currency, f"TT-{payment_id:09d}", at, by, at)


OUTBOX_EVENT_COLUMNS = (
    "id", "event_type", "payload", "state", "attempts", "available_at", "created_at",
    "processed_at",
)  # fmt: skip


def outbox_event_row(event_id: int, event_type: str, payload: dict[str, Any], at: datetime) -> Row:
    """An event the workers have already handled: its ledger entries are written with it."""
    return (event_id, event_type, payload, "done", 1, at, at, at)


OUTBOX_EFFECT_COLUMNS = ("event_id", "handler", "recorded_at")


def outbox_effect_row(event_id: int, handler: str, at: datetime) -> Row:
    """The handler's proof of its work: replaying the event changes nothing, as in production."""
    return (event_id, handler, at)


def order_payload(
    order_id: int, company: Company, status: str, previous: str | None, total: Decimal
) -> dict[str, Any]:
    """What `resolvers.orders.rules.order_event` puts in every order event."""
    return {
        "order_id": encode_global_id("Order", order_id),
        "number": order_number(order_id),
        "client_company_id": encode_global_id("ClientCompany", company.id),
        "status": status,
        "previous_status": previous,
        "currency": company.currency,
        "total": str(round_money(total, company.currency)),
    }


RECEIVABLE_COLUMNS = (
    "id", "order_id", "client_company_id", "currency", "amount", "balance", "advance_amount",
    "due_date", "status", "created_at", "updated_at", "settled_at",
)  # fmt: skip


def receivable_row(
    receivable_id: int,
    order_id: int,
    company: Company,
    total: Decimal,
    balance: Decimal,
    status: str,
    life: Life,
    settled_at: datetime | None,
) -> Row:
    """Created with its invoice, on confirmation; `settled_at` as `jobs.ledger` marks it."""
    advance = round_money(total * company.advance_percent / 100, company.currency)
    return (
        receivable_id, order_id, company.id, company.currency, total, balance, advance,
        life.due_date, status, life.confirmed_at, life.updated_at, settled_at,
    )  # fmt: skip


LEDGER_ENTRY_COLUMNS = (
    "id",
    "receivable_id",
    "kind",
    "amount",
    "currency",
    "event_id",
    "created_at",
)


def ledger_entry_row(
    entry_id: int, receivable_id: int, kind: str, amount: Decimal, currency: str, event_id: int,
    at: datetime,
) -> Row:  # fmt: skip
    return (entry_id, receivable_id, kind, amount, currency, event_id, at)


SHIPMENT_COLUMNS = (
    "id",
    "order_id",
    "client_company_id",
    "reference",
    "note",
    "etd",
    "eta",
    "created_at",
    "status",
    "departed_at",
    "bill_of_lading_date",
)


def shipment_row(
    shipment_id: int, order_id: int, company: Company, legs: tuple[Leg, ...], departed: datetime
) -> Row:
    """A whole-order shipment that left with the order (`departed`, its B/L that day)."""
    return (
        shipment_id, order_id, company.id, f"SHP-{shipment_id:07d}", "", legs[0].etd, legs[-1].eta,
        legs[0].etd - timedelta(days=1), "departed", departed, departed.astimezone(UTC).date(),
    )  # fmt: skip


SHIPMENT_LINE_COLUMNS = ("id", "shipment_id", "order_line_id", "quantity")


SHIPMENT_LEG_COLUMNS = (
    "id", "shipment_id", "sequence", "carrier", "mode", "transport_document_number",
    "container_number", "vessel_or_flight", "origin", "destination", "etd", "eta",
)  # fmt: skip


def shipment_leg_row(
    leg_id: int, shipment_id: int, sequence: int, leg: Leg, carrier: str, document: str,
    container: str, vessel: str, origin: str, destination: str,
) -> Row:  # fmt: skip
    return (
        leg_id, shipment_id, sequence, carrier, leg.mode, document, container, vessel, origin,
        destination, leg.etd, leg.eta,
    )  # fmt: skip


STOCK_MOVEMENT_COLUMNS = (
    "id", "variant_id", "kind", "on_hand_change", "reserved_change", "on_hand_after",
    "reserved_after", "reason", "order_id", "created_at",
)  # fmt: skip
