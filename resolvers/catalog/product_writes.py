"""Creating and editing products, and moving them between draft, active and archived.

Each change runs in one transaction with its audit row and its outbox event; a refused change
(any `Refused`) writes nothing. A product starts as a draft, which the storefront never sees;
publishing needs something a buyer can order (`catalog_records.is_sellable`). Rows are written
through the ORM, so the discovery tables and cached reads follow at commit (core/db.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.audit import changed_fields
from core import outbox
from core.event_types import PRODUCT_ARCHIVED, PRODUCT_CREATED, PRODUCT_PUBLISHED
from core.outcomes import Refused, UserErrorCode, WriteResult, refuse
from models.catalog import (
    AttributeDefinition,
    Category,
    PriceTier,
    Product,
    ProductStatus,
    ProductType,
    Variant,
)
from resolvers.catalog.catalog_records import (
    check_version,
    emit_product_updated,
    is_sellable,
    locked,
    not_found,
    product_event,
    save_edit,
)
from resolvers.catalog.product_rules import ProductDetails, check_product_details, check_specs
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.outcomes import audit, pk_of, refusable

PRODUCT = "Product"
REQUIRED = ("name", "slug", "category_id", "product_type_id", "hs_code", "country_of_origin")


async def create_product(
    ctx: Context, details: ProductDetails, idempotency_key: str | None = None
) -> WriteResult[Product]:
    """A new draft product; with a key, a retry answers the product the first call made."""
    checked = check_product_details(details, required=REQUIRED)
    issues = checked.issues + key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)
    values = checked.values

    async def create(db: AsyncSession) -> Product:
        await _check_category(db, values["category_id"])
        specs = await _checked_specs(db, values["product_type_id"], checked.raw_specs or {})
        await _check_slug_free(db, values["slug"], product_id=None)
        product = Product(**values, specs=specs, status=ProductStatus.DRAFT, version=1)
        db.add(product)
        await _flush(db)
        assert product.id is not None
        await audit(
            ctx,
            db,
            action="product.create",
            target_type=PRODUCT,
            target_id=product.id,
            changes=changed_fields({}, {**values, "specs": specs, "status": product.status}),
        )
        await outbox.emit(db, PRODUCT_CREATED, product_event(product, None))
        return product

    return await refusable(
        ctx,
        lambda db: created_once(
            ctx,
            db,
            operation="createProduct",
            key=idempotency_key,
            normalised_input={**values, "specs": checked.raw_specs},
            model=Product,
            create=lambda: create(db),
        ),
    )


async def update_product(
    ctx: Context, *, product_id: str, expected_version: int, details: ProductDetails
) -> WriteResult[Product]:
    """Any of the product's fields; absent (None) ones stay as they are. Given specs replace
    all of them; a new product type re-checks the specs kept."""
    checked = check_product_details(details)
    if checked.issues:
        return WriteResult(issues=checked.issues)

    async def work(db: AsyncSession) -> Product:
        product = await _locked_product(db, product_id, expected_version)
        values = dict(checked.values)
        type_id = values.get("product_type_id", product.product_type_id)
        if checked.raw_specs is not None or type_id != product.product_type_id:
            raw = product.specs if checked.raw_specs is None else checked.raw_specs
            values["specs"] = await _checked_specs(db, type_id, raw)
        if values.get("category_id", product.category_id) != product.category_id:
            await _check_category(db, values["category_id"])
        if values.get("slug", product.slug) != product.slug:
            await _check_slug_free(db, values["slug"], product_id=product.id)
        if values.get("moq", product.moq) < product.moq:
            await _check_ladders_start_within(db, product, values["moq"])
        changes = changed_fields({name: getattr(product, name) for name in values}, values)
        if not changes:
            return product
        for name, value in values.items():
            setattr(product, name, value)
        await save_edit(ctx, db, product, changes, action="product.update", flush=_flush)
        await emit_product_updated(db, product, list(changes))
        return product

    return await refusable(ctx, work)


async def publish_product(
    ctx: Context, *, product_id: str, expected_version: int
) -> WriteResult[Product]:
    """Put a draft or archived product on sale, if a buyer could order it."""

    async def work(db: AsyncSession) -> Product:
        product = await _locked_product(db, product_id, expected_version)
        previous = _move(product, (ProductStatus.DRAFT, ProductStatus.ARCHIVED), "publish")
        assert product.id is not None
        if not await is_sellable(db, product.id):
            raise refuse(
                UserErrorCode.NOT_SELLABLE,
                "a buyer could not order this product: give a variant a price ladder first",
                "id",
            )
        await _status_saved(ctx, db, product, previous, action="product.publish")
        await outbox.emit(db, PRODUCT_PUBLISHED, product_event(product, previous))
        return product

    return await refusable(ctx, work)


async def unpublish_product(
    ctx: Context, *, product_id: str, expected_version: int
) -> WriteResult[Product]:
    """Take an active product off sale, back to draft; orders already placed stand."""

    async def work(db: AsyncSession) -> Product:
        product = await _locked_product(db, product_id, expected_version)
        previous = _move(product, (ProductStatus.ACTIVE,), "unpublish")
        await _status_saved(ctx, db, product, previous, action="product.unpublish")
        await emit_product_updated(db, product, ["status"], previous_status=previous)
        return product

    return await refusable(ctx, work)


async def archive_product(
    ctx: Context, *, product_id: str, expected_version: int
) -> WriteResult[Product]:
    """Withdraw a draft or active product for good (it can be published again later)."""

    async def work(db: AsyncSession) -> Product:
        product = await _locked_product(db, product_id, expected_version)
        previous = _move(product, (ProductStatus.DRAFT, ProductStatus.ACTIVE), "archive")
        await _status_saved(ctx, db, product, previous, action="product.archive")
        await outbox.emit(db, PRODUCT_ARCHIVED, product_event(product, previous))
        return product

    return await refusable(ctx, work)


async def _locked_product(db: AsyncSession, product_id: str, expected_version: int) -> Product:
    product = await locked(db, Product, pk_of(product_id, PRODUCT), "product", "id")
    check_version(product, expected_version, "product")
    return product


def _move(product: Product, sources: tuple[ProductStatus, ...], doing: str) -> ProductStatus:
    """The status before; the product is now in its new status, or Refused."""
    previous = ProductStatus(product.status)
    if previous not in sources:
        raise refuse(
            UserErrorCode.ILLEGAL_TRANSITION, f"cannot {doing} a product that is {previous}", "id"
        )
    product.status = {
        "publish": ProductStatus.ACTIVE,
        "unpublish": ProductStatus.DRAFT,
        "archive": ProductStatus.ARCHIVED,
    }[doing]
    return previous


async def _status_saved(
    ctx: Context, db: AsyncSession, product: Product, previous: ProductStatus, *, action: str
) -> None:
    changes = changed_fields({"status": previous}, {"status": ProductStatus(product.status)})
    await save_edit(ctx, db, product, changes, action=action, flush=_flush)


async def _flush(db: AsyncSession) -> None:
    try:
        await db.flush()
    except IntegrityError as clash:
        # Checked just before; only a concurrent write of the same slug gets here.
        raise refuse(
            UserErrorCode.SLUG_TAKEN, "another product has this slug", "input", "slug"
        ) from clash


async def _check_category(db: AsyncSession, category_id: int) -> None:
    if await db.get(Category, category_id) is None:
        raise not_found("Category", "input", "categoryId")


async def _checked_specs(
    db: AsyncSession, product_type_id: int, raw: dict[str, Any]
) -> dict[str, Any]:
    # FOR SHARE until this write commits: an attribute change of the type (which takes it FOR
    # UPDATE) waits for this product, then converts it, or runs first and is read here.
    if await db.get(ProductType, product_type_id, with_for_update={"read": True}) is None:
        raise not_found("ProductType", "input", "productTypeId")
    attributes = list(
        await db.scalars(
            select(AttributeDefinition).where(
                col(AttributeDefinition.product_type_id) == product_type_id
            )
        )
    )
    specs, issues = check_specs(attributes, raw)
    if issues:
        raise Refused(*issues)
    return specs


async def _check_slug_free(db: AsyncSession, slug: str, *, product_id: int | None) -> None:
    taken = select(col(Product.id)).where(col(Product.slug) == slug)
    if product_id is not None:
        taken = taken.where(col(Product.id) != product_id)
    if await db.scalar(taken) is not None:
        raise refuse(UserErrorCode.SLUG_TAKEN, "another product has this slug", "input", "slug")


async def _check_ladders_start_within(db: AsyncSession, product: Product, moq: int) -> None:
    """A lower MOQ must still be priced: no ladder of the product may start above it."""
    first_tiers = (
        select(func.min(col(PriceTier.min_quantity)).label("first"))
        .join(Variant, col(Variant.id) == col(PriceTier.variant_id))
        .where(col(Variant.product_id) == product.id)
        .group_by(col(PriceTier.variant_id), col(PriceTier.currency))
        .subquery()
    )
    highest_first = await db.scalar(select(func.max(first_tiers.c.first)))
    if highest_first is not None and highest_first > moq:
        raise refuse(
            UserErrorCode.TIER_ABOVE_MOQ,
            f"a price ladder of this product starts at {highest_first}: a buyer ordering "
            f"{moq} would find no price; lower that ladder first",
            "input",
            "moq",
        )
