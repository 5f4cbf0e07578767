"""What a change of one attribute does to the specs of its type's products, decided in memory.

A product keeps its value under the new definition when that value is still valid (after
`value_mapping` renamed removed allowed values). It needs a value when its old one became
invalid (a changed kind, a removed allowed value) or it has none and the attribute is now
required: with `fill` given it gets that value, otherwise it is stranded and the change is
refused. `fill` also goes to products that simply have no value yet, so adding an optional
attribute with a value backfills it. A removed attribute's values are dropped; a renamed key
moves them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.catalog import AttributeDefinition, Product
from models.catalog.rules import CatalogRuleError, validate_specs


@dataclass(frozen=True)
class SpecConversion:
    old_key: str | None  # the attribute's key before the change; None when it is added
    new: AttributeDefinition | None  # its definition after; None when it is removed
    value_mapping: Mapping[str, str] = field(default_factory=dict)
    fill: Any = None  # the value for products without a valid one, already valid; None: none

    def convert(self, specs: Mapping[str, Any]) -> dict[str, Any] | None:
        """The product's specs after the change; None when it needs a value and has no fill."""
        converted = dict(specs)
        value = converted.pop(self.old_key, None) if self.old_key is not None else None
        if self.new is None:
            return converted
        if value is not None and self.value_mapping:
            value = _mapped(value, self.value_mapping)
        valid = valid_value(self.new, value)
        if valid is None and (value is not None or self.new.required or self.fill is not None):
            if self.fill is None:
                return None
            valid = self.fill
        if valid is not None:
            converted[self.new.key] = valid
        return converted


def valid_value(definition: AttributeDefinition, value: Any) -> Any:
    """`value` normalised for `definition`, or None when it is missing or does not fit."""
    if value is None:
        return None
    try:
        return validate_specs([definition], {definition.key: value}).get(definition.key)
    except CatalogRuleError:
        return None


def check_fill(definition: AttributeDefinition, value: Any) -> Any:
    """The value given for existing products, normalised; CatalogRuleError if it does not fit."""
    as_required = AttributeDefinition(
        product_type_id=definition.product_type_id,
        key=definition.key,
        label=definition.label,
        kind=definition.kind,
        allowed_values=list(definition.allowed_values),
        required=True,
    )
    return validate_specs([as_required], {definition.key: value})[definition.key]


def _mapped(value: Any, mapping: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, list):
        return list(dict.fromkeys(mapping.get(item, item) for item in value))
    return value


@dataclass
class ConversionPlan:
    changed: list[tuple[Product, dict[str, Any]]] = field(default_factory=list)
    stranded: list[Product] = field(default_factory=list)


def plan_conversion(conversion: SpecConversion, products: Sequence[Product]) -> ConversionPlan:
    """Which products' specs change, and which would be left invalid."""
    plan = ConversionPlan()
    for product in products:
        specs = conversion.convert(product.specs)
        if specs is None:
            plan.stranded.append(product)
        elif specs != product.specs:
            plan.changed.append((product, specs))
    return plan
