"""`convertLeadToClient`: sales turns a guest's lead into a client company, from one of its
inquiries, so the quotes sent to the guest convert to orders as they are."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from auth.policy import Permission
from core.outcomes import UserErrorCode, WriteResult
from resolvers.inquiries import lead_conversion
from schema.clients.inputs import ClientCompanyPatch
from schema.clients.types import ClientCompany
from schema.info import Info
from schema.inquiries.inquiry import Inquiry
from schema.permissions import AlsoRequiresGate, permission_field
from schema.user_errors import UserError, one_of, user_errors

LEAD_CONVERSION_CODES = (
    UserErrorCode.NOT_FOUND,
    UserErrorCode.INQUIRY_NOT_FROM_GUEST,
    UserErrorCode.EMAIL_TAKEN,
    UserErrorCode.INVALID,
    UserErrorCode.REQUIRED,
    UserErrorCode.TOO_LONG,
    UserErrorCode.INVALID_COUNTRY,
    UserErrorCode.INVALID_CURRENCY,
    UserErrorCode.INVALID_INCOTERM,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
)


@strawberry.type(description="The result of converting a lead into a client company.")
class LeadConversionPayload:
    company: ClientCompany | None = strawberry.field(
        description="The client company the lead became; null when refused."
    )
    inquiry: Inquiry | None = strawberry.field(
        description="The inquiry converted from, now the company's; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was changed; empty on success. `code` is one of "
        + one_of(LEAD_CONVERSION_CODES)
        + "."
    )

    @classmethod
    def from_result(cls, result: WriteResult[lead_conversion.LeadConversion]) -> Self:
        if result.row is None:
            return cls(company=None, inquiry=None, user_errors=user_errors(result.issues))
        return cls(
            company=ClientCompany.from_row(result.row.company),
            inquiry=Inquiry.from_row(result.row.inquiry),
            user_errors=[],
        )


@strawberry.type
class LeadConversionMutation:
    @permission_field(
        Permission.CLIENTS_WRITE,
        description=(
            "Make the guest behind an inquiry a client, in one step: a client company (named "
            "and placed as the guest gave, unless `input` says otherwise; no credit, default "
            "terms), a contact and an invitation of a client user for the guest's email, and "
            "every inquiry of that guest, with its quotes, moved to the company. The guest's "
            "quote then converts to an order as it is, and the guest sees it once they have "
            "accepted the invitation. A guest converted before moves into the same company "
            "(then leave `input` out: INVALID). Also requires `inquiries:manage` and "
            "`users:invite_clients`."
        ),
        extensions=[AlsoRequiresGate(Permission.INQUIRIES_MANAGE, Permission.USERS_INVITE_CLIENTS)],
    )
    async def convert_lead_to_client(
        self,
        info: Info,
        inquiry_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of a guest's inquiry.")
        ],
        input: Annotated[
            ClientCompanyPatch | None,
            strawberry.argument(
                description="Corrections to the company the guest gave; null fields keep it."
            ),
        ] = None,
        idempotency_key: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Optional, 1 to 100 characters (a UUID is ideal), the caller's own: a "
                    "retry with the same key and input answers the company the first call "
                    "made and changes, invites and emits nothing again; the same key with "
                    "another input is IDEMPOTENCY_KEY_REUSED."
                )
            ),
        ] = None,
    ) -> LeadConversionPayload | None:
        result = await lead_conversion.convert_lead_to_client(
            info.context,
            inquiry_id=inquiry_id,
            details=(input or ClientCompanyPatch()).to_details(),
            idempotency_key=idempotency_key,
        )
        return LeadConversionPayload.from_result(result)
