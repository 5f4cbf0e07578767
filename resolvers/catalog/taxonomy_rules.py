"""Input rules of the catalog's taxonomy: slugs, names, and attribute definitions.

Plain functions over a `Checker`, so every violation of an input is reported at once under its
path, and nothing here needs GraphQL or a database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.outcomes import UserErrorCode
from models.catalog import AttributeKind
from models.catalog.discovery import MAX_TEXT_VALUE_LENGTH
from models.reference import is_slug
from resolvers.checks import Checker, Path

MAX_NAME_LENGTH = 120  # categories.name, product_types.name
MAX_SLUG_LENGTH = 120  # categories.slug, product_types.slug
MAX_DESCRIPTION_LENGTH = 20_000
MAX_LABEL_LENGTH = 120  # attribute_definitions.label
MAX_UNIT_LENGTH = 32  # attribute_definitions.unit
MAX_ALLOWED_VALUES = 200
MAX_ATTRIBUTES = 100
_ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CHOICE_KINDS = (AttributeKind.ENUM, AttributeKind.MULTI_ENUM)


@dataclass(frozen=True)
class AttributeSpec:
    """An attribute definition as an API caller describes it (`unit` only for NUMBER)."""

    key: str
    label: str
    kind: AttributeKind
    unit: str | None = None
    required: bool = False
    filterable: bool = False
    allowed_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttributePatch:
    """Changes to an attribute definition; None leaves a field as it is."""

    key: str | None = None
    label: str | None = None
    kind: AttributeKind | None = None
    unit: str | None = None
    required: bool | None = None
    filterable: bool | None = None
    allowed_values: tuple[str, ...] | None = None

    def applied_to(self, current: AttributeSpec) -> AttributeSpec:
        changed = {name: value for name, value in vars(self).items() if value is not None}
        merged = replace(current, **changed)
        if merged.kind is not AttributeKind.NUMBER and "unit" not in changed:
            merged = replace(merged, unit=None)  # a unit belongs to numbers only
        if merged.kind not in _CHOICE_KINDS and "allowed_values" not in changed:
            merged = replace(merged, allowed_values=())
        return merged


def check_slug(checker: Checker, where: Path, value: str) -> str:
    """The slug as stored and as the storefront's `category(slug:)` reads it: exactly."""
    cleaned = value.strip()
    if not is_slug(cleaned) or len(cleaned) > MAX_SLUG_LENGTH:
        checker.fail(
            where,
            UserErrorCode.INVALID_SLUG,
            "must be lowercase letters, digits and single hyphens (such as woven-fabrics), "
            f"at most {MAX_SLUG_LENGTH} characters",
        )
    return cleaned


def check_attribute(checker: Checker, where: Path, spec: AttributeSpec) -> AttributeSpec:
    """The definition cleaned (trimmed label and unit, no empty unit), or issues recorded."""
    if not _ATTRIBUTE_KEY.match(spec.key):
        checker.fail(
            (*where, "key"),
            UserErrorCode.INVALID_ATTRIBUTE_KEY,
            "must be a lowercase letter, then lowercase letters, digits or underscores, "
            "at most 64 characters",
        )
    label = checker.text((*where, "label"), spec.label, MAX_LABEL_LENGTH, required=True)
    unit = spec.unit.strip() if spec.unit is not None else None
    if unit and spec.kind is not AttributeKind.NUMBER:
        checker.fail((*where, "unit"), UserErrorCode.INVALID, "only NUMBER attributes have a unit")
    elif unit and len(unit) > MAX_UNIT_LENGTH:
        message = f"must be at most {MAX_UNIT_LENGTH} characters"
        checker.fail((*where, "unit"), UserErrorCode.TOO_LONG, message)
    values = _check_allowed_values(checker, (*where, "allowedValues"), spec)
    return replace(spec, label=label, unit=unit or None, allowed_values=values)


def _check_allowed_values(checker: Checker, where: Path, spec: AttributeSpec) -> tuple[str, ...]:
    if spec.kind not in _CHOICE_KINDS:
        if spec.allowed_values:
            checker.fail(where, UserErrorCode.INVALID, "only ENUM and MULTI_ENUM take values")
        return ()
    checker.item_count(where, len(spec.allowed_values), MAX_ALLOWED_VALUES)
    cleaned: list[str] = []
    for index, value in enumerate(spec.allowed_values):
        one = checker.text((*where, str(index)), value, MAX_TEXT_VALUE_LENGTH, required=True)
        if one in cleaned:
            checker.fail((*where, str(index)), UserErrorCode.DUPLICATE_ITEM, "is listed twice")
        cleaned.append(one)
    return tuple(cleaned)


def check_new_attributes(
    checker: Checker, where: Path, specs: Sequence[AttributeSpec]
) -> list[AttributeSpec]:
    """A new product type's attributes: each valid, no key twice."""
    if len(specs) > MAX_ATTRIBUTES:
        checker.fail(where, UserErrorCode.TOO_MANY_ITEMS, f"must name at most {MAX_ATTRIBUTES}")
        return []
    cleaned: list[AttributeSpec] = []
    for index, spec in enumerate(specs):
        one = check_attribute(checker, (*where, str(index)), spec)
        if any(other.key == one.key for other in cleaned):
            checker.fail(
                (*where, str(index), "key"), UserErrorCode.DUPLICATE_ITEM, "is listed twice"
            )
        cleaned.append(one)
    return cleaned
