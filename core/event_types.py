"""The catalogue of outbox event types: which ones partners may receive, and their payloads.

Public types are a contract with partners: their payload is sent as the webhook's `data`,
so a field, once published, is never renamed or removed. To publish a new type, add an
`EventType` to `PUBLIC_EVENT_TYPES` below and a row to the event table of
docs/api/webhooks.md (a test checks they agree); the webhook fan-out subscribes to every
public type automatically.

Internal types drive TradeQL's own work and are never delivered to partners. The catalogue
lives in `core` so that whatever emits an event (mutations, commands, handlers) names it
from one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

WEBHOOK_PING = "webhook.ping"
WEBHOOK_DELIVER = "webhook.deliver"
MAIL_SEND = "mail.send"
ACCOUNT_LINK_REQUESTED = "account.link_requested"
CATALOG_IMPORT = "catalog.import"
CSV_EXPORT = "files.csv_export"
FX_RATES_BACKDATED = "fx.rates_backdated"
INQUIRY_CREATED = "inquiry.created"
QUOTE_SENT = "quote.sent"
QUOTE_EXPIRY_DUE = "quote.expiry_due"
QUOTE_EXPIRING = "quote.expiring"
LEAD_CONVERTED = "lead.converted"
ORDER_PLACED = "order.placed"
ORDER_CONFIRMED = "order.confirmed"
ORDER_PAID = "order.paid"
ORDER_SHIPPED = "order.shipped"
ORDER_DELIVERED = "order.delivered"
ORDER_CANCELLED = "order.cancelled"
ORDER_PAYMENT_RECORDED = "order.payment_recorded"
INVOICE_OVERDUE_DUE = "invoice.overdue_due"
INVOICE_OVERDUE = "invoice.overdue"
SHIPMENT_CREATED = "shipment.created"
SHIPMENT_TRACKING_UPDATED = "shipment.tracking_updated"
SHIPMENT_DEPARTED = "shipment.departed"
SHIPMENT_ETA_CHANGED = "shipment.eta_changed"
PRODUCT_CREATED = "product.created"
PRODUCT_UPDATED = "product.updated"
PRODUCT_PUBLISHED = "product.published"
PRODUCT_ARCHIVED = "product.archived"
PRICE_CHANGED = "price.changed"
STOCK_CHANGED = "stock.changed"

# What every order event carries; transitions add `previous_status`, cancellation `reason`.
_ORDER_EXAMPLE = {
    "order_id": "T3JkZXI6NDI=",
    "number": "SO-000042",
    "client_company_id": "Q2xpZW50Q29tcGFueTo3",
    "status": "confirmed",
    "previous_status": "placed",
    "currency": "USD",
    "total": "12500.00",
}


# What every product event carries; `product.updated` adds the changed fields.
_PRODUCT_EXAMPLE = {
    "product_id": "UHJvZHVjdDo0Mg==",
    "slug": "organic-cotton-bath-towel",
    "name": "Organic Cotton Bath Towel",
    "status": "active",
    "previous_status": "draft",
    "version": 3,
}


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    example: Mapping[str, Any] = field(default_factory=dict)


PUBLIC_EVENT_TYPES: Mapping[str, EventType] = {
    event_type.name: event_type
    for event_type in (
        EventType(
            name=WEBHOOK_PING,
            description=(
                "Sent by `tradeql webhooks ping ID` to that one endpoint, whatever it "
                "subscribes to, so a partner can check their receiver and signature code."
            ),
            example={"endpoint_id": "0b6f6f0e-3f5c-4a86-9b8e-0d3c9a1f2e47"},
        ),
        EventType(
            name=INQUIRY_CREATED,
            description=(
                "A client or a guest submitted an inquiry (RFQ), or staff recorded one for "
                "them (`source` says whom it is for: `client` or `lead`). Sales is mailed "
                "and the sender gets an acknowledgement."
            ),
            example={
                "inquiry_id": "SW5xdWlyeTox",
                "reference": "INQ-000001",
                "source": "lead",
                "client_company_id": None,
                "incoterm": "CIF",
                "item_count": 2,
            },
        ),
        EventType(
            name=QUOTE_SENT,
            description="Sales sent a quote, or a new revision of one, for an inquiry.",
            example={
                "quote_id": "UXVvdGU6Mw==",
                "inquiry_id": "SW5xdWlyeTox",
                "client_company_id": "Q2xpZW50Q29tcGFueTo3",
                "revision": 2,
                "currency": "EUR",
                "total": "8400.00",
                "valid_until": "2026-12-31",
            },
        ),
        EventType(
            name=QUOTE_EXPIRING,
            description=(
                "A quote runs out in QUOTE_EXPIRY_NOTICE_DAYS (3 by default): at the end of "
                "its `valid_until` day, UTC. Sent only while it is still the inquiry's latest "
                "revision and open: never for a quote revised, converted or withdrawn before."
            ),
            example={
                "quote_id": "UXVvdGU6Mw==",
                "inquiry_id": "SW5xdWlyeTox",
                "reference": "INQ-000001",
                "revision": 2,
                "client_company_id": "Q2xpZW50Q29tcGFueTo3",
                "valid_until": "2026-12-31",
                "expires_at": "2027-01-01T00:00:00+00:00",
            },
        ),
        EventType(
            name=LEAD_CONVERTED,
            description=(
                "Sales converted a guest's lead into a client company (`convertLeadToClient`): "
                "the lead's inquiries, and their quotes, now belong to the company. "
                "`company_created` is false when the lead had become that company before."
            ),
            example={
                "client_company_id": "Q2xpZW50Q29tcGFueTo3",
                "company_created": True,
                "inquiry_ids": ["SW5xdWlyeTox"],
                "country": "TR",
            },
        ),
        EventType(
            name=ORDER_PLACED,
            description="An order was placed (by a client, or by converting a quote).",
            example={**_ORDER_EXAMPLE, "status": "placed", "previous_status": None},
        ),
        EventType(
            name=ORDER_CONFIRMED,
            description="Sales confirmed an order; a receivable is posted for it.",
            example=_ORDER_EXAMPLE,
        ),
        EventType(
            name=ORDER_PAID,
            description="Payments recorded against an order cover its total.",
            example={**_ORDER_EXAMPLE, "status": "paid", "previous_status": "confirmed"},
        ),
        EventType(
            name=ORDER_SHIPPED,
            description="An order left: its reserved stock was taken off stock on hand.",
            example={**_ORDER_EXAMPLE, "status": "shipped", "previous_status": "paid"},
        ),
        EventType(
            name=ORDER_DELIVERED,
            description="An order reached its destination.",
            example={**_ORDER_EXAMPLE, "status": "delivered", "previous_status": "shipped"},
        ),
        EventType(
            name=ORDER_CANCELLED,
            description=(
                "An order was cancelled before shipping: its stock reservation was released "
                "and any receivable is reversed."
            ),
            example={
                **_ORDER_EXAMPLE,
                "status": "cancelled",
                "previous_status": "confirmed",
                "reason": "client request",
            },
        ),
        EventType(
            name=ORDER_PAYMENT_RECORDED,
            description="Finance recorded a payment against an order (in the order's currency).",
            example={
                "order_id": "T3JkZXI6NDI=",
                "payment_id": "UGF5bWVudDo5",
                "amount": "5000.00",
                "currency": "USD",
                "amount_paid": "5000.00",
                "payment_status": "partly_paid",
            },
        ),
        EventType(
            name=INVOICE_OVERDUE,
            description=(
                "An order's receivable was not paid by its due date: sent at the start of the "
                "next day (UTC) if a balance is then still owed; never for one settled or "
                "reversed by then. `balance` is what is owed at that moment."
            ),
            example={
                "receivable_id": "UmVjZWl2YWJsZToxMg==",
                "order_id": "T3JkZXI6NDI=",
                "number": "SO-000042",
                "client_company_id": "Q2xpZW50Q29tcGFueTo3",
                "currency": "USD",
                "balance": "7500.00",
                "due_date": "2027-01-15",
            },
        ),
        EventType(
            name=SHIPMENT_CREATED,
            description="A shipment, with its legs, was recorded for an order.",
            example={
                "shipment_id": "U2hpcG1lbnQ6NQ==",
                "order_id": "T3JkZXI6NDI=",
                "reference": "MAEU-2611-0042",
                "leg_count": 2,
            },
        ),
        EventType(
            name=SHIPMENT_TRACKING_UPDATED,
            description="A tracking event was added to a shipment.",
            example={
                "shipment_id": "U2hpcG1lbnQ6NQ==",
                "order_id": "T3JkZXI6NDI=",
                "status": "departed",
                "location": "Nhava Sheva, IN",
                "occurred_at": "2026-12-02T06:30:00+00:00",
            },
        ),
        EventType(
            name=SHIPMENT_DEPARTED,
            description=(
                "A shipment left: its goods were taken off stock and the order is partly or "
                "wholly shipped. Names the main leg's carrier, transport document (B/L), "
                "container, ETD and ETA, and the quantity of each order line it carries."
            ),
            example={
                "shipment_id": "U2hpcG1lbnQ6NQ==",
                "order_id": "T3JkZXI6NDI=",
                "number": "SO-000042",
                "client_company_id": "Q2xpZW50Q29tcGFueTo3",
                "reference": "MAEU-2611-0042",
                "carrier": "Maersk",
                "transport_document_number": "MAEU123456789",
                "container_number": "MSKU1234565",
                "vessel_or_flight": "Maersk Kendal",
                "etd": "2026-12-02T06:30:00+00:00",
                "eta": "2026-12-28T12:00:00+00:00",
                "departed_at": "2026-12-02T06:30:00+00:00",
                "order_status": "partly_shipped",
                "lines": [{"sku": "TWL-OC-70X140-WHT", "quantity": 1200}],
            },
        ),
        EventType(
            name=SHIPMENT_ETA_CHANGED,
            description=(
                "A leg of a shipment was given a new ETA (a delay, or an earlier arrival), or "
                "its ETA was cleared as no longer known (`eta` null); `previous_eta` is what "
                "was announced before."
            ),
            example={
                "shipment_id": "U2hpcG1lbnQ6NQ==",
                "order_id": "T3JkZXI6NDI=",
                "number": "SO-000042",
                "client_company_id": "Q2xpZW50Q29tcGFueTo3",
                "leg_sequence": 1,
                "previous_eta": "2026-12-28T12:00:00+00:00",
                "eta": "2027-01-03T08:00:00+00:00",
            },
        ),
        EventType(
            name=PRODUCT_CREATED,
            description="Staff or a partner system created a product; it starts as a draft.",
            example={**_PRODUCT_EXAMPLE, "status": "draft", "previous_status": None, "version": 1},
        ),
        EventType(
            name=PRODUCT_UPDATED,
            description=(
                "A product's details, variants or specs changed, or it went back to draft "
                "(unpublished: `changed` holds `status`); `changed` names the fields. "
                "Publishing and archiving have events of their own."
            ),
            example={
                **_PRODUCT_EXAMPLE,
                "previous_status": "active",
                "changed": ["description", "lead_time_days"],
            },
        ),
        EventType(
            name=PRODUCT_PUBLISHED,
            description="A product became visible to buyers (a draft or an archived one).",
            example=_PRODUCT_EXAMPLE,
        ),
        EventType(
            name=PRODUCT_ARCHIVED,
            description="A product was withdrawn from sale; orders already placed stand.",
            example={**_PRODUCT_EXAMPLE, "status": "archived", "previous_status": "active"},
        ),
        EventType(
            name=PRICE_CHANGED,
            description="A variant's price ladder in one currency was set; `tiers` is all of it.",
            example={
                "variant_id": "VmFyaWFudDo5MQ==",
                "product_id": "UHJvZHVjdDo0Mg==",
                "sku": "TWL-OC-70X140-WHT",
                "currency": "USD",
                "tiers": [
                    {"min_quantity": 300, "unit_price": "4.20"},
                    {"min_quantity": 1000, "unit_price": "3.85"},
                ],
            },
        ),
        EventType(
            name=STOCK_CHANGED,
            description=(
                "A variant's stock changed (goods received, a count, orders, cancellations, "
                "shipments). Coalesced per variant: a burst of changes sends one event with "
                "the figures as they are when it is sent."
            ),
            example={
                "variant_id": "VmFyaWFudDo5MQ==",
                "product_id": "UHJvZHVjdDo0Mg==",
                "sku": "TWL-OC-70X140-WHT",
                "stock_on_hand": 5200,
                "stock_reserved": 1200,
                "available": 4000,
            },
        ),
    )
}

INTERNAL_EVENT_TYPES: Mapping[str, EventType] = {
    event_type.name: event_type
    for event_type in (
        EventType(
            name=WEBHOOK_DELIVER,
            description="Deliver one webhook to one endpoint; retried on its own.",
            example={"delivery_id": 42},
        ),
        EventType(
            name=MAIL_SEND,
            description=(
                "Send one mail from a template in jobs/mail/templates, in `language` (ISO "
                "639-1; English when absent or when the template is not translated into it)."
            ),
            example={
                "to": "buyer@example.com",
                "template": "inquiry_acknowledgement",
                "context": {"contact_name": "Ayşe Demir", "inquiry_reference": "INQ-1042"},
                "language": "tr",
            },
        ),
        EventType(
            name=ACCOUNT_LINK_REQUESTED,
            description=(
                "Mint a single-use invitation or password-reset link for a user and mail it. "
                "The payload names the user, never the link: only the handler ever holds the "
                "token in plain text, and the database keeps its hash."
            ),
            example={"user_id": 7, "purpose": "invitation", "invited_by_user_id": 1},
        ),
        EventType(
            name=QUOTE_EXPIRY_DUE,
            description=(
                "Scheduled when a quote revision is sent, due QUOTE_EXPIRY_NOTICE_DAYS before "
                "it runs out: emits `quote.expiring` if the revision is then still the latest "
                "and open, else nothing."
            ),
            example={"quote_id": 3},
        ),
        EventType(
            name=INVOICE_OVERDUE_DUE,
            description=(
                "Scheduled when the ledger gives a receivable its due date, due the next day "
                "(UTC): emits `invoice.overdue` if a balance is then still owed on that due "
                "date, else nothing."
            ),
            example={"receivable_id": 12, "due_date": "2027-01-15"},
        ),
        EventType(
            name=CATALOG_IMPORT,
            description=(
                "Apply a stored catalog file batch by batch, recording progress on its "
                "catalog_imports row; a retried event resumes after the last batch recorded."
            ),
            example={"import_id": 12},
        ),
        EventType(
            name=CSV_EXPORT,
            description=(
                "Run a CSV export's query again as whoever asked, page by page, and store the "
                "CSV; a retried event starts the export over, a finished one is left alone."
            ),
            example={"export_id": 31},
        ),
        EventType(
            name=FX_RATES_BACKDATED,
            description=(
                "Finance recorded exchange rates that took effect before they were recorded: "
                "orders placed since `effective_at` convert differently now, so the sales "
                "rollups are rebuilt from that month on."
            ),
            example={"effective_at": "2026-11-03T00:00:00+00:00"},
        ),
    )
}


class UnknownEventType(ValueError):
    """An event type that partners cannot subscribe to; the message names it."""


def check_public_event_types(names: list[str]) -> list[str]:
    """The names, deduplicated in order, if each is a public type; else UnknownEventType."""
    for name in names:
        if name not in PUBLIC_EVENT_TYPES:
            known = ", ".join(sorted(PUBLIC_EVENT_TYPES))
            raise UnknownEventType(f"unknown event type {name!r} (known: {known})")
    return list(dict.fromkeys(names))
