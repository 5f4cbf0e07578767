"""A catalog file's rows as records to apply: cells parsed to the types the mutations take.

Only the shape of cells is checked here (a whole number where one is expected, a known column,
a key given once per file); the business rules are the mutations' own, run when a record is
applied (`catalog_import`), so a row of a file and a mutation are refused alike.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from core.outcomes import UserErrorCode
from models.catalog import AttributeKind, ProductStatus
from resolvers.catalog.catalog_file import FileError, Limits, Table, read_tables, split_list
from resolvers.catalog.catalog_file_records import (
    COLUMNS,
    OPTION,
    PREFIXED,
    SPEC,
    At,
    AttributeRecord,
    CatalogFile,
    CategoryRecord,
    LadderRecord,
    ProductRecord,
    ProductTypeRecord,
    Record,
    StatusRecord,
    StockRecord,
    VariantRecord,
)
from resolvers.catalog.taxonomy_rules import AttributeSpec
from resolvers.catalog.variant_rules import CostPrice, Tier, VariantDetails

TRUE = frozenset({"true", "yes", "1"})
FALSE = frozenset({"false", "no", "0"})


def read_catalog_file(data: bytes, filename: str, limits: Limits | None = None) -> CatalogFile:
    tables, errors = read_tables(data, filename, limits or Limits())
    catalog = CatalogFile(errors=errors)
    statuses: list[Record] = []
    for table in tables:
        if not _columns_known(table, catalog.errors):
            continue
        catalog.tables_read += 1
        records = _records_of(table, catalog.errors)
        statuses += [record for record in records if isinstance(record, StatusRecord)]
        catalog.records += [record for record in records if not isinstance(record, StatusRecord)]
    # Statuses after prices, before stock: stock does not depend on them.
    stock: list[Record] = [r for r in catalog.records if isinstance(r, StockRecord)]
    catalog.records = [r for r in catalog.records if not isinstance(r, StockRecord)]
    catalog.records += statuses + stock
    return catalog


def _columns_known(table: Table, errors: list[FileError]) -> bool:
    required, optional = COLUMNS[table.name]
    prefix = PREFIXED.get(table.name)
    found: list[FileError] = []
    for column in table.columns:
        if column not in required + optional and not (prefix and column.startswith(prefix)):
            found.append(_error(table.name, 1, column, UserErrorCode.INVALID, "is not a column"))
        elif table.columns.count(column) > 1:
            message = "is named twice"
            found.append(_error(table.name, 1, column, UserErrorCode.DUPLICATE_ITEM, message))
    for column in required:
        if column not in table.columns:
            found.append(_error(table.name, 1, column, UserErrorCode.REQUIRED, "is missing"))
    errors += list(dict.fromkeys(found))
    return not found


def _error(file: str, row: int, column: str | None, code: UserErrorCode, text: str) -> FileError:
    return FileError(file, row, column, code, text)


class Cells:
    """One row's cells, parsed; a cell of the wrong shape is recorded as an error."""

    def __init__(self, file: str, row: int, cells: dict[str, str]) -> None:
        self.at = At(file, row)
        self.cells = cells
        self.errors: list[FileError] = []

    def fail(self, column: str, code: UserErrorCode, message: str) -> None:
        self.errors.append(_error(self.at.file, self.at.row, column, code, message))

    def text(self, column: str) -> str | None:
        """The cell; None when the file has no such column."""
        return self.cells.get(column)

    def given(self, column: str) -> str | None:
        """The cell, None when absent or blank (a blank cell leaves a field as it is)."""
        value = self.cells.get(column, "")
        return value if value.strip() else None

    def required(self, column: str) -> str:
        value = self.cells.get(column, "")
        if not value.strip():
            self.fail(column, UserErrorCode.REQUIRED, "must not be empty")
        return value.strip()

    def integer(self, column: str) -> int | None:
        value = self.given(column)
        if value is None:
            return None
        try:
            return int(value.strip())
        except ValueError:
            self.fail(column, UserErrorCode.INVALID, "must be a whole number")
            return None

    def decimal(self, column: str) -> Decimal | None:
        value = self.given(column)
        if value is None:
            return None
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite():
            self.fail(column, UserErrorCode.INVALID_AMOUNT, "must be a decimal number")
            return None
        return amount

    def boolean(self, column: str) -> bool:
        value = (self.given(column) or "false").strip().lower()
        if value not in TRUE | FALSE:
            self.fail(column, UserErrorCode.INVALID, "must be true or false")
        return value in TRUE

    def choice(self, column: str, choices: type[AttributeKind] | type[ProductStatus]) -> str | None:
        value = self.given(column)
        if value is None:
            return None
        cleaned = value.strip().lower()
        if cleaned not in {choice.value for choice in choices}:
            allowed = ", ".join(choice.value for choice in choices)
            self.fail(column, UserErrorCode.INVALID, f"must be one of {allowed}")
            return None
        return cleaned

    def prefixed(self, prefix: str) -> dict[str, str] | None:
        """Non-blank `prefix<name>` cells by name; None when the file has no such column."""
        if not any(column.startswith(prefix) for column in self.cells):
            return None
        return {
            column.removeprefix(prefix): value.strip()
            for column, value in self.cells.items()
            if column.startswith(prefix) and value.strip()
        }


