"""Catalog discovery at scale: a covering index for probing products found elsewhere.

Matches found through `product_spec_values` or `product_search` are checked against the
product's status, type, category and country; this index answers those checks (and the
country facet's grouping) without reading the wide product row. PostgreSQL only: SQLite has
no INCLUDE columns, and its rows are read in place anyway.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 17:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INCLUDED = ["status", "product_type_id", "category_id", "country_of_origin"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_products_id_discovery", "products", ["id"], postgresql_include=INCLUDED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_products_id_discovery", table_name="products")
