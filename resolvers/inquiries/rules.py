"""What a valid inquiry looks like: plain functions, no GraphQL, no I/O.

`check_submission` checks everything that needs no database (the guest's details, lengths,
dates, the items' shape) and `check_items_in_catalog` what needs the catalog rows (active
products, a variant of that product, the MOQ). Each problem names the input field at
fault, so a form can show all of them at once; nothing is written when there is any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.outcomes import Issue, UserErrorCode
from models.catalog import Product, ProductStatus, Variant
from models.orders import MAX_QUANTITY
from resolvers.checks import Checker, Path
from resolvers.outcomes import pk_of

MAX_ITEMS = 50
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 320
MAX_PLACE_LENGTH = 200
MAX_MESSAGE_LENGTH = 5_000
# Numeric(14, 4): unit prices, target prices.
MAX_UNIT_PRICE = Decimal("9999999999.9999")


@dataclass(frozen=True)
class GuestDetails:
    """Who a guest is: the lead an inquiry without an account is filed under."""

    company_name: str
    contact_name: str
    email: str
    country: str


@dataclass(frozen=True)
class ItemRequest:
    """One requested item as given: global ids, quantity, optional target price."""

    product_id: str
    variant_id: str | None
    quantity: int
    target_price: Decimal | None = None
    target_currency: str | None = None


@dataclass(frozen=True)
class InquirySubmission:
    guest: GuestDetails | None
    items: Sequence[ItemRequest]
    incoterm: str
    named_place: str
    required_by: date | None = None
    message: str = ""


@dataclass(frozen=True)
class CheckedItem:
    index: int  # the item's position in the input, for the paths of later problems
    product_id: int
    variant_id: int | None
    quantity: int
    target_price: Decimal | None
    target_currency: str | None


@dataclass(frozen=True)
class CheckedSubmission:
    """A submission whose shape is valid: trimmed text, decoded ids, a normalised email."""

    guest: GuestDetails | None
    items: list[CheckedItem]
    incoterm: str
    named_place: str
    required_by: date | None
    message: str


def check_guest(problems: Checker, guest: GuestDetails) -> GuestDetails:
    at: Path = ("guest",)
    company = problems.text(
        (*at, "companyName"), guest.company_name, MAX_NAME_LENGTH, required=True
    )
    contact = problems.text(
        (*at, "contactName"), guest.contact_name, MAX_NAME_LENGTH, required=True
    )
    country = problems.country((*at, "country"), guest.country)
    email = problems.email((*at, "email"), guest.email)
    return GuestDetails(company_name=company, contact_name=contact, email=email, country=country)


def _check_item(problems: Checker, index: int, item: ItemRequest) -> CheckedItem | None:
    at: Path = ("items", str(index))
    product_id = pk_of(item.product_id, "Product")
    variant_id = None if item.variant_id is None else pk_of(item.variant_id, "Variant")
    if product_id is None:
        problems.fail((*at, "productId"), UserErrorCode.NOT_FOUND, "no product has this id")
    if item.variant_id is not None and variant_id is None:
        problems.fail((*at, "variantId"), UserErrorCode.NOT_FOUND, "no variant has this id")
    problems.in_range((*at, "quantity"), item.quantity, 1, MAX_QUANTITY)
    currency = None
    if item.target_price is not None:
        problems.unit_price((*at, "targetPrice", "amount"), item.target_price, MAX_UNIT_PRICE)
        currency = problems.currency((*at, "targetPrice", "currency"), item.target_currency or "")
    if product_id is None or (item.variant_id is not None and variant_id is None):
        return None
    return CheckedItem(index, product_id, variant_id, item.quantity, item.target_price, currency)


def check_submission(
    submission: InquirySubmission, *, today: date, guest_required: bool
) -> tuple[CheckedSubmission, list[Issue]]:
    """The submission's shape, trimmed and decoded, with every problem found.

    `guest_required`: guests must say who they are; client users must not (their account
    says it), so guest details from them are refused rather than silently dropped.
    """
    problems = Checker()
    guest = None
    if guest_required and submission.guest is None:
        problems.fail(
            ("guest",),
            UserErrorCode.GUEST_DETAILS_REQUIRED,
            "without an account, give your company name, contact name, email and country",
        )
    elif not guest_required and submission.guest is not None:
        problems.fail(
            ("guest",),
            UserErrorCode.GUEST_DETAILS_NOT_ALLOWED,
            "signed-in client users ask for their own company; leave guest details out",
        )
    elif submission.guest is not None:
        guest = check_guest(problems, submission.guest)
    problems.incoterm(("incoterm",), submission.incoterm)
    named_place = problems.text(
        ("namedPlace",), submission.named_place, MAX_PLACE_LENGTH, required=True
    )
    if submission.required_by is not None:
        problems.not_before(("requiredBy",), submission.required_by, today)
    message = problems.text(("message",), submission.message, MAX_MESSAGE_LENGTH, required=False)
    problems.item_count(("items",), len(submission.items), MAX_ITEMS)
    items = [
        found
        for index, item in enumerate(submission.items)
        if (found := _check_item(problems, index, item)) is not None
    ]
    seen: set[tuple[int, int | None]] = set()
    for item in items:
        key = (item.product_id, item.variant_id)
        if key in seen:
            problems.fail(
                ("items", str(item.index)),
                UserErrorCode.DUPLICATE_ITEM,
                "this product (and variant) is already asked for; merge the quantities",
            )
        seen.add(key)
    checked = CheckedSubmission(
        guest=guest,
        items=items,
        incoterm=submission.incoterm,
        named_place=named_place,
        required_by=submission.required_by,
        message=message,
    )
    return checked, problems.issues


def check_items_in_catalog(
    items: Sequence[CheckedItem],
    products: Mapping[int, Product],
    variants: Mapping[int, Variant],
) -> list[Issue]:
    """Each item names an active product, a variant of that product, at least its MOQ.

    The MOQ is the product's, per item: a buyer asking for two colours asks for each.
    """
    problems = Checker()
    for item in items:
        at: Path = ("items", str(item.index))
        product = products.get(item.product_id)
        if product is None or product.status != ProductStatus.ACTIVE:
            problems.fail((*at, "productId"), UserErrorCode.NOT_FOUND, "no product has this id")
            continue
        if item.variant_id is not None:
            variant = variants.get(item.variant_id)
            if variant is None:
                problems.fail((*at, "variantId"), UserErrorCode.NOT_FOUND, "no variant has this id")
            elif variant.product_id != product.id:
                problems.fail(
                    (*at, "variantId"),
                    UserErrorCode.VARIANT_NOT_OF_PRODUCT,
                    f"is not a variant of {product.name}",
                )
        if item.quantity < product.moq:
            problems.fail(
                (*at, "quantity"),
                UserErrorCode.BELOW_MOQ,
                f"must be at least the minimum order quantity of {product.name}: {product.moq}",
            )
    return problems.issues
