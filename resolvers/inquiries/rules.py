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
from enum import StrEnum

from auth.emails import InvalidEmail, normalise_email
from models.catalog import Product, ProductStatus, Variant
from models.money import UNIT_PRICE_PLACES, has_too_many_places
from models.orders import MAX_QUANTITY
from models.reference import COUNTRY_CODES, CURRENCY_CODES, Incoterm
from resolvers.outcomes import Issue, pk_of

MAX_ITEMS = 50
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 320
MAX_PLACE_LENGTH = 200
MAX_MESSAGE_LENGTH = 5_000
# Numeric(14, 4): unit prices, target prices.
MAX_UNIT_PRICE = Decimal("9999999999.9999")

Path = tuple[str, ...]


class InquiryErrorCode(StrEnum):
    """Why an inquiry or quote change was refused; stable, for clients to branch on."""

    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_INCOTERM = "INVALID_INCOTERM"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    DATE_IN_PAST = "DATE_IN_PAST"
    NO_ITEMS = "NO_ITEMS"
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"
    DUPLICATE_ITEM = "DUPLICATE_ITEM"
    NOT_FOUND = "NOT_FOUND"
    VARIANT_NOT_OF_PRODUCT = "VARIANT_NOT_OF_PRODUCT"
    BELOW_MOQ = "BELOW_MOQ"
    GUEST_DETAILS_REQUIRED = "GUEST_DETAILS_REQUIRED"
    GUEST_DETAILS_NOT_ALLOWED = "GUEST_DETAILS_NOT_ALLOWED"
    SUBMITTER_NOT_ALLOWED = "SUBMITTER_NOT_ALLOWED"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    INVALID_ASSIGNEE = "INVALID_ASSIGNEE"
    INQUIRY_CLOSED = "INQUIRY_CLOSED"
    CONFLICT = "CONFLICT"
    QUOTE_EXPIRED = "QUOTE_EXPIRED"
    QUOTE_SUPERSEDED = "QUOTE_SUPERSEDED"
    QUOTE_WITHDRAWN = "QUOTE_WITHDRAWN"
    QUOTE_ALREADY_CONVERTED = "QUOTE_ALREADY_CONVERTED"
    LEAD_NOT_A_CLIENT = "LEAD_NOT_A_CLIENT"


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


class Problems:
    """Collects issues under a path prefix; shared by the inquiry and quote rules."""

    def __init__(self, at: Path = ("input",)) -> None:
        self.at = at
        self.issues: list[Issue] = []

    def fail(self, where: Path, code: InquiryErrorCode, message: str) -> None:
        self.issues.append(Issue((*self.at, *where), code, message))

    def text(self, where: Path, value: str, longest: int, *, required: bool) -> str:
        cleaned = value.strip()
        if required and not cleaned:
            self.fail(where, InquiryErrorCode.REQUIRED, "must not be empty")
        elif len(cleaned) > longest:
            self.fail(where, InquiryErrorCode.TOO_LONG, f"must be at most {longest} characters")
        return cleaned

    def currency(self, where: Path, value: str) -> str:
        cleaned = value.strip().upper()
        if cleaned not in CURRENCY_CODES:
            self.fail(
                where,
                InquiryErrorCode.INVALID_CURRENCY,
                "must be an ISO 4217 currency code such as USD",
            )
        return cleaned

    def unit_price(self, where: Path, amount: Decimal) -> None:
        if not amount.is_finite() or has_too_many_places(amount, UNIT_PRICE_PLACES):
            self.fail(
                where,
                InquiryErrorCode.INVALID_AMOUNT,
                f"must be a decimal amount with at most {UNIT_PRICE_PLACES} decimals",
            )
        elif not Decimal(0) < amount <= MAX_UNIT_PRICE:
            self.fail(
                where,
                InquiryErrorCode.OUT_OF_RANGE,
                f"must be above 0 and at most {MAX_UNIT_PRICE}",
            )

    def quantity(self, where: Path, quantity: int) -> None:
        if not 1 <= quantity <= MAX_QUANTITY:
            self.fail(where, InquiryErrorCode.OUT_OF_RANGE, f"must be from 1 to {MAX_QUANTITY}")

    def not_before(self, where: Path, day: date, today: date) -> None:
        if day < today:
            self.fail(where, InquiryErrorCode.DATE_IN_PAST, f"must be {today} or later")

    def item_count(self, where: Path, count: int, most: int) -> None:
        if count == 0:
            self.fail(where, InquiryErrorCode.NO_ITEMS, "must name at least one item")
        elif count > most:
            self.fail(where, InquiryErrorCode.TOO_MANY_ITEMS, f"must name at most {most} items")