def _records_of(table: Table, errors: list[FileError]) -> list[Record]:
    build = BUILDERS[table.name]
    records: list[Record] = []
    keys: set[tuple[str, ...]] = set()
    for row, cells in table.rows:
        reader = Cells(table.name, row, cells)
        built = build(reader)
        errors += reader.errors
        if reader.errors:
            continue
        for record in built:
            key = _key(record)
            if key is not None and key in keys:
                message = "names a record an earlier row of this file names"
                errors.append(
                    _error(table.name, row, key[0], UserErrorCode.DUPLICATE_ITEM, message)
                )
                break
            if key is not None:
                keys.add(key)
        else:
            records += built
    if table.name == "prices.csv":
        return _ladders(records)
    if table.name == "categories.csv":
        return _parents_first(records)
    return records


def _key(record: Record) -> tuple[str, ...] | None:
    """The column naming the record and its natural key (None: checked elsewhere)."""
    if isinstance(record, CategoryRecord | ProductTypeRecord | ProductRecord):
        return ("slug", record.slug)
    if isinstance(record, AttributeRecord):
        return ("key", record.product_type_slug, record.spec.key)
    if isinstance(record, VariantRecord):
        return ("sku", (record.details.sku or "").lower())
    if isinstance(record, StockRecord):
        return ("sku", record.sku.lower())
    return None


def _category(cells: Cells) -> list[Record]:
    return [
        CategoryRecord(
            cells.at,
            slug=cells.required("slug"),
            name=cells.required("name"),
            parent_slug=(cells.given("parent_slug") or "").strip() or None,
            position=cells.integer("position"),
            description=cells.text("description"),
        )
    ]


def _product_type(cells: Cells) -> list[Record]:
    return [
        ProductTypeRecord(
            cells.at,
            slug=cells.required("slug"),
            name=cells.required("name"),
            description=cells.text("description"),
        )
    ]


def _attribute(cells: Cells) -> list[Record]:
    kind = cells.choice("kind", AttributeKind)
    spec = AttributeSpec(
        key=cells.required("key"),
        label=cells.required("label"),
        kind=AttributeKind(kind or AttributeKind.TEXT),
        unit=cells.given("unit"),
        required=cells.boolean("required"),
        filterable=cells.boolean("filterable"),
        allowed_values=tuple(split_list(cells.text("allowed_values") or "")),
    )
    return [AttributeRecord(cells.at, cells.required("product_type_slug"), spec)]


