"""The `account.link_requested` handler: mint a single-use link and mail it.

Payload: `{"user_id": 7, "purpose": "invitation" | "password_reset",
"invited_by_user_id": 1}`. The link is made here, not by the mutation, so its token never
sits in the database in plain text (the outbox payload would otherwise carry it): the
token's hash is committed, the mail is sent, then the effect is recorded. A retry after a
failed send mints a fresh link, which replaces the unsent one; a retry after a send that
was recorded sends nothing. Nothing is sent for a user who was disabled meanwhile, who
accepted the invitation already, or (for a reset) who has no password yet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from auth.links import IssuedLink, issue_link, lifetime
from core.event_types import ACCOUNT_LINK_REQUESTED
from core.outbox import claim_effect, has_effect
from jobs.context import JobContext
from jobs.mail.mailer import OutgoingMail
from jobs.mail.rendering import render
from jobs.registry import HandlerRegistry
from models.accounts import Role, TokenPurpose, User
from models.clients import ClientCompany
from models.outbox import OutboxEvent

SEND_ACCOUNT_LINK = "account.send_link"
# Who the invitation is from when no user invited (an event replayed by an operator).
DEFAULT_INVITER = "The TradeQL team"


def register(registry: HandlerRegistry) -> None:
    registry.register(SEND_ACCOUNT_LINK, [ACCOUNT_LINK_REQUESTED])(send_account_link)


def _wanted(user: User | None, purpose: TokenPurpose) -> bool:
    if user is None or user.disabled_at is not None:
        return False
    if purpose is TokenPurpose.INVITATION:
        return user.password_hash is None
    return user.password_hash is not None


async def send_account_link(event: OutboxEvent, context: JobContext) -> None:
    assert event.id is not None
    async with context.database.session() as session:
        if await has_effect(session, event.id, SEND_ACCOUNT_LINK):
            return
    purpose = TokenPurpose(str(event.payload["purpose"]))
    async with context.database.transaction() as session:
        user = await session.get(User, int(event.payload["user_id"]))
        if user is None or not _wanted(user, purpose):
            await claim_effect(session, event.id, SEND_ACCOUNT_LINK)
            return
        assert user.id is not None
        link = await issue_link(
            session, user_id=user.id, purpose=purpose, settings=context.settings
        )
        template, values = await _mail_values(session, user, purpose, link, event.payload, context)
    rendered = render(template, values)
    await context.mailer.send(
        OutgoingMail(
            to=user.email,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=f"<account.{event.id}.{link.expires_at.timestamp():.0f}"
            f"@{context.mailer.sender_domain}>",
        )
    )
    async with context.database.transaction() as session:
        await claim_effect(session, event.id, SEND_ACCOUNT_LINK)


async def _mail_values(
    session: AsyncSession,
    user: User,
    purpose: TokenPurpose,
    link: IssuedLink,
    payload: Mapping[str, object],
    context: JobContext,
) -> tuple[str, dict[str, object]]:
    name = user.full_name or user.email
    valid_for = math.ceil(lifetime(context.settings, purpose).total_seconds() / 60)
    if purpose is TokenPurpose.PASSWORD_RESET:
        return "password_reset", {
            "name": name,
            "reset_url": link.url,
            "expires_in_minutes": valid_for,
        }
    inviter_id = payload.get("invited_by_user_id")
    inviter = await session.get(User, int(str(inviter_id))) if inviter_id is not None else None
    invited_by = (inviter.full_name or inviter.email) if inviter is not None else DEFAULT_INVITER
    hours = math.ceil(valid_for / 60)
    if Role(user.role) is Role.CLIENT:
        company = await session.get(ClientCompany, user.client_company_id)
        return "client_invitation", {
            "name": name,
            "invited_by": invited_by,
            "company": company.name if company is not None else "",
            "accept_url": link.url,
            "expires_in_hours": hours,
        }
    return "staff_invitation", {
        "name": name,
        "invited_by": invited_by,
        "role": Role(user.role).value.replace("_", " "),
        "accept_url": link.url,
        "expires_in_hours": hours,
    }
