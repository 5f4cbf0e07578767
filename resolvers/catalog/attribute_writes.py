"""Adding, editing and removing a product type's attributes, with its products kept valid.

A change that would leave products without a valid value (a new required attribute, a
removed allowed value in use, a changed kind) is refused with the count of those products and
a few of them; sent again with `fill` (`valueForExistingProducts`) or a `value_mapping`, it
converts every product of the type in the same transaction (`spec_conversion`). Products are
written through the ORM, so the flush hooks validate them against the new definitions and keep
the discovery tables and facet counts right.

Each converted product gets its version bumped, its own audit row (`product.convert_specs`,
so a product's history shows every change of its specs, whoever made it) and a
`product.updated` event; the type gets its version bumped and one audit row for the attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.event_types import PRODUCT_UPDATED
from core.global_id import encode_global_id
from core.outbox import emit
from core.outcomes import Issue, Refused, UserErrorCode, refuse
from models.catalog import AttributeDefinition, AttributeKind, Product, ProductType
from models.catalog.rules import CatalogRuleError
from resolvers.catalog.product_types_writes import (
    PRODUCT_TYPE,
    attributes_of_type,
    definition_of,
    product_type_at,
    snapshot_of,
)
from resolvers.catalog.spec_conversion import SpecConversion, check_fill, plan_conversion
from resolvers.catalog.taxonomy_rules import AttributePatch, AttributeSpec, check_attribute
from resolvers.catalog.taxonomy_saves import save_catalog_row
from resolvers.checks import Checker
from resolvers.context import Context
from resolvers.outcomes import audit

SAMPLE_SIZE = 5
FILL_PATH = ("valueForExistingProducts",)
MAPPING_PATH = ("valueMapping",)
# Builds the attribute after the change from the one before (None: added), None: removed.
Rebuild = Callable[[AttributeDefinition | None], AttributeSpec | None]


@dataclass(frozen=True)
class AffectedProducts:
    count: int
    sample: list[Product]  # the first few, by id


@dataclass(frozen=True)
class AttributeChangeResult:
    """The product type as changed, or why not. `affected`: on refusal, the products left
    invalid (WOULD_INVALIDATE_PRODUCTS); on success, the products converted."""

    product_type: ProductType | None = None
    issues: list[Issue] = field(default_factory=list)
    affected: AffectedProducts | None = None


@dataclass(frozen=True)
class ValueMapping:
    """A removed allowed value (`old`) and the kept one products holding it get (`new`)."""

    old: str
    new: str


async def add_attribute(
    ctx: Context,
    *,
    product_type_id: str,
    expected_version: int,
    spec: AttributeSpec,
    fill: Any = None,
) -> AttributeChangeResult:
    checker = Checker()
    cleaned = check_attribute(checker, (), spec)
    if checker.issues:
        return AttributeChangeResult(issues=checker.issues)
    return await _change_attribute(
        ctx,
        product_type_id,
        expected_version,
        key=None,
        rebuild=lambda _old: cleaned,
        fill=fill,
        action="product_type.add_attribute",
    )


async def update_attribute(
    ctx: Context,
    *,
    product_type_id: str,
    expected_version: int,
    key: str,
    patch: AttributePatch,
    fill: Any = None,
    value_mapping: Sequence[ValueMapping] = (),
) -> AttributeChangeResult:
    def rebuild(old: AttributeDefinition | None) -> AttributeSpec:
        assert old is not None
        current = AttributeSpec(
            key=old.key,
            label=old.label,
            kind=AttributeKind(old.kind),
            unit=old.unit,
            required=old.required,
            filterable=old.filterable,
            allowed_values=tuple(old.allowed_values),
        )
        checker = Checker()
        cleaned = check_attribute(checker, (), patch.applied_to(current))
        if checker.issues:
            raise Refused(*checker.issues)
        return cleaned

    return await _change_attribute(
        ctx,
        product_type_id,
        expected_version,
        key=key,
        rebuild=rebuild,
        fill=fill,
        value_mapping=value_mapping,
        action="product_type.update_attribute",
    )


async def remove_attribute(
    ctx: Context, *, product_type_id: str, expected_version: int, key: str
) -> AttributeChangeResult:
    """Removes the attribute and drops its values from every product of the type."""
    return await _change_attribute(
        ctx,
        product_type_id,
        expected_version,
        key=key,
        rebuild=lambda _old: None,
        action="product_type.remove_attribute",
    )


async def _change_attribute(
    ctx: Context,
    product_type_id: str,
    expected_version: int,
    *,
    key: str | None,
    rebuild: Rebuild,
    action: str,
    fill: Any = None,
    value_mapping: Sequence[ValueMapping] = (),
) -> AttributeChangeResult:
    try:
        async with ctx.database.transaction() as db:
            product_type = await product_type_at(
                db, product_type_id, expected_version, "productTypeId"
            )
            assert product_type.id is not None
            # Product edits lock a product, then its type FOR SHARE; this takes them in the
            # same order. A product created meanwhile holds the type FOR SHARE until it
            # commits, so the products are read again once the type is locked: none escapes.
            await _products_of(db, product_type.id)
            await db.get(ProductType, product_type.id, with_for_update=True)
            attributes = await attributes_of_type(db, product_type.id)
            old = _attribute_named(attributes, key)
            spec = rebuild(old)
            new = None if spec is None else _definition(product_type, attributes, old, spec)
            conversion = SpecConversion(
                old_key=key,
                new=new,
                value_mapping=_checked_mapping(old, new, value_mapping),
                fill=_checked_fill(new, fill),
            )
            products = await _products_of(db, product_type.id)
            plan = plan_conversion(conversion, products)
            if plan.stranded:
                return _refused_for(plan.stranded, new)
            after = await save_catalog_row(
                db, ProductType, product_type.id, expected_version, {}, what="product type"
            )
            definition_change = [
                None if old is None else snapshot_of(old),
                None if new is None else snapshot_of(new),
            ]
            await _write_definition(db, old, new)
            conversions = [(product, product.specs) for product, _ in plan.changed]
            for product, specs in plan.changed:
                product.specs = specs
                product.version += 1
            await db.flush()
            key = (new.key if new is not None else key) or ""
            await audit(
                ctx,
                db,
                action=action,
                target_type=PRODUCT_TYPE,
                target_id=after.id,
                changes={
                    f"attributes.{key}": definition_change,
                    "version": [expected_version, after.version],
                    "converted_products": [0, len(conversions)],
                },
            )
            await _record_conversions(ctx, db, conversions)
            converted = [product for product, _ in conversions]
            return AttributeChangeResult(
                product_type=after,
                affected=AffectedProducts(len(converted), converted[:SAMPLE_SIZE]),
            )
    except Refused as refused:
        return AttributeChangeResult(issues=refused.issues)


def _attribute_named(
    attributes: Sequence[AttributeDefinition], key: str | None
) -> AttributeDefinition | None:
    if key is None:
        return None
    for attribute in attributes:
        if attribute.key == key:
            return attribute
    raise refuse(UserErrorCode.NOT_FOUND, "the product type has no attribute with this key", "key")


def _definition(
    product_type: ProductType,
    attributes: Sequence[AttributeDefinition],
    old: AttributeDefinition | None,
    spec: AttributeSpec,
) -> AttributeDefinition:
    """The attribute after the change, not yet in the session."""
    if any(other.key == spec.key for other in attributes if other is not old):
        path = ("input", "key")
        raise refuse(UserErrorCode.ATTRIBUTE_KEY_TAKEN, "another attribute has this key", *path)
    assert product_type.id is not None
    position = (
        old.position if old is not None else 1 + max((a.position for a in attributes), default=-1)
    )
    return definition_of(product_type.id, spec, position)


def _checked_fill(new: AttributeDefinition | None, fill: Any) -> Any:
    if fill is None:
        return None
    if new is None:
        raise refuse(UserErrorCode.INVALID, "a removed attribute takes no value", *FILL_PATH)
    try:
        return check_fill(new, fill)
    except CatalogRuleError as error:
        raise refuse(UserErrorCode.INVALID_SPEC, error.message, *FILL_PATH) from None


def _checked_mapping(
    old: AttributeDefinition | None,
    new: AttributeDefinition | None,
    mapping: Sequence[ValueMapping],
) -> dict[str, str]:
    """Each `old` a value the attribute allowed, each `new` one it allows now."""
    if not mapping:
        return {}
    if old is None or new is None or not old.allowed_values or not new.allowed_values:
        message = "only an ENUM or MULTI_ENUM attribute that stays one takes a value mapping"
        raise refuse(UserErrorCode.INVALID, message, *MAPPING_PATH)
    checked: dict[str, str] = {}
    for index, pair in enumerate(mapping):
        where = (*MAPPING_PATH, str(index))
        if pair.old not in old.allowed_values:
            message = "is not a value the attribute allowed"
            raise refuse(UserErrorCode.INVALID_SPEC, message, *where, "old")
        if pair.new not in new.allowed_values:
            message = "is not a value the attribute allows after the change"
            raise refuse(UserErrorCode.INVALID_SPEC, message, *where, "new")
        if pair.old in checked:
            raise refuse(UserErrorCode.DUPLICATE_ITEM, "maps a value twice", *where, "old")
        checked[pair.old] = pair.new
    return checked


async def _products_of(db: AsyncSession, product_type_id: int) -> list[Product]:
    """Every product of the type, in any status, locked until the change commits: an edit of
    one waits for it and then meets the new definitions and the bumped version."""
    statement = (
        select(Product)
        .where(col(Product.product_type_id) == product_type_id)
        .order_by(col(Product.id))
        .with_for_update()
    )
    return list(await db.scalars(statement))


def _refused_for(
    stranded: Sequence[Product], new: AttributeDefinition | None
) -> AttributeChangeResult:
    assert new is not None  # only a kept attribute can need a value
    issue = Issue(
        None,
        UserErrorCode.WOULD_INVALIDATE_PRODUCTS,
        f"{len(stranded)} products would have no valid value for `{new.key}`; send "
        "valueForExistingProducts (or valueMapping for removed values) to convert them",
    )
    return AttributeChangeResult(
        issues=[issue], affected=AffectedProducts(len(stranded), list(stranded[:SAMPLE_SIZE]))
    )


async def _write_definition(
    db: AsyncSession, old: AttributeDefinition | None, new: AttributeDefinition | None
) -> None:
    """The definition changed and flushed before the products are, so their flush hook
    validates them against it."""
    if old is None and new is not None:
        db.add(new)
    elif old is not None and new is None:
        await db.delete(old)
    elif old is not None and new is not None:
        for name, value in snapshot_of(new).items():
            setattr(old, name, value)
    await db.flush()


async def _record_conversions(
    ctx: Context, db: AsyncSession, conversions: Sequence[tuple[Product, dict[str, Any]]]
) -> None:
    """Per converted product: an audit row with its specs before and after, and the event."""
    for product, specs_before in conversions:
        assert product.id is not None
        await audit(
            ctx,
            db,
            action="product.convert_specs",
            target_type="Product",
            target_id=product.id,
            changes={
                "specs": [specs_before, product.specs],
                "version": [product.version - 1, product.version],
            },
        )
        await emit(
            db,
            PRODUCT_UPDATED,
            {
                "product_id": encode_global_id("Product", product.id),
                "slug": product.slug,
                "name": product.name,
                "status": str(product.status),
                "previous_status": str(product.status),
                "version": product.version,
                "changed": ["specs"],
            },
        )
