"""Signing in and out: `login`, `verifyMfa`, `refreshSession`, `logout`, `logoutAll`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from auth.login import LoginOutcome
from resolvers.accounts import sessions
from schema.accounts.gates import signed_in_field
from schema.accounts.payloads import LoginPayload, LogoutPayload, SessionPayload, retry_after
from schema.accounts.types import MfaRequired, SessionTokens
from schema.info import Info
from schema.user_errors import user_errors

THROTTLED = (
    " Throttled per account and per client IP: too many failures answer TOO_MANY_REQUESTS "
    "with `retryAfterSeconds`. One such mutation per request."
)


def _session_payload(outcome: LoginOutcome) -> SessionPayload:
    problems = [outcome.problem] if outcome.problem is not None else []
    session = (
        SessionTokens.from_issued(outcome.session, mfa_setup_required=outcome.mfa_setup_required)
        if outcome.session is not None
        else None
    )
    return SessionPayload(
        session=session,
        user_errors=user_errors(problems),
        retry_after_seconds=retry_after(problems),
    )


@strawberry.type
class SessionMutation:
    @strawberry.field(
        description=(
            "Sign in with an email and a password. Answers with a session, or with "
            "`MfaRequired` when the account uses MFA (then call `verifyMfa`). Staff without "
            "MFA get a session that can only set MFA up. A wrong password and an unknown email "
            "give the same INVALID_CREDENTIALS." + THROTTLED
        )
    )
    async def login(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The account's email address.")],
        password: Annotated[str, strawberry.argument(description="The account's password.")],
    ) -> LoginPayload:
        outcome = await sessions.login(info.context, email=email, password=password)
        problems = [outcome.problem] if outcome.problem is not None else []
        result: SessionTokens | MfaRequired | None = None
        if outcome.session is not None:
            result = SessionTokens.from_issued(
                outcome.session, mfa_setup_required=outcome.mfa_setup_required
            )
        elif outcome.challenge is not None:
            result = MfaRequired.from_issued(outcome.challenge)
        return LoginPayload(
            result=result,
            user_errors=user_errors(problems),
            retry_after_seconds=retry_after(problems),
        )

    @strawberry.field(
        description=(
            "Finish a login that answered `MfaRequired`: give the challenge and either a code "
            "from the authenticator app or one of the recovery codes (each works once). A "
            "wrong code leaves the challenge usable until it expires." + THROTTLED
        )
    )
    async def verify_mfa(
        self,
        info: Info,
        challenge: Annotated[
            str, strawberry.argument(description="`MfaRequired.challenge` from `login`.")
        ],
        code: Annotated[
            str | None,
            strawberry.argument(description="The 6-digit code the authenticator app shows."),
        ] = None,
        recovery_code: Annotated[
            str | None,
            strawberry.argument(description="A recovery code, instead of `code`."),
        ] = None,
    ) -> SessionPayload:
        outcome = await sessions.verify_mfa(
            info.context, challenge=challenge, code=code, recovery_code=recovery_code
        )
        return _session_payload(outcome)

    @strawberry.field(
        description=(
            "Trade a refresh token for a new access and refresh token (the old pair stops "
            "working). Send it without an Authorization header: an expired access token there "
            "gets 401. A refresh token used twice means it was stolen: the whole session "
            "family ends (REFRESH_TOKEN_REUSED) and the user signs in again."
        )
    )
    async def refresh_session(
        self,
        info: Info,
        refresh_token: Annotated[
            str, strawberry.argument(description="`SessionTokens.refreshToken`.")
        ],
    ) -> SessionPayload:
        outcome = await sessions.refresh(info.context, refresh_token=refresh_token)
        failures = [] if outcome.failure is None else [outcome.failure]
        return SessionPayload(
            session=SessionTokens.from_issued(outcome.issued) if outcome.issued else None,
            user_errors=user_errors(failures),
            retry_after_seconds=None,
        )

    @signed_in_field(description="Sign out this session (its refresh token stops working too).")
    async def logout(self, info: Info) -> LogoutPayload | None:
        ended = await sessions.logout(info.context)
        return LogoutPayload(sessions_ended=ended, user_errors=[])

    @signed_in_field(description="Sign out every session of the signed-in user, this one included.")
    async def logout_all(self, info: Info) -> LogoutPayload | None:
        ended = await sessions.logout_all(info.context)
        return LogoutPayload(sessions_ended=ended, user_errors=[])
