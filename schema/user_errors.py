"""Expected mutation failures as data: `userErrors { field code message }` on every payload."""

from __future__ import annotations

import strawberry


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
