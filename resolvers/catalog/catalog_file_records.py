"""A catalog file's layout (its files and columns) and the records its rows become: cells
parsed to the types the mutations take, as `catalog_rows` reads them and `catalog_import`
applies them."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.catalog import ProductStatus
from resolvers.catalog.catalog_file import FileError
from resolvers.catalog.taxonomy_rules import AttributeSpec
from resolvers.catalog.variant_rules import Tier, VariantDetails

SPEC = "spec:"
OPTION = "option:"
# Per file: the columns every row needs, then those it may have.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "categories.csv": (("slug", "name"), ("parent_slug", "position", "description")),
    "product_types.csv": (("slug", "name"), ("description",)),
    "attributes.csv": (
        ("product_type_slug", "key", "label", "kind"),
        ("unit", "required", "filterable", "allowed_values"),
    ),
    "products.csv": (
        ("slug", "name", "category_slug", "product_type_slug", "hs_code", "country_of_origin"),
        ("moq", "lead_time_days", "incoterms", "status", "description"),
    ),
    "variants.csv": (
        ("product_slug", "sku"),
        (
            "name",
            "units_per_carton",
            "carton_weight_kg",
            "carton_volume_m3",
            "cost_price",
            "cost_currency",
        ),
    ),
    "prices.csv": (("sku", "currency", "min_quantity", "unit_price"), ()),
    "stock.csv": (("sku", "stock_on_hand"), ()),
}
PREFIXED = {"products.csv": SPEC, "variants.csv": OPTION}


@dataclass(frozen=True)
class At:
    """Where a record comes from: a file's row, numbered as a spreadsheet shows it."""

    file: str
    row: int


@dataclass(frozen=True)
class CategoryRecord:
    at: At
    slug: str
    name: str
    parent_slug: str | None
    position: int | None
    description: str | None


@dataclass(frozen=True)
class ProductTypeRecord:
    at: At
    slug: str
    name: str
    description: str | None


@dataclass(frozen=True)
class AttributeRecord:
    at: At
    product_type_slug: str
    spec: AttributeSpec


@dataclass(frozen=True)
class ProductRecord:
    at: At
    slug: str
    name: str
    category_slug: str
    product_type_slug: str
    hs_code: str
    country_of_origin: str
    moq: int | None
    lead_time_days: int | None
    incoterms: list[str] | None
    description: str | None
    specs: dict[str, str] | None  # non-blank `spec:<key>` cells; None: the file has none


@dataclass(frozen=True)
class StatusRecord:
    """A product's status, applied once prices are in: publishing needs a priced variant."""

    at: At
    slug: str
    status: ProductStatus


@dataclass(frozen=True)
class VariantRecord:
    at: At
    product_slug: str
    details: VariantDetails


@dataclass(frozen=True)
class LadderRecord:
    """A variant's whole ladder in one currency: one row of prices.csv per tier."""

    at: At  # the first tier's row
    sku: str
    currency: str
    tiers: list[Tier]
    rows: list[int]  # each tier's row, in the tiers' order


@dataclass(frozen=True)
class StockRecord:
    at: At
    sku: str
    on_hand: int


Record = (
    CategoryRecord
    | ProductTypeRecord
    | AttributeRecord
    | ProductRecord
    | StatusRecord
    | VariantRecord
    | LadderRecord
    | StockRecord
)


@dataclass
class CatalogFile:
    """What a file holds, in the order to apply it, and what is wrong with its shape."""

    records: list[Record] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    tables_read: int = 0  # 0: nothing in the file could be read as a catalog file

    @property
    def unreadable(self) -> bool:
        return self.tables_read == 0

    @property
    def failed_rows(self) -> int:
        return len({(error.file, error.row) for error in self.errors if error.row is not None})
