"""Adding, editing and removing a product's variants (SKU, pack, carton, options, cost).

A SKU is unique whatever its letter case; that is checked before the unique index would
refuse it, so a clash is SKU_TAKEN, not an error. A variant with history (order or quote
lines, inquiries, stock movements) is never removed: its SKU stays resolvable for what
refers to it, and the stock ledger stays complete. To stop selling it, remove its prices.
Every change sends product.updated (`changed: ["variants"]`) for the variant's product.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.audit import changed_fields
from core.outcomes import Refused, UserErrorCode, WriteResult, refuse
from models.catalog import Product, Variant
from models.catalog.stock import StockMovement
from models.inquiries import InquiryItem, QuoteLine
from models.orders import OrderLine
from resolvers.catalog.catalog_records import (
    check_version,
    emit_product_updated,
    keep_sellable,
    locked,
    locked_variant,
    save_edit,
)
from resolvers.catalog.variant_rules import VariantDetails, check_variant_details
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.outcomes import audit, pk_of, refusable

VARIANT = "Variant"


async def create_variant(
    ctx: Context, *, product_id: str, details: VariantDetails, idempotency_key: str | None = None
) -> WriteResult[Variant]:
    """A new variant of a product in any status; it has no prices and no stock yet."""
    values, issues = check_variant_details(details, required=("sku",))
    issues += key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)

    async def create(db: AsyncSession) -> Variant:
        product = await locked(db, Product, pk_of(product_id, "Product"), "product", "productId")
        await _check_sku_free(db, values["sku"], variant_id=None)
        assert product.id is not None
        variant = Variant(product_id=product.id, **values, version=1)
        db.add(variant)
        await _flush(db)
        assert variant.id is not None
        await audit(
            ctx,
            db,
            action="variant.create",
            target_type=VARIANT,
            target_id=variant.id,
            changes=changed_fields({}, {"product_id": product.id, **values}),
        )
        await emit_product_updated(db, product, ["variants"])
        return variant

    return await refusable(
        ctx,
        lambda db: created_once(
            ctx,
            db,
            operation="createVariant",
            key=idempotency_key,
            normalised_input={**values, "product_id": product_id},
            model=Variant,
            create=lambda: create(db),
        ),
    )


async def update_variant(
    ctx: Context, *, variant_id: str, expected_version: int, details: VariantDetails
) -> WriteResult[Variant]:
    """Any of the variant's fields; absent (None) ones stay as they are."""
    values, issues = check_variant_details(details)
    if issues:
        return WriteResult(issues=issues)

    async def work(db: AsyncSession) -> Variant:
        variant = await locked(db, Variant, pk_of(variant_id, VARIANT), "variant", "id")
        check_version(variant, expected_version, "variant")
        if "sku" in values and values["sku"] != variant.sku:
            await _check_sku_free(db, values["sku"], variant_id=variant.id)
        changes = changed_fields({name: getattr(variant, name) for name in values}, values)
        if not changes:
            return variant
        for name, value in values.items():
            setattr(variant, name, value)
        await save_edit(ctx, db, variant, changes, action="variant.update", flush=_flush)
        await emit_product_updated(db, await _product_of(db, variant), ["variants"])
        return variant

    return await refusable(ctx, work)


async def remove_variant(
    ctx: Context, *, variant_id: str, expected_version: int
) -> WriteResult[Variant]:
    """Delete a variant nothing refers to, with its prices; refused if it has history."""

    async def work(db: AsyncSession) -> Variant:
        pk = pk_of(variant_id, VARIANT)
        product, variant = await locked_variant(db, pk, expected_version)
        if await _has_history(db, variant.id):
            raise refuse(
                UserErrorCode.VARIANT_IN_USE,
                "orders, quotes, inquiries or stock movements refer to this variant; remove its "
                "prices instead to stop selling it",
                "id",
            )
        snapshot = {
            name: getattr(variant, name)
            for name in ("product_id", "sku", "name", "units_per_carton", "version")
        }
        await db.delete(variant)
        await db.flush()
        await keep_sellable(db, product, "removing this variant")
        await audit(
            ctx,
            db,
            action="variant.remove",
            target_type=VARIANT,
            target_id=pk,
            changes=changed_fields(snapshot, dict.fromkeys(snapshot)),
        )
        await emit_product_updated(db, product, ["variants"])
        return variant

    return await refusable(ctx, work)


async def _check_sku_free(db: AsyncSession, sku: str, *, variant_id: int | None) -> None:
    taken = select(col(Variant.id)).where(func.lower(col(Variant.sku)) == sku.lower())
    if variant_id is not None:
        taken = taken.where(col(Variant.id) != variant_id)
    if await db.scalar(taken) is not None:
        raise _sku_taken()


def _sku_taken() -> Refused:
    return refuse(
        UserErrorCode.SKU_TAKEN, "another variant has this SKU (in any letter case)", "input", "sku"
    )


async def _flush(db: AsyncSession) -> None:
    try:
        await db.flush()
    except IntegrityError as clash:
        # Checked just before; only a concurrent write of the same SKU gets here.
        raise _sku_taken() from clash


async def _has_history(db: AsyncSession, variant_id: int | None) -> bool:
    referring: tuple[Any, ...] = (OrderLine, QuoteLine, InquiryItem, StockMovement)
    found = or_(*(exists().where(model.variant_id == variant_id) for model in referring))
    return bool(await db.scalar(select(found)))


async def _product_of(db: AsyncSession, variant: Variant) -> Product:
    product = await db.get(Product, variant.product_id)
    assert product is not None  # a variant's product is never deleted while it has variants
    return product
