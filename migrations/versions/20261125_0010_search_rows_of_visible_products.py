"""Search at scale: search rows only for visible products, with the name for ordering.

A relevance page ranks every match; it used to look each one up in `products` for its status
and name, one index probe per match. The search row now exists only while its product is
active and carries the product's name, so a search without other conditions reads the search
rows alone. Rows of products that are not active are deleted here; names are copied.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("product_search", sa.Column("name", sa.String(length=200), nullable=True))
    op.execute(
        "DELETE FROM product_search WHERE product_id IN "
        "(SELECT id FROM products WHERE status <> 'active')"
    )
    op.execute(
        "UPDATE product_search SET name = "
        "(SELECT name FROM products WHERE products.id = product_search.product_id)"
    )
    with op.batch_alter_table("product_search") as batch:
        batch.alter_column("name", existing_type=sa.String(length=200), nullable=False)


def downgrade() -> None:
    # Rows of products that are not active are not restored: rewriting a product does it,
    # and the searches of this revision's predecessor never showed them anyway.
    with op.batch_alter_table("product_search") as batch:
        batch.drop_column("name")
