"""Exchange-rate lookup: the rate of a currency pair in force at a moment.

A pair is found as stored (EUR→USD) or through its inverse (USD→EUR stored, so EUR→USD is
1/rate, rounded to the rate precision); the same currency converts at exactly 1. Callers
store the rate they used (and the row it came from), never look it up again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.fx import FxRate
from models.money import RATE_PLACES

ONE = Decimal(1)


@dataclass(frozen=True)
class RateUsed:
    """Units of the target currency per unit of the source, and the row it came from."""

    rate: Decimal
    rate_id: int | None


def invert(rate: Decimal) -> Decimal:
    return (ONE / rate).quantize(ONE.scaleb(-RATE_PLACES), rounding=ROUND_HALF_UP)


async def _latest(session: AsyncSession, base: str, quote: str, at: datetime) -> FxRate | None:
    statement = (
        select(FxRate)
        .where(
            col(FxRate.base_currency) == base,
            col(FxRate.quote_currency) == quote,
            col(FxRate.effective_at) <= at,
        )
        .order_by(col(FxRate.effective_at).desc())
        .limit(1)
    )
    row: FxRate | None = (await session.scalars(statement)).first()
    return row


async def rate_at(session: AsyncSession, source: str, target: str, at: datetime) -> RateUsed | None:
    """The rate converting `source` amounts into `target` at `at`; None when none is known."""
    if source == target:
        return RateUsed(ONE, None)
    direct = await _latest(session, source, target, at)
    inverse = await _latest(session, target, source, at)
    # The more recent of the two wins, so a fresh import in either direction takes effect.
    if direct is not None and (inverse is None or direct.effective_at >= inverse.effective_at):
        return RateUsed(direct.rate, direct.id)
    if inverse is not None:
        return RateUsed(invert(inverse.rate), inverse.id)
    return None
