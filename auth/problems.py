"""Expected refusals of account operations: a stable code, a message, the input at fault.

Resolvers hand them to the schema as `userErrors`. Raising `AccountRefused` inside a write
transaction rolls it back, so a refused operation leaves no row behind; operations whose
refusal must itself be kept (a failed login's audit row) return the problem instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccountErrorCode(StrEnum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    INVALID_EMAIL = "INVALID_EMAIL"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 - an error code
    INVALID_CHALLENGE = "INVALID_CHALLENGE"
    INVALID_CODE = "INVALID_CODE"
    ONE_FACTOR_REQUIRED = "ONE_FACTOR_REQUIRED"
    MFA_ALREADY_ENABLED = "MFA_ALREADY_ENABLED"
    MFA_NOT_ENABLED = "MFA_NOT_ENABLED"
    NO_PENDING_ENROLMENT = "NO_PENDING_ENROLMENT"
    FULL_NAME_REQUIRED = "FULL_NAME_REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED"
    OWN_ACCOUNT = "OWN_ACCOUNT"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    # Path of the argument at fault, e.g. ("password",); None for the request as a whole.
    field: tuple[str, ...] | None = None
    retry_after_seconds: int | None = None


class AccountRefused(Exception):
    """Raised inside a transaction to roll it back and report `problem` to the caller."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def refuse(code: AccountErrorCode, message: str, *field: str) -> AccountRefused:
    return AccountRefused(Problem(code=code.value, message=message, field=field or None))


def too_many_attempts(retry_after_seconds: int) -> Problem:
    return Problem(
        code=AccountErrorCode.TOO_MANY_ATTEMPTS.value,
        message=f"Too many attempts; try again in {retry_after_seconds} seconds.",
        retry_after_seconds=retry_after_seconds,
    )


INVALID_CREDENTIALS = Problem(
    code=AccountErrorCode.INVALID_CREDENTIALS.value,
    message="The email address or the password is wrong.",
)
