"""What applying one record of a catalog file came to: its result, or the file cells at fault.

A mutation's issues name API fields (`["input", "categoryId"]`); a file's reader needs the row
and column, so `refused_row` maps each issue to the cell it is about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from core.outcomes import Issue, UserErrorCode
from resolvers.catalog.catalog_file import FileError
from resolvers.catalog.catalog_file_records import (
    OPTION,
    SPEC,
    LadderRecord,
    Record,
    StatusRecord,
    StockRecord,
    VariantRecord,
)

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"
# API fields of the mutations' issues, as the file's columns.
COLUMN_OF = {
    "parentId": "parent_slug",
    "categoryId": "category_slug",
    "productTypeId": "product_type_slug",
    "variantId": "sku",
    "adjustment": "stock_on_hand",
}


class RowRefused(Exception):
    def __init__(self, *errors: FileError) -> None:
        self.errors = list(errors)


def refused_row(record: Record, issues: Sequence[Issue]) -> RowRefused:
    return RowRefused(*(_error_at(record, issue) for issue in issues))


def _error_at(record: Record, issue: Issue) -> FileError:
    parts = [part for part in issue.field or () if part != "input"]
    row, column = record.at.row, _column(record, parts)
    if isinstance(record, LadderRecord) and parts[:1] == ["tiers"] and len(parts) > 1:
        row = record.rows[int(parts[1])]
    return FileError(record.at.file, row, column, issue.code, issue.message)


def _column(record: Record, parts: list[str]) -> str | None:
    if not parts:
        return None
    head = parts[0]
    if head == "id":
        return "status" if isinstance(record, StatusRecord) else _key_column(record)
    if head == "specs" and len(parts) > 1:
        return SPEC + parts[1]
    if head == "optionValues" and isinstance(record, VariantRecord):
        options = record.details.option_values or []
        index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        return OPTION + options[index][0] if index < len(options) else None
    if head == "cost":
        return "cost_price" if parts[1:2] == ["amount"] else "cost_currency"
    if head == "tiers" and len(parts) > 2:
        return _snake(parts[2])
    return COLUMN_OF.get(head) or _snake(head)


def _key_column(record: Record) -> str:
    return "sku" if isinstance(record, VariantRecord | LadderRecord | StockRecord) else "slug"


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", r"_\1", name).lower()


def missing_row(record: Record, column: str, what: str) -> RowRefused:
    message = f"no {what} has this {'SKU' if column == 'sku' else 'slug'}"
    return RowRefused(
        FileError(record.at.file, record.at.row, column, UserErrorCode.NOT_FOUND, message)
    )


async def found_row(db: AsyncConnection, statement: Any) -> Any:
    return (await db.execute(statement)).first()


def moved(before: int, after: int) -> str:
    return UPDATED if after != before else UNCHANGED
