"""Catalog foundation: categories, product types and attributes, products, variants, prices.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 14:05:20.770148
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("parent_id <> id", name=op.f("ck_categories_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["categories.id"],
            name=op.f("fk_categories_parent_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_index(op.f("ix_categories_parent_id"), "categories", ["parent_id"], unique=False)
    op.create_table(
        "product_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_types")),
        sa.UniqueConstraint("slug", name=op.f("uq_product_types_slug")),
    )
    op.create_table(
        "attribute_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_type_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("filterable", sa.Boolean(), nullable=False),
        sa.Column(
            "allowed_values",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind = 'number' OR unit IS NULL",
            name=op.f("ck_attribute_definitions_unit_only_for_numbers"),
        ),
        sa.CheckConstraint(
            "kind IN ('text', 'number', 'boolean', 'enum', 'multi_enum')",
            name=op.f("ck_attribute_definitions_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["product_type_id"],
            ["product_types.id"],
            name=op.f("fk_attribute_definitions_product_type_id_product_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute_definitions")),
        sa.UniqueConstraint(
            "product_type_id",
            "key",
            name=op.f("uq_attribute_definitions_product_type_id_key"),
        ),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_type_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("country_of_origin", sa.String(length=2), nullable=False),
        sa.Column("moq", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column(
            "incoterms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "specs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'archived')",
            name=op.f("ck_products_status_known"),
        ),
        sa.CheckConstraint("lead_time_days >= 0", name=op.f("ck_products_lead_time_not_negative")),
        sa.CheckConstraint(
            "length(country_of_origin) = 2",
            name=op.f("ck_products_country_of_origin_length"),
        ),
        sa.CheckConstraint(
            "length(hs_code) IN (6, 8, 10)", name=op.f("ck_products_hs_code_length")
        ),
        sa.CheckConstraint("moq >= 1", name=op.f("ck_products_moq_positive")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_products_category_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_type_id"],
            ["product_types.id"],
            name=op.f("fk_products_product_type_id_product_types"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("slug", name=op.f("uq_products_slug")),
    )
    op.create_index(op.f("ix_products_category_id"), "products", ["category_id"], unique=False)
    op.create_index(
        op.f("ix_products_product_type_id"),
        "products",
        ["product_type_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_products_status_name_id"),
        "products",
        ["status", "name", "id"],
        unique=False,
    )
    op.create_table(
        "variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "option_values",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("units_per_carton", sa.Integer(), nullable=False),
        sa.Column("carton_weight_kg", sa.Numeric(precision=10, scale=3), nullable=True),
        sa.Column("carton_volume_m3", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("stock_on_hand", sa.BigInteger(), nullable=False),
        sa.Column("stock_reserved", sa.BigInteger(), nullable=False),
        sa.Column("cost_price", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("cost_currency", sa.String(length=3), nullable=True),
        sa.CheckConstraint(
            "(cost_price IS NULL) = (cost_currency IS NULL)",
            name=op.f("ck_variants_cost_price_has_currency"),
        ),
        sa.CheckConstraint("carton_volume_m3 > 0", name=op.f("ck_variants_carton_volume_positive")),
        sa.CheckConstraint("carton_weight_kg > 0", name=op.f("ck_variants_carton_weight_positive")),
        sa.CheckConstraint("cost_price >= 0", name=op.f("ck_variants_cost_price_not_negative")),
        sa.CheckConstraint(
            "stock_on_hand >= 0", name=op.f("ck_variants_stock_on_hand_not_negative")
        ),
        sa.CheckConstraint(
            "stock_reserved <= stock_on_hand",
            name=op.f("ck_variants_reserved_within_on_hand"),
        ),
        sa.CheckConstraint(
            "stock_reserved >= 0", name=op.f("ck_variants_stock_reserved_not_negative")
        ),
        sa.CheckConstraint(
            "units_per_carton >= 1", name=op.f("ck_variants_units_per_carton_positive")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_variants_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variants")),
        sa.UniqueConstraint("sku", name=op.f("uq_variants_sku")),
    )
    op.create_index(op.f("ix_variants_product_id"), "variants", ["product_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Containment lookups on specs (`specs @> '{"weave": "twill"}'`); SQLite has no GIN.
        op.create_index(
            "ix_products_specs_gin",
            "products",
            ["specs"],
            postgresql_using="gin",
            postgresql_ops={"specs": "jsonb_path_ops"},
        )
    op.create_table(
        "price_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.CheckConstraint("length(currency) = 3", name=op.f("ck_price_tiers_currency_length")),
        sa.CheckConstraint("min_quantity >= 1", name=op.f("ck_price_tiers_min_quantity_positive")),
        sa.CheckConstraint("unit_price > 0", name=op.f("ck_price_tiers_unit_price_positive")),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_price_tiers_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_tiers")),
        sa.UniqueConstraint(
            "variant_id",
            "currency",
            "min_quantity",
            name=op.f("uq_price_tiers_variant_id_currency_min_quantity"),
        ),
    )


def downgrade() -> None:
    op.drop_table("price_tiers")
    op.drop_index(op.f("ix_variants_product_id"), table_name="variants")
    op.drop_table("variants")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_products_specs_gin", table_name="products")
    op.drop_index(op.f("ix_products_status_name_id"), table_name="products")
    op.drop_index(op.f("ix_products_product_type_id"), table_name="products")
    op.drop_index(op.f("ix_products_category_id"), table_name="products")
    op.drop_table("products")
    op.drop_table("attribute_definitions")
    op.drop_table("product_types")
    op.drop_index(op.f("ix_categories_parent_id"), table_name="categories")
    op.drop_table("categories")
