"""The home screen's inquiry figures: open inquiries by age, quotes awaiting the buyer."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from admin_queries.reports.funnel import (
    OpenInquiryAges,
    QuotesAwaitingAnswer,
    open_inquiries_by_age,
    quotes_awaiting_answer,
)
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.inquiries import Inquiry, InquirySource, InquiryStatus, LostReasonCode, Quote
from models.inquiries import QuoteStatus as QS
from tests.callers import context_for, make_client_company, principal_of, token_for

ZONE = ZoneInfo("America/New_York")
TODAY = date(2026, 6, 15)


def _local(day: date, hour: int = 0) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE).astimezone(UTC)


async def test_open_inquiries_are_counted_by_local_days_since_submission(
    db: Database, settings: Settings
) -> None:
    zoned = settings.model_copy(update={"reporting_timezone": "America/New_York"})
    async with db.transaction() as session:
        company = await make_client_company(session)
        token = await token_for(session, zoned, Role.ADMIN)
        ages = [  # (local day, status)
            (TODAY, InquiryStatus.NEW),  # today, at local midnight
            (TODAY - timedelta(days=1), InquiryStatus.ASSIGNED),  # yesterday: 1-7
            (TODAY - timedelta(days=7), InquiryStatus.NEW),  # 1-7
            (TODAY - timedelta(days=8), InquiryStatus.NEW),  # 8-30
            (TODAY - timedelta(days=30), InquiryStatus.ASSIGNED),  # 8-30
            (TODAY - timedelta(days=31), InquiryStatus.NEW),  # over 30
            (TODAY, InquiryStatus.QUOTED),  # answered: not counted
            (TODAY, InquiryStatus.LOST),  # closed: not counted
        ]
        session.add_all(
            Inquiry(
                client_company_id=company.id,
                incoterm="FOB",
                named_place="Mumbai",
                source=InquirySource.CLIENT_USER,
                status=status,
                lost_reason_code=LostReasonCode.OTHER if status is InquiryStatus.LOST else None,
                created_at=_local(day),
            )
            for day, status in ages
        )
        # one submitted a second before today began, local time: yesterday
        session.add(
            Inquiry(
                client_company_id=company.id,
                incoterm="FOB",
                named_place="Mumbai",
                source=InquirySource.CLIENT_USER,
                created_at=_local(TODAY) - timedelta(seconds=1),
            )
        )
    ctx = context_for(db, zoned, await principal_of(db, zoned, token))
    figures = await open_inquiries_by_age(ctx, today=TODAY)
    assert figures == OpenInquiryAges(1, 3, 2, 1)
    assert figures.total == 7


async def test_quotes_awaiting_an_answer_are_the_open_valid_ones(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        token = await token_for(session, settings, Role.ADMIN)
        inquiry = Inquiry(
            client_company_id=company.id,
            incoterm="FOB",
            named_place="Mumbai",
            source=InquirySource.CLIENT_USER,
            status=InquiryStatus.QUOTED,
        )
        session.add(inquiry)
        await session.flush()
        assert inquiry.id is not None
        quotes = [  # (status, valid until)
            (QS.OPEN, TODAY),  # valid through today, expiring within a week
            (QS.OPEN, TODAY + timedelta(days=7)),  # expiring within a week
            (QS.OPEN, TODAY + timedelta(days=8)),
            (QS.OPEN, TODAY - timedelta(days=1)),  # expired
            (QS.SUPERSEDED, TODAY + timedelta(days=20)),
            (QS.CONVERTED, TODAY + timedelta(days=20)),
            (QS.WITHDRAWN, TODAY + timedelta(days=20)),
        ]
        session.add_all(
            Quote(
                inquiry_id=inquiry.id,
                revision=revision,
                status=status,
                currency="USD",
                valid_until=valid_until,
                lead_time_days=30,
                incoterm=inquiry.incoterm,
                named_place=inquiry.named_place,
                total=Decimal("100"),
            )
            for revision, (status, valid_until) in enumerate(quotes, start=1)
        )
    ctx = context_for(db, settings, await principal_of(db, settings, token))
    assert await quotes_awaiting_answer(ctx, today=TODAY) == QuotesAwaitingAnswer(3, 2)
