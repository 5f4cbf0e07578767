"""`quote.expiring`: notice that a quote runs out soon, scheduled when the quote is sent.

A revision can be accepted through its `valid_until` day in UTC (conversion refuses it from
the next UTC day on), so it runs out at the start of that next UTC day, whatever
REPORTING_TIMEZONE says. Sending a revision schedules `quote.expiry_due` for
QUOTE_EXPIRY_NOTICE_DAYS before that moment; a revision sent with less time left gets no
notice, its buyer has just been told the date. At the moment, `announce_expiring` checks the
revision under a share lock (a conversion or a new revision racing it waits, or is waited
for) and emits the public `quote.expiring` only for the inquiry's latest revision, still
open and unexpired: partners and the buyer never hear of a quote that changed meanwhile.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.event_types import QUOTE_EXPIRING, QUOTE_EXPIRY_DUE
from core.global_id import encode_global_id
from core.outbox import emit
from models.inquiries import Inquiry, Quote, QuoteStatus, inquiry_reference


def expires_at(valid_until: date) -> datetime:
    """The moment a quote valid until that day can no longer be accepted."""
    return datetime.combine(valid_until + timedelta(days=1), time(), tzinfo=UTC)


def notice_at(valid_until: date, notice_days: int) -> datetime:
    return expires_at(valid_until) - timedelta(days=notice_days)


async def schedule_expiry_notice(
    db: AsyncSession, quote: Quote, *, notice_days: int, now: datetime
) -> None:
    """Schedule the notice of a revision just sent, in the sending transaction."""
    assert quote.id is not None
    due_at = notice_at(quote.valid_until, notice_days)
    if notice_days == 0 or due_at <= now:
        return
    await emit(
        db,
        QUOTE_EXPIRY_DUE,
        {"quote_id": quote.id},
        idempotency_key=f"{QUOTE_EXPIRY_DUE}:{quote.id}",
        due_at=due_at,
    )


async def announce_expiring(db: AsyncSession, quote_id: int, now: datetime) -> bool:
    """Emit `quote.expiring` if the revision is still the latest, open and unexpired."""
    quote = (
        await db.scalars(
            select(Quote)
            .where(col(Quote.id) == quote_id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
    ).first()
    if (
        quote is None
        or quote.status != QuoteStatus.OPEN
        or expires_at(quote.valid_until) <= now
        or await _latest_revision(db, quote.inquiry_id) != quote.revision
    ):
        return False
    inquiry = await db.get(Inquiry, quote.inquiry_id)
    assert inquiry is not None  # a foreign key
    await emit(db, QUOTE_EXPIRING, expiring_payload(quote, inquiry))
    return True


async def _latest_revision(db: AsyncSession, inquiry_id: int) -> int | None:
    latest = await db.scalar(
        select(func.max(col(Quote.revision))).where(col(Quote.inquiry_id) == inquiry_id)
    )
    return None if latest is None else int(latest)


def expiring_payload(quote: Quote, inquiry: Inquiry) -> dict[str, Any]:
    """The public payload (core/event_types.py); the company as the inquiry's is now."""
    assert quote.id is not None
    assert inquiry.id is not None
    return {
        "quote_id": encode_global_id("Quote", quote.id),
        "inquiry_id": encode_global_id("Inquiry", inquiry.id),
        "reference": inquiry_reference(inquiry.id),
        "revision": quote.revision,
        "client_company_id": None
        if inquiry.client_company_id is None
        else encode_global_id("ClientCompany", inquiry.client_company_id),
        "valid_until": quote.valid_until.isoformat(),
        "expires_at": expires_at(quote.valid_until).isoformat(),
    }
