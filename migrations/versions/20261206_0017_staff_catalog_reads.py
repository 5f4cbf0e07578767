"""Staff catalog reads: indexes for searching every product and listing by last change.

- `ix_products_name_id`, `ix_products_updated_at_id`: the staff listing's orders by name and
  by last change (and its `updatedSince` filter) over every status, a keyset range instead of
  a sort of the whole catalog (the storefront's indexes start with the status).
- `ix_products_name_lower_prefix`, `ix_variants_sku_lower_prefix` (PostgreSQL only): a
  case-insensitive prefix search of names and SKUs in products of every status. The
  storefront's search rows hold active products only, so staff search needs its own path.
  `text_pattern_ops` lets `lower(x) LIKE 'prefix%'` use the index whatever the database's
  collation; SQLite has no operator classes and scans, which its small catalogs afford.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX_INDEXES = (
    ("ix_products_name_lower_prefix", "products", "name"),
    ("ix_variants_sku_lower_prefix", "variants", "sku"),
)


def upgrade() -> None:
    op.create_index(op.f("ix_products_name_id"), "products", ["name", "id"])
    op.create_index(op.f("ix_products_updated_at_id"), "products", ["updated_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        for name, table, column in PREFIX_INDEXES:
            op.create_index(name, table, [sa.literal_column(f"lower({column}) text_pattern_ops")])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _column in PREFIX_INDEXES:
            op.drop_index(name, table_name=table)
    op.drop_index(op.f("ix_products_updated_at_id"), table_name="products")
    op.drop_index(op.f("ix_products_name_id"), table_name="products")
