"""What a refused change reports: one catalogue of `userErrors` codes, and the issue types.

Every expected refusal in the API, in any domain, carries one `UserErrorCode`: one code per
meaning, and one meaning per code. Codes are strings in the schema, so a renamed code breaks
clients without a schema diff: each code's meaning is documented here, rendered into
docs/errors.md (`python -m core.error_docs --write`), and every change goes to docs/changelog.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class UserErrorCode(StrEnum):
    """Why a mutation changed nothing; stable, for clients to branch on."""

    # The shape of the input.
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID = "INVALID"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_INCOTERM = "INVALID_INCOTERM"
    INVALID_LANGUAGE = "INVALID_LANGUAGE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_RATE = "INVALID_RATE"
    INVALID_DATE = "INVALID_DATE"
    DATE_IN_PAST = "DATE_IN_PAST"
    IN_THE_FUTURE = "IN_THE_FUTURE"
    ETA_BEFORE_ETD = "ETA_BEFORE_ETD"
    SAME_CURRENCY = "SAME_CURRENCY"
    NO_ITEMS = "NO_ITEMS"
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"
    DUPLICATE_ITEM = "DUPLICATE_ITEM"
    # What the input names.
    NOT_FOUND = "NOT_FOUND"
    NOT_ALLOWED = "NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    # Accounts, sessions and MFA.
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 - an error code
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"  # noqa: S105 - an error code
    SESSION_EXPIRED = "SESSION_EXPIRED"
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"  # noqa: S105 - an error code
    INVALID_CHALLENGE = "INVALID_CHALLENGE"
    INVALID_CODE = "INVALID_CODE"
    ONE_FACTOR_REQUIRED = "ONE_FACTOR_REQUIRED"
    MFA_ALREADY_ENABLED = "MFA_ALREADY_ENABLED"
    MFA_NOT_ENABLED = "MFA_NOT_ENABLED"
    NO_PENDING_ENROLMENT = "NO_PENDING_ENROLMENT"
    ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED"
    OWN_ACCOUNT = "OWN_ACCOUNT"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"  # noqa: S105 - an error code
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"  # noqa: S105 - an error code
    PASSWORD_TOO_COMMON = "PASSWORD_TOO_COMMON"  # noqa: S105 - an error code
    # Inquiries and quotes.
    GUEST_DETAILS_REQUIRED = "GUEST_DETAILS_REQUIRED"
    GUEST_DETAILS_NOT_ALLOWED = "GUEST_DETAILS_NOT_ALLOWED"
    SUBMITTER_NOT_ALLOWED = "SUBMITTER_NOT_ALLOWED"
    VARIANT_NOT_OF_PRODUCT = "VARIANT_NOT_OF_PRODUCT"
    INVALID_ASSIGNEE = "INVALID_ASSIGNEE"
    INQUIRY_CLOSED = "INQUIRY_CLOSED"
    QUOTE_EXPIRED = "QUOTE_EXPIRED"
    QUOTE_SUPERSEDED = "QUOTE_SUPERSEDED"
    QUOTE_WITHDRAWN = "QUOTE_WITHDRAWN"
    QUOTE_ALREADY_CONVERTED = "QUOTE_ALREADY_CONVERTED"
    LEAD_NOT_A_CLIENT = "LEAD_NOT_A_CLIENT"
    INQUIRY_NOT_FROM_GUEST = "INQUIRY_NOT_FROM_GUEST"
    # Orders, payments and shipments.
    PRODUCT_NOT_ACTIVE = "PRODUCT_NOT_ACTIVE"
    NO_PRICE = "NO_PRICE"
    BELOW_PRICE_TIER = "BELOW_PRICE_TIER"
    BELOW_MOQ = "BELOW_MOQ"
    NO_FX_RATE = "NO_FX_RATE"
    CREDIT_LIMIT_EXCEEDED = "CREDIT_LIMIT_EXCEEDED"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    BELOW_RESERVED = "BELOW_RESERVED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    AMOUNT_EXCEEDS_BALANCE = "AMOUNT_EXCEEDS_BALANCE"
    DUPLICATE_REFERENCE = "DUPLICATE_REFERENCE"
    ORDER_NOT_SHIPPABLE = "ORDER_NOT_SHIPPABLE"
    CHARGE_REQUIRED = "CHARGE_REQUIRED"
    NOTHING_TO_SHIP = "NOTHING_TO_SHIP"
    EXCEEDS_UNBOOKED = "EXCEEDS_UNBOOKED"
    # Exchange rates.
    DUPLICATE_RATE = "DUPLICATE_RATE"
    # Catalog management.
    INVALID_SLUG = "INVALID_SLUG"
    SLUG_TAKEN = "SLUG_TAKEN"
    CATEGORY_CYCLE = "CATEGORY_CYCLE"
    CATEGORY_HAS_CHILDREN = "CATEGORY_HAS_CHILDREN"
    CATEGORY_HAS_PRODUCTS = "CATEGORY_HAS_PRODUCTS"
    INVALID_ATTRIBUTE_KEY = "INVALID_ATTRIBUTE_KEY"
    ATTRIBUTE_KEY_TAKEN = "ATTRIBUTE_KEY_TAKEN"
    INVALID_SPEC = "INVALID_SPEC"
    WOULD_INVALIDATE_PRODUCTS = "WOULD_INVALIDATE_PRODUCTS"
    SKU_TAKEN = "SKU_TAKEN"
    INVALID_HS_CODE = "INVALID_HS_CODE"
    NOT_ASCENDING = "NOT_ASCENDING"
    TIER_ABOVE_MOQ = "TIER_ABOVE_MOQ"
    NOT_SELLABLE = "NOT_SELLABLE"
    VARIANT_IN_USE = "VARIANT_IN_USE"
    IMPORT_STOPPED = "IMPORT_STOPPED"
    # CSV exports
    NOT_EXPORTABLE = "NOT_EXPORTABLE"
    EXPORT_TOO_LARGE = "EXPORT_TOO_LARGE"
    EXPORT_STOPPED = "EXPORT_STOPPED"
    TOO_MANY_EXPORTS = "TOO_MANY_EXPORTS"


MEANINGS: dict[UserErrorCode, str] = {
    UserErrorCode.REQUIRED: "A required value is missing, empty or blank.",
    UserErrorCode.TOO_LONG: "Text longer than the field allows; the message gives the limit.",
    UserErrorCode.OUT_OF_RANGE: (
        "A number, quantity or choice outside what the field allows; the message gives the range."
    ),
    UserErrorCode.INVALID: (
        "A structured value of the wrong shape: not text where text is expected, or fields "
        "the value does not have (an order's address)."
    ),
    UserErrorCode.INVALID_EMAIL: "Not an email address.",
    UserErrorCode.INVALID_COUNTRY: "Not an ISO 3166-1 alpha-2 country code such as DE.",
    UserErrorCode.INVALID_CURRENCY: "Not an ISO 4217 currency code such as USD.",
    UserErrorCode.INVALID_INCOTERM: "Not an Incoterms 2020 rule (EXW, FCA, FOB, ...).",
    UserErrorCode.INVALID_LANGUAGE: "Not an ISO 639-1 language code such as de.",
    UserErrorCode.INVALID_AMOUNT: (
        "Not a finite decimal amount with the decimals the field allows (2 for money, 4 for "
        "unit prices)."
    ),
    UserErrorCode.INVALID_RATE: "Not a positive decimal exchange rate with the allowed decimals.",
    UserErrorCode.INVALID_DATE: (
        "Not a date or moment the field accepts (ISO 8601; moments need their UTC offset)."
    ),
    UserErrorCode.DATE_IN_PAST: "A date that must be today or later is in the past.",
    UserErrorCode.IN_THE_FUTURE: "A moment that must already have happened is in the future.",
    UserErrorCode.ETA_BEFORE_ETD: "A shipment leg arrives before it departs.",
    UserErrorCode.SAME_CURRENCY: "An exchange rate from a currency to itself.",
    UserErrorCode.NO_ITEMS: "A list that needs at least one entry (items, lines, rates) is empty.",
    UserErrorCode.TOO_MANY_ITEMS: (
        "A list has more entries than one request may hold; the message gives the limit."
    ),
    UserErrorCode.DUPLICATE_ITEM: (
        "An entry repeats one given earlier in the same list (the same variant, product or "
        "rate twice); merge them."
    ),
    UserErrorCode.NOT_FOUND: (
        "What the input names does not exist, or the caller may not see it (the two are not "
        "told apart)."
    ),
    UserErrorCode.NOT_ALLOWED: (
        "The caller may not give this input (client users order for their own company only)."
    ),
    UserErrorCode.CONFLICT: (
        "The record was changed by someone else since it was read (its version moved on); "
        "reload it and apply the change again."
    ),
    UserErrorCode.TOO_MANY_REQUESTS: (
        "This account, address or network did this too often: wait `retryAfterSeconds` "
        "(login, MFA codes, password resets, guest inquiries)."
    ),
    UserErrorCode.INVALID_CREDENTIALS: "The email address or the password is wrong.",
    UserErrorCode.EMAIL_TAKEN: "The email address already belongs to an account.",
    UserErrorCode.INVALID_TOKEN: (
        "An invitation or password-reset link is unknown, already used or expired."
    ),
    UserErrorCode.INVALID_REFRESH_TOKEN: "The refresh token is unknown; sign in again.",
    UserErrorCode.SESSION_EXPIRED: "The session ended (idle or absolute limit); sign in again.",
    UserErrorCode.REFRESH_TOKEN_REUSED: (
        "A refresh token came back after it was used: every session of its family ended."
    ),
    UserErrorCode.INVALID_CHALLENGE: "The MFA challenge is unknown, used or expired; log in again.",
    UserErrorCode.INVALID_CODE: "The MFA or recovery code is wrong, expired or already used.",
    UserErrorCode.ONE_FACTOR_REQUIRED: (
        "Give exactly one of an authenticator code or a recovery code."
    ),
    UserErrorCode.MFA_ALREADY_ENABLED: "MFA is already on for this account.",
    UserErrorCode.MFA_NOT_ENABLED: "MFA is not on for this account.",
    UserErrorCode.NO_PENDING_ENROLMENT: "No TOTP enrolment to confirm: call enrollTotp first.",
    UserErrorCode.ROLE_NOT_ALLOWED: "Not a role this kind of user can have.",
    UserErrorCode.OWN_ACCOUNT: "Administrators cannot do this to their own account.",
    UserErrorCode.PASSWORD_TOO_SHORT: "The password is shorter than the policy allows.",
    UserErrorCode.PASSWORD_TOO_LONG: "The password is longer than the policy allows.",
    UserErrorCode.PASSWORD_TOO_COMMON: "The password is among the commonly used ones.",
    UserErrorCode.GUEST_DETAILS_REQUIRED: (
        "Without an account, an inquiry needs the guest's company, name, email and country."
    ),
    UserErrorCode.GUEST_DETAILS_NOT_ALLOWED: (
        "Signed-in client users ask for their own company: leave guest details out."
    ),
    UserErrorCode.SUBMITTER_NOT_ALLOWED: "Inquiries come from client users or guests, not staff.",
    UserErrorCode.VARIANT_NOT_OF_PRODUCT: "The variant belongs to another product.",
    UserErrorCode.INVALID_ASSIGNEE: "Not an active member of staff who may manage inquiries.",
    UserErrorCode.INQUIRY_CLOSED: "The inquiry is closed (won or lost).",
    UserErrorCode.QUOTE_EXPIRED: "The quote is past its validity.",
    UserErrorCode.QUOTE_SUPERSEDED: "A newer revision of the quote was sent.",
    UserErrorCode.QUOTE_WITHDRAWN: "Sales withdrew the quote.",
    UserErrorCode.QUOTE_ALREADY_CONVERTED: "The quote already became an order.",
    UserErrorCode.LEAD_NOT_A_CLIENT: (
        "The inquiry came from a guest: convert the lead to a client first "
        "(convertLeadToClient); its quotes then convert as they are."
    ),
    UserErrorCode.INQUIRY_NOT_FROM_GUEST: (
        "The inquiry already belongs to a client company: there is no lead to convert."
    ),
    UserErrorCode.PRODUCT_NOT_ACTIVE: "The product is not on sale.",
    UserErrorCode.NO_PRICE: "The variant has no price in the order's currency.",
    UserErrorCode.BELOW_PRICE_TIER: "The quantity is below the variant's smallest price tier.",
    UserErrorCode.BELOW_MOQ: "The quantity is below the product's minimum order quantity.",
    UserErrorCode.NO_FX_RATE: "No exchange rate is stored for the currencies involved.",
    UserErrorCode.CREDIT_LIMIT_EXCEEDED: "The order would take the client past its credit limit.",
    UserErrorCode.OUT_OF_STOCK: "Not enough stock is available for the quantity.",
    UserErrorCode.BELOW_RESERVED: (
        "The change would leave less stock on hand than orders have reserved; the message "
        "says how much is reserved (ship or cancel orders first, or count again)."
    ),
    UserErrorCode.IDEMPOTENCY_KEY_REUSED: (
        "The idempotency key was used for a different input (another order, product, "
        "inquiry or other record); use a new key."
    ),
    UserErrorCode.ILLEGAL_TRANSITION: (
        "The record's state does not allow this step (an order's, or a product's: publishing "
        "an active product, unpublishing one that is not active)."
    ),
    UserErrorCode.AMOUNT_EXCEEDS_BALANCE: "The payment is more than the order still owes.",
    UserErrorCode.DUPLICATE_REFERENCE: (
        "A payment with this reference is already recorded against the order."
    ),
    UserErrorCode.ORDER_NOT_SHIPPABLE: (
        "The order cannot get a shipment in its state (cancelled, or not yet confirmed)."
    ),
    UserErrorCode.CHARGE_REQUIRED: (
        "The incoterm makes the seller pay a charge the quote or order leaves out: FREIGHT "
        "under CFR, CIF, CPT, CIP, DAP, DPU and DDP, and INSURANCE too under CIF and CIP."
    ),
    UserErrorCode.NOTHING_TO_SHIP: (
        "Every unit of the order's lines is already booked on a shipment: a new one would "
        "carry nothing."
    ),
    UserErrorCode.EXCEEDS_UNBOOKED: (
        "A shipment line asks for more units than its order line has left to book (the "
        "quantity less what its other shipments carry); the message says how many remain."
    ),
    UserErrorCode.DUPLICATE_RATE: (
        "A rate for this currency pair and moment is already stored; rates are never changed."
    ),
    UserErrorCode.INVALID_SLUG: (
        "Not a slug: lowercase letters, digits and single hyphens (`woven-fabrics`), at most "
        "as long as the message says."
    ),
    UserErrorCode.SLUG_TAKEN: (
        "Another record of the same kind (category, product type, product) already has this slug."
    ),
    UserErrorCode.CATEGORY_CYCLE: (
        "A category cannot move into itself or one of its own descendants."
    ),
    UserErrorCode.CATEGORY_HAS_CHILDREN: (
        "The category still has sub-categories: move or delete them first."
    ),
    UserErrorCode.CATEGORY_HAS_PRODUCTS: (
        "Products (in any status) are still in the category: move them to another one first."
    ),
    UserErrorCode.INVALID_ATTRIBUTE_KEY: (
        "Not an attribute key: a lowercase letter, then lowercase letters, digits or "
        "underscores (`width_cm`), at most 64 characters."
    ),
    UserErrorCode.ATTRIBUTE_KEY_TAKEN: "The product type already has an attribute with this key.",
    UserErrorCode.WOULD_INVALIDATE_PRODUCTS: (
        "The product type change would leave products without a valid value for the "
        "attribute; `affectedProducts` counts them and names a few. Send the same change with "
        "`valueForExistingProducts` (or `valueMapping` for removed allowed values) to convert "
        "them all in the same transaction."
    ),
    UserErrorCode.SKU_TAKEN: (
        "Another variant already has this SKU, in any letter case (TW-01 and tw-01 are one SKU)."
    ),
    UserErrorCode.INVALID_HS_CODE: (
        "Not a Harmonized System code of 6, 8 or 10 digits (dots and spaces are ignored)."
    ),
    UserErrorCode.INVALID_SPEC: (
        "A spec does not fit the product type's attributes: an unknown key, a missing required "
        "attribute, a value of the wrong kind or outside the allowed values; `field` names it."
    ),
    UserErrorCode.NOT_ASCENDING: (
        "The minimum quantities of a price ladder must rise strictly from one tier to the next."
    ),
    UserErrorCode.TIER_ABOVE_MOQ: (
        "A price ladder would start above the product's MOQ, so a buyer ordering the MOQ would "
        "find no price: the first tier must start at or below the MOQ."
    ),
    UserErrorCode.NOT_SELLABLE: (
        "An active product must stay sellable: it needs at least one variant with a price "
        "ladder, so publishing one without, or removing its last priced variant or ladder, "
        "is refused."
    ),
    UserErrorCode.VARIANT_IN_USE: (
        "The variant has history (order or quote lines, inquiries, stock movements) and is "
        "kept; remove its price ladders to stop selling it."
    ),
    UserErrorCode.IMPORT_STOPPED: (
        "A background import failed on every attempt the worker gives a job and was stopped: "
        "the batches counted in recordsDone landed, the rest did not. The cause is in the "
        "server's log; sending the file again resumes nothing but changes nothing that landed."
    ),
    UserErrorCode.NOT_EXPORTABLE: (
        "The document given to exportCsv has no one list of rows to write: it is not a query, "
        "selects more than one root field, or selects no list or several (the message names "
        "them). Nothing was queued."
    ),
    UserErrorCode.EXPORT_TOO_LARGE: (
        "A CSV export's query lists more rows than EXPORT_MAX_ROWS, or its CSV is larger "
        "than MAX_STORED_FILE_BYTES: narrow it with filters. No file was kept."
    ),
    UserErrorCode.EXPORT_STOPPED: (
        "A CSV export failed on every attempt the worker gives a job and was stopped; the "
        "cause is in the server's log. No file was kept; asking again starts a new export."
    ),
    UserErrorCode.TOO_MANY_EXPORTS: (
        "The caller already has as many CSV exports queued or running as one may (3); ask "
        "again when one has finished. Nothing was queued."
    ),
}


@dataclass(frozen=True)
class Issue:
    """One reason a change was refused; `field` is the path of the input at fault, if any."""

    field: tuple[str, ...] | None
    code: UserErrorCode
    message: str
    # With TOO_MANY_REQUESTS: how long the caller must wait.
    retry_after_seconds: int | None = None


@dataclass(frozen=True)
class WriteResult(Generic[T]):
    """The row (or value) as changed, or the reasons nothing was changed."""

    row: T | None = None
    issues: list[Issue] = field(default_factory=list)


class Refused(Exception):
    """Raised inside a write transaction to roll it back and report `issues` to the caller."""

    def __init__(self, *issues: Issue) -> None:
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = list(issues)


def issue(code: UserErrorCode, message: str, *field: str) -> Issue:
    """An issue at the input path `field` (none: about the request as a whole)."""
    return Issue(field or None, code, message)


def refused(path: tuple[str, ...] | None, code: UserErrorCode, message: str) -> WriteResult[Any]:
    return WriteResult(issues=[Issue(path, code, message)])


def refuse(code: UserErrorCode, message: str, *field: str) -> Refused:
    return Refused(issue(code, message, *field))


def too_many_requests(retry_after_seconds: int) -> Issue:
    return Issue(
        None,
        UserErrorCode.TOO_MANY_REQUESTS,
        f"Too many attempts; try again in {retry_after_seconds} seconds.",
        retry_after_seconds,
    )
