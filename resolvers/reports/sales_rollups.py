"""Keeping the monthly sales rollups (models/reports.py) equal to the orders, set-based.

One SQL text computes an order set's figures for every reporting currency at once: each line
converted at the rate in force when its order was placed (the pair as stored, or its inverse
rounded to 10 places, the more recent winning, as `core.fx.rate_at`), times the amount,
rounded to 4 places, summed; the line's snapshotted cost likewise, at its own currency's rate.
The same text adds an order (+1) or takes it out (-1) in `sync_order_sales`, and refills
whole months in `rebuild_sales`; what it adds is what it takes out, so the rollups never
drift. Sales are goods: an order's charges (freight, insurance, other) are left out, which
also keeps what is added equal to what is taken out when staff set charges on a placed order.
It runs on both databases (a window function over each pair's rates rather than
LATERAL; on SQLite the sums are SQLite's own numbers, fine for a development book).
Concurrent upkeep of two orders touches shared rows (a month's total) in one order, sorted
by currency, dimension and key, so two handlers queue on them and never deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, bindparam, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause
from sqlmodel import col

from core.settings import Settings
from models.base import Moment
from models.orders import Order, OrderStatus
from models.reports import OrderSalesMark, SalesMonth, SalesUnconvertedMonth
from resolvers.reports.periods import month_bounds, month_of, months_from

# Which orders a statement covers: one order, or the counted orders placed in a month.
# Either way the orders were placed within [:window_start, :window_end).
ONE_ORDER = "o.id = :order_id"
COUNTED_IN_MONTH = (
    "o.created_at >= :window_start AND o.created_at < :window_end AND EXISTS (SELECT 1 FROM "
    "order_sales_marks m WHERE m.order_id = o.id AND m.counted)"
)
# Orders that are sales now, placed within the window (read straight from the orders).
PLACED_IN_WINDOW = (
    "o.created_at >= :window_start AND o.created_at < :window_end AND o.status <> 'cancelled'"
)
# The smallest step of a stored moment: one order's window is [placed, placed + STEP).
STEP = timedelta(microseconds=1)

# `segments`: the timeline of each pair into a reporting currency, stored either way round
# (an inverse rounded to 10 places), each rate valid until the next one of the pair; at one
# moment the stored direction comes last and wins. Only the segments overlapping the window
# are kept, so an order meets the few rates of its own month, not years of them.
_FIGURES = """
WITH targets(code) AS (VALUES {targets}),
picked AS MATERIALIZED (
    SELECT o.id, o.currency, o.total - o.charges_total AS total, o.created_at,
           o.client_company_id,
           COALESCE(NULLIF(o.shipping_address ->> 'country', ''), c.country) AS country
    FROM orders o JOIN client_companies c ON c.id = o.client_company_id
    WHERE {which}
),
sources AS MATERIALIZED (
    SELECT id, created_at, currency AS source FROM picked
    UNION
    SELECT p.id, p.created_at, l.cost_currency FROM picked p
    JOIN order_lines l ON l.order_id = p.id WHERE l.cost_currency IS NOT NULL
),
segments AS MATERIALIZED (
    SELECT source, target, rate, valid_from, valid_until FROM (
        SELECT source, target, rate, valid_from,
               LEAD(valid_from) OVER (
                   PARTITION BY source, target ORDER BY valid_from, stored_way
               ) AS valid_until
        FROM (
            SELECT f.base_currency AS source, f.quote_currency AS target, f.rate,
                   f.effective_at AS valid_from, 1 AS stored_way
            FROM fx_rates f JOIN targets t ON t.code = f.quote_currency
            UNION ALL
            SELECT f.quote_currency, f.base_currency, ROUND(1.0 / f.rate, 10),
                   f.effective_at, 0
            FROM fx_rates f JOIN targets t ON t.code = f.base_currency
        ) AS pair_rates
    ) AS timeline
    WHERE valid_from < :window_end AND (valid_until IS NULL OR valid_until > :window_start)
),
rates AS MATERIALIZED (
    SELECT s.id, s.source, t.code AS target, 1 AS rate
    FROM sources s JOIN targets t ON t.code = s.source
    UNION ALL
    SELECT s.id, s.source, g.target, g.rate
    FROM sources s JOIN segments g ON g.source = s.source AND g.valid_from <= s.created_at
         AND (g.valid_until IS NULL OR s.created_at < g.valid_until)
),
lines AS (
    SELECT p.id AS order_id, r.target, p.country, p.client_company_id, v.product_id,
           l.quantity, ROUND(l.line_total * r.rate, 4) AS amount,
           ROUND(l.unit_cost * l.quantity * cr.rate, 4) AS cost
    FROM picked p
    JOIN rates r ON r.id = p.id AND r.source = p.currency
    JOIN order_lines l ON l.order_id = p.id
    JOIN variants v ON v.id = l.variant_id
    LEFT JOIN rates cr ON cr.id = p.id AND cr.source = l.cost_currency AND cr.target = r.target
)
"""

_FIGURES_OF = """
SELECT {month} AS month, target, '{dimension}' AS dimension, {key} AS key,
       {sign} * count(DISTINCT order_id), {sign} * sum(quantity), {sign} * sum(amount),
       {sign} * sum(CASE WHEN cost IS NULL THEN 0 ELSE amount END),
       {sign} * sum(COALESCE(cost, 0)),
       {sign} * sum(CASE WHEN cost IS NULL THEN amount ELSE 0 END),
       {sign} * sum(CASE WHEN cost IS NULL THEN 1 ELSE 0 END)
