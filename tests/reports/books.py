"""An order book for report tests, and the figures recomputed from it the plain way.

Orders are written as rows at the moments a test needs (placement through the mutation has
tests of its own; some report tests place orders through it too). The recomputation walks
the rows in Python with `core.fx.rate_at`, line by line, as docs/api/reports.md describes
the rule, so the SQL is checked against an independent reading of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.fx import rate_at
from core.settings import Settings
from models.catalog import Variant
from models.clients import ClientCompany
from models.fx import FxRate
from models.money import line_total
from models.orders import Order, OrderLine, OrderStatus
from models.reports import SalesMonth, SalesUnconvertedMonth
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import make_client_company

FOUR_PLACES = Decimal("0.0001")
JAN = datetime(2026, 1, 1, tzinfo=UTC)
# (month, reporting currency, dimension, key) -> (orders, quantity, amount, costed amount,
# cost, uncosted amount, uncosted lines)
Figures = tuple[int, int, Decimal, Decimal, Decimal, Decimal, int]
SalesKey = tuple[date, str, str, str]
# (month, reporting currency, order currency) -> (orders, amount in the order's currency)
UnconvertedKey = tuple[date, str, str]


@dataclass(frozen=True)
class BookLine:
    variant: Variant
    quantity: int
    unit_price: str
    unit_cost: str | None = None
    cost_currency: str | None = None


async def add_rate(
    session: AsyncSession, base: str, quote: str, rate: str, effective_at: datetime
) -> FxRate:
    row = FxRate(
        base_currency=base, quote_currency=quote, rate=Decimal(rate), effective_at=effective_at
    )
    session.add(row)
    await session.flush()
    return row


async def add_order(
    session: AsyncSession,
    company: ClientCompany,
    placed_at: datetime,
    lines: Sequence[BookLine],
    *,
    currency: str = "USD",
    status: OrderStatus = OrderStatus.CONFIRMED,
    country: str | None = "DE",
) -> Order:
    """An order placed at `placed_at` with these lines; `country=None` ships nowhere named,
    so the client company's country is its destination."""
    assert company.id is not None
    totals = [line_total(Decimal(line.unit_price), line.quantity, currency) for line in lines]
    address = {"name": "Receiving", "line1": "Dock 4", "city": "Port"}
    if country is not None:
        address["country"] = country
    order = Order(
        client_company_id=company.id,
        request_hash="0" * 64,
        status=status,
        currency=currency,
        incoterm="FOB",
        shipping_address=address,
        total=sum(totals, Decimal(0)),
        credit_currency=currency,
        fx_rate=Decimal(1),
        created_at=placed_at,
    )
    session.add(order)
    await session.flush()
    assert order.id is not None
    for position, (line, total) in enumerate(zip(lines, totals, strict=True)):
        assert line.variant.id is not None
        session.add(
            OrderLine(
                order_id=order.id,
                variant_id=line.variant.id,
                sku=line.variant.sku,
                product_name="As ordered",
                quantity=line.quantity,
                unit_price=Decimal(line.unit_price),
                line_total=total,
                position=position,
                unit_cost=None if line.unit_cost is None else Decimal(line.unit_cost),
                cost_currency=line.cost_currency,
            )
        )
    await session.flush()
    return order


@dataclass
class Book:
    hamburg: ClientCompany
    mumbai: ClientCompany
    towel: Variant
    sheet: Variant
    other_towel: Variant
    orders: list[Order]


async def make_book(session: AsyncSession) -> Book:
    """Orders in USD, EUR and JPY (no rate into either reporting currency), lines with and
    without cost (one costed in INR, which has no rate), one order without a destination
    country, one cancelled, one placed late on 31 January UTC (February in India)."""
    hamburg = await make_client_company(session, name="Hanse Textil", country="DE")
    mumbai = await make_client_company(session, name="Mumbai Linen", country="IN")
    fabric, category = await make_fabric_type(session), await make_category(session)
    towels = await make_product(session, product_type=fabric, category=category)
    sheets = await make_product(session, product_type=fabric, category=await make_category(session))
    towel = await make_variant(session, product=towels)
    other_towel = await make_variant(session, product=towels)
    sheet = await make_variant(session, product=sheets)
    await add_rate(session, "EUR", "USD", "1.1000000000", JAN)
    await add_rate(session, "EUR", "USD", "1.2000000000", datetime(2026, 2, 15, tzinfo=UTC))
    # A more recent inverse wins over the direct pair from March on.
    await add_rate(session, "USD", "EUR", "0.7777777777", datetime(2026, 3, 1, tzinfo=UTC))
    # Both ways round at one moment: each direction uses the pair stored its own way.
    await add_rate(session, "EUR", "USD", "1.3000000000", datetime(2026, 3, 1, tzinfo=UTC))
    orders = [
        await add_order(
            session,
            hamburg,
            datetime(2026, 1, 10, 9, tzinfo=UTC),
            [
                BookLine(towel, 300, "4.2037", "2.1000", "USD"),
                BookLine(other_towel, 100, "3.3333", "1.5000", "EUR"),
            ],
        ),
        await add_order(
            session,
            mumbai,
            datetime(2026, 1, 31, 20, tzinfo=UTC),
            [BookLine(sheet, 50, "7.7777", "300.0000", "INR")],
            currency="EUR",
            country=None,
        ),
        await add_order(
            session,
            hamburg,
            datetime(2026, 2, 20, tzinfo=UTC),
            [BookLine(sheet, 40, "6.6666"), BookLine(towel, 10, "4.5000", "2.0000", "USD")],
            currency="EUR",
            country="NL",
        ),
        await add_order(
            session,
            mumbai,
            datetime(2026, 3, 2, tzinfo=UTC),
            [BookLine(towel, 1000, "650")],
            currency="JPY",
        ),
        await add_order(
            session,
            mumbai,
            datetime(2026, 3, 5, tzinfo=UTC),
            [BookLine(towel, 200, "4.1000", "2.1000", "USD")],
            country="AE",
        ),
        await add_order(
            session,
            hamburg,
            datetime(2026, 3, 9, tzinfo=UTC),
            [BookLine(sheet, 70, "6.9000")],
            status=OrderStatus.CANCELLED,
        ),
    ]
    return Book(hamburg, mumbai, towel, sheet, other_towel, orders)


