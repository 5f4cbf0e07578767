"""`tradeql reports rebuild` as an operator runs it, on the committed database: after orders
were written straight into the tables, the rollups equal the recomputation."""

from __future__ import annotations

import pytest

from core.db import Database
from core.settings import Settings
from tests.cli_runner import Tradeql
from tests.reports.books import make_book, recomputed, stored

ZONE = "Asia/Kolkata"


@pytest.fixture
def tradeql(committed_url: str, committed_db: Database) -> Tradeql:
    """The command on the committed database (which `committed_db` empties afterwards)."""
    return Tradeql(
        committed_url,
        command=("reports", "rebuild"),
        env={"REPORTING_TIMEZONE": ZONE, "REPORTING_CURRENCIES": "EUR,USD"},
    )


async def test_a_rebuild_fills_the_rollups_from_the_orders(
    tradeql: Tradeql, committed_db: Database, committed_settings: Settings
) -> None:
    settings = committed_settings.model_copy(
        update={"reporting_timezone": ZONE, "reporting_currencies": "EUR,USD"}
    )
    # given orders written into the tables, with no rollups
    async with committed_db.transaction() as session:
        await make_book(session)
    # when the whole book is rebuilt
    result = tradeql()
    # then it says which months, and the rollups equal the recomputation
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "rebuilt 3 month(s), 2026-01 to 2026-03"
    async with committed_db.transaction() as session:
        assert await stored(session) == await recomputed(session, settings)
    # when only March is rebuilt, then only March is, and nothing changes
    result = tradeql("--from-month", "2026-03")
    assert result.stdout.strip() == "rebuilt 1 month(s), 2026-03 to 2026-03"
    async with committed_db.transaction() as session:
        assert await stored(session) == await recomputed(session, settings)


def test_a_month_not_written_yyyy_mm_is_refused(tradeql: Tradeql) -> None:
    result = tradeql("--from-month", "03/2026")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "--from-month must be a month written YYYY-MM" in result.stderr
