"""Catalog discovery at scale: per-value facet counts, and the product name in the probe index.

`facet_value_counts` holds, per product type, category, attribute and value, how many active
products have that value; facets whose other conditions are only a type and/or category sum
these rows instead of counting products. Existing products are counted here, with this
revision's own copy of the value key rule (`models.discovery.facet_value_key` when written).

`ix_products_id_discovery` (0007) gains the name, so a listing sorts its matches by name
from the index and reads only the page's product rows (PostgreSQL only, as before).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 18:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_COLUMNS = ["product_type_id", "category_id", "attribute_key", "value_key"]
PROBE_INDEX = "ix_products_id_discovery"
PROBED = ["status", "product_type_id", "category_id", "country_of_origin"]


def upgrade() -> None:
    _probe_index([*PROBED, "name"])
    table = op.create_table(
        "facet_value_counts",
        sa.Column("product_type_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("attribute_key", sa.String(length=64), nullable=False),
        sa.Column("value_key", sa.String(length=502), nullable=False),
        sa.Column("value_text", sa.String(length=500), nullable=True),
        sa.Column("value_number", sa.Double(), nullable=True),
        sa.Column("value_bool", sa.Boolean(), nullable=True),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY_COLUMNS, name=op.f("pk_facet_value_counts")),
    )
    assert table is not None
    _backfill(table)


def downgrade() -> None:
    op.drop_table("facet_value_counts")
    _probe_index(PROBED)


def _probe_index(included: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(PROBE_INDEX, table_name="products")
        op.create_index(PROBE_INDEX, "products", ["id"], postgresql_include=included)


def _value_key(text: str | None, number: float | None, boolean: bool | None) -> str:
    if boolean is not None:
        return f"b:{int(boolean)}"
    if number is not None:
        return f"n:{float(number)!r}"
    return f"t:{text}"


def _all(statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in op.get_bind().execute(statement)]


def _backfill(table: sa.Table) -> None:
    products = sa.table(
        "products", sa.column("id"), sa.column("product_type_id"), sa.column("category_id"),
        sa.column("status"),
    )  # fmt: skip
    values = sa.table(
        "product_spec_values", sa.column("product_id"), sa.column("attribute_key"),
        sa.column("value_text"), sa.column("value_number"), sa.column("value_bool"),
    )  # fmt: skip
    typed = [
        values.c.attribute_key,
        values.c.value_text,
        values.c.value_number,
        values.c.value_bool,
    ]
    grouped = (
        sa.select(products.c.product_type_id, products.c.category_id, *typed, sa.func.count())
        .select_from(values.join(products, products.c.id == values.c.product_id))
        .where(products.c.status == "active")
        .group_by(products.c.product_type_id, products.c.category_id, *typed)
    )
    rows = [
        {
            "product_type_id": type_id,
            "category_id": category_id,
            "attribute_key": key,
            "value_key": _value_key(text, number, boolean),
            "value_text": text,
            "value_number": number,
            "value_bool": boolean,
            "products": count,
        }
        for type_id, category_id, key, text, number, boolean, count in _all(grouped)
    ]
    if rows:
        op.bulk_insert(table, rows)
