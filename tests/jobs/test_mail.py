"""Mail from templates, through the real worker to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import update
from sqlmodel import col

from app.worker_main import build_worker, job_context
from core.db import Database
from core.event_types import MAIL_SEND
from core.outbox import emit, has_effect, utcnow
from core.settings import Settings
from jobs.mail.send import SEND_MAIL
from models.outbox import OutboxEvent
from tests.smtp_mailbox import SMTP_PASSWORD, SMTP_USER, Mailbox, smtp_settings

INQUIRY = {
    "contact_name": "Ayşe Demir <purchasing>",
    "inquiry_reference": "INQ-1042",
    "product_summary": "2,000 m cotton poplin, 120 GSM, ivory",
    "response_days": 2,
}


async def _queue_mail(database: Database, to: str = "buyer@example.com") -> OutboxEvent:
    async with database.transaction() as session:
        return await emit(
            session,
            MAIL_SEND,
            {"to": to, "template": "inquiry_acknowledgement", "context": INQUIRY},
        )


async def _run_worker(settings: Settings, database: Database, passes: int = 1) -> None:
    async with job_context(settings, database) as context:
        worker = build_worker(settings, database, context)
        for _ in range(passes):
            await worker.run_once()


async def _event(database: Database, event_id: int | None) -> OutboxEvent:
    async with database.session() as session:
        found = await session.get(OutboxEvent, event_id)
    assert found is not None
    return found


async def test_mail_arrives_with_the_recipient_subject_and_both_bodies(
    committed_db: Database,
    jobs_settings: Settings,
    mailbox: tuple[Mailbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    box, port = mailbox
    settings = smtp_settings(jobs_settings, port)
    caplog.set_level(logging.DEBUG)
    # given an inquiry acknowledgement queued in the outbox
    event = await _queue_mail(committed_db)
    # when the worker runs
    await _run_worker(settings, committed_db)

    # then the SMTP server received it, after logging in with the decoded password
    assert box.logins == [SMTP_USER]
    [envelope] = box.envelopes
    assert envelope.rcpt_tos == ["buyer@example.com"]
    assert envelope.mail_from == "sales@anatolia.test"
    message = box.message()
    assert message["To"] == "buyer@example.com"
    assert message["Subject"] == "We received your inquiry INQ-1042"
    assert message["Message-ID"].startswith(f"<mail.{event.id}.")
    assert message["Message-ID"].endswith("@anatolia.test>")
    # and carries a plain-text and an HTML alternative, the HTML one escaped
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "Dear Ayşe Demir <purchasing>," in text.get_content()
    assert "2,000 m cotton poplin" in text.get_content()
    assert "within 2 business days" in text.get_content()
    assert "Ayşe Demir &lt;purchasing&gt;" in html.get_content()
    assert "<purchasing>" not in html.get_content()
    # and the event is done with its effect recorded, and no log line holds the password
    assert (await _event(committed_db, event.id)).state == "done"
    async with committed_db.session() as session:
        assert event.id is not None
        assert await has_effect(session, event.id, SEND_MAIL)
    assert SMTP_PASSWORD not in caplog.text
    assert "p%40ss" not in caplog.text


async def test_a_mail_event_handled_again_sends_nothing_twice(
    committed_db: Database, jobs_settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = smtp_settings(jobs_settings, port)
    # given a mail that was sent
    event = await _queue_mail(committed_db)
    await _run_worker(settings, committed_db)
    assert len(box.envelopes) == 1
    # when its event is delivered again (a lease that expired after the send, say)
    async with committed_db.transaction() as session:
        await session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.id) == event.id)
            .values(state="pending", available_at=utcnow(), processed_at=None)
        )
    await _run_worker(settings, committed_db)

    # then no second mail went out
    assert len(box.envelopes) == 1
    assert (await _event(committed_db, event.id)).state == "done"


async def test_without_smtp_url_development_logs_the_mail_instead_of_sending_it(
    committed_db: Database,
    jobs_settings: Settings,
    mailbox: tuple[Mailbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    box, _port = mailbox
    settings = jobs_settings.model_copy(update={"env": "development", "smtp_url": None})
    caplog.set_level(logging.INFO, logger="tradeql.mail")
    # given a mail queued in development without SMTP_URL
    event = await _queue_mail(committed_db)
    # when the worker runs
    await _run_worker(settings, committed_db)

    # then the log shows recipient, subject and body, and nothing was sent
    [record] = [r for r in caplog.records if r.name == "tradeql.mail"]
    assert record.levelno == logging.INFO
    assert "buyer@example.com" in record.getMessage()
    assert "We received your inquiry INQ-1042" in record.getMessage()
    assert "2,000 m cotton poplin" in record.getMessage()
    assert box.envelopes == []
    assert (await _event(committed_db, event.id)).state == "done"


async def test_without_smtp_url_production_fails_the_mail_loudly(
    committed_db: Database, jobs_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = jobs_settings.model_copy(update={"env": "production", "smtp_url": None})
    caplog.set_level(logging.WARNING, logger="tradeql.mail")
    # given a mail queued in production without SMTP_URL
    event = await _queue_mail(committed_db)
    # when the worker starts and runs
    await _run_worker(settings, committed_db)

    # then the worker warned at start, and the event failed saying why, to be retried
    assert "SMTP_URL is not set" in caplog.text
    failed = await _event(committed_db, event.id)
    assert failed.state == "pending"
    assert failed.attempts == 1
    assert failed.last_error is not None
    assert "SMTP_URL is not set" in failed.last_error
