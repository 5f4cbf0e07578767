"""What the catalog's writes share: rows locked for a change, versions, events, sellability.

Catalog rows are changed through the ORM session, never with a bare UPDATE, so the flush hooks
(core/db.py) apply the catalog rules and rewrite the discovery rows in the same transaction,
and the commit invalidates cached reads. An edit names the version it was based on: the row
is read `FOR NO KEY UPDATE`, so of two edits based on one version the second waits, then sees
the version moved on and gets CONFLICT.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from core import outbox
from core.event_types import PRODUCT_UPDATED
from core.global_id import encode_global_id
from core.outcomes import Refused, UserErrorCode, refuse
from core.row_locks import lock_for_no_key_update
from models.catalog import PriceTier, Product, ProductStatus, Variant
from resolvers.context import Context
from resolvers.outcomes import audit
from resolvers.versions import stale

Row = TypeVar("Row", bound=SQLModel)


def not_found(what: str, *path: str) -> Refused:
    return refuse(UserErrorCode.NOT_FOUND, f"no {what} has this id", *path)


async def locked(db: AsyncSession, model: type[Row], pk: int | None, what: str, *path: str) -> Row:
    """The row, locked against other writers until the transaction ends; NOT_FOUND if none."""
    table: Any = model
    statement = lock_for_no_key_update(select(model).where(table.id == pk))
    row: Row | None = (
        await db.scalars(statement.execution_options(populate_existing=True))
    ).first()
    if row is None:
        raise not_found(what, *path)
    return row


async def locked_variant(
    db: AsyncSession, pk: int | None, expected_version: int
) -> tuple[Product, Variant]:
    """The variant and its product, both locked, the product first (as every catalog write
    takes them), so a variant change and a product change never deadlock."""
    # One statement finds the owner and locks it; the variant's own row is not locked by it.
    owner = select(col(Variant.product_id)).where(col(Variant.id) == pk).scalar_subquery()
    statement = lock_for_no_key_update(select(Product).where(col(Product.id) == owner))
    product = (await db.scalars(statement.execution_options(populate_existing=True))).first()
    if product is None:
        raise not_found("variant", "id")
    variant = await locked(db, Variant, pk, "variant", "id")
    check_version(variant, expected_version, "variant")
    return product, variant


def check_version(row: Any, expected_version: int, what: str) -> None:
    if row.version != expected_version:
        raise stale(what, row.version)


async def save_edit(
    ctx: Context,
    db: AsyncSession,
    row: Product | Variant,
    changes: dict[str, Any],
    *,
    action: str,
    flush: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> None:
    """Flush the changed row with its version bumped (with `flush`, which may turn a unique
    index's refusal into a userError), and audit the change, the version's included."""
    before = row.version
    row.version = before + 1
    await (flush or _plain_flush)(db)
    await audit(
        ctx,
        db,
        action=action,
        target_type=type(row).__name__,
        target_id=row.id,
        changes={**changes, "version": [before, row.version]},
    )


async def _plain_flush(db: AsyncSession) -> None:
    await db.flush()


async def is_sellable(db: AsyncSession, product_id: int) -> bool:
    """Whether a buyer could order the product: some variant of it has a price ladder."""
    priced = (
        select(col(PriceTier.id))
        .join(Variant, col(Variant.id) == col(PriceTier.variant_id))
        .where(col(Variant.product_id) == product_id)
    )
    return bool(await db.scalar(select(exists(priced))))


async def keep_sellable(db: AsyncSession, product: Product, doing: str) -> None:
    """Refuse a change that would leave an active product with nothing a buyer can order."""
    assert product.id is not None
    if product.status == ProductStatus.ACTIVE and not await is_sellable(db, product.id):
        raise refuse(
            UserErrorCode.NOT_SELLABLE,
            f"{doing} would leave this active product without a priced variant; "
            "unpublish it first, or add another priced variant",
        )


def product_event(product: Product, previous_status: ProductStatus | None) -> dict[str, Any]:
    """What every product event carries (core/event_types.py's example)."""
    assert product.id is not None
    return {
        "product_id": encode_global_id("Product", product.id),
        "slug": product.slug,
        "name": product.name,
        "status": ProductStatus(product.status).value,
        "previous_status": None if previous_status is None else previous_status.value,
        "version": product.version,
    }


async def emit_product_updated(
    db: AsyncSession,
    product: Product,
    changed: list[str],
    previous_status: ProductStatus | None = None,
) -> None:
    """product.updated, naming the changed fields (`status` only when unpublishing)."""
    previous = previous_status or ProductStatus(product.status)
    await outbox.emit(
        db, PRODUCT_UPDATED, {**product_event(product, previous), "changed": sorted(changed)}
    )
