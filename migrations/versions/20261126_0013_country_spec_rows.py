"""The country of origin as a spec row, so a sidebar and a country filter read spec rows only.

A sidebar over several picked attributes counts the facets of the products that match, from
their spec rows, and counted their countries from `products`: one more index probe per
product. Each active product now also has a spec row of key `@country` (as in the facet
count tables since 0009) holding its country, and the country facet is one more key of the
same rows; a country filter within a type or category is a range of the spec value index.
Written here for the active products; the catalog writers keep them from now on.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTRY_KEY = "@country"  # models.discovery.COUNTRY_KEY, frozen with this revision


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO product_spec_values "
            "(product_id, product_type_id, category_id, name, attribute_key, value_text) "
            "SELECT id, product_type_id, category_id, name, :key, country_of_origin "
            "FROM products WHERE status = 'active'"
        ).bindparams(key=COUNTRY_KEY)
    )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM product_spec_values WHERE attribute_key = :key").bindparams(
            key=COUNTRY_KEY
        )
    )
