"""`core.fx.rate_at`: the rate that converts one currency into another at a moment, found
directly, through the inverse pair, or not at all; the newest rate in force wins."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from core.db import Database
from core.fx import RateUsed, rate_at
from models.fx import FxRate

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)


async def _rates(db: Database, *rates: tuple[str, str, str, datetime]) -> list[FxRate]:
    async with db.transaction() as session:
        rows = [
            FxRate(base_currency=b, quote_currency=q, rate=Decimal(r), effective_at=at)
            for b, q, r, at in rates
        ]
        session.add_all(rows)
    return rows


async def _at(db: Database, source: str, target: str, at: datetime) -> RateUsed | None:
    async with db.session() as session:
        return await rate_at(session, source, target, at)


async def test_a_stored_pair_converts_directly_and_its_inverse_through_one_over_the_rate(
    db: Database,
) -> None:
    [eur_usd] = await _rates(db, ("EUR", "USD", "1.2500", JAN))
    assert await _at(db, "EUR", "USD", FEB) == RateUsed(Decimal("1.2500"), eur_usd.id)
    assert await _at(db, "USD", "EUR", FEB) == RateUsed(Decimal("0.8000000000"), eur_usd.id)
    # and a currency converts to itself at exactly 1, without a row
    assert await _at(db, "EUR", "EUR", FEB) == RateUsed(Decimal(1), None)


async def test_the_newest_rate_in_force_wins_in_either_direction(db: Database) -> None:
    jan, feb, mar = await _rates(
        db, ("EUR", "USD", "1.10", JAN), ("USD", "EUR", "0.80", FEB), ("EUR", "USD", "1.30", MAR)
    )
    # before February only January's rate is in force
    assert await _at(db, "EUR", "USD", datetime(2026, 1, 20, tzinfo=UTC)) == RateUsed(
        Decimal("1.10"), jan.id
    )
    # in February the newer inverse rate applies, inverted
    assert await _at(db, "EUR", "USD", datetime(2026, 2, 20, tzinfo=UTC)) == RateUsed(
        Decimal("1.2500000000"), feb.id
    )
    # and from March the direct rate again, whichever way round it is asked
    assert await _at(db, "EUR", "USD", MAR) == RateUsed(Decimal("1.30"), mar.id)
    assert await _at(db, "USD", "EUR", MAR) == RateUsed(Decimal("0.7692307692"), mar.id)


async def test_no_rate_before_the_first_one_or_for_an_unknown_pair(db: Database) -> None:
    await _rates(db, ("EUR", "USD", "1.10", FEB))
    assert await _at(db, "EUR", "USD", JAN) is None
    assert await _at(db, "EUR", "INR", MAR) is None
