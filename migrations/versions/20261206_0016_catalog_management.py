"""Catalog management: versions for optimistic edits, the stock ledger, the idempotency store.

- `version` on categories, product types, products and variants: an edit names the version it
  read, and a stale one is refused with CONFLICT instead of overwriting another's change.
- `stock_movements`: the append-only ledger of every change to a variant's stock.
- `idempotency_records`: the one store of idempotency keys every create mutation uses.
- SKUs unique whatever their case. Existing rows are checked first: if two SKUs differ only
  in case, the upgrade stops and names them, so an operator renames one instead of the index
  build failing half-way with a bare unique violation.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 13:44:02.990915
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("categories", "product_types", "products", "variants")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _refuse_skus_differing_only_in_case()
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
            batch.create_check_constraint(op.f(f"ck_{table}_version_positive"), "version >= 1")
        # The models give the default; the server default only filled the existing rows.
        with op.batch_alter_table(table) as batch:
            batch.alter_column("version", server_default=None)
    op.create_index(
        "uq_variants_sku_lower", "variants", [sa.literal_column("lower(sku)")], unique=True
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result_type", sa.String(length=40), nullable=True),
        sa.Column("result_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint(
            "scope", "operation", "key", name=op.f("uq_idempotency_records_scope_operation_key")
        ),
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("on_hand_change", sa.BigInteger(), nullable=False),
        sa.Column("reserved_change", sa.BigInteger(), nullable=False),
        sa.Column("on_hand_after", sa.BigInteger(), nullable=False),
        sa.Column("reserved_after", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("order_id", BIG_ID, nullable=True),
        sa.Column("shipment_id", BIG_ID, nullable=True),
        sa.Column("actor_user_id", BIG_ID, nullable=True),
        sa.Column("actor_api_key_id", BIG_ID, nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('received', 'adjusted', 'reserved', 'released', 'shipped')",
            name=op.f("ck_stock_movements_kind_known"),
        ),
        sa.CheckConstraint(
            "on_hand_after >= 0", name=op.f("ck_stock_movements_on_hand_after_not_negative")
        ),
        sa.CheckConstraint(
            "on_hand_change <> 0 OR reserved_change <> 0",
            name=op.f("ck_stock_movements_changes_something"),
        ),
        sa.CheckConstraint(
            "reserved_after <= on_hand_after",
            name=op.f("ck_stock_movements_reserved_within_on_hand"),
        ),
        sa.CheckConstraint(
            "reserved_after >= 0", name=op.f("ck_stock_movements_reserved_after_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_stock_movements_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_stock_movements_shipment_id_shipments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_stock_movements_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index(
        op.f("ix_stock_movements_variant_id_id"), "stock_movements", ["variant_id", "id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_stock_movements_variant_id_id"), table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_table("idempotency_records")
    op.drop_index("uq_variants_sku_lower", table_name="variants")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_version_positive"), type_="check")
            batch.drop_column("version")


def _refuse_skus_differing_only_in_case() -> None:
    clashes = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT lower(sku) AS folded, min(sku) AS one, max(sku) AS other FROM variants "
                "GROUP BY lower(sku) HAVING count(*) > 1 ORDER BY 1 LIMIT 10"
            )
        )
        .all()
    )
    if clashes:
        listed = "; ".join(f"{row.one!r} and {row.other!r}" for row in clashes)
        raise RuntimeError(
            "SKUs must be unique whatever their case, and these differ only in case: "
            f"{listed}. Rename one of each pair, then run the migration again."
        )
