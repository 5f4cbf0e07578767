"""The catalog types' read paths: which relation each related field of a catalog type reads,
keyed by which column of its row. Resolvers follow them (`related`, `pricing`) and listings
look ahead along them (`resolvers.look_ahead`)."""

from __future__ import annotations

from loaders import catalog as relations
from models.reference import CURRENCY_CODES
from resolvers.look_ahead import READ_PATHS, Narrowing, Step

# A price in one currency reads that currency's tiers only (a listing's `price(currency:
# "USD", ...)` reads about a third of a variant's tiers); a code that is not one is refused
# by the resolver, and reads the whole relation meanwhile.
IN_CURRENCY = Narrowing("currency", "currency", CURRENCY_CODES.__contains__)

PRODUCT = {
    "category": Step(relations.CATEGORY_BY_ID, "category_id", then="Category"),
    "productType": Step(relations.PRODUCT_TYPE_BY_ID, "product_type_id", then="ProductType"),
    "specs": Step(relations.ATTRIBUTES_BY_PRODUCT_TYPE, "product_type_id"),
    "variants": Step(relations.VARIANTS_BY_PRODUCT, "id", then="Variant"),
}
VARIANT = {
    "product": Step(relations.PRODUCT_BY_ID, "product_id", then="Product"),
    "price": Step(relations.PRICE_TIERS_BY_VARIANT, "id", narrow=IN_CURRENCY),
    "priceTiers": Step(relations.PRICE_TIERS_BY_VARIANT, "id", narrow=IN_CURRENCY),
    "margin": Step(relations.PRICE_TIERS_BY_VARIANT, "id"),
}
PRODUCT_TYPE = {"attributes": Step(relations.ATTRIBUTES_BY_PRODUCT_TYPE, "id")}
CATEGORY = {
    "parent": Step(relations.CATEGORY_BY_ID, "parent_id", then="Category"),
    "children": Step(relations.CATEGORY_CHILDREN, "id", then="Category"),
}
# A staff list's product (`CatalogProduct`): its variants as staff see them, and the same row
# as the storefront types it (`product`).
CATALOG_PRODUCT = {
    "variants": Step(relations.VARIANTS_BY_PRODUCT, "id"),
    "product": Step(None, then="Product"),
}

READ_PATHS.update(
    Product=PRODUCT,
    Variant=VARIANT,
    ProductType=PRODUCT_TYPE,
    Category=CATEGORY,
    CatalogProduct=CATALOG_PRODUCT,
)
