"""Passwords: `changePassword`, `requestPasswordReset`, `resetPassword`, `acceptInvitation`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.outcomes import Issue, WriteResult
from models.accounts import User
from resolvers.accounts import passwords
from schema.accounts.gates import signed_in_field
from schema.accounts.payloads import PasswordPayload, retry_after
from schema.info import Info
from schema.user_errors import user_errors

POLICY = "12 to 128 characters, taken exactly as typed, and not one of the most common passwords."
ONE_PER_REQUEST = " One such mutation per request."


def _payload(issues: list[Issue], *, email: str | None = None) -> PasswordPayload:
    return PasswordPayload(
        done=not issues,
        email=None if issues else email,
        user_errors=user_errors(issues),
        retry_after_seconds=retry_after(issues),
    )


def _from_link(outcome: WriteResult[User]) -> PasswordPayload:
    email = outcome.row.email if outcome.row is not None else None
    return _payload(outcome.issues, email=email)


@strawberry.type
class PasswordMutation:
    @signed_in_field(
        description=(
            "Change the signed-in user's password. Needs the current one (throttled like a "
            "login); every other session of the user ends." + ONE_PER_REQUEST
        )
    )
    async def change_password(
        self,
        info: Info,
        current_password: Annotated[
            str, strawberry.argument(description="The password in use now.")
        ],
        new_password: Annotated[str, strawberry.argument(description=f"The new one: {POLICY}")],
    ) -> PasswordPayload | None:
        outcome = await passwords.change_password(
            info.context, current_password=current_password, new_password=new_password
        )
        return _payload(outcome.issues)

    @strawberry.field(
        description=(
            "Mail a password-reset link, if the address belongs to an active account. The "
            "answer is the same either way, so it reveals nothing about who has an account. "
            "Throttled per address and per client IP." + ONE_PER_REQUEST
        )
    )
    async def request_password_reset(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The account's email address.")],
    ) -> PasswordPayload:
        problem = await passwords.request_password_reset(info.context, email=email)
        return _payload([problem] if problem is not None else [])

    @strawberry.field(
        description=(
            "Choose a new password with the token of a reset link (it works once, and expires). "
            "Every session of the user ends; the user then signs in, with MFA if they use it."
            + ONE_PER_REQUEST
        )
    )
    async def reset_password(
        self,
        info: Info,
        token: Annotated[
            str, strawberry.argument(description="The `token` parameter of the mailed link.")
        ],
        new_password: Annotated[str, strawberry.argument(description=f"The new one: {POLICY}")],
    ) -> PasswordPayload:
        outcome = await passwords.reset_password(
            info.context, token=token, new_password=new_password
        )
        return _from_link(outcome)

    @strawberry.field(
        description=(
            "Accept an invitation: choose a password and give one's name, with the token of the "
            "mailed link (it works once, and expires). Then sign in with `login`; staff set MFA "
            "up next." + ONE_PER_REQUEST
        )
    )
    async def accept_invitation(
        self,
        info: Info,
        token: Annotated[
            str, strawberry.argument(description="The `token` parameter of the mailed link.")
        ],
        password: Annotated[str, strawberry.argument(description=f"The password: {POLICY}")],
        full_name: Annotated[
            str, strawberry.argument(description="The name colleagues and clients will see.")
        ],
    ) -> PasswordPayload:
        outcome = await passwords.accept_invitation(
            info.context, token=token, password=password, full_name=full_name
        )
        return _from_link(outcome)
