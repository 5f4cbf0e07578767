"""The inquiry handlers: `inquiry.created` tells sales, and acknowledges the sender, by mail;
`quote.expiry_due` announces a quote running out, if it still is (`quote.expiring`).

It sends nothing itself: it enqueues one `mail.send` event per mail, in the same
transaction that records its effect, so each mail is enqueued exactly once however often
the event is delivered, and each is then sent (and retried) on its own. Sales are the
active users with the SALES role (signed up, not disabled), or the admins when there is
none, so an inquiry never goes unseen. A guest is answered at the lead's email (also when
sales converted the lead meanwhile); a client user at its account's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.event_types import INQUIRY_CREATED, MAIL_SEND, QUOTE_EXPIRY_DUE
from core.global_id import decode_typed_id
from core.outbox import claim_effect, emit, utcnow
from jobs.context import JobContext
from jobs.registry import HandlerRegistry
from models.accounts import Role, User
from models.catalog import Product, Variant
from models.clients import ClientCompany
from models.inquiries import Inquiry, InquiryItem, InquirySource, Lead, inquiry_reference
from models.outbox import OutboxEvent
from resolvers.inquiries.quote_expiry import announce_expiring

NOTIFY_INQUIRY = "inquiry.notify"
ANNOUNCE_QUOTE_EXPIRING = "quote.announce_expiring"


def register(registry: HandlerRegistry) -> None:
    registry.register(NOTIFY_INQUIRY, [INQUIRY_CREATED])(notify_inquiry)
    registry.register(ANNOUNCE_QUOTE_EXPIRING, [QUOTE_EXPIRY_DUE])(announce_quote_expiring)


async def announce_quote_expiring(event: OutboxEvent, context: JobContext) -> None:
    """`quote.expiring`, emitted with the effect: once, and only for a quote still open."""
    assert event.id is not None
    async with context.database.transaction() as session:
        if await claim_effect(session, event.id, ANNOUNCE_QUOTE_EXPIRING):
            await announce_expiring(session, int(event.payload["quote_id"]), utcnow())


@dataclass(frozen=True)
class Sender:
    email: str
    contact_name: str
    company_name: str
    country: str
    source: str


async def notify_inquiry(event: OutboxEvent, context: JobContext) -> None:
    assert event.id is not None
    pk = decode_typed_id(str(event.payload["inquiry_id"]), "Inquiry", argument="inquiry_id")
    async with context.database.transaction() as session:
        if not await claim_effect(session, event.id, NOTIFY_INQUIRY):
            return
        inquiry = await session.get(Inquiry, pk)
        if inquiry is None:
            return
        # Filed under a lead when it was made (a guest's, or one staff recorded for a
        # prospect), though sales may have converted the lead since.
        sender = await _sender(session, inquiry, for_lead=event.payload.get("source") == "lead")
        summary = await _product_summary(session, pk)
        reference = inquiry_reference(pk)
        response_days = context.settings.inquiry_response_days
        details = {
            "inquiry_reference": reference,
            "company_name": sender.company_name,
            "contact_name": sender.contact_name or "-",
            "email": sender.email or "-",
            "country": sender.country,
            "source": sender.source,
            "incoterm": inquiry.incoterm,
            "named_place": inquiry.named_place,
            "required_by": inquiry.required_by.isoformat() if inquiry.required_by else "not given",
            "product_summary": summary,
            "message": inquiry.message or "(none)",
            "response_days": response_days,
        }
        for user in await _sales_team(session):
            await _mail(
                session,
                user.email,
                "inquiry_received",
                {**details, "recipient_name": user.full_name or user.email},
            )
        if sender.email:
            await _mail(
                session,
                sender.email,
                "inquiry_acknowledgement",
                {
                    "contact_name": sender.contact_name or sender.company_name,
                    "inquiry_reference": reference,
                    "product_summary": summary,
                    "response_days": response_days,
                },
            )


async def _mail(session: AsyncSession, to: str, template: str, values: dict[str, object]) -> None:
    await emit(session, MAIL_SEND, {"to": to, "template": template, "context": values})


async def _sender(session: AsyncSession, inquiry: Inquiry, *, for_lead: bool) -> Sender:
    sender = await _asking(session, inquiry, for_lead=for_lead)
    if inquiry.source == InquirySource.STAFF:  # taken by phone, by mail or at a fair
        return replace(sender, source=f"{sender.source}, recorded by staff")
    return sender


async def _asking(session: AsyncSession, inquiry: Inquiry, *, for_lead: bool) -> Sender:
    lead = await _guest_of(session, inquiry, for_lead=for_lead)
    if lead is not None:
        return Sender(lead.email, lead.contact_name, lead.company_name, lead.country, "a guest")
    company = await session.get(ClientCompany, inquiry.client_company_id)
    assert company is not None
    user = None
    if inquiry.submitted_by_user_id is not None:
        user = await session.get(User, inquiry.submitted_by_user_id)
    usable = user is not None and user.disabled_at is None
    return Sender(
        email=user.email if user is not None and usable else "",
        contact_name=user.full_name if user is not None and usable else "",
        company_name=company.name,
        country=company.country,
        source="a client",
    )


async def _guest_of(session: AsyncSession, inquiry: Inquiry, *, for_lead: bool) -> Lead | None:
    """The lead of a guest's inquiry; once sales converted it (possibly before this event is
    handled), the lead that became the inquiry's company, so the guest is still answered."""
    if inquiry.lead_id is not None:
        return await session.get(Lead, inquiry.lead_id)
    if not for_lead:
        return None
    lead: Lead | None = await session.scalar(
        select(Lead).where(col(Lead.converted_company_id) == inquiry.client_company_id)
    )
    return lead


async def _product_summary(session: AsyncSession, inquiry_id: int) -> str:
    rows = await session.execute(
        select(InquiryItem, Product, Variant)
        .join(Product, col(Product.id) == col(InquiryItem.product_id))
        .outerjoin(Variant, col(Variant.id) == col(InquiryItem.variant_id))
        .where(col(InquiryItem.inquiry_id) == inquiry_id)
        .order_by(col(InquiryItem.position), col(InquiryItem.id))
    )
    lines = []
    for item, product, variant in rows:
        what = product.name if variant is None else f"{product.name} ({variant.sku})"
        target = ""
        if item.target_price is not None:
            target = f", target {item.target_price.normalize():f} {item.target_currency} per unit"
        lines.append(f"- {item.quantity} x {what}{target}")
    return "\n".join(lines)


async def _sales_team(session: AsyncSession) -> Sequence[User]:
    """Active sales users; the active admins when there are none."""
    for role in (Role.SALES, Role.ADMIN):
        users = list(
            await session.scalars(
                select(User)
                .where(
                    col(User.role) == role,
                    col(User.disabled_at).is_(None),
                    col(User.password_hash).is_not(None),
                )
                .order_by(col(User.id))
            )
        )
        if users:
            return users
    return []
