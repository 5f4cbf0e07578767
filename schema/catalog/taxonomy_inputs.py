"""Inputs of the category, product type and attribute mutations, and their translation into
the resolvers' plain values."""

from __future__ import annotations

from typing import cast

import strawberry

from models.catalog import AttributeKind as AttributeKindModel
from resolvers.catalog.attribute_writes import ValueMapping
from resolvers.catalog.categories_writes import CategoryDetails
from resolvers.catalog.product_types_writes import ProductTypeDetails
from resolvers.catalog.taxonomy_rules import AttributePatch, AttributeSpec
from schema.catalog.enums import AttributeKind

SLUG = (
    "Lowercase letters, digits and single hyphens, up to 120 characters, unique among "
    "{what}; the storefront reads it exactly as stored."
)


def _kind(kind: AttributeKind) -> AttributeKindModel:
    return AttributeKindModel(cast(str, kind.value))


@strawberry.input(description="A new category.")
class CategoryInput:
    name: str = strawberry.field(description="Display name, up to 120 characters.")
    slug: str = strawberry.field(description=SLUG.format(what="categories"))
    description: str = strawberry.field(default="", description="Longer description.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the parent category; null for a top-level one."
    )
    position: int | None = strawberry.field(
        default=None,
        description="Place among its siblings, 0 first; null puts it last.",
    )

    def to_details(self) -> CategoryDetails:
        return CategoryDetails(name=self.name, slug=self.slug, description=self.description)


@strawberry.input(description="Changes to a category; null fields stay as they are.")
class CategoryPatch:
    name: str | None = strawberry.field(default=None, description="New display name.")
    slug: str | None = strawberry.field(
        default=None,
        description="New slug. Storefront URLs with the old one stop finding the category.",
    )
    description: str | None = strawberry.field(default=None, description="New description.")

    def to_details(self) -> CategoryDetails:
        return CategoryDetails(name=self.name, slug=self.slug, description=self.description)


@strawberry.input(description="One attribute of a product type's specs.")
class AttributeInput:
    key: str = strawberry.field(
        description=(
            "Key in specs and filters: a lowercase letter, then lowercase letters, digits or "
            "underscores, up to 64 characters (`width_cm`)."
        )
    )
    label: str = strawberry.field(description="Human label, up to 120 characters.")
    kind: AttributeKind = strawberry.field(description="The kind of value it holds.")
    unit: str | None = strawberry.field(
        default=None, description="Unit label of a NUMBER attribute, e.g. 'g/m²'."
    )
    required: bool = strawberry.field(default=False, description="Every product must set it.")
    filterable: bool = strawberry.field(
        default=False, description="The storefront may filter and facet on it."
    )
    allowed_values: list[str] = strawberry.field(
        default_factory=list,
        description="The values an ENUM or MULTI_ENUM accepts (1 to 200); empty for others.",
    )

    def to_spec(self) -> AttributeSpec:
        return AttributeSpec(
            key=self.key,
            label=self.label,
            kind=_kind(self.kind),
            unit=self.unit,
            required=self.required,
            filterable=self.filterable,
            allowed_values=tuple(self.allowed_values),
        )


@strawberry.input(
    description=(
        "Changes to an attribute; null fields stay as they are. A kind other than NUMBER "
        "drops the unit, and one other than ENUM or MULTI_ENUM the allowed values."
    )
)
class AttributePatchInput:
    key: str | None = strawberry.field(
        default=None, description="New key; products' values move to it."
    )
    label: str | None = strawberry.field(default=None, description="New label.")
    kind: AttributeKind | None = strawberry.field(default=None, description="New kind.")
    unit: str | None = strawberry.field(
        default=None, description="New unit label; an empty string removes it."
    )
    required: bool | None = strawberry.field(default=None, description="Now required or not.")
    filterable: bool | None = strawberry.field(default=None, description="Now filterable or not.")
    allowed_values: list[str] | None = strawberry.field(
        default=None, description="The whole new list of allowed values."
    )

    def to_patch(self) -> AttributePatch:
        return AttributePatch(
            key=self.key,
            label=self.label,
            kind=None if self.kind is None else _kind(self.kind),
            unit=self.unit,
            required=self.required,
            filterable=self.filterable,
            allowed_values=None if self.allowed_values is None else tuple(self.allowed_values),
        )


@strawberry.input(description="A new product type, with its attributes.")
class ProductTypeInput:
    name: str = strawberry.field(description="Display name, up to 120 characters.")
    slug: str = strawberry.field(description=SLUG.format(what="product types"))
    description: str = strawberry.field(default="", description="What products of it are.")
    attributes: list[AttributeInput] = strawberry.field(
        default_factory=list, description="Its attributes in display order, up to 100."
    )

    def to_details(self) -> ProductTypeDetails:
        return ProductTypeDetails(name=self.name, slug=self.slug, description=self.description)


@strawberry.input(description="Changes to a product type; null fields stay as they are.")
class ProductTypePatch:
    name: str | None = strawberry.field(default=None, description="New display name.")
    slug: str | None = strawberry.field(default=None, description="New slug.")
    description: str | None = strawberry.field(default=None, description="New description.")

    def to_details(self) -> ProductTypeDetails:
        return ProductTypeDetails(name=self.name, slug=self.slug, description=self.description)


@strawberry.input(description="Products holding a removed allowed value get a kept one instead.")
class ValueMappingInput:
    old: str = strawberry.field(description="A value the attribute allowed before the change.")
    new: str = strawberry.field(description="A value it allows after the change.")

    def to_mapping(self) -> ValueMapping:
        return ValueMapping(old=self.old, new=self.new)