def check_guest(problems: Problems, guest: GuestDetails) -> GuestDetails:
    at: Path = ("guest",)
    company = problems.text(
        (*at, "companyName"), guest.company_name, MAX_NAME_LENGTH, required=True
    )
    contact = problems.text(
        (*at, "contactName"), guest.contact_name, MAX_NAME_LENGTH, required=True
    )
    country = guest.country.strip().upper()
    if country not in COUNTRY_CODES:
        problems.fail(
            (*at, "country"),
            InquiryErrorCode.INVALID_COUNTRY,
            "must be an ISO 3166-1 alpha-2 country code such as DE",
        )
    email = guest.email
    try:
        email = normalise_email(guest.email)
    except InvalidEmail:
        problems.fail((*at, "email"), InquiryErrorCode.INVALID_EMAIL, "is not an email address")
    return GuestDetails(company_name=company, contact_name=contact, email=email, country=country)


def _check_item(problems: Problems, index: int, item: ItemRequest) -> CheckedItem | None:
    at: Path = ("items", str(index))
    product_id = pk_of(item.product_id, "Product")
    variant_id = None if item.variant_id is None else pk_of(item.variant_id, "Variant")
    if product_id is None:
        problems.fail((*at, "productId"), InquiryErrorCode.NOT_FOUND, "no product has this id")
    if item.variant_id is not None and variant_id is None:
        problems.fail((*at, "variantId"), InquiryErrorCode.NOT_FOUND, "no variant has this id")
    problems.quantity((*at, "quantity"), item.quantity)
    currency = None
    if item.target_price is not None:
        problems.unit_price((*at, "targetPrice", "amount"), item.target_price)
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
    problems = Problems()
    guest = None
    if guest_required and submission.guest is None:
        problems.fail(
            ("guest",),
            InquiryErrorCode.GUEST_DETAILS_REQUIRED,
            "without an account, give your company name, contact name, email and country",
        )
    elif not guest_required and submission.guest is not None:
        problems.fail(
            ("guest",),
            InquiryErrorCode.GUEST_DETAILS_NOT_ALLOWED,
            "signed-in client users ask for their own company; leave guest details out",
        )
    elif submission.guest is not None:
        guest = check_guest(problems, submission.guest)
    if submission.incoterm not in {term.value for term in Incoterm}:
        problems.fail(
            ("incoterm",),
            InquiryErrorCode.INVALID_INCOTERM,
            "must be an Incoterms 2020 rule (EXW, FCA, FOB, ...)",
        )
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
                InquiryErrorCode.DUPLICATE_ITEM,
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
    problems = Problems()
    for item in items:
        at: Path = ("items", str(item.index))
        product = products.get(item.product_id)
        if product is None or product.status != ProductStatus.ACTIVE:
            problems.fail((*at, "productId"), InquiryErrorCode.NOT_FOUND, "no product has this id")
            continue
        if item.variant_id is not None:
            variant = variants.get(item.variant_id)
            if variant is None:
                problems.fail(
                    (*at, "variantId"), InquiryErrorCode.NOT_FOUND, "no variant has this id"
                )
            elif variant.product_id != product.id:
                problems.fail(
                    (*at, "variantId"),
                    InquiryErrorCode.VARIANT_NOT_OF_PRODUCT,
                    f"is not a variant of {product.name}",
                )
        if item.quantity < product.moq:
            problems.fail(
                (*at, "quantity"),
                InquiryErrorCode.BELOW_MOQ,
                f"must be at least the minimum order quantity of {product.name}: {product.moq}",
            )
    return problems.issues
