"""Mutations of client records. Each names its permission: without it the caller gets a
FORBIDDEN error and nothing changes; with it, refusals come back as `userErrors`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Self

import strawberry

from auth.policy import Permission
from core.outcomes import UserErrorCode, WriteResult
from models import clients as rows
from resolvers.clients import contacts as client_contacts
from resolvers.clients import writes as client_writes
from schema.clients.inputs import (
    ClientCompanyInput,
    ClientCompanyPatch,
    ClientContactInput,
    ClientContactPatch,
    PaymentTermsInput,
)
from schema.clients.types import ClientCompany, ClientContact
from schema.decimal_input import DecimalBounds, lands_in
from schema.info import Info
from schema.permissions import permission_field
from schema.user_errors import UserError, one_of, user_errors

CLIENT_CODES = (
    UserErrorCode.REQUIRED,
    UserErrorCode.TOO_LONG,
    UserErrorCode.INVALID_COUNTRY,
    UserErrorCode.INVALID_CURRENCY,
    UserErrorCode.INVALID_INCOTERM,
    UserErrorCode.INVALID_LANGUAGE,
    UserErrorCode.INVALID_EMAIL,
    UserErrorCode.INVALID_AMOUNT,
    UserErrorCode.OUT_OF_RANGE,
    UserErrorCode.NOT_FOUND,
    UserErrorCode.CONFLICT,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
)
USER_ERRORS = (
    "Why nothing was changed; empty on success. `code` is one of "
    + one_of(CLIENT_CODES)
    + "; CONFLICT means `expectedVersion` is stale: reload and apply the change again."
)


def _id_argument(what: str) -> Any:
    return strawberry.argument(description=f"Global id of the {what}.")


VERSION_ARGUMENT = strawberry.argument(
    description="The `version` the change is based on; a stale one changes nothing (CONFLICT)."
)
IDEMPOTENCY_KEY = strawberry.argument(
    description=(
        "Optional, 1 to 100 characters, unique per intended record (a UUID is ideal), scoped "
        "to the caller: a retry with the same key and input answers what the first call made "
        "and writes nothing again; the same key with another input is IDEMPOTENCY_KEY_REUSED."
    )
)


@strawberry.type(description="The result of a change to a client company.")
class ClientCompanyPayload:
    company: ClientCompany | None = strawberry.field(
        description="The company as it is now; null when the change was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[rows.ClientCompany]) -> Self:
        company = None if result.row is None else ClientCompany.from_row(result.row)
        return cls(company=company, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of adding or editing a contact person.")
class ClientContactPayload:
    contact: ClientContact | None = strawberry.field(
        description="The contact as it is now; null when the change was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[rows.ClientContact]) -> Self:
        contact = None if result.row is None else ClientContact.from_row(result.row)
        return cls(contact=contact, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of removing a contact person.")
class RemoveClientContactPayload:
    removed_contact_id: strawberry.ID | None = strawberry.field(
        description="Global id of the removed contact; null when nothing was removed."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type
class ClientMutation:
    @permission_field(
        Permission.CLIENTS_WRITE,
        description=(
            "Create a client company. It starts with no credit (a limit of 0) and default "
            "terms; only finance grants credit, with `updateClientCredit`."
        ),
    )
    async def create_client_company(
        self,
        info: Info,
        input: Annotated[ClientCompanyInput, strawberry.argument(description="The company.")],
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> ClientCompanyPayload | None:
        result = await client_writes.create_client_company(
            info.context, input.to_details(), idempotency_key
        )
        return ClientCompanyPayload.from_result(result)

    @permission_field(
        Permission.CLIENTS_WRITE,
        description="Change a client company's details (not its credit or payment terms).",
    )
    async def update_client_company(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id_argument("company")],
        expected_version: Annotated[int, VERSION_ARGUMENT],
        input: Annotated[ClientCompanyPatch, strawberry.argument(description="The changes.")],
    ) -> ClientCompanyPayload | None:
        result = await client_writes.update_client_company(
            info.context,
            company_id=id,
            expected_version=expected_version,
            details=input.to_details(),
        )
        return ClientCompanyPayload.from_result(result)

    @permission_field(
        Permission.FINANCE_WRITE,
        description="Set a client company's credit limit and payment terms, together.",
        extensions=[DecimalBounds()],
    )
    async def update_client_credit(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id_argument("company")],
        expected_version: Annotated[int, VERSION_ARGUMENT],
        credit_limit: Annotated[
            Decimal,
            strawberry.argument(
                description="The new limit, 0 or more, 2 decimals.",
                metadata=lands_in(rows.ClientCompany.credit_limit),
            ),
        ],
        credit_currency: Annotated[
            str, strawberry.argument(description="ISO 4217 currency of the limit.")
        ],
        payment_terms: Annotated[
            PaymentTermsInput, strawberry.argument(description="The new payment terms.")
        ],
    ) -> ClientCompanyPayload | None:
        result = await client_writes.update_client_credit(
            info.context,
            company_id=id,
            expected_version=expected_version,
            credit_limit=credit_limit,
            credit_currency=credit_currency,
            advance_percent=payment_terms.advance_percent,
            balance_due_on=str(payment_terms.balance_due_on.value),
            net_days=payment_terms.net_days,
        )
        return ClientCompanyPayload.from_result(result)

    @permission_field(Permission.CLIENTS_WRITE, description="Add a contact person to a company.")
    async def add_client_contact(
        self,
        info: Info,
        company_id: Annotated[strawberry.ID, _id_argument("company")],
        input: Annotated[ClientContactInput, strawberry.argument(description="The contact.")],
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> ClientContactPayload | None:
        result = await client_contacts.add_client_contact(
            info.context,
            company_id=company_id,
            details=input.to_details(),
            idempotency_key=idempotency_key,
        )
        return ClientContactPayload.from_result(result)

    @permission_field(Permission.CLIENTS_WRITE, description="Change a contact person's details.")
    async def update_client_contact(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id_argument("contact")],
        input: Annotated[ClientContactPatch, strawberry.argument(description="The changes.")],
    ) -> ClientContactPayload | None:
        result = await client_contacts.update_client_contact(
            info.context, contact_id=id, details=input.to_details()
        )
        return ClientContactPayload.from_result(result)

    @permission_field(Permission.CLIENTS_WRITE, description="Remove a contact person.")
    async def remove_client_contact(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id_argument("contact")],
    ) -> RemoveClientContactPayload | None:
        result = await client_contacts.remove_client_contact(info.context, contact_id=id)
        return RemoveClientContactPayload(
            removed_contact_id=None if result.row is None else id,
            user_errors=user_errors(result.issues),
        )