def _product(cells: Cells) -> list[Record]:
    incoterms = cells.text("incoterms")
    product = ProductRecord(
        cells.at,
        slug=cells.required("slug"),
        name=cells.required("name"),
        category_slug=cells.required("category_slug"),
        product_type_slug=cells.required("product_type_slug"),
        hs_code=cells.required("hs_code"),
        country_of_origin=cells.required("country_of_origin"),
        moq=cells.integer("moq"),
        lead_time_days=cells.integer("lead_time_days"),
        incoterms=None if incoterms is None else [t.upper() for t in split_list(incoterms)],
        description=cells.text("description"),
        specs=cells.prefixed(SPEC),
    )
    status = cells.choice("status", ProductStatus)
    if status is None:
        return [product]
    return [product, StatusRecord(cells.at, product.slug, ProductStatus(status))]


def _variant(cells: Cells) -> list[Record]:
    options = cells.prefixed(OPTION)
    amount = cells.decimal("cost_price")
    currency = cells.given("cost_currency")
    if (amount is None) != (currency is None):
        column = "cost_currency" if currency is None else "cost_price"
        cells.fail(column, UserErrorCode.REQUIRED, "a cost needs both its price and currency")
    details = VariantDetails(
        sku=cells.required("sku"),
        name=cells.given("name"),
        option_values=None if options is None else list(options.items()),
        units_per_carton=cells.integer("units_per_carton"),
        carton_weight_kg=cells.decimal("carton_weight_kg"),
        carton_volume_m3=cells.decimal("carton_volume_m3"),
        cost=None if amount is None or currency is None else CostPrice(amount, currency),
    )
    return [VariantRecord(cells.at, cells.required("product_slug"), details)]


def _price(cells: Cells) -> list[Record]:
    tier = Tier(cells.integer("min_quantity") or 0, cells.decimal("unit_price") or Decimal(0))
    for column in ("min_quantity", "unit_price"):
        cells.required(column)
    sku, currency = cells.required("sku"), cells.required("currency").upper()
    return [LadderRecord(cells.at, sku, currency, [tier], [cells.at.row])]


def _stock(cells: Cells) -> list[Record]:
    on_hand = cells.integer("stock_on_hand")
    if on_hand is None:
        cells.required("stock_on_hand")
    return [StockRecord(cells.at, cells.required("sku"), on_hand or 0)]


BUILDERS: dict[str, Callable[[Cells], list[Record]]] = {
    "categories.csv": _category,
    "product_types.csv": _product_type,
    "attributes.csv": _attribute,
    "products.csv": _product,
    "variants.csv": _variant,
    "prices.csv": _price,
    "stock.csv": _stock,
}


def _ladders(rows: list[Record]) -> list[Record]:
    """One record per SKU and currency, its tiers by minimum quantity, each with its row."""
    grouped: dict[tuple[str, str], list[LadderRecord]] = {}
    for row in rows:
        assert isinstance(row, LadderRecord)
        grouped.setdefault((row.sku.lower(), row.currency), []).append(row)
    ladders: list[Record] = []
    for group in grouped.values():
        ordered = sorted(group, key=lambda row: row.tiers[0].min_quantity)
        first = group[0]
        ladders.append(
            LadderRecord(
                first.at,
                first.sku,
                first.currency,
                [row.tiers[0] for row in ordered],
                [row.at.row for row in ordered],
            )
        )
    return ladders


def _parents_first(rows: list[Record]) -> list[Record]:
    """Categories ordered so a parent named in the file comes before its children."""
    by_slug = {row.slug: row for row in rows if isinstance(row, CategoryRecord)}

    def depth(row: CategoryRecord) -> int:
        seen: set[str] = set()
        level = 0
        parent = row.parent_slug
        while parent in by_slug and parent not in seen:
            seen.add(parent)
            level += 1
            parent = by_slug[parent].parent_slug
        return level

    categories = [row for row in rows if isinstance(row, CategoryRecord)]
    categories.sort(key=depth)
    return list[Record](categories)
