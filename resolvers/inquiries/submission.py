"""Submitting an inquiry (RFQ): a client user for its company, or a guest as a lead.

A guest never gets an account: the inquiry is filed under a lead, found (or created) by
the normalised email and updated with the latest details given. Guests are throttled per
client IP, counted only once a submission is valid, so a buyer correcting a form is not
locked out while a script cannot flood sales. The inquiry, its items and the
`inquiry.created` event are written in one transaction; the mails follow from the event.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.principal import Principal, PrincipalKind
from core.event_types import INQUIRY_CREATED
from core.global_id import encode_global_id
from core.outbox import emit
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult, refused
from models.accounts import Role
from models.catalog import Product, Variant
from models.inquiries import (
    Inquiry,
    InquiryItem,
    InquirySource,
    InquiryStatus,
    Lead,
    inquiry_reference,
)
from resolvers.context import Context
from resolvers.idempotency import created_once, guest_scope, key_issues
from resolvers.inquiries.rules import (
    CheckedSubmission,
    GuestDetails,
    InquirySubmission,
    check_items_in_catalog,
    check_submission,
)

THROTTLE_WINDOW_SECONDS = 3_600
CatalogRow = TypeVar("CatalogRow", Product, Variant)


@dataclass(frozen=True)
class Submitted:
    """The outcome, and when a throttled guest may try again."""

    result: WriteResult[Inquiry]
    retry_after_seconds: int | None = None


def is_guest(principal: Principal) -> bool:
    """Anonymous callers and storefront keys ask as guests."""
    return principal.kind is PrincipalKind.ANONYMOUS or principal.role is Role.STOREFRONT


async def submit_inquiry(
    ctx: Context, submission: InquirySubmission, idempotency_key: str | None = None
) -> Submitted:
    """The inquiry filed; with a key, a retry answers the inquiry the first call filed,
    without touching the lead, the throttle or the mails again."""
    principal = ctx.principal
    client_company_id = principal.client_company_id if principal.is_client else None
    guest = is_guest(principal)
    if client_company_id is None and not guest:
        return Submitted(
            refused(
                None,
                UserErrorCode.SUBMITTER_NOT_ALLOWED,
                "inquiries come from client users or guests; staff answer them",
            )
        )
    checked, issues = check_submission(
        submission, today=datetime.now(UTC).date(), guest_required=guest
    )
    issues = issues + key_issues(idempotency_key)
    if issues:
        return Submitted(WriteResult(issues=issues))

    async def create(db: AsyncSession) -> Inquiry:
        # The catalog is read in the write transaction: what is checked is what is written.
        issues = await check_catalog(db, checked)
        if issues:
            raise Refused(*issues)
        wait = await _throttle(ctx) if guest else None
        if wait is not None:
            raise Throttled(wait)
        lead = None if checked.guest is None else await lead_for(db, checked.guest)
        return await write_inquiry(
            db,
            checked,
            client_company_id=client_company_id,
            lead_id=None if lead is None else lead.id,
            user_id=principal.user_id if client_company_id is not None else None,
            source=InquirySource.CLIENT_USER if lead is None else InquirySource.STOREFRONT_GUEST,
        )

    try:
        async with ctx.database.transaction() as db:
            inquiry = await created_once(
                ctx,
                db,
                operation="submitInquiry",
                key=idempotency_key,
                normalised_input=asdict(checked),
                model=Inquiry,
                create=lambda: create(db),
                scope=None if checked.guest is None else guest_scope(checked.guest.email),
            )
    except Throttled as throttled:
        return Submitted(
            WriteResult(issues=throttled.issues), retry_after_seconds=throttled.wait_seconds
        )
    except Refused as refusal:
        return Submitted(WriteResult(issues=refusal.issues))
    return Submitted(WriteResult(row=inquiry))


class Throttled(Refused):
    """A guest over the hourly limit: refused, with when to try again."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(
            Issue(
                None,
                UserErrorCode.TOO_MANY_REQUESTS,
                f"too many inquiries from your network; try again in {wait_seconds} seconds",
            )
        )
        self.wait_seconds = wait_seconds