FROM lines GROUP BY target{group}
"""

_KEYS = {
    "total": ("''", ""),
    "country": ("country", ", country"),
    "client": ("CAST(client_company_id AS VARCHAR(40))", ", client_company_id"),
    "product": ("CAST(product_id AS VARCHAR(40))", ", product_id"),
}

_ADD_SALES = """
INSERT INTO sales_months (month, reporting_currency, dimension, key, order_count, quantity,
    amount, costed_amount, cost_amount, uncosted_amount, uncosted_lines)
SELECT * FROM ({figures}) AS deltas WHERE true
ORDER BY 2, 3, 4
ON CONFLICT (reporting_currency, dimension, month, key) DO UPDATE SET
    order_count = sales_months.order_count + excluded.order_count,
    quantity = sales_months.quantity + excluded.quantity,
    amount = sales_months.amount + excluded.amount,
    costed_amount = sales_months.costed_amount + excluded.costed_amount,
    cost_amount = sales_months.cost_amount + excluded.cost_amount,
    uncosted_amount = sales_months.uncosted_amount + excluded.uncosted_amount,
    uncosted_lines = sales_months.uncosted_lines + excluded.uncosted_lines
"""

_ADD_UNCONVERTED = """
INSERT INTO sales_unconverted_months (month, reporting_currency, order_currency,
    order_count, amount)
SELECT {month}, t.code, p.currency, {sign} * count(*), {sign} * sum(p.total)
FROM picked p CROSS JOIN targets t
WHERE NOT EXISTS (
    SELECT 1 FROM rates r WHERE r.id = p.id AND r.source = p.currency AND r.target = t.code
)
GROUP BY t.code, p.currency
ORDER BY 2, 3
ON CONFLICT (reporting_currency, month, order_currency) DO UPDATE SET
    order_count = sales_unconverted_months.order_count + excluded.order_count,
    amount = sales_unconverted_months.amount + excluded.amount
"""


# Per reporting currency: orders converted and their amount, and orders not converted.
_PLACED = """
SELECT t.code, count(DISTINCT l.order_id), COALESCE(sum(l.amount), 0),
       (SELECT count(*) FROM picked p WHERE NOT EXISTS (
            SELECT 1 FROM rates r
            WHERE r.id = p.id AND r.source = p.currency AND r.target = t.code))
