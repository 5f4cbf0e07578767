"""Inputs of the client-record mutations, and their translation into columns for the rules."""

from __future__ import annotations

from typing import cast

import strawberry

from models import clients as rows
from resolvers.clients.rules import CompanyDetails, ContactDetails
from schema.catalog.enums import Incoterm
from schema.clients.types import BalanceDueOn, MailTopic


@strawberry.input(description="A new client company. Credit and payment terms are set by finance.")
class ClientCompanyInput:
    name: str = strawberry.field(description="Registered name, up to 200 characters.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code, e.g. DE.")
    tax_id: str = strawberry.field(
        default="", description="Tax or VAT registration number, up to 64 characters."
    )
    preferred_currency: str = strawberry.field(
        default="USD", description="ISO 4217 currency it prefers to be quoted in."
    )
    preferred_incoterm: Incoterm = strawberry.field(
        default=Incoterm.FOB, description="The Incoterms rule it usually buys under."
    )
    preferred_language: str = strawberry.field(
        default=rows.DEFAULT_LANGUAGE,
        description="ISO 639-1 code of the language its contacts are mailed in, e.g. de.",
    )

    def to_details(self) -> CompanyDetails:
        return CompanyDetails(
            name=self.name,
            country=self.country,
            tax_id=self.tax_id,
            preferred_currency=self.preferred_currency,
            preferred_incoterm=cast(str, self.preferred_incoterm.value),
            preferred_language=self.preferred_language,
        )


@strawberry.input(
    description="Changes to a client company's details; null fields stay as they are."
)
class ClientCompanyPatch:
    name: str | None = strawberry.field(default=None, description="New registered name.")
    country: str | None = strawberry.field(
        default=None, description="New ISO 3166-1 alpha-2 country code."
    )
    tax_id: str | None = strawberry.field(
        default=None, description="New tax or VAT number; an empty string clears it."
    )
    preferred_currency: str | None = strawberry.field(
        default=None, description="New preferred ISO 4217 currency."
    )
    preferred_incoterm: Incoterm | None = strawberry.field(
        default=None, description="New preferred Incoterms rule."
    )
    preferred_language: str | None = strawberry.field(
        default=None, description="New ISO 639-1 code of the language it is mailed in."
    )

    def to_details(self) -> CompanyDetails:
        incoterm = self.preferred_incoterm
        return CompanyDetails(
            name=self.name,
            country=self.country,
            tax_id=self.tax_id,
            preferred_currency=self.preferred_currency,
            preferred_incoterm=None if incoterm is None else cast(str, incoterm.value),
            preferred_language=self.preferred_language,
        )


@strawberry.input(description="Payment terms: an advance with the order, the balance later.")
class PaymentTermsInput:
    advance_percent: int = strawberry.field(
        description="Percentage paid in advance, from 0 to 100."
    )
    balance_due_on: BalanceDueOn = strawberry.field(
        description="The event from which the balance falls due."
    )
    net_days: int = strawberry.field(
        description="Days after that event by which the balance is due, from 0 to 365."
    )


@strawberry.input(description="A new contact person of a client company.")
class ClientContactInput:
    name: str = strawberry.field(description="Full name, up to 200 characters.")
    email: str = strawberry.field(default="", description="Email address; may be empty.")
    phone: str = strawberry.field(default="", description="Phone number, up to 64 characters.")
    position: str = strawberry.field(
        default="", description="Job title or role, up to 120 characters."
    )
    mail_topics: list[MailTopic] = strawberry.field(
        default_factory=lambda: list(MailTopic),
        description="The mails the contact receives; all of them unless given.",
    )

    def to_details(self) -> ContactDetails:
        return ContactDetails(
            name=self.name,
            email=self.email,
            phone=self.phone,
            position=self.position,
            mail_topics=_topics(self.mail_topics),
        )


@strawberry.input(description="Changes to a contact person; null fields stay as they are.")
class ClientContactPatch:
    name: str | None = strawberry.field(default=None, description="New full name.")
    email: str | None = strawberry.field(
        default=None, description="New email address; an empty string clears it."
    )
    phone: str | None = strawberry.field(
        default=None, description="New phone number; an empty string clears it."
    )
    position: str | None = strawberry.field(
        default=None, description="New job title; an empty string clears it."
    )
    mail_topics: list[MailTopic] | None = strawberry.field(
        default=None,
        description=(
            "All the mails the contact receives from now on (not added to the current ones); "
            "an empty list opts it out of every mail."
        ),
    )

    def to_details(self) -> ContactDetails:
        return ContactDetails(
            name=self.name,
            email=self.email,
            phone=self.phone,
            position=self.position,
            mail_topics=None if self.mail_topics is None else _topics(self.mail_topics),
        )


def _topics(given: list[MailTopic]) -> frozenset[rows.MailTopic]:
    return frozenset(rows.MailTopic(cast(str, topic.value)) for topic in given)
