"""Fields for the signed-in user about themselves: no permission, but a user session.

Anonymous callers get null with UNAUTHENTICATED (log in, or refresh, first); API keys get
FORBIDDEN, since they have no user, password or MFA of their own. The gate runs before the
resolver, as `PermissionGate` does.
"""

from __future__ import annotations

from typing import Any

import strawberry

from auth.principal import Principal, PrincipalKind
from core.errors import Forbidden, Unauthenticated
from schema.permissions import CallerGate


class SignedInUserGate(CallerGate):
    def check(self, principal: Principal) -> None:
        if not principal.is_authenticated:
            raise Unauthenticated("sign in first: this needs a user's access token")
        if principal.kind is not PrincipalKind.USER or principal.session_id is None:
            raise Forbidden("only for users signed in with a session, not for API keys")


def signed_in_field(*, description: str, **kwargs: Any) -> Any:
    """A field about the caller's own account; needs a user session."""
    return strawberry.field(
        description=f"{description}\n\nNeeds a signed-in user (a session, not an API key).",
        extensions=[SignedInUserGate()],
        **kwargs,
    )
