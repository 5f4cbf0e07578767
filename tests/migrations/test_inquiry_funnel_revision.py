"""Revision 0026 maps the inquiries written before it: their source, lost-reason code and the
moment of their first quote, on each dialect."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, bindparam, text

from tests.databases import create_pg_database, database_url, drop_pg_database
from tests.migrations.test_migrations import connect, migrate

FIRST_QUOTE = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
SECOND_QUOTE = datetime(2026, 11, 5, 16, 0, tzinfo=UTC)

USERS = [  # id, email, role, client company
    (1, "buyer@hanse.example", "client", 1),
    (2, "selin@sales.example", "sales", None),
]
INQUIRIES = [  # id, company, lead, submitted by, status, lost reason
    (1, None, 1, None, "new", ""),  # a guest's
    (2, 1, None, 1, "quoted", ""),  # a client user's, quoted twice
    (3, 1, None, 2, "assigned", ""),  # entered by staff
    (4, 1, None, None, "lost", "went elsewhere"),  # a client's, submitter since deleted
]


async def _inquiries_before_sources(url: str) -> None:
    async with connect(url) as connection:
        await connection.execute(
            text(
                "INSERT INTO client_companies (id, name, country, tax_id, credit_limit, "
                "credit_currency, advance_percent, balance_due_on, net_days, preferred_currency, "
                "preferred_incoterm, version) VALUES (1, 'Hanse', 'DE', '', 5000, 'USD', 0, "
                "'invoice', 30, 'USD', 'FOB', 1)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO leads (id, email, company_name, contact_name, country) "
                "VALUES (1, 'ayse@demir.example', 'Demir', 'Ayse', 'TR')"
            )
        )
        for pk, email, role, company in USERS:
            await connection.execute(
                text(
                    "INSERT INTO users (id, email, full_name, role, client_company_id) "
                    "VALUES (:id, :email, '', :role, :company)"
                ),
                {"id": pk, "email": email, "role": role, "company": company},
            )
        for pk, company, lead, submitter, status, reason in INQUIRIES:
            await connection.execute(
                text(
                    "INSERT INTO inquiries (id, client_company_id, lead_id, "
                    "submitted_by_user_id, incoterm, named_place, message, status, lost_reason, "
                    "version) VALUES (:id, :company, :lead, :submitter, 'FOB', 'Mumbai', '', "
                    ":status, :reason, 1)"
                ),
                {"id": pk, "company": company, "lead": lead, "submitter": submitter,
                 "status": status, "reason": reason},
            )  # fmt: skip
        for revision, moment in ((2, SECOND_QUOTE), (1, FIRST_QUOTE)):
            await connection.execute(
                text(
                    "INSERT INTO quotes (inquiry_id, revision, status, currency, valid_until, "
                    "lead_time_days, notes, changes, total, created_at) VALUES (2, :revision, "
                    "'open', 'USD', '2026-12-31', 30, '', '{}', 100, :at)"
                ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
                {"revision": revision, "at": moment},
            )
        await connection.commit()


async def test_the_funnel_revision_maps_existing_inquiries(tmp_path: Path) -> None:
    name = await asyncio.to_thread(create_pg_database, "sources")
    pg_url = database_url(name)
    try:
        for url in (pg_url, f"sqlite+aiosqlite:///{tmp_path}/sources.db"):
            # given inquiries written at revision 0024
            await migrate(url, "upgrade", "0024")
            await _inquiries_before_sources(url)
            # when it is upgraded to 0026
            await migrate(url, "upgrade", "0026")
            async with connect(url) as connection:
                rows = (
                    await connection.execute(
                        text(
                            "SELECT id, source, lost_reason_code, lost_reason, first_quoted_at "
                            "FROM inquiries ORDER BY id"
                        )
                    )
                ).all()
            # then each has its source, the lost one the code OTHER beside its text, and the
            # quoted one its first revision's moment
            mapped = [(pk, source, code, reason) for pk, source, code, reason, _ in rows]
            assert mapped == [
                (1, "storefront_guest", None, ""),
                (2, "client_user", None, ""),
                (3, "staff", None, ""),
                (4, "client_user", "other", "went elsewhere"),
            ]
            quoted = [row[4] for row in rows]
            assert [None if at is None else str(at)[:16] for at in quoted] == [
                None,
                "2026-11-02 09:30",
                None,
                None,
            ]
            # and the revision goes back down cleanly
            await migrate(url, "downgrade", "0024")
            async with connect(url) as connection:
                count = await connection.scalar(text("SELECT count(*) FROM inquiries"))
            assert count == len(INQUIRIES)
    finally:
        await asyncio.to_thread(drop_pg_database, name)
