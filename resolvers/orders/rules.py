"""The rules of an order that need no database: input shape, pricing, MOQ, request hashing.

Each check returns `Issue`s whose `field` is the path of the `placeOrder` input at fault
(["input", "lines", "1", "quantity"]), so a caller can point at the offending line. Callers
that build a placement some other way (converting a quote) get the same paths.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.global_id import encode_global_id
from core.outcomes import Issue, UserErrorCode
from models.catalog import PriceTier, Product, ProductStatus
from models.catalog.pricing import applicable_tier
from models.money import MAX_AMOUNT, line_total, round_money
from models.orders import MAX_QUANTITY, Order, order_number
from models.reference import COUNTRY_CODES, CURRENCY_CODES, Incoterm
from resolvers.idempotency import fingerprint

MAX_LINES = 100
MAX_NOTE_LENGTH = 2_000
MAX_NAMED_PLACE_LENGTH = 200
MAX_IDEMPOTENCY_KEY_LENGTH = 100
MAX_ADDRESS_FIELD_LENGTH = 200
ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country")
REQUIRED_ADDRESS_FIELDS = ("name", "line1", "city", "country")
# The GraphQL spelling of each address field, for the paths in user errors.
ADDRESS_FIELD_NAMES = {"postal_code": "postalCode"}


def line_path(index: int, name: str) -> tuple[str, ...]:
    return ("input", "lines", str(index), name)


@dataclass(frozen=True)
class RequestedLine:
    """A line as requested: the variant, the quantity, and a quoted price if any."""

    variant_id: int
    quantity: int
    unit_price: Decimal | None


@dataclass(frozen=True)
class PricedLine:
    """A line as it will be written: priced, with the SKU and name at the time of ordering."""

    index: int
    variant_id: int
    sku: str
    product_name: str
    quantity: int
    unit_price: Decimal
    tier_min_quantity: int | None
    line_total: Decimal
    # The variant's cost as it is now, snapshotted on the line for the margin report.
    unit_cost: Decimal | None = None
    cost_currency: str | None = None


def check_header(
    *, currency: str, incoterm: str, named_place: str, note: str, idempotency_key: str | None
) -> list[Issue]:
    issues: list[Issue] = []
    if currency not in CURRENCY_CODES:
        issues.append(
            Issue(("input", "currency"), UserErrorCode.INVALID_CURRENCY, "not an ISO 4217 code")
        )
    if incoterm not in Incoterm.__members__:
        issues.append(
            Issue(
                ("input", "incoterm"), UserErrorCode.INVALID_INCOTERM, "not an Incoterms 2020 rule"
            )
        )
    if not named_place.strip():
        issues.append(
            Issue(
                ("input", "namedPlace"),
                UserErrorCode.REQUIRED,
                "name the place the incoterm refers to, e.g. 'Nhava Sheva' for FOB",
            )
        )
    issues += _too_long(("input", "namedPlace"), named_place, MAX_NAMED_PLACE_LENGTH)
    issues += _too_long(("input", "note"), note, MAX_NOTE_LENGTH)
    if idempotency_key is not None and not idempotency_key.strip():
        issues.append(
            Issue(("idempotencyKey",), UserErrorCode.REQUIRED, "must not be empty or blank")
        )
    if idempotency_key is not None:
        issues += _too_long(("idempotencyKey",), idempotency_key, MAX_IDEMPOTENCY_KEY_LENGTH)
    return issues


def check_shipping_address(address: Mapping[str, Any]) -> list[Issue]:
    issues: list[Issue] = []
    for name in ADDRESS_FIELDS:
        path = ("input", "shippingAddress", ADDRESS_FIELD_NAMES.get(name, name))
        value = address.get(name) or ""
        if not isinstance(value, str):
            issues.append(Issue(path, UserErrorCode.INVALID, "must be text"))
        elif name in REQUIRED_ADDRESS_FIELDS and not value.strip():
            issues.append(Issue(path, UserErrorCode.REQUIRED, "is required"))
        elif name == "country" and value not in COUNTRY_CODES:
            issues.append(
                Issue(path, UserErrorCode.INVALID_COUNTRY, "not an ISO 3166-1 alpha-2 code")
            )
        else:
            issues += _too_long(path, value, MAX_ADDRESS_FIELD_LENGTH)
    unknown = sorted(set(address) - set(ADDRESS_FIELDS))
    if unknown:
        issues.append(
            Issue(
                ("input", "shippingAddress"),
                UserErrorCode.INVALID,
                f"unknown fields: {', '.join(unknown)}",
            )
        )
    return issues


def check_lines(lines: Sequence[RequestedLine]) -> list[Issue]:
    """Count, quantities and duplicates; a variant appears on one line only."""
    if not lines:
        return [Issue(("input", "lines"), UserErrorCode.NO_ITEMS, "an order needs a line")]
    if len(lines) > MAX_LINES:
        return [
            Issue(
                ("input", "lines"),
                UserErrorCode.TOO_MANY_ITEMS,
                f"at most {MAX_LINES} lines per order",
            )
        ]
    issues: list[Issue] = []
    first_index: dict[int, int] = {}
    for index, line in enumerate(lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            issues.append(
                Issue(
                    line_path(index, "quantity"),
                    UserErrorCode.OUT_OF_RANGE,
                    f"must be between 1 and {MAX_QUANTITY}",
                )
            )
        if line.unit_price is not None and line.unit_price <= 0:
            issues.append(
                Issue(line_path(index, "unitPrice"), UserErrorCode.OUT_OF_RANGE, "must be > 0")
            )
        if line.variant_id in first_index:
            issues.append(
                Issue(
                    line_path(index, "variantId"),
                    UserErrorCode.DUPLICATE_ITEM,
                    f"the same variant as line {first_index[line.variant_id]}; "
                    "put the whole quantity on one line",
                )
            )
        else:
            first_index[line.variant_id] = index
    return issues


def price_line(
    index: int,
    line: RequestedLine,
    *,
    sku: str,
    product: Product,
    tiers: Sequence[PriceTier],
    currency: str,
) -> PricedLine | Issue:
    """The line priced from the variant's tiers (or at its quoted price), or why it cannot be."""
    if product.status != ProductStatus.ACTIVE:
        return Issue(
            line_path(index, "variantId"),
            UserErrorCode.PRODUCT_NOT_ACTIVE,
            f"{sku} is not on sale",
        )
    tier_min_quantity: int | None = None
    unit_price = line.unit_price
    if unit_price is None:
        tier = applicable_tier(tiers, currency, line.quantity)
        if tier is None:
            return _no_tier(index, sku, tiers, currency)
        unit_price, tier_min_quantity = tier.unit_price, tier.min_quantity
    total = line_total(unit_price, line.quantity, currency)
    if not Decimal(0) < total <= MAX_AMOUNT:
        return Issue(
            line_path(index, "quantity"),
            UserErrorCode.OUT_OF_RANGE,
            f"{line.quantity} x {unit_price} {currency} comes to {total}: a line's total must "
            f"be above 0 and at most {MAX_AMOUNT}",
        )
    return PricedLine(
        index=index,
        variant_id=line.variant_id,
        sku=sku,
        product_name=product.name,
        quantity=line.quantity,
        unit_price=unit_price,
        tier_min_quantity=tier_min_quantity,
        line_total=total,
    )


