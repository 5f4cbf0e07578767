"""The signed-in user's own account (`me`, `sessions`), and the people section's reads."""

from __future__ import annotations

import strawberry

from resolvers.accounts import sessions
from schema.accounts.gates import signed_in_field
from schema.accounts.people import PeopleQuery
from schema.accounts.types import CurrentUser, Session
from schema.info import Info


@strawberry.type
class AccountQuery(PeopleQuery):
    @strawberry.field(
        description=(
            "The signed-in user: who they are, their role, whether MFA is on and whether this "
            "session must set it up first. Null for anonymous callers and API keys."
        )
    )
    async def me(self, info: Info) -> CurrentUser | None:
        user = await sessions.me(info.context)
        if user is None:
            return None
        limited = info.context.principal.limited_to_mfa_setup
        return CurrentUser.from_row(user, mfa_setup_required=limited)

    @signed_in_field(
        description=(
            "The signed-in user's live sessions, newest first, the current one marked; end "
            "them all with `logoutAll`."
        )
    )
    async def sessions(self, info: Info) -> list[Session] | None:
        return [Session.from_listing(item) for item in await sessions.own_sessions(info.context)]
