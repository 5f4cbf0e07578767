"""The demo order book: every invariant the application keeps holds over the seeded rows.

A small book is seeded into the test database (rolled back after each test) and checked
against the code that keeps each figure in production: orders against their lines and
payments, receivables against their ledger entries and those against their events, credit
standings against `resolvers.orders.standing`, rates against `core.fx.rate_at`, reserved
stock against the open orders. Then: the same seed writes the same book, a second seed is
refused, and a database without a catalog is refused.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from app.cli.seed_commands import seed_demo
from app.demo_orders.seeding import TABLES, OrderBookRefused, seed_order_book
from core import event_types
from core.db import Database
from core.fx import rate_at
from core.global_id import decode_typed_id
from core.settings import Settings
from jobs.ledger import POST_TO_LEDGER
from models.accounts import Role
from models.base import metadata
from models.clients import ClientCompany, ClientDue
from models.inquiries import InquiryStatus, QuoteStatus
from models.ledger import LedgerEntryKind, ReceivableStatus
from models.orders import OrderStatus
from resolvers.orders.standing import overdue_on, standing_of, today_of
from tests.callers import token_for
from tests.cli_runner import run_tradeql
from tests.graphql_client import graphql_client

NOW = datetime(2026, 6, 15, 12, 30, tzinfo=UTC)
ORDERS = 600
OPEN = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PAID)
T = metadata.tables

# Each test seeds a book of its own: the whole suite runs them, make test-fast does not.
pytestmark = pytest.mark.slow


async def _rows(db: Database, table: str, *order_by: str) -> list[Any]:
    async with db.session() as session:
        statement = select(T[table]).order_by(*(T[table].c[name] for name in order_by or ("id",)))
        return list(await session.execute(statement))


async def _seeded(db: Database) -> dict[int, tuple[int, int]]:
    """Seed a small catalog and the book; the catalog's stock (on hand, reserved) before."""
    await seed_demo(db, products=30)
    stock = {row.id: (row.stock_on_hand, row.stock_reserved) for row in await _rows(db, "variants")}
    report = await seed_order_book(db, orders=ORDERS, now=NOW)
    assert report.orders == ORDERS
    assert report.rows["orders"] == ORDERS
    return stock


async def test_every_reference_of_the_written_rows_resolves(db: Database) -> None:
    """The seeder skips PostgreSQL's row-by-row foreign-key checks: check each key here."""
    await _seeded(db)
    checked = 0
    async with db.session() as session:
        for table, _ in TABLES:
            child = T[table]
            for key in child.foreign_keys:
                parent = key.column.table
                dangling = select(func.count()).where(
                    key.parent.is_not(None),
                    ~select(parent.c[key.column.name])
                    .where(parent.c[key.column.name] == key.parent)
                    .exists(),
                )
                assert await session.scalar(dangling) == 0, f"{table}.{key.parent.name}"
                checked += 1
    assert checked >= 30


async def test_orders_add_up_from_their_lines_and_payments(any_db: Database) -> None:
    db = any_db
    await _seeded(db)
    orders = await _rows(db, "orders")
    lines, payments = defaultdict(list), defaultdict(list)
    for line in await _rows(db, "order_lines"):
        lines[line.order_id].append(line)
    for payment in await _rows(db, "payments"):
        payments[payment.order_id].append(payment)
    statuses = {order.status for order in orders}
    # The book covers the whole lifecycle, and years of it; it ships orders whole, as
    # `shipOrder` does, so none is left partly shipped (docs/design/demo-orders.md).
    assert statuses == set(OrderStatus) - {OrderStatus.PARTLY_SHIPPED}
    assert (max(o.created_at for o in orders) - min(o.created_at for o in orders)).days > 900
    assert all(o.created_at <= NOW for o in orders)
    for order in orders:
        assert order.total == sum(line.line_total for line in lines[order.id])
        for line in lines[order.id]:
            assert line.line_total == (line.unit_price * line.quantity).quantize(Decimal("0.01"))
        paid = sum((p.amount for p in payments[order.id]), Decimal(0))
        assert order.amount_paid == paid
        expected = "paid" if paid >= order.total else "partly_paid" if paid > 0 else "unpaid"
        assert order.payment_status == expected
        for payment in payments[order.id]:
            # Payments are recorded once confirmed, never after a cancellation.
            assert order.confirmed_at is not None
            assert order.confirmed_at <= payment.received_at <= NOW
            assert order.cancelled_at is None or payment.received_at <= order.cancelled_at
            assert payment.currency == order.currency
        if order.status == OrderStatus.PAID:
            assert paid >= order.total
            assert order.shipped_at is None
        shipped = order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
        if shipped:
            assert order.shipped_at is not None
        # Every line has left exactly when the order shipped, on its one departed shipment.
        assert all(
            line.shipped_quantity == (line.quantity if shipped else 0) for line in lines[order.id]
        )
        assert (order.delivered_at is not None) == (order.status == OrderStatus.DELIVERED)
        assert (order.cancelled_at is not None) == (order.status == OrderStatus.CANCELLED)