def _no_tier(index: int, sku: str, tiers: Sequence[PriceTier], currency: str) -> Issue:
    minimums = [tier.min_quantity for tier in tiers if tier.currency == currency]
    if not minimums:
        return Issue(
            line_path(index, "variantId"), UserErrorCode.NO_PRICE, f"{sku} has no {currency} price"
        )
    return Issue(
        line_path(index, "quantity"),
        UserErrorCode.BELOW_PRICE_TIER,
        f"{sku} is priced in {currency} from {min(minimums)} units",
    )


def check_moq(lines: Sequence[PricedLine], products: Mapping[int, Product]) -> list[Issue]:
    """Each product's MOQ against the sum of its lines, so colours of one fabric add up.

    `products` maps each line's variant id to its product. Lines at a quoted price are
    exempt: the quote is where sales agreed to a smaller quantity.
    """
    quantities: dict[int, int] = defaultdict(int)
    first_line: dict[int, PricedLine] = {}
    for line in lines:
        if line.tier_min_quantity is None:
            continue
        product = products[line.variant_id]
        assert product.id is not None
        quantities[product.id] += line.quantity
        first_line.setdefault(product.id, line)
    issues: list[Issue] = []
    for product_id, line in first_line.items():
        product = products[line.variant_id]
        if quantities[product_id] < product.moq:
            issues.append(
                Issue(
                    line_path(line.index, "quantity"),
                    UserErrorCode.BELOW_MOQ,
                    f"{product.name} has a minimum order of {product.moq} units over all its "
                    f"variants; this order has {quantities[product_id]}",
                )
            )
    return issues


def request_hash(normalised: Mapping[str, Any]) -> str:
    """SHA-256 of the request in a canonical JSON form: equal requests hash equal."""
    return fingerprint(normalised)


def _too_long(path: tuple[str, ...], value: str, limit: int) -> list[Issue]:
    if len(value) > limit:
        return [Issue(path, UserErrorCode.TOO_LONG, f"at most {limit} characters")]
    return []


def order_event(order: Order, previous_status: str | None, **extra: Any) -> dict[str, Any]:
    """The payload every order event carries (core/event_types.py), plus `extra`."""
    assert order.id is not None
    return {
        "order_id": encode_global_id("Order", order.id),
        "number": order_number(order.id),
        "client_company_id": encode_global_id("ClientCompany", order.client_company_id),
        "status": str(order.status),
        "previous_status": previous_status,
        "currency": order.currency,
        "total": str(round_money(order.total, order.currency)),
        **extra,
    }
