"""What the category and product type writes share: optimistic saves that keep cached reads
right, slugs refused as taken (never an IntegrityError), and creates answered once per key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from core.db import CATALOG_CHANGED
from core.outcomes import UserErrorCode, refuse
from models.catalog import Category, ProductType
from resolvers.versions import save_versioned

Row = TypeVar("Row", bound=SQLModel)
Sluggable = TypeVar("Sluggable", Category, ProductType)


async def save_catalog_row(
    db: AsyncSession,
    model: type[Row],
    pk: int,
    expected_version: int,
    values: dict[str, Any],
    *,
    what: str,
) -> Row:
    """`save_versioned` for a catalog row: its Core UPDATE skips the ORM flush hook that marks
    the transaction as a catalog write, so mark it here and cached reads are invalidated."""
    saved = await save_versioned(db, model, pk, expected_version, values, what=what)
    db.info[CATALOG_CHANGED] = True
    return saved


async def check_slug_free(
    db: AsyncSession, model: type[Sluggable], slug: str, *, owner: int | None = None
) -> None:
    """Refused with SLUG_TAKEN when another row of `model` has `slug`."""
    table: Any = model
    found = await db.scalar(select(col(table.id)).where(col(table.slug) == slug))
    if found is not None and found != owner:
        raise _slug_taken(model)


@asynccontextmanager
async def slug_guard(db: AsyncSession, model: type[Sluggable]) -> AsyncIterator[None]:
    """Run writes in a savepoint: a concurrent writer that took the slug between
    `check_slug_free` and the write makes it SLUG_TAKEN, not an IntegrityError."""
    try:
        async with db.begin_nested():
            yield
    except IntegrityError as error:
        if "slug" not in str(error.orig):
            raise
        raise _slug_taken(model) from None


def _slug_taken(model: type[SQLModel]) -> Exception:
    what = "category" if model is Category else "product type"
    return refuse(UserErrorCode.SLUG_TAKEN, f"another {what} has this slug", "input", "slug")
