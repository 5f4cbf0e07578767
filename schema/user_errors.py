"""Expected mutation failures as data: `userErrors { field code message }` on every payload."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from core.outcomes import Issue, UserErrorCode


@strawberry.type(
    description=(
        "Why a mutation did not do what was asked. The mutation changed nothing when any "
        "user error is returned."
    )
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "email"]; null for '
        "errors about the request as a whole."
    )
    code: str = strawberry.field(
        description="Stable, machine-readable reason, e.g. INVALID_CREDENTIALS or CONFLICT."
    )
    message: str = strawberry.field(description="Explanation for people, in English.")


def user_errors(issues: Iterable[Issue]) -> list[UserError]:
    return [
        UserError(
            field=None if issue.field is None else list(issue.field),
            code=issue.code.value,
            message=issue.message,
        )
        for issue in issues
    ]


def one_of(codes: Iterable[UserErrorCode]) -> str:
    """The codes a payload may answer, for its description."""
    return ", ".join(code.value for code in codes)
