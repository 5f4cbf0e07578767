"""Revision 0031 on leads written before it: every existing lead stays a lead (not converted),
a company is recorded only with its moment, on each dialect; and back down."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.databases import create_pg_database, database_url, drop_pg_database
from tests.migrations.test_migrations import connect, migrate

LEAD = (
    "INSERT INTO leads (id, email, company_name, contact_name, country) "
    "VALUES (1, 'ayse@demir.example', 'Demir Tekstil', 'Ayşe Demir', 'TR')"
)
COMPANY = (
    "INSERT INTO client_companies (id, name, country, tax_id, credit_limit, credit_currency, "
    "advance_percent, balance_due_on, net_days, preferred_currency, preferred_incoterm, "
    "version, credit_used, overdue_amount) "
    "VALUES (1, 'Demir Tekstil', 'TR', '', 0, 'USD', 0, 'invoice', 30, 'USD', 'FOB', 1, 0, 0)"
)


@pytest.mark.slow
async def test_existing_leads_stay_unconverted_and_a_company_needs_its_moment(
    tmp_path: Path,
) -> None:
    name = await asyncio.to_thread(create_pg_database, "lead_conversion")
    try:
        for url in (database_url(name), f"sqlite+aiosqlite:///{tmp_path}/lead_conversion.db"):
            # given a lead written at revision 0028
            await migrate(url, "upgrade", "0028")
            async with connect(url) as connection:
                await connection.execute(text(LEAD))
                await connection.execute(text(COMPANY))
                await connection.commit()
            # when the database is upgraded to 0031
            await migrate(url, "upgrade", "0031")
            async with connect(url) as connection:
                converted = (
                    await connection.execute(
                        text("SELECT converted_company_id, converted_at FROM leads")
                    )
                ).one()
                # then it is not converted, and a company without its moment is refused
                assert tuple(converted) == (None, None)
                with pytest.raises(IntegrityError):
                    await connection.execute(text("UPDATE leads SET converted_company_id = 1"))
                await connection.rollback()
                await connection.execute(
                    text(
                        "UPDATE leads SET converted_company_id = 1, "
                        "converted_at = CURRENT_TIMESTAMP"
                    )
                )
                await connection.commit()
            # and the revision goes back down, keeping the lead
            await migrate(url, "downgrade", "0028")
            async with connect(url) as connection:
                count = await connection.scalar(text("SELECT count(*) FROM leads"))
            assert count == 1
    finally:
        await asyncio.to_thread(drop_pg_database, name)