async def test_receivables_are_the_sum_of_ledger_entries_posted_from_their_events(
    db: Database,
) -> None:
    await _seeded(db)
    orders = {order.id: order for order in await _rows(db, "orders")}
    events = {event.id: event for event in await _rows(db, "outbox_events")}
    # Each event is done and its ledger posting recorded, so a replay posts nothing twice.
    effects = {(e.event_id, e.handler) for e in await _rows(db, "outbox_effects", "event_id")}
    assert effects == {(event_id, POST_TO_LEDGER) for event_id in events}
    entries = defaultdict(list)
    for entry in await _rows(db, "ledger_entries"):
        entries[entry.receivable_id].append(entry)
    receivables = await _rows(db, "receivables")
    # A receivable for exactly the orders that were confirmed.
    assert {r.order_id for r in receivables} == {
        order.id for order in orders.values() if order.confirmed_at is not None
    }
    source = {
        LedgerEntryKind.INVOICE: event_types.ORDER_CONFIRMED,
        LedgerEntryKind.PAYMENT: event_types.ORDER_PAYMENT_RECORDED,
        LedgerEntryKind.REVERSAL: event_types.ORDER_CANCELLED,
    }
    assert {r.status for r in receivables} == set(ReceivableStatus)
    for receivable in receivables:
        order = orders[receivable.order_id]
        posted = entries[receivable.id]
        assert receivable.amount == order.total
        assert receivable.balance == sum(entry.amount for entry in posted)
        payments = sum((-e.amount for e in posted if e.kind == LedgerEntryKind.PAYMENT), Decimal(0))
        assert payments == order.amount_paid
        if order.status == OrderStatus.CANCELLED:
            assert receivable.status == ReceivableStatus.REVERSED
            assert receivable.balance == 0
        else:
            assert receivable.balance == receivable.amount - payments
            settled = receivable.balance <= 0
            assert (receivable.status == ReceivableStatus.SETTLED) == settled
        # Created with its invoice, settled by the entry that brought it to zero or below.
        assert posted[0].kind == LedgerEntryKind.INVOICE
        assert receivable.created_at == posted[0].created_at
        assert receivable.settled_at == _settled_at(posted)
        for entry in posted:
            event = events[entry.event_id]
            assert event.event_type == source[LedgerEntryKind(entry.kind)]
            assert event.state == "done"
            order_id = decode_typed_id(event.payload["order_id"], "Order", argument="order_id")
            assert order_id == order.id
            assert entry.currency == receivable.currency == order.currency


def _settled_at(entries: list[Any]) -> datetime | None:
    """When the running balance first came to zero or below, as `jobs.ledger` marks it."""
    balance = Decimal(0)
    for entry in sorted(entries, key=lambda entry: (entry.created_at, entry.id)):
        balance += entry.amount
        if balance <= 0:
            return entry.created_at  # type: ignore[no-any-return]
    return None


async def test_every_clients_standing_is_what_the_standing_code_computes(any_db: Database) -> None:
    db = any_db
    await _seeded(db)
    async with db.session() as session:
        companies = list(await session.scalars(select(ClientCompany)))
        dues: dict[int, dict[date, Decimal]] = defaultdict(dict)
        for due in await session.scalars(select(ClientDue)):
            dues[due.company_id][due.due_date] = due.amount
        assert len(companies) >= 12
        for company in companies:
            assert company.id is not None
            standing = await standing_of(session, company, NOW)
            assert company.credit_used == standing.credit_used
            assert company.overdue_amount == standing.overdue_amount
            assert dues[company.id] == standing.dues
            assert company.next_due_on == standing.next_due_on
            assert company.credit_used <= company.credit_limit
    # Late payers exist: some clients are overdue, some are not.
    assert any(c.overdue_amount > 0 for c in companies)
    assert any(c.overdue_amount == 0 for c in companies)


async def test_orders_store_the_rate_in_force_when_placed(db: Database) -> None:
    await _seeded(db)
    orders = await _rows(db, "orders")
    async with db.session() as session:
        for order in orders:
            used = await rate_at(session, order.currency, order.credit_currency, order.created_at)
            assert used is not None
            assert (order.fx_rate, order.fx_rate_id) == (used.rate, used.rate_id)
    assert any(order.fx_rate_id is not None for order in orders)
    assert len({order.currency for order in orders}) >= 3


