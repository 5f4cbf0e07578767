"""The catalogue of outbox event types: which ones partners may receive, and their payloads.

Public types are a contract with partners: their payload is sent as the webhook's `data`,
so a field, once published, is never renamed or removed. To publish a new type, add an
`EventType` to `PUBLIC_EVENT_TYPES` below and a row to the README's event table (a test
checks they agree); the webhook fan-out subscribes to every public type automatically.

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
            description="Send one mail from a template in jobs/templates.",
            example={
                "to": "buyer@example.com",
                "template": "inquiry_acknowledgement",
                "context": {"contact_name": "Ayşe Demir", "inquiry_reference": "INQ-1042"},
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
