"""`ClientCompany` and what hangs off it: contacts, client users, credit and payment terms.

Everyone who may see a company (staff with `clients:read`, and the company's own users) sees
its name, country and preferences. Its tax id and contacts need `clients:read_pii`, its
credit limit and terms `finance:read`, its users `clients:read`; client users hold none of
these, so they do not see their own company's tax id, contacts or terms through the API.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from auth.policy import Permission
from core.global_id import encode_global_id
from models import clients as rows
from models.accounts import User
from models.money import round_money
from resolvers.clients import reads as client_companies
from resolvers.pagination import Page
from schema.catalog.enums import Incoterm
from schema.info import Info
from schema.money import Money
from schema.node import Node, PageInfo, connection_parts
from schema.permissions import permission_field


@strawberry.enum(description="The event from which a balance falls due, plus the net days.")
class BalanceDueOn(Enum):
    INVOICE = strawberry.enum_value(
        rows.BalanceDueOn.INVOICE.value, description="The date of the invoice."
    )
    BILL_OF_LADING = strawberry.enum_value(
        rows.BalanceDueOn.BILL_OF_LADING.value,
        description="The date of the bill of lading, i.e. when the goods are shipped.",
    )
    DELIVERY = strawberry.enum_value(
        rows.BalanceDueOn.DELIVERY.value, description="Delivery of the goods to the buyer."
    )


@strawberry.enum(
    description=(
        "A kind of mail about its company's business that a contact person receives; see "
        "docs/api/mail.md for which event sends which."
    )
)
class MailTopic(Enum):
    QUOTES = strawberry.enum_value(
        rows.MailTopic.QUOTES.value, description="Quotes sent, and quotes about to expire."
    )
    ORDERS = strawberry.enum_value(rows.MailTopic.ORDERS.value, description="Orders confirmed.")
    SHIPMENTS = strawberry.enum_value(
        rows.MailTopic.SHIPMENTS.value,
        description="Shipments departed, their ETA changed, and orders delivered.",
    )
    INVOICES = strawberry.enum_value(
        rows.MailTopic.INVOICES.value, description="Payments received, and invoices overdue."
    )


@strawberry.type(description="How a client pays: an advance with the order, the rest later.")
class PaymentTerms:
    advance_percent: int = strawberry.field(
        description="Percentage of an order's value paid in advance, from 0 to 100."
    )
    balance_due_on: BalanceDueOn = strawberry.field(
        description="The event from which the balance falls due."
    )
    net_days: int = strawberry.field(
        description="Days after `balanceDueOn` by which the balance must be paid, 0 to 365."
    )


@strawberry.type(description="A person to talk to at a client company.")
class ClientContact:
    id: strawberry.ID = strawberry.field(
        description="Global id, for `updateClientContact` and `removeClientContact`."
    )
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Email address; may be empty.")
    phone: str = strawberry.field(description="Phone number as given; may be empty.")
    position: str = strawberry.field(description="Job title or role, e.g. 'Head buyer'.")
    mail_topics: list[MailTopic] = strawberry.field(
        description=(
            "The mails the contact receives at its email, in the company's "
            "`preferredLanguage`; empty: none."
        )
    )

    @classmethod
    def from_row(cls, row: rows.ClientContact) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_global_id("ClientContact", row.id)),
            name=row.name,
            email=row.email,
            phone=row.phone,
            position=row.position,
            mail_topics=[MailTopic(topic.value) for topic in row.mail_topics],
        )


@strawberry.type(description="A user who signs in on behalf of a client company.")
class ClientCompanyUser:
    email: str = strawberry.field(description="The email address the user signs in with.")
    full_name: str = strawberry.field(description="Full name; may be empty.")

    @classmethod
    def from_row(cls, row: User) -> Self:
        return cls(email=row.email, full_name=row.full_name)


@strawberry.type(description="A buyer company: a client of the business.")
class ClientCompany(Node):
    row: strawberry.Private[rows.ClientCompany]
    name: str = strawberry.field(description="Registered name.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code of its country.")
    preferred_currency: str = strawberry.field(
        description="ISO 4217 currency it prefers to be quoted and invoiced in."
    )
    preferred_incoterm: Incoterm = strawberry.field(
        description="The Incoterms rule it usually buys under."
    )
    preferred_language: str = strawberry.field(
        description=(
            "ISO 639-1 code (lower case) of the language its contacts are mailed in; English "
            "for a mail with no template in that language."
        )
    )
    version: int = strawberry.field(
        description="Changes with every edit; pass it as `expectedVersion` when editing."
    )
    created_at: datetime = strawberry.field(description="When the company was created.")

    @classmethod
    def from_row(cls, row: rows.ClientCompany) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        return cls(
            id=strawberry.ID(encode_global_id("ClientCompany", row.id)),
            row=row,
            name=row.name,
            country=row.country,
            preferred_currency=row.preferred_currency,
            preferred_incoterm=Incoterm(row.preferred_incoterm),
            preferred_language=row.preferred_language,
            version=row.version,
            created_at=row.created_at,
        )

    @permission_field(
        Permission.CLIENTS_READ_PII,
        description="Tax or VAT registration number; may be empty.",
    )
    def tax_id(self) -> str | None:
        return self.row.tax_id

    @permission_field(Permission.CLIENTS_READ_PII, description="Contact people, by name.")
    async def contacts(self, info: Info) -> list[ClientContact] | None:
        found = await client_companies.company_contacts(info.context, self.row)
        return [ClientContact.from_row(row) for row in found]

    @permission_field(
        Permission.FINANCE_READ,
        description="How much the company may owe at once; 0 until finance grants credit.",
    )
    def credit_limit(self) -> Money | None:
        return Money(amount=self.row.credit_limit, currency=self.row.credit_currency)

    @permission_field(
        Permission.FINANCE_READ,
        description=(
            "What the company's orders that are not cancelled still owe, in its credit "
            "currency: the part of the credit limit in use."
        ),
    )
    def credit_used(self) -> Money | None:
        currency = self.row.credit_currency
        return Money(amount=round_money(self.row.credit_used, currency), currency=currency)

    @permission_field(
        Permission.FINANCE_READ,
        description=(
            "What the company still owes on receivables whose due date has passed, in its "
            "credit currency, as of today (UTC)."
        ),
    )
    async def overdue_amount(self, info: Info) -> Money | None:
        amount = await client_companies.company_overdue(info.context, self.row)
        currency = self.row.credit_currency
        return Money(amount=round_money(amount, currency), currency=currency)

    @permission_field(Permission.FINANCE_READ, description="The payment terms finance granted.")
    def payment_terms(self) -> PaymentTerms | None:
        return PaymentTerms(
            advance_percent=self.row.advance_percent,
            balance_due_on=BalanceDueOn(self.row.balance_due_on),
            net_days=self.row.net_days,
        )

    @permission_field(
        Permission.CLIENTS_READ,
        description="The company's users, who sign in to order on its behalf, by email.",
    )
    async def users(self, info: Info) -> list[ClientCompanyUser] | None:
        found = await client_companies.company_users(info.context, self.row)
        return [ClientCompanyUser.from_row(row) for row in found]


@strawberry.type(description="A client company in a list, with the cursor to continue after it.")
class ClientCompanyEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the companies after it.")
    node: ClientCompany = strawberry.field(description="The company.")


@strawberry.type(description="A page of client companies (Relay connection), by name.")
class ClientCompanyConnection:
    page: strawberry.Private[Page[rows.ClientCompany]]
    edges: list[ClientCompanyEdge] = strawberry.field(
        description="Companies of this page with cursors."
    )
    nodes: list[ClientCompany] = strawberry.field(
        description="Companies of this page, without cursors."
    )
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[rows.ClientCompany]) -> Self:
        edges, nodes, info = connection_parts(page, ClientCompany.from_row, ClientCompanyEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many companies match, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()