async def test_stock_reserved_is_what_the_open_orders_hold(db: Database) -> None:
    before = await _seeded(db)
    orders = {order.id: order for order in await _rows(db, "orders")}
    held: dict[int, int] = defaultdict(int)
    for line in await _rows(db, "order_lines"):
        if orders[line.order_id].status in OPEN:
            held[line.variant_id] += line.quantity
    assert held
    movements = defaultdict(list)
    for movement in await _rows(db, "stock_movements"):
        movements[movement.variant_id].append(movement)
    for variant in await _rows(db, "variants"):
        assert variant.stock_reserved == before[variant.id][1] + held.get(variant.id, 0)
        assert variant.stock_reserved <= variant.stock_on_hand
        if variant.id in held:
            last = movements[variant.id][-1]
            assert (last.on_hand_after, last.reserved_after) == (
                variant.stock_on_hand,
                variant.stock_reserved,
            )
            reserved = [m for m in movements[variant.id] if m.kind == "reserved"]
            assert sum(m.reserved_change for m in reserved) == held[variant.id]
            assert all(orders[m.order_id].status in OPEN for m in reserved)


async def test_shipments_and_quotes_match_their_orders(db: Database) -> None:
    await _seeded(db)
    orders = {order.id: order for order in await _rows(db, "orders")}
    shipments = {s.order_id: s for s in await _rows(db, "shipments")}
    legs = defaultdict(list)
    for leg in await _rows(db, "shipment_legs", "shipment_id", "sequence"):
        legs[leg.shipment_id].append(leg)
    shipped = {o.id for o in orders.values() if o.shipped_at is not None}
    assert set(shipments) == shipped
    carried = defaultdict(set)
    for line in await _rows(db, "shipment_lines"):
        carried[line.shipment_id].add((line.order_line_id, line.quantity))
    lines_of_order = defaultdict(set)
    for line in await _rows(db, "order_lines"):
        lines_of_order[line.order_id].add((line.id, line.quantity))
    for order_id, shipment in shipments.items():
        assert shipment.etd == legs[shipment.id][0].etd == orders[order_id].shipped_at
        assert shipment.eta == legs[shipment.id][-1].eta
        # One shipment carries the whole order, departed when it shipped, B/L that day.
        assert carried[shipment.id] == lines_of_order[order_id]
        assert (shipment.status, shipment.departed_at) == ("departed", orders[order_id].shipped_at)
        assert shipment.bill_of_lading_date == shipment.departed_at.astimezone(UTC).date()
        if orders[order_id].delivered_at is not None:
            assert orders[order_id].delivered_at == shipment.eta

    quotes = {quote.id: quote for quote in await _rows(db, "quotes")}
    inquiries = {inquiry.id: inquiry for inquiry in await _rows(db, "inquiries")}
    quote_lines, order_lines = defaultdict(set), defaultdict(set)
    for line in await _rows(db, "quote_lines"):
        quote_lines[line.quote_id].add((line.variant_id, line.quantity, line.unit_price))
    for line in await _rows(db, "order_lines"):
        order_lines[line.order_id].add((line.variant_id, line.quantity, line.unit_price))
    converted = [order for order in orders.values() if order.quote_id is not None]
    assert converted
    for order in converted:
        quote = quotes[order.quote_id]
        assert quote.status == QuoteStatus.CONVERTED
        assert quote.created_at < order.created_at
        assert inquiries[quote.inquiry_id].status == InquiryStatus.WON
        assert quote_lines[quote.id] == order_lines[order.id]
        assert quote.total == order.total
    assert {i.status for i in inquiries.values()} >= {InquiryStatus.WON, InquiryStatus.LOST}
    assert any(i.lead_id is not None for i in inquiries.values())


STAFF_LISTS = """
{
  clientCompanies(first: 100, sortBy: OVERDUE_AMOUNT) {
    totalCount
    nodes { name overdueAmount { amount currency } }
  }
  receivables(first: 100) { totalCount }
  staffOrders(first: 100) { totalCount }
  payments(first: 100) { totalCount }
  shipments(first: 100) { totalCount }
  staffInquiries(first: 100) { totalCount }
}
"""


