"""Facets at scale, second table: counts per pair of values, and the country as a facet key.

`facet_pair_counts` holds, per product type and category, how many active products have a
value of one attribute (the picked one) together with a value of another: a sidebar whose
other conditions pick values of one attribute sums these rows instead of counting products.
Both count tables now also count the country of origin, as the pseudo-attribute `@country`,
which attribute keys may no longer start with.

Existing products are counted here, with this revision's own copy of the value key rule
(`models.discovery.facet_value_key` when written).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 19:30:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTRY_KEY = "@country"
PAIR_KEY = [
    "product_type_id",
    "category_id",
    "picked_key",
    "picked_value_key",
    "attribute_key",
    "value_key",
]


def upgrade() -> None:
    with op.batch_alter_table("attribute_definitions") as batch:
        batch.create_check_constraint(
            op.f("ck_attribute_definitions_key_not_reserved"), "key NOT LIKE '@%'"
        )
    table = op.create_table(
        "facet_pair_counts",
        sa.Column("product_type_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("picked_key", sa.String(length=64), nullable=False),
        sa.Column("picked_value_key", sa.String(length=502), nullable=False),
        sa.Column("attribute_key", sa.String(length=64), nullable=False),
        sa.Column("value_key", sa.String(length=502), nullable=False),
        sa.Column("picked_text", sa.String(length=500), nullable=True),
        sa.Column("picked_number", sa.Double(), nullable=True),
        sa.Column("picked_bool", sa.Boolean(), nullable=True),
        sa.Column("value_text", sa.String(length=500), nullable=True),
        sa.Column("value_number", sa.Double(), nullable=True),
        sa.Column("value_bool", sa.Boolean(), nullable=True),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*PAIR_KEY, name=op.f("pk_facet_pair_counts")),
    )
    assert table is not None
    op.create_index(
        op.f("ix_facet_pair_counts_picked_key_attribute_key"),
        "facet_pair_counts",
        ["picked_key", "attribute_key"],
    )
    _backfill(table)


def downgrade() -> None:
    op.drop_index(
        op.f("ix_facet_pair_counts_picked_key_attribute_key"), table_name="facet_pair_counts"
    )
    op.drop_table("facet_pair_counts")
    op.get_bind().execute(
        sa.text("DELETE FROM facet_value_counts WHERE attribute_key = :key"), {"key": COUNTRY_KEY}
    )
    with op.batch_alter_table("attribute_definitions") as batch:
        batch.drop_constraint(op.f("ck_attribute_definitions_key_not_reserved"), type_="check")


def _value_key(text: str | None, number: float | None, boolean: bool | None) -> str:
    if boolean is not None:
        return f"b:{int(boolean)}"
    if number is not None:
        return f"n:{float(number)!r}"
    return f"t:{text}"


def _value(prefix: str, key: str, text: Any, number: Any, boolean: Any) -> dict[str, Any]:
    """The key and value columns of a count row: `attribute_key`, `value_key`, `value_text`...
    for prefix "value"; `picked_key`, `picked_value_key`, `picked_text`... for "picked"."""
    names = (
        ("attribute_key", "value_key") if prefix == "value" else ("picked_key", "picked_value_key")
    )
    return {
        names[0]: key,
        names[1]: _value_key(text, number, boolean),
        f"{prefix}_text": text,
        f"{prefix}_number": number,
        f"{prefix}_bool": boolean,
    }


def _facet_rows() -> Any:
    """(product, type, category, key, text, number, bool) per spec value and per country of
    every active product."""
    products = sa.table(
        "products", sa.column("id"), sa.column("product_type_id"), sa.column("category_id"),
        sa.column("status"), sa.column("country_of_origin"),
    )  # fmt: skip
    values = sa.table(
        "product_spec_values", sa.column("product_id"), sa.column("attribute_key"),
        sa.column("value_text"), sa.column("value_number"), sa.column("value_bool"),
    )  # fmt: skip
    scope = (products.c.product_type_id, products.c.category_id)
    specs = (
        sa.select(
            values.c.product_id,
            *scope,
            values.c.attribute_key,
            values.c.value_text,
            values.c.value_number,
            values.c.value_bool,
        )
        .select_from(values.join(products, products.c.id == values.c.product_id))
        .where(products.c.status == "active")
    )
    countries = sa.select(
        products.c.id,
        *scope,
        sa.literal(COUNTRY_KEY, sa.String),
        sa.cast(products.c.country_of_origin, sa.String),
        sa.cast(sa.null(), sa.Double),
        sa.cast(sa.null(), sa.Boolean),
    ).where(products.c.status == "active")
    return sa.union_all(specs, countries).cte("facet_rows")


def _typed(rows: Any) -> list[Any]:
    return [rows.c.attribute_key, rows.c.value_text, rows.c.value_number, rows.c.value_bool]


def _backfill(pairs: sa.Table) -> None:
    connection = op.get_bind()
    rows = _facet_rows()
    scope = [rows.c.product_type_id, rows.c.category_id]
    countries = connection.execute(
        sa.select(*scope, *_typed(rows), sa.func.count())
        .where(rows.c.attribute_key == COUNTRY_KEY)
        .group_by(*scope, *_typed(rows))
    )
    value_counts = sa.table(
        "facet_value_counts", *(sa.column(name) for name in (
            "product_type_id", "category_id", "attribute_key", "value_key", "value_text",
            "value_number", "value_bool", "products",
        ))
    )  # fmt: skip
    country_rows = [
        {
            "product_type_id": row[0],
            "category_id": row[1],
            **_value("value", *row[2:6]),
            "products": row[6],
        }
        for row in countries
    ]
    if country_rows:
        op.bulk_insert(value_counts, country_rows)
    picked, counted = rows.alias("picked"), rows.alias("counted")
    pair = [picked.c.product_type_id, picked.c.category_id, *_typed(picked), *_typed(counted)]
    grouped = connection.execute(
        sa.select(*pair, sa.func.count())
        .select_from(
            picked.join(
                counted,
                sa.and_(
                    counted.c.product_id == picked.c.product_id,
                    counted.c.attribute_key != picked.c.attribute_key,
                ),
            )
        )
        .group_by(*pair)
    )
    pair_rows = [
        {
            "product_type_id": row[0],
            "category_id": row[1],
            **_value("picked", *row[2:6]),
            **_value("value", *row[6:10]),
            "products": row[10],
        }
        for row in grouped
    ]
    if pair_rows:
        op.bulk_insert(pairs, pair_rows)
