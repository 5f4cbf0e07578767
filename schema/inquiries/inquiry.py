"""`Inquiry` (an RFQ) and what hangs off it: items, quotes, the lead, the assignee.

Whoever may see an inquiry (its client's users, staff with `orders:read_all`) sees what was
asked and what was quoted. Who works on it and why it was lost are internal (staff with
`orders:read_all`); a guest's lead is personal data (staff who may also read client
contacts, `clients:read_pii`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

import strawberry

from auth.policy import Permission
from core.global_id import encode_global_id
from models import accounts as identity
from models import inquiries as rows
from resolvers.inquiries import reads as inquiries
from resolvers.pagination import Page
from schema.catalog.enums import Incoterm
from schema.catalog.product import Product
from schema.catalog.variant import Variant
from schema.clients.types import ClientCompany
from schema.info import Info
from schema.inquiries.enums import InquirySource, InquiryStatus, LostReasonCode
from schema.inquiries.quote import Quote
from schema.money import Money
from schema.node import Node, PageInfo, connection_parts
from schema.permissions import permission_field


@strawberry.type(description="A member of staff, as colleagues see them on their work.")
class StaffMember:
    id: strawberry.ID = strawberry.field(description="Global id of the user.")
    full_name: str = strawberry.field(description="Full name; may be empty.")
    email: str = strawberry.field(description="The address they sign in with.")

    @classmethod
    def from_row(cls, row: identity.User) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_global_id("User", row.id)),
            full_name=row.full_name,
            email=row.email,
        )


@strawberry.type(description="A prospect who asked as a guest: known by email, not an account.")
class Lead:
    company_name: str = strawberry.field(description="The company they gave.")
    contact_name: str = strawberry.field(description="The person who asked.")
    email: str = strawberry.field(description="Their email address, normalised.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")

    @classmethod
    def from_row(cls, row: rows.Lead) -> Self:
        return cls(
            company_name=row.company_name,
            contact_name=row.contact_name,
            email=row.email,
            country=row.country,
        )


@strawberry.type(description="One product (or variant) an inquiry asks about.")
class InquiryItem:
    row: strawberry.Private[rows.InquiryItem]
    quantity: int = strawberry.field(description="Units asked for.")
    target_price: Money | None = strawberry.field(
        description="The unit price the buyer hopes for; null when none was given."
    )

    @classmethod
    def from_row(cls, row: rows.InquiryItem) -> Self:
        target = None
        if row.target_price is not None and row.target_currency is not None:
            target = Money(amount=row.target_price, currency=row.target_currency)
        return cls(row=row, quantity=row.quantity, target_price=target)

    @strawberry.field(description="The product; null once it is no longer on sale.")
    async def product(self, info: Info) -> Product | None:
        found = await inquiries.product(info.context, self.row.product_id)
        return None if found is None else Product.from_row(found)

    @strawberry.field(description="The variant asked for; null when any variant will do.")
    async def variant(self, info: Info) -> Variant | None:
        found = await inquiries.variant(info.context, self.row.variant_id)
        return None if found is None else Variant.from_row(found)


@strawberry.type(description="A request for quotation from a client company or a guest.")
class Inquiry(Node):
    row: strawberry.Private[rows.Inquiry]
    reference: str = strawberry.field(description="The reference for mails, e.g. INQ-000042.")
    status: InquiryStatus = strawberry.field(description="Where the inquiry is.")
    incoterm: Incoterm = strawberry.field(description="The Incoterms 2020 rule asked for.")
    named_place: str = strawberry.field(
        description="The rule's named place, or the destination port for C- and D-terms."
    )
    required_by: date | None = strawberry.field(
        description="When the buyer needs the goods; null when not given."
    )
    message: str = strawberry.field(description="The buyer's message; may be empty.")
    from_guest: bool = strawberry.field(
        description=(
            "True while it belongs to a guest's lead, not to a client company; false once "
            "sales converted the lead (`source` still says STOREFRONT_GUEST)."
        )
    )
    source: InquirySource = strawberry.field(description="Who put it in.")
    version: int = strawberry.field(
        description="Changes with every change; pass it as `expectedVersion` to guard an edit."
    )
    created_at: datetime = strawberry.field(description="When it was submitted.")

    @classmethod
    def from_row(cls, row: rows.Inquiry) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        return cls(
            id=strawberry.ID(encode_global_id("Inquiry", row.id)),
            row=row,
            reference=rows.inquiry_reference(row.id),
            status=InquiryStatus(row.status),
            incoterm=Incoterm(row.incoterm),
            named_place=row.named_place,
            required_by=row.required_by,
            message=row.message,
            from_guest=row.lead_id is not None,
            source=InquirySource(row.source),
            version=row.version,
            created_at=row.created_at,
        )

    @strawberry.field(description="What is asked for, in the buyer's order.")
    async def items(self, info: Info) -> list[InquiryItem]:
        found = await inquiries.items(info.context, self.row)
        return [InquiryItem.from_row(item) for item in found]

    @strawberry.field(description="Every quote revision sent, oldest first.")
    async def quotes(self, info: Info) -> list[Quote]:
        found = await inquiries.quotes(info.context, self.row)
        return [Quote.from_row(quote) for quote in found]

    @strawberry.field(description="The latest revision, whatever its status; null before one.")
    async def current_quote(self, info: Info) -> Quote | None:
        found = await inquiries.current_quote(info.context, self.row)
        return None if found is None else Quote.from_row(found)

    @strawberry.field(description="The client company that asked; null for a guest's inquiry.")
    async def client(self, info: Info) -> ClientCompany | None:
        found = await inquiries.client(info.context, self.row)
        return None if found is None else ClientCompany.from_row(found)

    @permission_field(
        Permission.ORDERS_READ_ALL,
        description="The salesperson working on it; null until it is assigned.",
    )
    async def assigned_to(self, info: Info) -> StaffMember | None:
        found = await inquiries.assignee(info.context, self.row)
        return None if found is None else StaffMember.from_row(found)

    @permission_field(
        Permission.ORDERS_READ_ALL,
        description="Why sales closed it as lost; empty otherwise.",
    )
    def lost_reason(self) -> str | None:
        return self.row.lost_reason

    @permission_field(
        Permission.ORDERS_READ_ALL,
        description="Why sales closed it as lost, as a code; null unless it is lost.",
    )
    def lost_reason_code(self) -> LostReasonCode | None:
        code = self.row.lost_reason_code
        return None if code is None else LostReasonCode(code)

    @permission_field(
        Permission.CLIENTS_READ_PII,
        description="The guest who asked; null for a client's inquiry.",
    )
    async def lead(self, info: Info) -> Lead | None:
        found = await inquiries.lead(info.context, self.row)
        return None if found is None else Lead.from_row(found)


@strawberry.type(description="An inquiry in a list, with the cursor to continue after it.")
class InquiryEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the inquiries after it.")
    node: Inquiry = strawberry.field(description="The inquiry.")


@strawberry.type(
    description="A page of inquiries (Relay connection), in the order the list was asked for."
)
class InquiryConnection:
    page: strawberry.Private[Page[rows.Inquiry]]
    edges: list[InquiryEdge] = strawberry.field(description="Inquiries of this page with cursors.")
    nodes: list[Inquiry] = strawberry.field(description="Inquiries of this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[rows.Inquiry]) -> Self:
        edges, nodes, info = connection_parts(page, Inquiry.from_row, InquiryEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many inquiries match, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()
