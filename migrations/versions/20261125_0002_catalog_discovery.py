"""Catalog discovery: typed spec values, from-prices, search documents and their indexes.

Existing products are backfilled here. The backfill carries its own copy of the row rules
(`models.discovery` at the time of writing) so this revision keeps working when those rules
move on in later revisions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:00:00.000000
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A'::\"char\") || "
    "setweight(to_tsvector('simple'::regconfig, body), 'B'::\"char\")"
)
BACKFILL_BATCH = 5_000


def upgrade() -> None:
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_index(
        op.f("ix_products_status_created_at_id"),
        "products",
        ["status", "created_at", "id"],
        unique=False,
    )
    # A type's or category's visible products straight from an index (facets, counts).
    op.drop_index(op.f("ix_products_product_type_id"), table_name="products")
    op.drop_index(op.f("ix_products_category_id"), table_name="products")
    for column in ("product_type_id", "category_id"):
        op.create_index(
            op.f(f"ix_products_{column}_status_id"), "products", [column, "status", "id"]
        )
    op.create_table(
        "product_spec_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("product_type_id", sa.Integer(), nullable=False),
        sa.Column("attribute_key", sa.String(length=64), nullable=False),
        sa.Column("value_text", sa.String(length=500), nullable=True),
        sa.Column("value_number", sa.Double(), nullable=True),
        sa.Column("value_bool", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_spec_values_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_spec_values")),
    )
    op.create_index(
        "ix_product_spec_values_product_rows",
        "product_spec_values",
        ["product_id", "attribute_key", "value_text", "value_number", "value_bool"],
    )
    for column in ("value_text", "value_number", "value_bool"):
        op.create_index(
            op.f(f"ix_product_spec_values_attribute_key_{column}_product_id"),
            "product_spec_values",
            ["attribute_key", column, "product_id"],
        )
    op.create_table(
        "product_prices",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("from_price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_prices_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "currency", name=op.f("pk_product_prices")),
    )
    op.create_index(
        op.f("ix_product_prices_currency_from_price_product_id"),
        "product_prices",
        ["currency", "from_price", "product_id"],
    )
    search_columns: list[sa.schema.SchemaItem] = [
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    ]
    if is_postgresql:
        search_columns.append(
            sa.Column(
                "search_vector",
                postgresql.TSVECTOR(),
                sa.Computed(SEARCH_VECTOR_SQL, persisted=True),
                nullable=True,
            )
        )
    op.create_table(
        "product_search",
        *search_columns,
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_search_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_search")),
    )
    if is_postgresql:
        op.create_index(
            "ix_product_search_search_vector",
            "product_search",
            ["search_vector"],
            postgresql_using="gin",
        )
    _backfill()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_product_search_search_vector", table_name="product_search")
    op.drop_table("product_search")
    op.drop_index(
        op.f("ix_product_prices_currency_from_price_product_id"), table_name="product_prices"
    )
    op.drop_table("product_prices")
    for column in ("value_text", "value_number", "value_bool"):
        op.drop_index(
            op.f(f"ix_product_spec_values_attribute_key_{column}_product_id"),
            table_name="product_spec_values",
        )
    op.drop_index("ix_product_spec_values_product_rows", table_name="product_spec_values")
    op.drop_table("product_spec_values")
    for column in ("product_type_id", "category_id"):
        op.drop_index(op.f(f"ix_products_{column}_status_id"), table_name="products")
    op.create_index(op.f("ix_products_category_id"), "products", ["category_id"])
    op.create_index(op.f("ix_products_product_type_id"), "products", ["product_type_id"])
    op.drop_index(op.f("ix_products_status_created_at_id"), table_name="products")


# --- backfill of products that exist before this revision ----------------------------------

_products = sa.table(
    "products",
    sa.column("id", sa.Integer),
    sa.column("product_type_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("specs", sa.JSON),
)
_variants = sa.table(
    "variants", sa.column("id", sa.Integer), sa.column("product_id", sa.Integer),
    sa.column("sku", sa.String),
)  # fmt: skip
_tiers = sa.table(
    "price_tiers", sa.column("variant_id", sa.Integer), sa.column("currency", sa.String),
    sa.column("min_quantity", sa.Integer), sa.column("unit_price", sa.Numeric),
)  # fmt: skip
_spec_values = sa.table(
    "product_spec_values", sa.column("product_id"), sa.column("product_type_id"),
    sa.column("attribute_key"), sa.column("value_text"), sa.column("value_number"),
    sa.column("value_bool"),
)  # fmt: skip
_search = sa.table("product_search", sa.column("product_id"), sa.column("title"), sa.column("body"))
_prices = sa.table(
    "product_prices", sa.column("product_id"), sa.column("currency"), sa.column("from_price")
)
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).lower()))


def _spec_rows(product_id: int, type_id: int, specs: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, value in specs.items():
        for member in value if isinstance(value, list) else [value]:
            is_number = isinstance(member, int | float) and not isinstance(member, bool)
            rows.append(
                {
                    "product_id": product_id,
                    "product_type_id": type_id,
                    "attribute_key": key,
                    "value_text": member if isinstance(member, str) else None,
                    "value_number": float(member) if is_number else None,
                    "value_bool": member if isinstance(member, bool) else None,
                }
            )
    return rows


def _backfill() -> None:
    bind = op.get_bind()
    last_id = 0
    while True:
        products = bind.execute(
            sa.select(_products)
            .where(_products.c.id > last_id)
            .order_by(_products.c.id)
            .limit(BACKFILL_BATCH)
        ).all()
        if not products:
            break
        first_id, last_id = products[0].id, products[-1].id
        skus: dict[int, list[str]] = defaultdict(list)
        for product_id, sku in bind.execute(
            sa.select(_variants.c.product_id, _variants.c.sku).where(
                _variants.c.product_id.between(first_id, last_id)
            )
        ):
            skus[product_id].append(sku)
        spec_rows = [
            row for p in products for row in _spec_rows(p.id, p.product_type_id, p.specs or {})
        ]
        if spec_rows:
            bind.execute(sa.insert(_spec_values), spec_rows)
        bind.execute(
            sa.insert(_search),
            [
                {
                    "product_id": p.id,
                    "title": _words(" ".join([p.name, *sorted(skus[p.id])])),
                    "body": _words(p.description),
                }
                for p in products
            ],
        )
    _backfill_prices(bind)


def _backfill_prices(bind: sa.Connection) -> None:
    """Each product's from-price per currency: its variants' lowest-quantity tiers, cheapest."""
    other = _tiers.alias("other_tiers")
    lowest_break = (
        sa.select(sa.func.min(other.c.min_quantity))
        .where(other.c.variant_id == _tiers.c.variant_id, other.c.currency == _tiers.c.currency)
        .scalar_subquery()
    )
    from_prices = (
        sa.select(_variants.c.product_id, _tiers.c.currency, sa.func.min(_tiers.c.unit_price))
        .select_from(_tiers.join(_variants, _variants.c.id == _tiers.c.variant_id))
        .where(_tiers.c.min_quantity == lowest_break)
        .group_by(_variants.c.product_id, _tiers.c.currency)
    )
    bind.execute(
        sa.insert(_prices).from_select(["product_id", "currency", "from_price"], from_prices)
    )
