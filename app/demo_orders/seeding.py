"""Seeding the order book: draft it batch by batch and bulk-write each batch, then reserve
the open orders' stock and compute every client's credit standing, in one transaction.

The catalog must be seeded first (`app.cli.seed_commands.seed_demo`): orders sell its
active variants at its tier prices. A database that already has orders is refused, so the
book is seeded once; with `if_empty` that is a quiet skip instead.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Integer, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo_orders import rows
from app.demo_orders.book import OrderBook
from app.demo_orders.bulk_writes import BulkWriter
from app.demo_orders.catalog import load_catalog
from app.demo_orders.parties import EMAIL_DOMAIN, Parties, draft_parties
from app.demo_orders.rates import draft_rates
from app.demo_orders.stock import reserve_open_orders
from app.demo_orders.timeline import order_moments
from core.db import Database
from core.settings import Settings, get_settings
from models.base import metadata
from resolvers.orders.standing import refresh_standing
from resolvers.reports.sales_rollups import rebuild_sales

# Orders drafted and written at a time: big enough for COPY to pay, small enough that a
# batch's rows (about fifteen per order) stay a few hundred megabytes of Python objects.
BATCH_ORDERS = 20_000
HISTORY_YEARS = 3
# The PostgreSQL advisory lock key serialising order book seeds ("orders" in ASCII).
ORDER_BOOK_LOCK_KEY = 0x6F_72_64_65_72_73
# A credit limit a client's standing outgrew is raised to the next multiple of this.
CREDIT_LIMIT_STEP = 50_000

# Every table the book writes, in an order its foreign keys accept, with its columns.
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fx_rates", rows.FX_RATE_COLUMNS),
    ("client_companies", rows.CLIENT_COMPANY_COLUMNS),
    ("users", rows.USER_COLUMNS),
    ("leads", rows.LEAD_COLUMNS),
    ("inquiries", rows.INQUIRY_COLUMNS),
    ("inquiry_items", rows.INQUIRY_ITEM_COLUMNS),
    ("quotes", rows.QUOTE_COLUMNS),
    ("quote_lines", rows.QUOTE_LINE_COLUMNS),
    ("orders", rows.ORDER_COLUMNS),
    ("order_lines", rows.ORDER_LINE_COLUMNS),
    ("payments", rows.PAYMENT_COLUMNS),
    ("outbox_events", rows.OUTBOX_EVENT_COLUMNS),
    ("outbox_effects", rows.OUTBOX_EFFECT_COLUMNS),
    ("receivables", rows.RECEIVABLE_COLUMNS),
    ("ledger_entries", rows.LEDGER_ENTRY_COLUMNS),
    ("shipments", rows.SHIPMENT_COLUMNS),
    ("shipment_legs", rows.SHIPMENT_LEG_COLUMNS),
    ("shipment_lines", rows.SHIPMENT_LINE_COLUMNS),
    ("stock_movements", rows.STOCK_MOVEMENT_COLUMNS),
)
# Those with an id column, from a sequence on PostgreSQL.
WITH_IDS = tuple(table for table, columns in TABLES if columns[0] == "id")
ORDERS = metadata.tables["orders"]
USERS = metadata.tables["users"]
COMPANIES = metadata.tables["client_companies"]


class OrderBookRefused(Exception):
    """The database cannot take the book: it has orders already, or no catalog to sell."""


@dataclass(frozen=True)
class OrderBookReport:
    orders: int = 0
    # Rows written by table.
    rows: dict[str, int] = field(default_factory=dict)
    skipped: bool = False


async def seed_order_book(
    database: Database,
    *,
    orders: int,
    seed: int = 7,
    now: datetime | None = None,
    if_empty: bool = False,
    progress: Callable[[int], None] | None = None,
    settings: Settings | None = None,
) -> OrderBookReport:
    """Write `orders` orders placed over the HISTORY_YEARS before `now` (default: now), and
    all that goes with them; the same `seed` and `now` write the same book."""
    if orders < 1:
        raise ValueError("orders must be positive")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    async with database.transaction() as session:
        if not database.is_sqlite:
            await session.execute(select(func.pg_advisory_xact_lock(ORDER_BOOK_LOCK_KEY)))
        if await _seeded_before(session):
            if if_empty:
                return OrderBookReport(skipped=True)
            raise OrderBookRefused(
                "the database already has orders (or seeded clients); the order book is "
                "seeded once, into a database without orders"
            )
        catalog = await load_catalog(session)
        if not catalog.by_currency:
            raise OrderBookRefused("no active products to sell: seed the demo catalog first")
        writer = BulkWriter(session, is_sqlite=database.is_sqlite)
        await writer.skip_reference_checks()
        first_ids = {table: await writer.first_free_id(table) for table in WITH_IDS}
        written: Counter[str] = Counter()

        async def write(batch_rows: dict[str, list[rows.Row]]) -> None:
            for table, columns in TABLES:
                written[table] += await writer.write(table, columns, batch_rows.get(table, ()))

        rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
        first_day = (now - timedelta(days=round(365.25 * HISTORY_YEARS))).date()
        rates = draft_rates(rng, first_day, now.date(), first_ids["fx_rates"])
        start = datetime.combine(first_day, datetime.min.time(), UTC)
        parties = draft_parties(
            rng, orders, start, now,
            first_ids["client_companies"], first_ids["users"], first_ids["leads"],
        )  # fmt: skip
        await write(_party_rows(parties, rates.rows))
        book = OrderBook(rng, parties, catalog, rates, now, first_ids)
        moments = order_moments(rng, orders, first_day, now)
        for batch_start in range(0, orders, BATCH_ORDERS):
            await write(book.draft(moments[batch_start : batch_start + BATCH_ORDERS]).rows)
            if progress is not None:
                progress(min(batch_start + BATCH_ORDERS, orders))
        written["stock_movements"] += await reserve_open_orders(session, writer, book.open_lines)
        await _standings(session, parties, now)
        await rebuild_sales(session, None, settings=settings or get_settings())
        await writer.move_sequences_past_ids(WITH_IDS)
        await writer.analyze(table for table, _ in TABLES)
    return OrderBookReport(orders=orders, rows=dict(written))


async def _seeded_before(session: AsyncSession) -> bool:
    """Any order, or a user of an earlier book (whose emails a second book would repeat)."""
    seeded_user = select(USERS.c.id).where(USERS.c.email.like(f"%@{EMAIL_DOMAIN}"))
    found = await session.scalar(select(or_(select(ORDERS.c.id).exists(), seeded_user.exists())))
    return bool(found)


def _party_rows(
    parties: Parties, rates: list[tuple[int, str, Decimal, datetime]]
) -> dict[str, list[rows.Row]]:
    return {
        "fx_rates": [rows.fx_rate_row(*rate) for rate in rates],
        "client_companies": [rows.client_company_row(company) for company in parties.companies],
        "users": [rows.user_row(person) for person in parties.people],
        "leads": [rows.lead_row(lead) for lead in parties.leads],
    }


async def _standings(session: AsyncSession, parties: Parties, now: datetime) -> None:
    """Each client's credit used, overdue amount and dues, by the code that keeps them
    (`resolvers.orders.standing`), as of `now`; then a limit the standing outgrew (late
    payers' unpaid orders) is raised, as finance would have, so every client is within it."""
    for company in parties.companies:
        await refresh_standing(session, company.id, now)
    ids = [company.id for company in parties.companies]
    await session.execute(
        update(COMPANIES)
        .where(COMPANIES.c.id.in_(ids), COMPANIES.c.credit_used > COMPANIES.c.credit_limit)
        .values(
            credit_limit=(cast(COMPANIES.c.credit_used / CREDIT_LIMIT_STEP, Integer) + 1)
            * CREDIT_LIMIT_STEP,
            updated_at=COMPANIES.c.updated_at,
        )
    )
