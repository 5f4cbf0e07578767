"""Creating and editing product types (name, slug, description); their attributes change
through `attribute_writes`. One transaction and one audit row per change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.audit import changed_fields
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult, refuse
from models.catalog import AttributeDefinition, ProductType
from resolvers.catalog.taxonomy_rules import (
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    AttributeSpec,
    check_new_attributes,
    check_slug,
)
from resolvers.catalog.taxonomy_saves import (
    check_slug_free,
    save_catalog_row,
    slug_guard,
)
from resolvers.checks import Checker
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.outcomes import audit, pk_of, refusable
from resolvers.versions import stale

PRODUCT_TYPE = "ProductType"
AUDITED = ("name", "slug", "description")


@dataclass(frozen=True)
class ProductTypeDetails:
    """What a caller sets on a product type; None leaves a field as it is (on edits)."""

    name: str | None = None
    slug: str | None = None
    description: str | None = None


def check_product_type_details(
    details: ProductTypeDetails, *, creating: bool
) -> tuple[dict[str, Any], Checker]:
    checker = Checker()
    values: dict[str, Any] = {}
    if details.name is not None or creating:
        values["name"] = checker.text(("name",), details.name or "", MAX_NAME_LENGTH, required=True)
    if details.slug is not None or creating:
        values["slug"] = check_slug(checker, ("slug",), details.slug or "")
    if details.description is not None:
        values["description"] = checker.text(
            ("description",), details.description, MAX_DESCRIPTION_LENGTH, required=False
        )
    return values, checker


def definition_of(product_type_id: int, spec: AttributeSpec, position: int) -> AttributeDefinition:
    return AttributeDefinition(
        product_type_id=product_type_id,
        key=spec.key,
        label=spec.label,
        kind=spec.kind,
        unit=spec.unit,
        required=spec.required,
        filterable=spec.filterable,
        allowed_values=list(spec.allowed_values),
        position=position,
    )


def snapshot_of(definition: AttributeDefinition) -> dict[str, Any]:
    """An attribute as the audit log records it."""
    return {
        "key": definition.key,
        "label": definition.label,
        "kind": str(definition.kind),
        "unit": definition.unit,
        "required": definition.required,
        "filterable": definition.filterable,
        "allowed_values": list(definition.allowed_values),
    }


def type_not_found(*path: str) -> Refused:
    return refuse(UserErrorCode.NOT_FOUND, "no product type has this id", *path)


async def product_type_at(
    db: AsyncSession, global_id: str, expected_version: int | None, *path: str
) -> ProductType:
    """The product type, if it exists and (when given) is still at `expected_version`."""
    pk = pk_of(global_id, PRODUCT_TYPE)
    found = None if pk is None else await db.get(ProductType, pk)
    if found is None:
        raise type_not_found(*path)
    if expected_version is not None and found.version != expected_version:
        raise stale("product type", found.version)
    return found


async def create_product_type(
    ctx: Context,
    details: ProductTypeDetails,
    attributes: Sequence[AttributeSpec],
    *,
    idempotency_key: str | None,
) -> WriteResult[ProductType]:
    """A new product type with its attributes, in the order given."""
    values, checker = check_product_type_details(details, creating=True)
    specs = check_new_attributes(checker, ("attributes",), attributes)
    issues: list[Issue] = checker.issues + key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)
    normalised = {**values, "attributes": [asdict(spec) for spec in specs]}

    async def create(db: AsyncSession) -> ProductType:
        await check_slug_free(db, ProductType, values["slug"])
        product_type = ProductType(**values)
        async with slug_guard(db, ProductType):
            db.add(product_type)
            await db.flush()
        assert product_type.id is not None
        definitions = [
            definition_of(product_type.id, spec, position) for position, spec in enumerate(specs)
        ]
        db.add_all(definitions)
        await db.flush()
        changes = {
            **changed_fields({}, {name: values.get(name, "") for name in AUDITED}),
            "attributes": [None, [snapshot_of(definition) for definition in definitions]],
        }
        await audit(
            ctx,
            db,
            action="product_type.create",
            target_type=PRODUCT_TYPE,
            target_id=product_type.id,
            changes=changes,
        )
        return product_type

    return await refusable(
        ctx,
        lambda db: created_once(
            ctx,
            db,
            operation="createProductType",
            key=idempotency_key,
            normalised_input=normalised,
            model=ProductType,
            create=lambda: create(db),
        ),
    )


async def update_product_type(
    ctx: Context, *, product_type_id: str, expected_version: int, details: ProductTypeDetails
) -> WriteResult[ProductType]:
    """Name, slug and description; absent (None) fields stay as they are."""
    values, checker = check_product_type_details(details, creating=False)
    if checker.issues:
        return WriteResult(issues=checker.issues)

    async def update(db: AsyncSession) -> ProductType:
        before = await product_type_at(db, product_type_id, expected_version, "id")
        changes = changed_fields({name: getattr(before, name) for name in AUDITED}, values)
        if not changes:
            return before
        assert before.id is not None
        if "slug" in changes:
            await check_slug_free(db, ProductType, values["slug"], owner=before.id)
        async with slug_guard(db, ProductType):
            after = await save_catalog_row(
                db, ProductType, before.id, expected_version, values, what="product type"
            )
        await audit(
            ctx,
            db,
            action="product_type.update",
            target_type=PRODUCT_TYPE,
            target_id=after.id,
            changes={**changes, "version": [expected_version, after.version]},
        )
        return after

    return await refusable(ctx, update)


async def attributes_of_type(db: AsyncSession, product_type_id: int) -> list[AttributeDefinition]:
    statement = (
        select(AttributeDefinition)
        .where(col(AttributeDefinition.product_type_id) == product_type_id)
        .order_by(col(AttributeDefinition.position), col(AttributeDefinition.key))
    )
    return list(await db.scalars(statement))