async def check_catalog(db: AsyncSession, checked: CheckedSubmission) -> list[Issue]:
    """The items' products and variants, as the catalog has them now."""
    product_ids = {item.product_id for item in checked.items}
    variant_ids = {item.variant_id for item in checked.items if item.variant_id is not None}
    products = await _by_id(db, Product, product_ids)
    variants = await _by_id(db, Variant, variant_ids)
    return check_items_in_catalog(checked.items, products, variants)


async def _by_id(
    db: AsyncSession, model: type[CatalogRow], ids: Iterable[int]
) -> dict[int, CatalogRow]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await db.scalars(select(model).where(col(model.id).in_(wanted)))
    return {row.id: row for row in rows if row.id is not None}


async def _throttle(ctx: Context) -> int | None:
    """None when the guest may submit (and it is counted); else seconds to wait."""
    decision = await ctx.rate_limiter.hit(
        f"inquiry:guest:ip:{ctx.client_ip or 'unknown'}",
        limit=ctx.settings.inquiry_guest_max_per_hour,
        window_seconds=THROTTLE_WINDOW_SECONDS,
    )
    if decision.allowed:
        return None
    return max(1, math.ceil(decision.retry_after_seconds))


async def lead_for(db: AsyncSession, guest: GuestDetails) -> Lead:
    """The lead of this email, updated with what the guest gave now; created if new."""
    lead = await _locked_lead(db, guest.email)
    if lead is None:
        try:
            async with db.begin_nested():
                lead = Lead(email=guest.email, company_name="", country="")
                _copy_details(lead, guest)
                db.add(lead)
                await db.flush()
            return lead
        except IntegrityError:  # the same guest, submitting twice at once
            lead = await _locked_lead(db, guest.email)
            assert lead is not None
    _copy_details(lead, guest)
    await db.flush()
    return lead


def _copy_details(lead: Lead, guest: GuestDetails) -> None:
    lead.company_name = guest.company_name
    lead.contact_name = guest.contact_name
    lead.country = guest.country


async def _locked_lead(db: AsyncSession, email: str) -> Lead | None:
    statement = select(Lead).where(col(Lead.email) == email)
    lead: Lead | None = (await db.scalars(statement.with_for_update())).first()
    return lead


async def write_inquiry(
    db: AsyncSession,
    checked: CheckedSubmission,
    *,
    client_company_id: int | None,
    lead_id: int | None,
    user_id: int | None,
    source: InquirySource,
    assigned_to_user_id: int | None = None,
) -> Inquiry:
    """The inquiry, its items and `inquiry.created`; assigned from the start when given."""
    inquiry = Inquiry(
        client_company_id=client_company_id,
        lead_id=lead_id,
        source=source,
        submitted_by_user_id=user_id,
        assigned_to_user_id=assigned_to_user_id,
        status=InquiryStatus.NEW if assigned_to_user_id is None else InquiryStatus.ASSIGNED,
        incoterm=checked.incoterm,
        named_place=checked.named_place,
        required_by=checked.required_by,
        message=checked.message,
    )
    db.add(inquiry)
    await db.flush()
    assert inquiry.id is not None
    db.add_all(
        InquiryItem(
            inquiry_id=inquiry.id,
            product_id=item.product_id,
            variant_id=item.variant_id,
            quantity=item.quantity,
            target_price=item.target_price,
            target_currency=item.target_currency,
            position=position,
        )
        for position, item in enumerate(checked.items)
    )
    await db.flush()
    await db.refresh(inquiry)
    await emit(
        db,
        INQUIRY_CREATED,
        {
            "inquiry_id": encode_global_id("Inquiry", inquiry.id),
            "reference": inquiry_reference(inquiry.id),
            "source": "lead" if lead_id is not None else "client",
            "client_company_id": None
            if client_company_id is None
            else encode_global_id("ClientCompany", client_company_id),
            "incoterm": inquiry.incoterm,
            "item_count": len(checked.items),
        },
    )
    return inquiry
