"""Listings at scale: spec rows only for visible products, with their category and name.

A listing of bearings with a 20 mm bore looked every match up in `products` for its status,
category and name, one index probe per match. A spec row now exists only while its product
is active and carries the product's category and name, which the value indexes include on
PostgreSQL: a type or category page under one attribute's values reads one index range.
Rows of products that are not active are deleted here; categories and names are copied.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "product_spec_values"
VALUE_COLUMNS = ("value_text", "value_number", "value_bool")
LISTED = ["product_type_id", "category_id", "name"]


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("category_id", sa.Integer(), nullable=True))
    op.add_column(TABLE, sa.Column("name", sa.String(length=200), nullable=True))
    op.execute(
        "DELETE FROM product_spec_values WHERE product_id IN "
        "(SELECT id FROM products WHERE status <> 'active')"
    )
    op.execute(
        "UPDATE product_spec_values SET "
        "category_id = (SELECT category_id FROM products WHERE products.id = product_id), "
        "name = (SELECT name FROM products WHERE products.id = product_id)"
    )
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("category_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("name", existing_type=sa.String(length=200), nullable=False)
    _value_indexes(include=LISTED)
    if op.get_bind().dialect.name == "postgresql":
        # A value says which attribute it belongs to (20 is a bore, not a weight): without
        # these the planner multiplies the two selectivities, expects a tenth of the rows
        # "bore 20 mm" has, and reads the table where the index alone answers.
        for value in ("value_text", "value_number"):
            op.execute(
                f"CREATE STATISTICS {TABLE}_attribute_key_{value} (mcv, dependencies) "
                f"ON attribute_key, {value} FROM {TABLE}"
            )


def downgrade() -> None:
    # Rows of products that are not active are not restored: rewriting a product does it,
    # and the filters of this revision's predecessor never showed them anyway.
    if op.get_bind().dialect.name == "postgresql":
        for value in ("value_text", "value_number"):
            op.execute(f"DROP STATISTICS {TABLE}_attribute_key_{value}")
    _value_indexes(include=[])
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("name")
        batch.drop_column("category_id")


def _value_indexes(include: list[str]) -> None:
    """The (attribute_key, value, product_id) indexes, including `include` on PostgreSQL."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for value in VALUE_COLUMNS:
        name = f"ix_{TABLE}_attribute_key_{value}_product_id"
        op.drop_index(name, table_name=TABLE)
        op.create_index(
            name, TABLE, ["attribute_key", value, "product_id"], postgresql_include=include
        )
