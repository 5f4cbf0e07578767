"""Finance sets exchange rates over GraphQL and reads the rate in force for each pair: a
batch is checked whole, refused rates are userErrors naming the row, nothing of a refused
batch is stored, and every accepted batch leaves one audit row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.fx import FxRate
from tests.callers import error_codes, token_for
from tests.graphql_client import GraphQLClient, graphql_client

SET = """mutation($rates: [ExchangeRateInput!]!) { setExchangeRates(rates: $rates) {
  rates { base quote rate effectiveAt source } userErrors { field code message } } }"""
LIST = """query($base: String, $quote: String, $at: DateTime) {
  exchangeRates(base: $base, quote: $quote, at: $at) { base quote rate effectiveAt } }"""
JAN = "2026-01-01T00:00:00+00:00"
FEB = "2026-02-01T00:00:00+00:00"


async def _as(db: Database, settings: Settings, http: GraphQLClient, role: Role) -> GraphQLClient:
    async with db.transaction() as session:
        return http.as_(await token_for(session, settings, role))


async def _stored(db: Database) -> list[FxRate]:
    async with db.session() as session:
        return list(await session.scalars(select(FxRate).order_by(col(FxRate.id))))


def _rate(base: str, quote: str, rate: str, at: str | None = JAN, **extra: Any) -> dict[str, Any]:
    return {"base": base, "quote": quote, "rate": rate, "effectiveAt": at, **extra}


async def test_finance_sets_rates_and_reads_the_one_in_force_per_pair(
    db: Database, settings: Settings
) -> None:
    async with graphql_client(settings, db) as anyone:
        finance = await _as(db, settings, anyone, Role.FINANCE)
        # given January rates, then a newer EUR/USD rate from February
        first = await finance.data(
            SET,
            {
                "rates": [
                    _rate("eur", "usd", "1.0850", source=" ECB  reference "),
                    _rate("USD", "INR", "83.1234567891"),
                ]
            },
        )
        second = await finance.data(SET, {"rates": [_rate("EUR", "USD", "1.0925", FEB)]})
        # when finance lists the rates in force in mid-January, and now
        january = await finance.data(LIST, {"at": "2026-01-15T00:00:00Z"})
        now = await finance.data(LIST, {})
        only_eur = await finance.data(LIST, {"base": "eur"})

    # then the batch was stored as given, codes in upper case, the source tidied
    assert first["setExchangeRates"] == {
        "rates": [
            {"base": "EUR", "quote": "USD", "rate": "1.0850", "effectiveAt": JAN,
             "source": "ECB reference"},
            {"base": "USD", "quote": "INR", "rate": "83.1234567891", "effectiveAt": JAN,
             "source": ""},
        ],
        "userErrors": [],
    }  # fmt: skip
    assert second["setExchangeRates"]["userErrors"] == []
    # and each pair shows the rate in force at the moment asked about, by base then quote
    assert january["exchangeRates"] == [
        {"base": "EUR", "quote": "USD", "rate": "1.0850000000", "effectiveAt": JAN},
        {"base": "USD", "quote": "INR", "rate": "83.1234567891", "effectiveAt": JAN},
    ]
    assert [r["rate"] for r in now["exchangeRates"]] == ["1.0925000000", "83.1234567891"]
    assert [(r["base"], r["quote"]) for r in only_eur["exchangeRates"]] == [("EUR", "USD")]
    # and one audit row per accepted batch, naming each rate
    async with db.session() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry)
                .where(col(AuditEntry.action) == "fx_rates.set")
                .order_by(col(AuditEntry.id))
            )
        )
    assert len(entries) == 2
    assert entries[0].changes == {
        f"EUR/USD@{JAN}": [None, "1.0850"],
        f"USD/INR@{JAN}": [None, "83.1234567891"],
    }
    assert entries[0].actor_user_id is not None
    assert all(row.created_by_user_id == entries[0].actor_user_id for row in await _stored(db))


async def test_a_batch_with_any_bad_rate_is_refused_whole_with_each_row_named(
    db: Database, settings: Settings
) -> None:
    bad = [
        _rate("EUR", "USD", "1.08"),
        _rate("EURO", "USD", "1.08"),
        _rate("GBP", "GBP", "1"),
        _rate("EUR", "JPY", "-161.2"),
        _rate("EUR", "CHF", "0.12345678901"),
        _rate("EUR", "USD", "1.09"),
        _rate("EUR", "TRY", "0"),
        _rate("EUR", "SEK", "11.5", source="x" * 121),
    ]
    async with graphql_client(settings, db) as anyone:
        finance = await _as(db, settings, anyone, Role.FINANCE)
        payload = (await finance.data(SET, {"rates": bad}))["setExchangeRates"]
        empty = (await finance.data(SET, {"rates": []}))["setExchangeRates"]

    assert payload["rates"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["rates", "1", "base"], "INVALID_CURRENCY"),
        (["rates", "2", "quote"], "SAME_CURRENCY"),
        (["rates", "3", "rate"], "INVALID_RATE"),
        (["rates", "4", "rate"], "INVALID_RATE"),
        (["rates", "5", "effectiveAt"], "DUPLICATE_ITEM"),
        (["rates", "6", "rate"], "INVALID_RATE"),
        (["rates", "7", "source"], "TOO_LONG"),
    ]
    assert [(e["field"], e["code"]) for e in empty["userErrors"]] == [(["rates"], "NO_ITEMS")]
    # and nothing was stored or audited, not even the good first row
    assert await _stored(db) == []
    async with db.session() as session:
        assert list(await session.scalars(select(AuditEntry))) == []


async def test_a_stored_rate_is_never_overwritten(db: Database, settings: Settings) -> None:
    async with graphql_client(settings, db) as anyone:
        finance = await _as(db, settings, anyone, Role.FINANCE)
        await finance.data(SET, {"rates": [_rate("EUR", "USD", "1.08")]})
        # when the same pair and moment is sent again, with a new rate beside it
        again = (
            await finance.data(
                SET, {"rates": [_rate("GBP", "USD", "1.27"), _rate("EUR", "USD", "1.50")]}
            )
        )["setExchangeRates"]

    # then the batch is refused, naming the row, and the first rate stands alone
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [
        (["rates", "1", "effectiveAt"], "DUPLICATE_RATE")
    ]
    assert [(r.base_currency, r.rate) for r in await _stored(db)] == [("EUR", Decimal("1.08"))]


async def test_a_rate_without_a_moment_takes_effect_now(db: Database, settings: Settings) -> None:
    before = datetime.now(UTC)
    async with graphql_client(settings, db) as anyone:
        finance = await _as(db, settings, anyone, Role.FINANCE)
        payload = await finance.data(SET, {"rates": [_rate("EUR", "GBP", "0.85", at=None)]})
    [rate] = payload["setExchangeRates"]["rates"]
    effective = datetime.fromisoformat(rate["effectiveAt"])
    assert before <= effective <= datetime.now(UTC)


async def test_only_finance_reads_and_sets_rates(db: Database, settings: Settings) -> None:
    async with graphql_client(settings, db) as anyone:
        sales = await _as(db, settings, anyone, Role.SALES)
        denied_set = await sales.post(SET, {"rates": [_rate("EUR", "USD", "1.08")]})
        denied_list = await sales.post(LIST, {})
        anonymous = await anyone.post(LIST, {})
        finance = await _as(db, settings, anyone, Role.FINANCE)
        bad_filter = await finance.post(LIST, {"base": "euro"})
    assert error_codes(denied_set) == [("setExchangeRates", "FORBIDDEN")]
    assert error_codes(denied_list) == [("exchangeRates", "FORBIDDEN")]
    assert error_codes(anonymous) == [("exchangeRates", "FORBIDDEN")]
    assert error_codes(bad_filter) == [("exchangeRates", "BAD_USER_INPUT")]
    assert await _stored(db) == []
