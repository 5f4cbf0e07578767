"""Finance's view of exchange rates: per stored currency pair, the rate in force at a moment.

Only `exchangeRates` reaches it, behind `finance:read`. Pairs are listed as stored: an inverse
is not computed here (`core.fx.rate_at` does that, for pricing orders).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func
from sqlmodel import col, select

from core.errors import BadUserInput
from core.outbox import utcnow
from models.base import as_utc
from models.fx import FxRate
from models.reference import CURRENCY_CODES
from resolvers.context import Context


async def latest_rates(
    ctx: Context, *, base: str | None, quote: str | None, at: datetime | None
) -> list[FxRate]:
    """Per stored pair, the rate in force at `at` (default now), by base then quote."""
    moment = as_utc(at) if at is not None else utcnow()
    conditions = [col(FxRate.effective_at) <= moment]
    base_code = _currency_argument(base, "base")
    quote_code = _currency_argument(quote, "quote")
    if base_code is not None:
        conditions.append(col(FxRate.base_currency) == base_code)
    if quote_code is not None:
        conditions.append(col(FxRate.quote_currency) == quote_code)
    latest = (
        select(
            col(FxRate.base_currency).label("base"),
            col(FxRate.quote_currency).label("quote"),
            func.max(col(FxRate.effective_at)).label("effective_at"),
        )
        .where(*conditions)
        .group_by(col(FxRate.base_currency), col(FxRate.quote_currency))
        .subquery()
    )
    statement = (
        select(FxRate)
        .join(
            latest,
            and_(
                col(FxRate.base_currency) == latest.c.base,
                col(FxRate.quote_currency) == latest.c.quote,
                col(FxRate.effective_at) == latest.c.effective_at,
            ),
        )
        .order_by(col(FxRate.base_currency), col(FxRate.quote_currency))
    )
    return list(await ctx.session.scalars(statement))


def _currency_argument(value: str | None, argument: str) -> str | None:
    """A currency filter as given, any case; None when there is none."""
    if value is None:
        return None
    code = value.strip().upper()
    if code not in CURRENCY_CODES:
        raise BadUserInput("must be an ISO 4217 currency code such as USD", argument=argument)
    return code
