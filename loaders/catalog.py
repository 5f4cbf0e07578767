"""The catalog's relations. The storefront sees active products only, on every path.

Catalog visibility does not depend on the caller yet: staff see what the storefront sees.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from auth.principal import Principal
from loaders.relations import Relation
from models.catalog import (
    AttributeDefinition,
    Category,
    PriceTier,
    Product,
    ProductStatus,
    ProductType,
    Variant,
)


def product_is_visible() -> ColumnElement[bool]:
    return col(Product.status) == ProductStatus.ACTIVE


def variant_is_visible() -> ColumnElement[bool]:
    active_products = select(col(Product.id)).where(product_is_visible())
    return col(Variant.product_id).in_(active_products)


def _active_products(_principal: Principal) -> ColumnElement[bool]:
    return product_is_visible()


def _variants_of_active_products(_principal: Principal) -> ColumnElement[bool]:
    return variant_is_visible()


CATEGORY_BY_ID = Relation("category_by_id", Category, col(Category.id))
CATEGORY_BY_SLUG = Relation("category_by_slug", Category, col(Category.slug))
CATEGORY_CHILDREN = Relation(
    "category_children",
    Category,
    col(Category.parent_id),
    many=True,
    order_by=(col(Category.position), col(Category.name)),
)
PRODUCT_TYPE_BY_ID = Relation("product_type_by_id", ProductType, col(ProductType.id))
PRODUCT_TYPE_BY_SLUG = Relation("product_type_by_slug", ProductType, col(ProductType.slug))
ATTRIBUTES_BY_PRODUCT_TYPE = Relation(
    "attributes_by_product_type",
    AttributeDefinition,
    col(AttributeDefinition.product_type_id),
    many=True,
    order_by=(col(AttributeDefinition.position), col(AttributeDefinition.key)),
)
PRODUCT_BY_ID = Relation(
    "product_by_id",
    Product,
    col(Product.id),
    visible=_active_products,
)
PRODUCT_BY_SLUG = Relation(
    "product_by_slug",
    Product,
    col(Product.slug),
    visible=_active_products,
)
VARIANT_BY_ID = Relation(
    "variant_by_id",
    Variant,
    col(Variant.id),
    visible=_variants_of_active_products,
)
VARIANTS_BY_PRODUCT = Relation(
    "variants_by_product",
    Variant,
    col(Variant.product_id),
    many=True,
    order_by=(col(Variant.sku),),
)
PRICE_TIERS_BY_VARIANT = Relation(
    "price_tiers_by_variant",
    PriceTier,
    col(PriceTier.variant_id),
    many=True,
    order_by=(col(PriceTier.currency), col(PriceTier.min_quantity)),
)