FROM targets t LEFT JOIN lines l ON l.target = t.code
GROUP BY t.code
"""


@dataclass(frozen=True)
class PlacedSales:
    """Sales placed in a window, in one reporting currency, amount not yet rounded."""

    order_count: int
    amount: Decimal
    unconverted_orders: int


def _statements(which: str, currencies: Sequence[str], sign: int, dialect: str) -> list[TextClause]:
    """Add (sign 1) or take out (sign -1) the figures of the orders `which` selects."""
    # PostgreSQL cannot infer a bare parameter's type in a select list; SQLite would turn
    # CAST(... AS DATE) into a number, and compares dates as the text it stores anyway.
    month = "CAST(:month AS DATE)" if dialect == "postgresql" else ":month"
    cte = _FIGURES.format(targets=_targets(currencies), which=which)
    figures = " UNION ALL ".join(
        _FIGURES_OF.format(dimension=dimension, key=key, group=group, sign=sign, month=month)
        for dimension, (key, group) in _KEYS.items()
    )
    return [
        text(cte + _ADD_SALES.format(figures=figures)).bindparams(*_window()),
        text(cte + _ADD_UNCONVERTED.format(sign=sign, month=month)).bindparams(*_window()),
    ]


def _targets(currencies: Sequence[str]) -> str:
    return ", ".join(f"(CAST(:target_{n} AS VARCHAR(3)))" for n in range(len(currencies)))


def _target_values(currencies: Sequence[str]) -> dict[str, str]:
    return {f"target_{n}": code for n, code in enumerate(currencies)}


def _window() -> list[BindParameter[datetime]]:
    return [bindparam(name, type_=Moment()) for name in ("window_start", "window_end")]


async def _apply(
    session: AsyncSession, which: str, sign: int, settings: Settings, values: dict[str, Any]
) -> None:
    currencies = settings.reporting_currency_list
    dialect = session.get_bind().dialect.name
    for statement in _statements(which, currencies, sign, dialect):
        await session.execute(statement, {**values, **_target_values(currencies)})


async def sales_placed_between(
    session: AsyncSession, start: datetime, end: datetime, *, settings: Settings
) -> dict[str, PlacedSales]:
    """Sales placed from `start` to before `end`, computed from the orders with the rollups'
    rule, in every reporting currency: for a window shorter than a month, such as today."""
    currencies = settings.reporting_currency_list
    statement = text(
        _FIGURES.format(targets=_targets(currencies), which=PLACED_IN_WINDOW) + _PLACED
    ).bindparams(*_window())
    values = {"window_start": start, "window_end": end, **_target_values(currencies)}
    found = await session.execute(statement, values)
    return {
        code: PlacedSales(int(count), Decimal(amount), int(apart))
        for code, count, amount, apart in found
    }


async def sync_order_sales(session: AsyncSession, order_id: int, *, settings: Settings) -> None:
    """Make the rollups count the order if it is not cancelled, and not otherwise.

    Idempotent and order-independent: the order's mark row, locked, says whether it is
    counted now; only a change of that applies a delta. Runs in the caller's transaction.
    """
    # The mark's insert takes the lock a running rebuild's table lock excludes (PostgreSQL;
    # SQLite writes one transaction at a time), so this waits for the rebuild to commit.
    await session.execute(
        text(
            "INSERT INTO order_sales_marks (order_id, counted) VALUES (:order_id, false) "
            "ON CONFLICT (order_id) DO NOTHING"
        ),
        {"order_id": order_id},
    )
    counted = await session.scalar(
        select(col(OrderSalesMark.counted))
        .where(col(OrderSalesMark.order_id) == order_id)
        .with_for_update()
    )
    order = (
        await session.execute(
            select(col(Order.status), col(Order.created_at)).where(col(Order.id) == order_id)
        )
    ).first()
    if order is None:
        raise LookupError(f"order {order_id} does not exist")
    status, created_at = order
    assert created_at is not None  # a server default
    should_count = status != OrderStatus.CANCELLED
    if bool(counted) == should_count:
        return
    month = month_of(created_at, settings.reporting_zone)
    sign = 1 if should_count else -1
    values = {
        "order_id": order_id,
        "month": month,
        "window_start": created_at,
        "window_end": created_at + STEP,
    }
    await _apply(session, ONE_ORDER, sign, settings, values)
    await session.execute(
        text("UPDATE order_sales_marks SET counted = :counted WHERE order_id = :order_id"),
        {"counted": should_count, "order_id": order_id},
    )


async def rebuild_sales(
    session: AsyncSession, from_month: date | None, *, settings: Settings
) -> list[date]:
    """Recompute the rollups of every month from `from_month` (all when None) from the
    orders, in the caller's transaction; returns the months rebuilt.

    Incremental upkeep waits meanwhile (a table lock on PostgreSQL; SQLite writes one
    transaction at a time), so no order is counted twice or missed. Run it after changing
    REPORTING_TIMEZONE or REPORTING_CURRENCIES, and after a backdated exchange rate.
    """
    zone = settings.reporting_zone
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("LOCK TABLE order_sales_marks IN SHARE ROW EXCLUSIVE MODE"))
    start = None if from_month is None else month_bounds(from_month, zone)[0]
    await _forget(session, from_month, start)
    since = [] if start is None else [col(Order.created_at) >= start]
    await session.execute(
        OrderSalesMark.__table__.insert().from_select(  # type: ignore[attr-defined]
            ["order_id", "counted"],
            select(col(Order.id), col(Order.status) != OrderStatus.CANCELLED).where(*since),
        )
    )
    first, last = await _placed_range(session)
    if first is None or last is None:
        return []
    months = months_from(from_month or month_of(first, zone), month_of(last, zone))
    for month in months:
        start_at, end_at = month_bounds(month, zone)
        values = {"month": month, "window_start": start_at, "window_end": end_at}
        await _apply(session, COUNTED_IN_MONTH, 1, settings, values)
    return months


async def _placed_range(session: AsyncSession) -> tuple[datetime | None, datetime | None]:
    """When the first and the last order were placed."""
    placed = col(Order.created_at)
    row = (await session.execute(select(func.min(placed), func.max(placed)))).one()
    return row[0], row[1]


async def _forget(session: AsyncSession, from_month: date | None, start: datetime | None) -> None:
    """Drop the rollups of the months being rebuilt, and their orders' marks."""
    sales = delete(SalesMonth)
    unconverted = delete(SalesUnconvertedMonth)
    marks = delete(OrderSalesMark)
    if from_month is not None and start is not None:
        sales = sales.where(col(SalesMonth.month) >= from_month)
        unconverted = unconverted.where(col(SalesUnconvertedMonth.month) >= from_month)
        marks = marks.where(
            col(OrderSalesMark.order_id).in_(
                select(col(Order.id)).where(col(Order.created_at) >= start)
            )
        )
    for statement in (sales, unconverted, marks):
        await session.execute(statement)
