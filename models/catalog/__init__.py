"""Catalog tables: categories, product types and their attributes, products, variants, prices.

Every invariant that can be a database constraint is one, so no code path (admin API, import,
raw SQL) can store a negative stock, a reservation above stock, or two prices for one tier.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
)
from sqlmodel import Field, SQLModel

from models.base import created_at_column, foreign_key, json_column, one_of, updated_at_column


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class AttributeKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    ENUM = "enum"
    MULTI_ENUM = "multi_enum"


class Category(SQLModel, table=True):
    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("parent_id <> id", name="not_own_parent"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, foreign_key("categories.id", ondelete="RESTRICT"), index=True),
    )
    name: str = Field(sa_column=Column(String(120), nullable=False))
    slug: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    # Edits are optimistic: a save names the version it read; a stale one gets CONFLICT.
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))


class ProductType(SQLModel, table=True):
    __tablename__ = "product_types"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(120), nullable=False))
    slug: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Edits are optimistic: a save names the version it read; a stale one gets CONFLICT.
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))


class AttributeDefinition(SQLModel, table=True):
    """One attribute of a product type's specs, such as GSM for fabric or bore for bearings."""

    __tablename__ = "attribute_definitions"
    __table_args__ = (
        UniqueConstraint("product_type_id", "key"),
        CheckConstraint(one_of("kind", AttributeKind), name="kind_known"),
        CheckConstraint("kind = 'number' OR unit IS NULL", name="unit_only_for_numbers"),
        # "@" starts the facet tables' pseudo-attributes (models.catalog.discovery.COUNTRY_KEY).
        CheckConstraint("key NOT LIKE '@%'", name="key_not_reserved"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_type_id: int = Field(
        sa_column=Column(
            Integer, foreign_key("product_types.id", ondelete="CASCADE"), nullable=False
        )
    )
    key: str = Field(sa_column=Column(String(64), nullable=False))
    label: str = Field(sa_column=Column(String(120), nullable=False))
    kind: AttributeKind = Field(sa_column=Column(String(16), nullable=False))
    unit: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    required: bool = False
    filterable: bool = False
    allowed_values: list[str] = Field(default_factory=list, sa_column=json_column(default=list))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(one_of("status", ProductStatus), name="status_known"),
        CheckConstraint("moq >= 1", name="moq_positive"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("length(hs_code) IN (6, 8, 10)", name="hs_code_length"),
        CheckConstraint("length(country_of_origin) = 2", name="country_of_origin_length"),
        CheckConstraint("version >= 1", name="version_positive"),
        # The storefront's default listing: active products by name, keyset-paginated.
        Index(None, "status", "name", "id"),
        # The "newest" listing, read backwards: latest first.
        Index(None, "status", "created_at", "id"),
        # A product type's or category's visible products, without reading product rows
        # (facets and filtered counts start from these sets).
        Index(None, "product_type_id", "status", "id"),
        Index(None, "category_id", "status", "id"),
        # Products found through a discovery table (spec values, search) are checked by id for
        # visibility, type, category and country, counted per country and sorted by name
        # without reading the wide product row: an index-only probe per match instead of a
        # heap fetch.
        Index(
            "ix_products_id_discovery",
            "id",
            postgresql_include=[
                "status",
                "product_type_id",
                "category_id",
                "country_of_origin",
                "name",
            ],
            info={"only_on": "postgresql"},
        ),
        # The staff listing, every status: by name, by last change, and a name prefix search.
        Index(None, "name", "id"),
        Index(None, "updated_at", "id"),
        Index(
            "ix_products_name_lower_prefix",
            func.lower(column("name")).label("name_lower"),
            postgresql_ops={"name_lower": "text_pattern_ops"},
            info={"only_on": "postgresql"},
        ),
        Index(
            "ix_products_specs_gin",
            "specs",
            postgresql_using="gin",
            postgresql_ops={"specs": "jsonb_path_ops"},
            info={"only_on": "postgresql"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_type_id: int = Field(
        sa_column=Column(
            Integer, foreign_key("product_types.id", ondelete="RESTRICT"), nullable=False
        )
    )
    category_id: int = Field(
        sa_column=Column(Integer, foreign_key("categories.id", ondelete="RESTRICT"), nullable=False)
    )
    name: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    hs_code: str = Field(sa_column=Column(String(10), nullable=False))
    country_of_origin: str = Field(sa_column=Column(String(2), nullable=False))
    moq: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    lead_time_days: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    incoterms: list[str] = Field(default_factory=list, sa_column=json_column(default=list))
    specs: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(default=dict))
    status: ProductStatus = Field(
        default=ProductStatus.DRAFT,
        sa_column=Column(String(16), nullable=False, default=ProductStatus.DRAFT),
    )
    # Edits are optimistic: a save names the version it read; a stale one gets CONFLICT.
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_at_column())


class Variant(SQLModel, table=True):
    """A sellable SKU of a product: one colour, width or pack, with its own stock."""

    __tablename__ = "variants"
    __table_args__ = (
        CheckConstraint("stock_on_hand >= 0", name="stock_on_hand_not_negative"),
        CheckConstraint("stock_reserved >= 0", name="stock_reserved_not_negative"),
        CheckConstraint("stock_reserved <= stock_on_hand", name="reserved_within_on_hand"),
        CheckConstraint("units_per_carton >= 1", name="units_per_carton_positive"),
        CheckConstraint("carton_weight_kg > 0", name="carton_weight_positive"),
        CheckConstraint("carton_volume_m3 > 0", name="carton_volume_positive"),
        CheckConstraint("cost_price >= 0", name="cost_price_not_negative"),
        CheckConstraint(
            "(cost_price IS NULL) = (cost_currency IS NULL)", name="cost_price_has_currency"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        # SKUs are unique whatever their case: "TW-01" and "tw-01" are one SKU to a warehouse.
        # The plain unique index on `sku` stays for exact lookups.
        Index("uq_variants_sku_lower", func.lower(column("sku")), unique=True),
        # Staff search by SKU prefix, whatever the case and the database's collation.
        Index(
            "ix_variants_sku_lower_prefix",
            func.lower(column("sku")).label("sku_lower"),
            postgresql_ops={"sku_lower": "text_pattern_ops"},
            info={"only_on": "postgresql"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(
        sa_column=Column(
            Integer, foreign_key("products.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    sku: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    option_values: dict[str, str] = Field(default_factory=dict, sa_column=json_column(default=dict))
    units_per_carton: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    carton_weight_kg: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(10, 3), nullable=True)
    )
    carton_volume_m3: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(10, 4), nullable=True)
    )
    stock_on_hand: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    stock_reserved: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    # Restricted: not exposed until field-level access control exists.
    cost_price: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(14, 4), nullable=True)
    )
    cost_currency: str | None = Field(default=None, sa_column=Column(String(3), nullable=True))
    # Edits are optimistic: a save names the version it read; a stale one gets CONFLICT.
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))


class PriceTier(SQLModel, table=True):
    """Unit price of a variant in one currency from a minimum quantity upwards."""

    __tablename__ = "price_tiers"
    __table_args__ = (
        UniqueConstraint("variant_id", "currency", "min_quantity"),
        CheckConstraint("min_quantity >= 1", name="min_quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("length(currency) = 3", name="currency_length"),
    )

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(
        sa_column=Column(Integer, foreign_key("variants.id", ondelete="CASCADE"), nullable=False)
    )
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    min_quantity: int = Field(sa_column=Column(Integer, nullable=False))
    unit_price: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))
