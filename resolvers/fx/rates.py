"""Exchange rates: the rules a new rate must meet, and appending a batch of them.

`setExchangeRates` and `tradeql fx-rates import` share these rules, so both refuse exactly
the same rows. A batch is checked whole and written all-or-nothing: one bad rate keeps the
others out too, so a half-imported rate sheet never prices an order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.outbox import emit, utcnow
from core.outcomes import Issue, UserErrorCode, WriteResult
from models.base import as_utc
from models.fx import FxRate
from models.money import RATE_PLACES, has_too_many_places
from models.orders import Order
from models.reference import CURRENCY_CODES
from resolvers.context import Context
from resolvers.outcomes import audit

MAX_RATES_PER_CALL = 500
# Numeric(24, 10): fourteen digits before the point.
RATE_CEILING = Decimal(10) ** 14
MAX_SOURCE_LENGTH = 120


@dataclass(frozen=True)
class GivenRate:
    """One rate as sent: typed by GraphQL, or the raw text of a CSV row."""

    base: Any
    quote: Any
    rate: Any
    effective_at: Any = None
    source: str = ""


@dataclass(frozen=True)
class CheckedRate:
    base: str
    quote: str
    rate: Decimal
    effective_at: datetime
    source: str

    @property
    def key(self) -> tuple[str, str, datetime]:
        return (self.base, self.quote, self.effective_at)

    def describe(self) -> str:
        return f"{self.base}/{self.quote} at {self.effective_at.isoformat()}"


def _currency(value: Any) -> str | None:
    code = str(value or "").strip().upper()
    return code if code in CURRENCY_CODES else None


def _rate(value: Any) -> Decimal | None:
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not rate.is_finite() or rate <= 0 or rate >= RATE_CEILING:
        return None
    return None if has_too_many_places(rate, RATE_PLACES) else rate


def _moment(value: Any, now: datetime) -> datetime | None:
    """A moment, or `now` when none is given; a bare date is midnight UTC, naive is UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return now
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        return as_utc(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        return None


def check_rates(
    given: Sequence[GivenRate], *, now: datetime, limit: int | None = MAX_RATES_PER_CALL
) -> tuple[list[CheckedRate], list[Issue]]:
    """Every rate checked; issues name `("rates", index, field)`. Rates without a moment
    take effect at `now`, all at the same instant."""
    if not given:
        return [], [Issue(("rates",), UserErrorCode.NO_ITEMS, "give at least one rate")]
    if limit is not None and len(given) > limit:
        message = f"at most {limit} rates at once; split the batch"
        return [], [Issue(("rates",), UserErrorCode.TOO_MANY_ITEMS, message)]
    checked: list[CheckedRate] = []
    issues: list[Issue] = []
    seen: set[tuple[str, str, datetime]] = set()
    for index, item in enumerate(given):
        at = ("rates", str(index))
        row = _check_one(item, at, now)
        if isinstance(row, list):
            issues += row
            continue
        if row.key in seen:
            message = f"{row.describe()} appears twice in this batch"
            issues.append(Issue((*at, "effectiveAt"), UserErrorCode.DUPLICATE_ITEM, message))
        seen.add(row.key)
        checked.append(row)
    return checked, issues


def _check_one(item: GivenRate, at: tuple[str, ...], now: datetime) -> CheckedRate | list[Issue]:
    issues: list[Issue] = []
    base, quote = _currency(item.base), _currency(item.quote)
    for name, code in (("base", base), ("quote", quote)):
        if code is None:
            message = "must be an ISO 4217 currency code such as USD"
            issues.append(Issue((*at, name), UserErrorCode.INVALID_CURRENCY, message))
    if base is not None and base == quote:
        message = "must differ from base: a currency converts to itself at 1"
        issues.append(Issue((*at, "quote"), UserErrorCode.SAME_CURRENCY, message))
    rate = _rate(item.rate)
    if rate is None:
        message = f"must be a positive decimal number with at most {RATE_PLACES} decimals"
        issues.append(Issue((*at, "rate"), UserErrorCode.INVALID_RATE, message))
    effective_at = _moment(item.effective_at, now)
    if effective_at is None:
        message = "must be an ISO 8601 date or date and time, e.g. 2026-12-01T00:00:00Z"
        issues.append(Issue((*at, "effectiveAt"), UserErrorCode.INVALID_DATE, message))
    source = " ".join(item.source.split())
    if len(source) > MAX_SOURCE_LENGTH:
        message = f"at most {MAX_SOURCE_LENGTH} characters"
        issues.append(Issue((*at, "source"), UserErrorCode.TOO_LONG, message))
    if issues or base is None or quote is None or rate is None or effective_at is None:
        return issues
    return CheckedRate(base, quote, rate, effective_at, source)


async def append_rates(
    session: AsyncSession, rates: Sequence[CheckedRate], *, created_by_user_id: int | None
) -> WriteResult[list[FxRate]]:
    """Insert checked rates in the caller's transaction; a rate already stored for the same
    pair and moment refuses the whole batch (rates are never overwritten)."""
    stored = await _already_stored(session, rates)
    issues = [
        Issue(
            ("rates", str(index), "effectiveAt"),
            UserErrorCode.DUPLICATE_RATE,
            f"a rate for {rate.describe()} is already stored; rates are never changed, "
            "add one with a later effectiveAt",
        )
        for index, rate in enumerate(rates)
        if rate.key in stored
    ]
    if issues:
        return WriteResult(issues=issues)
    rows = [
        FxRate(
            base_currency=rate.base,
            quote_currency=rate.quote,
            rate=rate.rate,
            effective_at=rate.effective_at,
            source=rate.source,
            created_by_user_id=created_by_user_id,
        )
        for rate in rates
    ]
    try:
        async with session.begin_nested():
            session.add_all(rows)
            await session.flush()
    except IntegrityError:  # the same rate committed by someone else a moment ago
        message = "a rate for the same pair and moment was stored meanwhile; nothing was added"
        return WriteResult(issues=[Issue(("rates",), UserErrorCode.DUPLICATE_RATE, message)])
    await _announce_backdated(session, rates)
    return WriteResult(row=rows)


async def _announce_backdated(session: AsyncSession, rates: Sequence[CheckedRate]) -> None:
    """Rates that apply to orders already placed change how reports convert them: the
    sales rollups are rebuilt from the earliest one's month (jobs/reports.py)."""
    earliest = min(rate.effective_at for rate in rates)
    placed_since = await session.scalar(
        select(col(Order.id)).where(col(Order.created_at) >= earliest).limit(1)
    )
    if placed_since is not None:
        payload = {"effective_at": earliest.isoformat()}
        await emit(session, event_types.FX_RATES_BACKDATED, payload)


async def _already_stored(
    session: AsyncSession, rates: Sequence[CheckedRate]
) -> set[tuple[str, str, datetime]]:
    statement = select(
        col(FxRate.base_currency), col(FxRate.quote_currency), col(FxRate.effective_at)
    ).where(
        col(FxRate.base_currency).in_(sorted({rate.base for rate in rates})),
        col(FxRate.quote_currency).in_(sorted({rate.quote for rate in rates})),
        col(FxRate.effective_at).in_(sorted({rate.effective_at for rate in rates})),
    )
    found = (await session.execute(statement)).all()
    return {(base, quote, at) for base, quote, at in found}


async def set_exchange_rates(ctx: Context, given: Sequence[GivenRate]) -> WriteResult[list[FxRate]]:
    """`setExchangeRates`: check, append and audit, in one transaction."""
    rates, issues = check_rates(given, now=utcnow())
    if issues:
        return WriteResult(issues=issues)
    async with ctx.database.transaction() as db:
        result = await append_rates(db, rates, created_by_user_id=ctx.principal.user_id)
        if result.issues:
            return result
        changes = {
            f"{r.base}/{r.quote}@{r.effective_at.isoformat()}": [None, str(r.rate)] for r in rates
        }
        await audit(
            ctx, db, action="fx_rates.set", target_type="FxRate", target_id=None, changes=changes
        )
    return result
