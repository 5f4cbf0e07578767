"""Administrators' changes to accounts: invitations, roles, disabling, MFA resets."""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry

from auth.policy import Permission
from core.outcomes import WriteResult
from models.accounts import Role, User
from resolvers.accounts import user_admin
from schema.accounts.payloads import UserAccountPayload
from schema.accounts.types import StaffRole, UserAccount
from schema.info import Info
from schema.permissions import permission_field
from schema.user_errors import user_errors

ENDS_SESSIONS = " The user's sessions end; the change is recorded in the audit log."


def _payload(outcome: WriteResult[User]) -> UserAccountPayload:
    return UserAccountPayload(
        user=UserAccount.from_row(outcome.row) if outcome.row is not None else None,
        user_errors=user_errors(outcome.issues),
    )


def _user_id_argument() -> Any:
    return strawberry.argument(description="Global id of the user (`UserAccount.id`).")


def _invitation_arguments() -> tuple[Any, Any]:
    return (
        strawberry.argument(description="The address the invitation is mailed to."),
        strawberry.argument(description="The person's full name, for the mail and the admin."),
    )


EMAIL_ARGUMENT, NAME_ARGUMENT = _invitation_arguments()


@strawberry.type
class UserAdminMutation:
    @permission_field(
        Permission.USERS_MANAGE,
        description=(
            "Invite a member of staff: an account without a password, and a mail with a "
            "single-use link to choose one (valid INVITATION_HOURS). Inviting again someone "
            "who has not accepted yet sends a new link; the old one stops working."
        ),
    )
    async def invite_staff(
        self,
        info: Info,
        email: Annotated[str, EMAIL_ARGUMENT],
        full_name: Annotated[str, NAME_ARGUMENT],
        role: Annotated[StaffRole, strawberry.argument(description="The role to give.")],
    ) -> UserAccountPayload | None:
        outcome = await user_admin.invite_user(
            info.context, email=email, full_name=full_name, role=Role(cast(str, role.value))
        )
        return _payload(outcome)

    @permission_field(
        Permission.USERS_INVITE_CLIENTS,
        description=(
            "Invite a user of a client company, who will sign in for that company only; they "
            "get a mail with a single-use link to choose a password."
        ),
    )
    async def invite_client_user(
        self,
        info: Info,
        client_company_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of the client company.")
        ],
        email: Annotated[str, EMAIL_ARGUMENT],
        full_name: Annotated[str, NAME_ARGUMENT],
    ) -> UserAccountPayload | None:
        outcome = await user_admin.invite_user(
            info.context,
            email=email,
            full_name=full_name,
            role=Role.CLIENT,
            client_company_id=client_company_id,
        )
        return _payload(outcome)

    @permission_field(
        Permission.USERS_MANAGE,
        description="Give a member of staff another staff role; not one's own." + ENDS_SESSIONS,
    )
    async def change_user_role(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, _user_id_argument()],
        role: Annotated[StaffRole, strawberry.argument(description="The new role.")],
    ) -> UserAccountPayload | None:
        outcome = await user_admin.change_role(
            info.context, user_id=user_id, role=Role(cast(str, role.value))
        )
        return _payload(outcome)

    @permission_field(
        Permission.USERS_MANAGE,
        description="Stop a user from signing in; not one's own account." + ENDS_SESSIONS,
    )
    async def disable_user(
        self, info: Info, user_id: Annotated[strawberry.ID, _user_id_argument()]
    ) -> UserAccountPayload | None:
        return _payload(await user_admin.disable_user(info.context, user_id=user_id))

    @permission_field(
        Permission.USERS_MANAGE,
        description=(
            "Turn a user's MFA off (a lost phone without recovery codes): staff must enrol "
            "again at their next sign-in. Not one's own account." + ENDS_SESSIONS
        ),
    )
    async def reset_user_mfa(
        self, info: Info, user_id: Annotated[strawberry.ID, _user_id_argument()]
    ) -> UserAccountPayload | None:
        return _payload(await user_admin.reset_user_mfa(info.context, user_id=user_id))
