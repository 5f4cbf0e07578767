"""The rules that need no database: tiers at their boundaries, MOQ over a product's lines,
line checks, the request hash, and which status an order left."""

from __future__ import annotations

from decimal import Decimal

from core.outcomes import Issue, UserErrorCode
from models.catalog import PriceTier, Product, ProductStatus
from models.orders import Order, OrderStatus
from resolvers.orders.rules import (
    PricedLine,
    RequestedLine,
    check_lines,
    check_moq,
    price_line,
    request_hash,
)
from resolvers.orders.transitions import CANCEL, CONFIRM, SHIP, previous_status

TIERS = [
    PriceTier(variant_id=1, currency="USD", min_quantity=min_quantity, unit_price=Decimal(price))
    for min_quantity, price in ((10, "5.00"), (100, "4.50"), (1_000, "4.1234"))
]
PRODUCT = Product(
    id=7,
    product_type_id=1,
    category_id=1,
    name="Twill",
    slug="twill",
    hs_code="520832",
    country_of_origin="IN",
    moq=150,
    status=ProductStatus.ACTIVE,
)


def _price(quantity: int, currency: str = "USD") -> PricedLine | Issue:
    line = RequestedLine(variant_id=1, quantity=quantity, unit_price=None)
    return price_line(0, line, sku="TW-1", product=PRODUCT, tiers=TIERS, currency=currency)


def test_the_highest_tier_not_above_the_quantity_prices_the_line() -> None:
    priced = {q: _price(q) for q in (10, 99, 100, 999, 1_000, 1_001)}
    assert {
        q: (p.unit_price, p.line_total) for q, p in priced.items() if isinstance(p, PricedLine)
    } == {
        10: (Decimal("5.00"), Decimal("50.00")),
        99: (Decimal("5.00"), Decimal("495.00")),
        100: (Decimal("4.50"), Decimal("450.00")),
        999: (Decimal("4.50"), Decimal("4495.50")),
        1_000: (Decimal("4.1234"), Decimal("4123.40")),
        1_001: (Decimal("4.1234"), Decimal("4127.52")),  # 4127.5234 rounded once
    }


def test_below_every_tier_or_in_another_currency_there_is_no_price() -> None:
    below, other = _price(9), _price(50, "EUR")
    assert isinstance(below, Issue)
    assert below.code is UserErrorCode.BELOW_PRICE_TIER
    assert isinstance(other, Issue)
    assert other.code is UserErrorCode.NO_PRICE


def test_a_line_whose_total_rounds_to_nothing_or_overflows_is_refused_not_stored() -> None:
    """The database holds line totals above 0 and within Numeric(18, 4): both ends are a
    userError on the quantity, never an INTERNAL_ERROR from the CHECK or the column."""
    tiny = RequestedLine(variant_id=1, quantity=1, unit_price=Decimal("0.0001"))
    huge = RequestedLine(variant_id=1, quantity=10_000_000, unit_price=Decimal("9999999999.9999"))
    refusals = [
        price_line(0, line, sku="TW-1", product=PRODUCT, tiers=TIERS, currency="USD")
        for line in (tiny, huge)
    ]
    assert [(r.field, r.code) for r in refusals if isinstance(r, Issue)] == [
        (("input", "lines", "0", "quantity"), UserErrorCode.OUT_OF_RANGE),
        (("input", "lines", "0", "quantity"), UserErrorCode.OUT_OF_RANGE),
    ]


def test_moq_counts_every_line_of_the_product_and_exempts_quoted_lines() -> None:
    def line(index: int, variant: int, quantity: int, tier: int | None = 10) -> PricedLine:
        price = Decimal(5)
        return PricedLine(index, variant, "S", "Twill", quantity, price, tier, price * quantity)

    products = {1: PRODUCT, 2: PRODUCT}
    assert check_moq([line(0, 1, 100), line(1, 2, 50)], products) == []
    short = check_moq([line(0, 1, 100), line(1, 2, 49)], products)
    assert [(i.field, i.code) for i in short] == [
        (("input", "lines", "0", "quantity"), UserErrorCode.BELOW_MOQ)
    ]
    assert check_moq([line(0, 1, 20, tier=None)], products) == []


def test_lines_need_a_positive_quantity_and_a_variant_once() -> None:
    issues = check_lines(
        [RequestedLine(1, 5, None), RequestedLine(2, 0, None), RequestedLine(1, 1, None)]
    )
    assert [(i.field, i.code) for i in issues] == [
        (("input", "lines", "1", "quantity"), UserErrorCode.OUT_OF_RANGE),
        (("input", "lines", "2", "variantId"), UserErrorCode.DUPLICATE_ITEM),
    ]


def test_equal_requests_hash_equal_whatever_the_key_order() -> None:
    assert request_hash({"a": 1, "b": [1, 2]}) == request_hash({"b": [1, 2], "a": 1})
    assert request_hash({"a": 1}) != request_hash({"a": 2})


def test_the_status_an_order_left_is_read_off_its_stamps() -> None:
    def order(**stamps: object) -> Order:
        return Order(status=OrderStatus.CANCELLED, **stamps)  # type: ignore[arg-type]

    moment = "2026-01-01T00:00:00+00:00"
    assert previous_status(CONFIRM, order()) is OrderStatus.PLACED
    assert previous_status(CANCEL, order()) is OrderStatus.PLACED
    assert previous_status(CANCEL, order(confirmed_at=moment)) is OrderStatus.CONFIRMED
    assert previous_status(SHIP, order(confirmed_at=moment, paid_at=moment)) is OrderStatus.PAID