async def test_the_staff_lists_read_the_book_as_written(db: Database, settings: Settings) -> None:
    await _seeded(db)
    async with db.session() as session:
        counts = {
            table: await session.scalar(select(func.count()).select_from(T[table]))
            for table in ("receivables", "orders", "payments", "shipments", "inquiries")
        }
        # The list shows what is overdue today, from the stored figure and the dues since.
        today = today_of(datetime.now(UTC))
        dues = list(await session.scalars(select(ClientDue)))
        overdue = {
            company.name: overdue_on(
                company, [d for d in dues if d.company_id == company.id], today
            )
            for company in await session.scalars(select(ClientCompany))
        }
        token = await token_for(session, settings, Role.ADMIN)
        await session.commit()
    async with graphql_client(settings, db) as http:
        data = await http.as_(token).data(STAFF_LISTS)

    assert data["receivables"]["totalCount"] == counts["receivables"]
    assert data["staffOrders"]["totalCount"] == counts["orders"]
    assert data["payments"]["totalCount"] == counts["payments"]
    assert data["shipments"]["totalCount"] == counts["shipments"]
    assert data["staffInquiries"]["totalCount"] == counts["inquiries"]
    companies = data["clientCompanies"]["nodes"]
    assert {c["name"]: Decimal(c["overdueAmount"]["amount"]) for c in companies} == overdue


async def _digest(engine: AsyncEngine, seed: int) -> str:
    """A fingerprint of a book seeded in a transaction of its own, rolled back after; by
    SKU, not variant id (catalog ids come from sequences, which a rollback does not undo)."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            db = Database(connection)
            await seed_demo(db, products=10)
            await seed_order_book(db, orders=150, now=NOW, seed=seed)
            text = [
                repr(row)
                for table in ("orders", "receivables", "ledger_entries", "payments", "inquiries")
                for row in await _rows(db, table)
            ]
            text += [repr(row[3:]) for row in await _rows(db, "order_lines")]
        finally:
            await transaction.rollback()
    return hashlib.sha256("\n".join(text).encode()).hexdigest()


@pytest.mark.slow
async def test_the_same_seed_writes_the_same_book(engine: AsyncEngine) -> None:
    first = await _digest(engine, seed=3)
    assert await _digest(engine, seed=3) == first
    assert await _digest(engine, seed=4) != first


async def test_a_second_seed_is_refused_or_skipped_and_writes_nothing(db: Database) -> None:
    await seed_demo(db, products=10)
    await seed_order_book(db, orders=40, now=NOW)
    counts = {}
    async with db.session() as session:
        for table in ("orders", "client_companies", "users", "fx_rates"):
            counts[table] = await session.scalar(select(func.count()).select_from(T[table]))

    with pytest.raises(OrderBookRefused, match="already has orders"):
        await seed_order_book(db, orders=40, now=NOW)
    skipped = await seed_order_book(db, orders=40, now=NOW, if_empty=True)

    assert skipped.skipped
    assert skipped.rows == {}
    async with db.session() as session:
        for table, count in counts.items():
            assert await session.scalar(select(func.count()).select_from(T[table])) == count


async def test_a_database_without_a_catalog_is_refused(db: Database) -> None:
    with pytest.raises(OrderBookRefused, match="seed the demo catalog first"):
        await seed_order_book(db, orders=10, now=NOW)
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(T["client_companies"])) == 0
        assert await session.scalar(select(func.count(col(ClientCompany.id)))) == 0


async def test_a_non_positive_order_count_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="positive"):
        await seed_order_book(db, orders=0)


@pytest.mark.slow
def test_the_command_seeds_a_sqlite_database_once(tmp_path: Path) -> None:
    """`tradeql seed-demo --orders` on the embedded database: the catalog first, then the
    book; again, a one-line refusal (exit 1), or with --if-empty a quiet skip."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tradeql.db'}"}
    assert run_tradeql(["migrate"], env=env).returncode == 0

    seeded = run_tradeql(["seed-demo", "--products", "10", "--orders", "40"], env=env)
    again = run_tradeql(["seed-demo", "--orders", "40"], env=env)
    skipped = run_tradeql(["seed-demo", "--orders", "40", "--if-empty"], env=env)

    assert seeded.returncode == 0, seeded.stderr
    assert "seeded 10 products" in seeded.stderr
    assert "seeded 40 orders" in seeded.stderr
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [
        "tradeql seed-demo: the database already has orders (or seeded clients); the order "
        "book is seeded once, into a database without orders"
    ]
    assert skipped.returncode == 0
    assert "no order book seeded" in skipped.stderr


async def test_the_sales_rollups_are_rebuilt_for_the_book(db: Database, settings: Settings) -> None:
    from tests.reports.books import recomputed, stored

    await seed_demo(db, products=30)
    await seed_order_book(db, orders=300, now=NOW, settings=settings)
    async with db.session() as session:
        expected_sales, expected_apart = await recomputed(session, settings)
        sales, apart = await stored(session)
    assert sales == expected_sales
    assert apart == expected_apart
    assert apart  # AED orders before AED rates existed are counted apart