async def recomputed(
    session: AsyncSession, settings: Settings
) -> tuple[dict[SalesKey, Figures], dict[UnconvertedKey, tuple[int, Decimal]]]:
    """Every rollup row, from the orders, one line at a time in Python."""
    zone = settings.reporting_zone
    sums: dict[SalesKey, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 7)
    orders_of: dict[SalesKey, set[int]] = defaultdict(set)
    unconverted: dict[UnconvertedKey, tuple[int, Decimal]] = {}
    orders = await session.scalars(select(Order).where(col(Order.status) != OrderStatus.CANCELLED))
    for order in list(orders):
        assert order.id is not None
        assert order.created_at is not None
        month = _month(order.created_at, zone)
        company = await session.get(ClientCompany, order.client_company_id)
        assert company is not None
        country = str(order.shipping_address.get("country") or company.country)
        lines = await session.execute(
            select(OrderLine, col(Variant.product_id))
            .join(Variant, col(Variant.id) == col(OrderLine.variant_id))
            .where(col(OrderLine.order_id) == order.id)
        )
        rows = list(lines)
        for target in settings.reporting_currency_list:
            rate = await rate_at(session, order.currency, target, order.created_at)
            if rate is None:
                apart = (month, target, order.currency)
                count, amount = unconverted.get(apart, (0, Decimal(0)))
                unconverted[apart] = (count + 1, amount + order.total)
                continue
            for line, product_id in rows:
                amount = (line.line_total * rate.rate).quantize(FOUR_PLACES, ROUND_HALF_UP)
                cost = None
                if line.unit_cost is not None and line.cost_currency is not None:
                    cost_rate = await rate_at(session, line.cost_currency, target, order.created_at)
                    if cost_rate is not None:
                        cost = (line.unit_cost * line.quantity * cost_rate.rate).quantize(
                            FOUR_PLACES, ROUND_HALF_UP
                        )
                parts = [
                    Decimal(0),
                    Decimal(line.quantity),
                    amount,
                    amount if cost is not None else Decimal(0),
                    cost or Decimal(0),
                    amount if cost is None else Decimal(0),
                    Decimal(1 if cost is None else 0),
                ]
                for dimension, key in (
                    ("total", ""),
                    ("country", country),
                    ("client", str(order.client_company_id)),
                    ("product", str(product_id)),
                ):
                    found = (month, target, dimension, key)
                    sums[found] = [a + b for a, b in zip(sums[found], parts, strict=True)]
                    orders_of[found].add(order.id)
    sales = {
        key: (
            len(orders_of[key]),
            int(parts[1]),
            parts[2],
            parts[3],
            parts[4],
            parts[5],
            int(parts[6]),
        )
        for key, parts in sums.items()
    }
    return sales, unconverted


async def stored(
    session: AsyncSession,
) -> tuple[dict[SalesKey, Figures], dict[UnconvertedKey, tuple[int, Decimal]]]:
    """The rollup rows as stored, leaving out rows every order has left (all zero)."""
    sales = {
        (row.month, row.reporting_currency, str(row.dimension), row.key): (
            row.order_count,
            row.quantity,
            row.amount,
            row.costed_amount,
            row.cost_amount,
            row.uncosted_amount,
            row.uncosted_lines,
        )
        for row in await session.scalars(select(SalesMonth))
        if row.order_count != 0
    }
    unconverted = {
        (row.month, row.reporting_currency, row.order_currency): (row.order_count, row.amount)
        for row in await session.scalars(select(SalesUnconvertedMonth))
        if row.order_count != 0
    }
    return sales, unconverted


def _month(moment: datetime, zone: ZoneInfo) -> date:
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)
