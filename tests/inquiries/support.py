"""A small sales desk for inquiry tests: clients, a guest, sales staff, a catalog, documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role, User
from models.catalog import Product, ProductStatus, Variant
from models.clients import ClientCompany
from models.inquiries import Inquiry, InquirySource, InquiryStatus, Lead
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import make_client_company, token_for
from tests.user_builders import make_user, session_for

TODAY = datetime.now(UTC).date()
ADDRESS = {
    "name": "Hanse Textil GmbH",
    "line1": "Am Sandtorkai 1",
    "city": "Hamburg",
    "country": "DE",
}

SUBMIT = """mutation($input: SubmitInquiryInput!) { submitInquiry(input: $input) {
  reference retryAfterSeconds
  inquiry { id reference status fromGuest incoterm namedPlace requiredBy message
            client { name }
            items { quantity product { name } variant { sku } targetPrice { amount currency } } }
  userErrors { field code message } } }"""
RECORD = """mutation($input: RecordInquiryInput!, $key: String) {
  recordInquiry(input: $input, idempotencyKey: $key) {
    inquiry { id reference status source fromGuest namedPlace message
              client { name } assignedTo { email }
              items { quantity product { name } variant { sku } } }
    userErrors { field code message } } }"""
ASSIGN = """mutation($id: ID!, $user: ID!, $v: Int) {
  assignInquiry(id: $id, userId: $user, expectedVersion: $v) {
    inquiry { status version assignedTo { email } } userErrors { field code message } } }"""
QUOTE = """mutation($id: ID!, $input: QuoteInput!, $v: Int) {
  quoteInquiry(inquiryId: $id, input: $input, expectedVersion: $v) {
    quote { id revision status currency validUntil leadTimeDays notes
            total { amount currency }
            lines { quantity unitPrice { amount } lineTotal { amount } variant { sku } }
            changes { field before after }
            lineChanges { sku change quantityBefore quantityAfter unitPriceBefore unitPriceAfter }
            inquiry { status } }
    userErrors { field code message } } }"""
CLOSE = """mutation($id: ID!, $outcome: InquiryOutcome!, $reason: String!, $v: Int) {
  closeInquiry(id: $id, outcome: $outcome, reason: $reason, expectedVersion: $v) {
    inquiry { status lostReason version quotes { status } } userErrors { field code message } } }"""
CONVERT = """mutation($quote: ID!, $key: String!, $address: ShippingAddressInput!) {
  convertQuoteToOrder(quoteId: $quote, idempotencyKey: $key, shippingAddress: $address) {
    order { id status currency total { amount }
            lines { sku quantity unitPrice { amount } lineTotal { amount } } }
    quote { status }
    userErrors { field code message } } }"""


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return encode_global_id(type_name, pk)


@dataclass
class Desk:
    company: ClientCompany
    other_company: ClientCompany
    client_token: str
    other_client_token: str
    sales: User
    sales_token: str
    support_token: str
    product: Product  # MOQ 100
    variant: Variant  # 1,000 on hand
    other_variant: Variant  # same product, 1,000 on hand
    inactive: Product


async def make_desk(session: AsyncSession, settings: Settings) -> Desk:
    company = await make_client_company(session, name="Hanse Textil GmbH")
    other = await make_client_company(session, name="Other Company SA")
    sales = await make_user(session, Role.SALES, email="selin@sales.example")
    sales.full_name = "Selin Kaya"
    product_type = await make_fabric_type(session)
    category = await make_category(session)
    product = await make_product(
        session, product_type=product_type, category=category, name="Organic twill", moq=100
    )
    inactive = await make_product(
        session,
        product_type=product_type,
        category=category,
        name="Old poplin",
        status=ProductStatus.ARCHIVED,
    )
    variant = await make_variant(session, product=product, on_hand=1_000)
    other_variant = await make_variant(session, product=product, on_hand=1_000)
    return Desk(
        company=company,
        other_company=other,
        client_token=await token_for(session, settings, Role.CLIENT, company=company),
        other_client_token=await token_for(session, settings, Role.CLIENT, company=other),
        sales=sales,
        sales_token=(await session_for(session, sales, settings)).access_token,
        support_token=await token_for(session, settings, Role.SUPPORT),
        product=product,
        variant=variant,
        other_variant=other_variant,
        inactive=inactive,
    )


def guest(email: str = "ayse@demir.example", **changes: Any) -> dict[str, Any]:
    return {
        "companyName": "Demir Tekstil",
        "contactName": "Ayşe Demir",
        "email": email,
        "country": "TR",
        **changes,
    }


def item(
    product: Product, variant: Variant | None = None, quantity: int = 100, **changes: Any
) -> dict[str, Any]:
    given: dict[str, Any] = {"productId": gid("Product", product.id), "quantity": quantity}
    if variant is not None:
        given["variantId"] = gid("Variant", variant.id)
    return {**given, **changes}


def inquiry_input(items: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    """An inquiry for FOB Nhava Sheva: its quotes need no charges unless a test gives them."""
    return {
        "items": items,
        "incoterm": "FOB",
        "namedPlace": "Nhava Sheva",
        "requiredBy": (TODAY + timedelta(days=60)).isoformat(),
        "message": "Please quote your best price.",
        **changes,
    }


def quote_input(lines: list[tuple[Variant, int, str]], **changes: Any) -> dict[str, Any]:
    return {
        "lines": [
            {"variantId": gid("Variant", variant.id), "quantity": quantity, "unitPrice": price}
            for variant, quantity, price in lines
        ],
        "currency": "EUR",
        "validUntil": (TODAY + timedelta(days=30)).isoformat(),
        "leadTimeDays": 45,
        "notes": "",
        **changes,
    }


def money(amount: str) -> Decimal:
    return Decimal(amount)


async def seed_inquiries(session: AsyncSession, company: ClientCompany) -> tuple[Inquiry, Inquiry]:
    """A company's inquiry assigned to a salesperson, and a guest's (for the field matrix)."""
    sales = await make_user(session, Role.SALES)
    lead = Lead(email="guest@lead.example", company_name="Lead Ltd", country="GB")
    session.add(lead)
    await session.flush()
    own = Inquiry(
        client_company_id=company.id,
        incoterm="FOB",
        named_place="Mumbai",
        assigned_to_user_id=sales.id,
        status=InquiryStatus.ASSIGNED,
        source=InquirySource.CLIENT_USER,
    )
    of_guest = Inquiry(
        lead_id=lead.id,
        incoterm="CIF",
        named_place="Felixstowe",
        source=InquirySource.STOREFRONT_GUEST,
    )
    session.add_all([own, of_guest])
    await session.flush()
    return own, of_guest
