"""What the account mutations return: a result, `userErrors`, and a wait when throttled."""

from __future__ import annotations

import strawberry

from core.outcomes import Issue, UserErrorCode
from schema.accounts.types import LoginResult, SessionTokens, TotpEnrollment, UserAccount
from schema.user_errors import UserError, one_of

# What the account mutations may answer, besides the password policy codes.
ACCOUNT_CODES = (
    UserErrorCode.INVALID_CREDENTIALS,
    UserErrorCode.TOO_MANY_REQUESTS,
    UserErrorCode.INVALID_EMAIL,
    UserErrorCode.EMAIL_TAKEN,
    UserErrorCode.INVALID_TOKEN,
    UserErrorCode.INVALID_CHALLENGE,
    UserErrorCode.INVALID_CODE,
    UserErrorCode.ONE_FACTOR_REQUIRED,
    UserErrorCode.MFA_ALREADY_ENABLED,
    UserErrorCode.MFA_NOT_ENABLED,
    UserErrorCode.NO_PENDING_ENROLMENT,
    UserErrorCode.REQUIRED,
    UserErrorCode.TOO_LONG,
    UserErrorCode.NOT_FOUND,
    UserErrorCode.ROLE_NOT_ALLOWED,
    UserErrorCode.OWN_ACCOUNT,
)
USER_ERRORS = (
    "Why nothing was done; empty on success. `code` is one of "
    + one_of(ACCOUNT_CODES)
    + ", or a password policy code (PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG, PASSWORD_TOO_COMMON)."
)
RETRY_AFTER = (
    "With TOO_MANY_REQUESTS: seconds to wait before trying again (at most "
    "AUTH_LOCKOUT_MINUTES); null otherwise."
)


def retry_after(issues: list[Issue]) -> int | None:
    waits = [issue.retry_after_seconds for issue in issues if issue.retry_after_seconds is not None]
    return max(waits) if waits else None


@strawberry.type(description="The result of `login`.")
class LoginPayload:
    result: LoginResult | None = strawberry.field(
        description="A session, or the MFA challenge to answer; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    retry_after_seconds: int | None = strawberry.field(description=RETRY_AFTER)


@strawberry.type(description="The result of `verifyMfa` or `refreshSession`.")
class SessionPayload:
    session: SessionTokens | None = strawberry.field(
        description="The new session's tokens; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description=USER_ERRORS
        + " `refreshSession` may also answer INVALID_REFRESH_TOKEN, SESSION_EXPIRED or "
        "REFRESH_TOKEN_REUSED (a used token came back: every session of its family ended)."
    )
    retry_after_seconds: int | None = strawberry.field(description=RETRY_AFTER)


@strawberry.type(description="The result of `logout` or `logoutAll`.")
class LogoutPayload:
    sessions_ended: int = strawberry.field(description="How many sessions ended.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="The result of a password change, a reset or a request for one.")
class PasswordPayload:
    done: bool = strawberry.field(
        description=(
            "True when the request was taken. For `requestPasswordReset` that says nothing "
            "about the address: a link is mailed only if it belongs to an active account."
        )
    )
    email: str | None = strawberry.field(
        description=(
            "For `acceptInvitation` and `resetPassword`: the address to sign in with now. "
            "Null otherwise."
        )
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    retry_after_seconds: int | None = strawberry.field(description=RETRY_AFTER)


@strawberry.type(description="The result of `enrollTotp`.")
class EnrollTotpPayload:
    enrollment: TotpEnrollment | None = strawberry.field(
        description="The pending secret, shown this once; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(
    description="The result of a change to MFA: recovery codes when new ones were made."
)
class MfaPayload:
    recovery_codes: list[str] | None = strawberry.field(
        description=(
            "Ten single-use recovery codes, shown only this once: ask the user to store them "
            "offline. Null when refused or when the change makes none (`disableTotp`)."
        )
    )
    done: bool = strawberry.field(description="True when the change was made.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    retry_after_seconds: int | None = strawberry.field(description=RETRY_AFTER)


@strawberry.type(description="The result of an administrator's change to a user account.")
class UserAccountPayload:
    user: UserAccount | None = strawberry.field(
        description="The account as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
