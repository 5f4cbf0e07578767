"""`tradeql fx-rates import FILE` as finance's operator runs it, on the committed database:
good sheets are appended with one audit row, and a sheet with any bad line imports nothing
and says which lines are wrong, one line each."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.db import Database
from tests.cli_runner import Finished, Tradeql


@pytest.fixture
def tradeql(committed_url: str, committed_db: Database) -> Tradeql:
    """The command on the committed database (which `committed_db` empties afterwards)."""
    return Tradeql(committed_url, command=("fx-rates", "import"))


def _sheet(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _problems(result: Finished) -> list[str]:
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()


def test_a_good_sheet_is_appended_and_counted(tradeql: Tradeql, tmp_path: Path) -> None:
    # given a rate sheet saved by a spreadsheet (a BOM, an empty line, a missing moment)
    sheet = _sheet(
        tmp_path,
        "\ufeffbase,quote,rate,effective_at\n"
        "EUR,USD,1.0850,2026-01-01T00:00:00Z\n"
        "\n"
        "usd,inr,83.12,2026-01-01\n"
        "GBP,USD,1.2700,\n",
    )
    # when it is imported
    result = tradeql(sheet)

    # then every rate is stored, counted on stdout
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 3 exchange rates"
    rows = tradeql.rows(
        "SELECT base_currency, quote_currency, rate, effective_at, source FROM fx_rates ORDER BY id"
    )
    assert [(r["base_currency"], r["quote_currency"], r["rate"]) for r in rows] == [
        ("EUR", "USD", Decimal("1.0850000000")),
        ("USD", "INR", Decimal("83.1200000000")),
        ("GBP", "USD", Decimal("1.2700000000")),
    ]
    assert rows[1]["effective_at"] == rows[0]["effective_at"]
    assert rows[2]["effective_at"] > rows[0]["effective_at"]
    assert {r["source"] for r in rows} == {"import of rates.csv"}
    # and one audit row labelled cli
    [audit] = tradeql.rows("SELECT action, actor_label, changes FROM audit_entries")
    assert (audit["action"], audit["actor_label"]) == ("fx_rates.import", "cli")

    # when the same sheet is imported again, then nothing is overwritten
    again = _problems(tradeql(sheet))
    assert again[0].startswith("line 2: effective_at: a rate for EUR/USD")
    assert again[-1] == "tradeql fx-rates: 2 problems in rates.csv; nothing was imported"
    assert len(tradeql.rows("SELECT id FROM fx_rates")) == 3


def test_a_sheet_with_bad_lines_imports_nothing_and_names_each_line(
    tradeql: Tradeql, tmp_path: Path
) -> None:
    sheet = _sheet(
        tmp_path,
        "base,quote,rate,effective_at\n"
        "EUR,USD,1.08,2026-01-01\n"
        "EUR,XXX,1.08,2026-01-01\n"
        "EUR,GBP,-0.85,2026-01-01\n"
        "EUR,CHF,0.94,first of may\n"
        "EUR,SEK,11.2\n"
        "EUR,USD,1.09,2026-01-01T00:00:00+00:00\n",
    )
    assert _problems(tradeql(sheet)) == [
        "line 3: quote: must be an ISO 4217 currency code such as USD",
        "line 4: rate: must be a positive decimal number with at most 10 decimals",
        "line 5: effective_at: must be an ISO 8601 date or date and time, "
        "e.g. 2026-12-01T00:00:00Z",
        "line 6: expected 4 fields, found 3",
        "line 7: effective_at: EUR/USD at 2026-01-01T00:00:00+00:00 appears twice in this batch",
        "tradeql fx-rates: 5 problems in rates.csv; nothing was imported",
    ]
    assert tradeql.rows("SELECT id FROM fx_rates") == []
    assert tradeql.rows("SELECT id FROM audit_entries") == []


def test_a_wrong_header_or_a_missing_file_is_one_clear_line(
    tradeql: Tradeql, tmp_path: Path
) -> None:
    wrong = _sheet(tmp_path, "from,to,rate\nEUR,USD,1.08\n")
    assert _problems(tradeql(wrong)) == [
        "line 1: unknown column 'from'",
        "line 1: unknown column 'to'",
        "line 1: missing column 'base'",
        "line 1: missing column 'quote'",
        "tradeql fx-rates: 4 problems in rates.csv; nothing was imported",
    ]
    [missing] = _problems(tradeql(str(tmp_path / "nowhere.csv")))
    assert missing.startswith("tradeql fx-rates: cannot read ")
    assert tradeql.rows("SELECT id FROM fx_rates") == []
