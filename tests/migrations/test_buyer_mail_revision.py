"""Revision 0030 on companies and contacts written before it: every company is mailed in
English and every contact receives every mail, on each dialect; and back down."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.databases import create_pg_database, database_url, drop_pg_database
from tests.migrations.test_migrations import connect, migrate

COMPANY = (
    "INSERT INTO client_companies (id, name, country, tax_id, credit_limit, credit_currency, "
    "advance_percent, balance_due_on, net_days, preferred_currency, preferred_incoterm, "
    "version, credit_used, overdue_amount) "
    "VALUES (1, 'Hanse', 'DE', '', 5000, 'USD', 0, 'invoice', 30, 'USD', 'FOB', 1, 0, 0)"
)
CONTACTS = (
    "INSERT INTO client_contacts (id, company_id, name, email, phone, position) VALUES "
    "(1, 1, 'Jana Weber', 'jana@hanse.example', '', ''), (2, 1, 'Lars', '', '', '')"
)
LANGUAGE = "SELECT preferred_language FROM client_companies"
TOPICS = (
    "SELECT id, mails_quotes, mails_orders, mails_shipments, mails_invoices "
    "FROM client_contacts ORDER BY id"
)


@pytest.mark.slow
async def test_existing_contacts_receive_every_mail_in_english(tmp_path: Path) -> None:
    name = await asyncio.to_thread(create_pg_database, "buyer_mail")
    try:
        for url in (database_url(name), f"sqlite+aiosqlite:///{tmp_path}/buyer_mail.db"):
            # given a company with two contacts written at revision 0028
            await migrate(url, "upgrade", "0028")
            async with connect(url) as connection:
                await connection.execute(text(COMPANY))
                await connection.execute(text(CONTACTS))
                await connection.commit()
            # when the database is upgraded to 0030
            await migrate(url, "upgrade", "0030")
            async with connect(url) as connection:
                language = (await connection.execute(text(LANGUAGE))).scalar_one()
                topics = (await connection.execute(text(TOPICS))).all()
            # then the company is mailed in English and each contact receives every mail
            assert language == "en"
            assert [tuple(row) for row in topics] == [
                (1, True, True, True, True),
                (2, True, True, True, True),
            ]
            # and the revision goes back down, keeping the company and its contacts
            await migrate(url, "downgrade", "0028")
            async with connect(url) as connection:
                count = (
                    await connection.execute(text("SELECT count(*) FROM client_contacts"))
                ).scalar_one()
            assert count == 2
    finally:
        await asyncio.to_thread(drop_pg_database, name)
