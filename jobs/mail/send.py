"""The `mail.send` handler: render a template and send it, at least once.

Payload: `{"to": "buyer@example.com", "template": "inquiry_acknowledgement",
"context": {...}, "language": "de"}`; without a language (or one the template has not been
translated into) the mail is in English. The effect is recorded after the server accepted
the mail, so a worker that dies in between sends it again on retry; the resend carries the
same Message-ID, which lets mail clients and filters recognise the duplicate. Nothing is
sent twice once the effect is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.event_types import MAIL_SEND
from core.outbox import claim_effect, has_effect
from jobs.context import JobContext
from jobs.mail.mailer import OutgoingMail
from jobs.mail.rendering import ENGLISH, render
from jobs.registry import HandlerRegistry
from models.outbox import OutboxEvent

SEND_MAIL = "mail.send"


def register(registry: HandlerRegistry) -> None:
    registry.register(SEND_MAIL, [MAIL_SEND])(send_mail)


async def send_mail(event: OutboxEvent, context: JobContext) -> None:
    assert event.id is not None
    async with context.database.session() as session:
        if await has_effect(session, event.id, SEND_MAIL):
            return
    payload = event.payload
    values = payload.get("context") or {}
    if not isinstance(values, Mapping):
        raise ValueError("mail.send context must be an object")
    rendered = render(str(payload["template"]), values, str(payload.get("language") or ENGLISH))
    await context.mailer.send(
        OutgoingMail(
            to=str(payload["to"]),
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=_message_id(event, context),
        )
    )
    async with context.database.transaction() as session:
        await claim_effect(session, event.id, SEND_MAIL)


def _message_id(event: OutboxEvent, context: JobContext) -> str:
    # The event's creation time keeps ids from two deployments (staging, production) that
    # share a sender domain and reach the same event id apart.
    created = int(event.created_at.timestamp() * 1_000_000) if event.created_at else 0
    return f"<mail.{event.id}.{created}@{context.mailer.sender_domain}>"
