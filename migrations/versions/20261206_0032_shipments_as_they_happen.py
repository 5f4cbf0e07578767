"""Shipments as they happen: leg updates with their history, partial shipments, dues per B/L.

- `shipment_legs.voyage`, and `shipment_leg_changes`: each update of a leg, who made it,
  when, and every changed field before and after.
- `shipments.status` (booked, departed), `departed_at`, `bill_of_lading_date`;
  `shipment_lines`: the quantity of each order line a shipment carries;
  `order_lines.shipped_quantity`; the order status `partly_shipped`.
- `receivables.shipment_id`: under terms counted from the bill of lading a departed
  shipment's value is owed on a receivable of its own; an order keeps one receivable for what
  is not shipped separately (a partial unique index), and a ledger entry is unique per
  (event, kind, receivable), as a payment may be spread over several.
- Existing shipments become whole-order shipments: an order's earliest shipment carries all
  its lines; when the order is shipped or delivered its shipments departed then (the B/L date
  that day) and every line is shipped. Existing receivables stay as they are.

Revision ID: 0032
Revises: 0028
Create Date: 2026-12-06 21:40:00.000000
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlalchemy.dialects import postgresql

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
STATUSES = "'placed', 'confirmed', 'paid', 'shipped', 'delivered', 'cancelled'"
STATUSES_AFTER = (
    "'placed', 'confirmed', 'paid', 'partly_shipped', 'shipped', 'delivered', 'cancelled'"
)
ENTRY_KINDS = "kind IN ('invoice', 'payment', 'reversal')"
ENTRY_KINDS_AFTER = "kind IN ('invoice', 'payment', 'reversal', 'transfer')"
NO_DUE_DATE = "9999-01-01"  # copied from models.ledger, frozen here
UNSHIPPED = "shipment_id IS NULL"
# The earliest shipment of each order carries every line of it.
WHOLE_ORDER_LINES = (
    "INSERT INTO shipment_lines (shipment_id, order_line_id, quantity) "
    "SELECT s.id, l.id, l.quantity FROM order_lines l "
    "JOIN (SELECT order_id, min(id) AS id FROM shipments GROUP BY order_id) s "
    "ON s.order_id = l.order_id"
)
DEPARTED = (
    "UPDATE shipments SET status = 'departed', "
    "departed_at = coalesce((SELECT shipped_at FROM orders WHERE orders.id = shipments.order_id),"
    " created_at) "
    "WHERE order_id IN (SELECT id FROM orders WHERE status IN ('shipped', 'delivered'))"
)
# The date part of a moment: `date()` on SQLite, a cast at UTC on PostgreSQL.
BILL_OF_LADING_ON_POSTGRESQL = (
    "UPDATE shipments SET bill_of_lading_date = (departed_at AT TIME ZONE 'UTC')::date "
    "WHERE departed_at IS NOT NULL"
)
BILL_OF_LADING_ON_SQLITE = (
    "UPDATE shipments SET bill_of_lading_date = date(departed_at) WHERE departed_at IS NOT NULL"
)
LINES_SHIPPED = (
    "UPDATE order_lines SET shipped_quantity = quantity "
    "WHERE order_id IN (SELECT id FROM orders WHERE status IN ('shipped', 'delivered'))"
)


@contextmanager
def _batch(table: str) -> Iterator[BatchOperations]:
    """SQLite rebuilds the table, reflecting the tables it refers to; SQLAlchemy warns that it
    skips their indexes on expressions (variants' lower(sku)), which the copy does not touch."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table(table) as batch:
            yield batch


def _on_postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _order_statuses(statuses: str) -> None:
    with _batch("orders") as batch:
        batch.drop_constraint(op.f("ck_orders_status_known"), type_="check")
        batch.create_check_constraint(op.f("ck_orders_status_known"), f"status IN ({statuses})")


def _receivable_indexes(create: bool) -> None:
    """SQLite rebuilds a table in batch mode and cannot reflect an index on an expression (or
    keep a partial one's condition): they are dropped first and made again after."""
    if create:
        op.create_index(
            "ix_receivables_due_key_id",
            "receivables",
            [sa.func.coalesce(sa.column("due_date"), sa.literal_column(f"'{NO_DUE_DATE}'")), "id"],
        )
        op.create_index(
            "ix_receivables_owed",
            "receivables",
            ["client_company_id", "currency", "due_date", "balance"],
            postgresql_where=sa.text("balance > 0"),
            sqlite_where=sa.text("balance > 0"),
        )
    else:
        op.drop_index("ix_receivables_owed", table_name="receivables")
        op.drop_index("ix_receivables_due_key_id", table_name="receivables")


def upgrade() -> None:
    op.add_column(
        "shipment_legs",
        sa.Column("voyage", sa.String(length=40), nullable=False, server_default=""),
    )
    op.create_table(
        "shipment_leg_changes",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("shipment_id", BIG_ID, nullable=False),
        sa.Column("leg_id", BIG_ID, nullable=False),
        sa.Column("changed_by_user_id", BIG_ID, nullable=True),
        sa.Column("changed_by", sa.String(length=320), nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"],
            ["users.id"],
            name=op.f("fk_shipment_leg_changes_changed_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["leg_id"],
            ["shipment_legs.id"],
            name=op.f("fk_shipment_leg_changes_leg_id_shipment_legs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_leg_changes_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_leg_changes")),
    )
    op.create_index(
        op.f("ix_shipment_leg_changes_leg_id_id"), "shipment_leg_changes", ["leg_id", "id"]
    )
    with _batch("shipments") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="booked")
        )
        batch.add_column(sa.Column("departed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("bill_of_lading_date", sa.Date(), nullable=True))
    with _batch("order_lines") as batch:
        batch.add_column(
            sa.Column("shipped_quantity", sa.Integer(), nullable=False, server_default="0")
        )
    _order_statuses(STATUSES_AFTER)
    op.create_table(
        "shipment_lines",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("shipment_id", BIG_ID, nullable=False),
        sa.Column("order_line_id", BIG_ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_shipment_lines_order_line_id_order_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_lines_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
        sa.UniqueConstraint(
            "shipment_id", "order_line_id", name=op.f("uq_shipment_lines_shipment_id_order_line_id")
        ),
    )
    op.create_index(op.f("ix_shipment_lines_order_line_id"), "shipment_lines", ["order_line_id"])
    # Existing shipments as whole-order shipments, before the constraints that hold them.
    op.execute(WHOLE_ORDER_LINES)
    op.execute(DEPARTED)
    op.execute(BILL_OF_LADING_ON_POSTGRESQL if _on_postgresql() else BILL_OF_LADING_ON_SQLITE)
    op.execute(LINES_SHIPPED)
    with _batch("shipments") as batch:
        batch.create_check_constraint(
            op.f("ck_shipments_status_known"), "status IN ('booked', 'departed')"
        )
        batch.create_check_constraint(
            op.f("ck_shipments_departed_has_moment"),
            "(status = 'departed') = (departed_at IS NOT NULL)",
        )
    with _batch("order_lines") as batch:
        batch.create_check_constraint(
            op.f("ck_order_lines_shipped_quantity_within_line"),
            "shipped_quantity >= 0 AND shipped_quantity <= quantity",
        )
    _receivables_per_shipment()
    with _batch("ledger_entries") as batch:
        batch.drop_constraint(op.f("uq_ledger_entries_event_id_kind"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_ledger_entries_event_id_kind_receivable_id"),
            ["event_id", "kind", "receivable_id"],
        )
        batch.drop_constraint(op.f("ck_ledger_entries_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_ledger_entries_kind_known"), ENTRY_KINDS_AFTER)


def _receivables_per_shipment() -> None:
    sqlite = not _on_postgresql()
    if sqlite:
        _receivable_indexes(create=False)
    with _batch("receivables") as batch:
        batch.add_column(sa.Column("shipment_id", BIG_ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_receivables_shipment_id_shipments"), "shipments", ["shipment_id"], ["id"]
        )
        batch.create_unique_constraint(op.f("uq_receivables_shipment_id"), ["shipment_id"])
        batch.drop_constraint(op.f("uq_receivables_order_id"), type_="unique")
    if sqlite:
        _receivable_indexes(create=True)
    op.create_index(
        "ix_receivables_order_id_unshipped",
        "receivables",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text(UNSHIPPED),
        sqlite_where=sa.text(UNSHIPPED),
    )


def downgrade() -> None:
    # Receivables of shipments are folded back into their order's before the column goes:
    # their entries move to the order's receivable, the TRANSFER pairs cancel out there.
    op.execute(
        "UPDATE ledger_entries SET receivable_id = (SELECT o.id FROM receivables s "
        "JOIN receivables o ON o.order_id = s.order_id AND o.shipment_id IS NULL "
        "WHERE s.id = ledger_entries.receivable_id) "
        "WHERE receivable_id IN (SELECT id FROM receivables WHERE shipment_id IS NOT NULL)"
    )
    op.execute("DELETE FROM ledger_entries WHERE kind = 'transfer'")
    op.execute(
        "UPDATE receivables SET balance = (SELECT coalesce(sum(amount), 0) FROM ledger_entries "
        "WHERE ledger_entries.receivable_id = receivables.id) WHERE shipment_id IS NULL"
    )
    op.execute("DELETE FROM receivables WHERE shipment_id IS NOT NULL")
    with _batch("ledger_entries") as batch:
        batch.drop_constraint(op.f("ck_ledger_entries_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_ledger_entries_kind_known"), ENTRY_KINDS)
        batch.drop_constraint(op.f("uq_ledger_entries_event_id_kind_receivable_id"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_ledger_entries_event_id_kind"), ["event_id", "kind"]
        )
    op.drop_index("ix_receivables_order_id_unshipped", table_name="receivables")
    sqlite = not _on_postgresql()
    if sqlite:
        _receivable_indexes(create=False)
    with _batch("receivables") as batch:
        batch.create_unique_constraint(op.f("uq_receivables_order_id"), ["order_id"])
        batch.drop_constraint(op.f("uq_receivables_shipment_id"), type_="unique")
        batch.drop_constraint(op.f("fk_receivables_shipment_id_shipments"), type_="foreignkey")
        batch.drop_column("shipment_id")
    if sqlite:
        _receivable_indexes(create=True)
    op.execute("UPDATE orders SET status = 'shipped' WHERE status = 'partly_shipped'")
    _order_statuses(STATUSES)
    op.drop_index(op.f("ix_shipment_lines_order_line_id"), table_name="shipment_lines")
    op.drop_table("shipment_lines")
    with _batch("order_lines") as batch:
        batch.drop_constraint(op.f("ck_order_lines_shipped_quantity_within_line"), type_="check")
        batch.drop_column("shipped_quantity")
    with _batch("shipments") as batch:
        batch.drop_constraint(op.f("ck_shipments_departed_has_moment"), type_="check")
        batch.drop_constraint(op.f("ck_shipments_status_known"), type_="check")
        batch.drop_column("bill_of_lading_date")
        batch.drop_column("departed_at")
        batch.drop_column("status")
    op.drop_index(op.f("ix_shipment_leg_changes_leg_id_id"), table_name="shipment_leg_changes")
    op.drop_table("shipment_leg_changes")
    with _batch("shipment_legs") as batch:
        batch.drop_column("voyage")
