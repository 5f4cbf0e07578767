"""The people section of the back office: the users list, any user's sessions, and the
changes administrators make to them (enabling a user, ending a session), besides one's own
`endMySession`.

`users` needs `users:invite_clients`; holders of `users:manage` (who hold it too, see
`auth.policy`) see every user, the others client users only. The rest needs `users:manage`.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Self, cast

import strawberry

from admin_queries import accounts as people
from auth.policy import Permission
from core.global_id import encode_global_id
from core.outcomes import WriteResult
from models.accounts import Role, User, UserSession
from resolvers.accounts import sessions, user_admin
from resolvers.accounts.sessions import SessionListing
from resolvers.pagination import Page
from schema.accounts.gates import signed_in_field
from schema.accounts.payloads import USER_ERRORS, UserAccountPayload
from schema.accounts.types import Session, UserAccount, UserRole
from schema.info import Info
from schema.node import PageAfter, PageInfo, PageSize, connection_parts
from schema.permissions import permission_field
from schema.user_errors import UserError, user_errors

Sort = people.UserSort


@strawberry.enum(description="Orders of the users list; each pages with cursors.")
class UserSort(Enum):
    NAME = strawberry.enum_value(Sort.NAME.value, description="By full name, A to Z (default).")
    EMAIL = strawberry.enum_value(Sort.EMAIL.value, description="By email, A to Z.")
    LAST_SIGNED_IN = strawberry.enum_value(
        Sort.LAST_SIGNED_IN.value,
        description="Most recent sign-in first; users who never signed in last.",
    )


@strawberry.input(description="Conditions on users; all given must hold.")
class UserFilter:
    roles: list[UserRole] | None = strawberry.field(
        default=None, description="Only users with one of these roles (at least one)."
    )
    client_company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only users of this client company (a global id)."
    )
    disabled: bool | None = strawberry.field(
        default=None, description="True: only disabled users; false: only active ones."
    )
    mfa_enabled: bool | None = strawberry.field(
        default=None,
        description="True: only users who have set MFA up (confirmed TOTP); false: the others.",
    )

    def to_query(self) -> people.UserFilter:
        return people.UserFilter(
            roles=None if self.roles is None else [Role(cast(str, r.value)) for r in self.roles],
            client_company_id=self.client_company_id,
            disabled=self.disabled,
            mfa_enabled=self.mfa_enabled,
        )


@strawberry.type(description="A user in the users list, with the cursor to continue after it.")
class UserAccountEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the users after it.")
    node: UserAccount = strawberry.field(description="The user.")


@strawberry.type(description="A page of users (Relay connection).")
class UserAccountConnection:
    page: strawberry.Private[Page[User]]
    edges: list[UserAccountEdge] = strawberry.field(description="Users with cursors.")
    nodes: list[UserAccount] = strawberry.field(description="Users without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[User]) -> Self:
        edges, nodes, info = connection_parts(page, UserAccount.from_row, UserAccountEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many users match, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()


@strawberry.type(description="The result of `endUserSession` or `endMySession`.")
class EndSessionPayload:
    ended_session_id: strawberry.ID | None = strawberry.field(
        description="Global id of the session that ended; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description=USER_ERRORS
        + " A session that does not exist, has already ended or is not the caller's own "
        "(`endMySession`) is NOT_FOUND."
    )

    @classmethod
    def from_result(cls, result: WriteResult[UserSession]) -> Self:
        row = result.row
        ended = None if row is None else strawberry.ID(_session_id(row))
        return cls(ended_session_id=ended, user_errors=user_errors(result.issues))


def _session_id(row: UserSession) -> str:
    assert row.id is not None
    return encode_global_id("Session", row.id)


SESSION_ID = strawberry.argument(description="Global id of the session (`Session.id`).")


def _user_id_argument() -> Any:
    return strawberry.argument(description="Global id of the user (`UserAccount.id`).")


@strawberry.type
class PeopleQuery:
    @permission_field(
        Permission.USERS_INVITE_CLIENTS,
        description=(
            "Users, a page at a time: every user for holders of `users:manage`, client users "
            "only for everyone else. Pass `pageInfo.endCursor` as `after` for the next page, "
            "with the same arguments."
        ),
    )
    async def users(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Only users whose full name or email starts with this text, in any case; "
                    "at most 100 characters."
                )
            ),
        ] = None,
        filter: Annotated[
            UserFilter | None, strawberry.argument(description="Only users meeting these.")
        ] = None,
        sort_by: Annotated[
            UserSort, strawberry.argument(description="The order of the users.")
        ] = UserSort.NAME,
    ) -> UserAccountConnection | None:
        page = await people.list_users(
            info.context,
            first=first,
            after=after,
            search=search,
            user_filter=(filter or UserFilter()).to_query(),
            sort=Sort(cast(str, sort_by.value)),
        )
        return UserAccountConnection.from_page(page)

    @permission_field(
        Permission.USERS_MANAGE,
        description=(
            "A user's live sessions, newest first; end one with `endUserSession`. Null if "
            "there is no such user."
        ),
    )
    async def user_sessions(
        self, info: Info, user_id: Annotated[strawberry.ID, _user_id_argument()]
    ) -> list[Session] | None:
        rows = await people.user_sessions(info.context, user_id)
        if rows is None:
            return None
        current = info.context.principal.session_id
        return [Session.from_listing(SessionListing(row, row.id == current)) for row in rows]


@strawberry.type
class PeopleMutation:
    @permission_field(
        Permission.USERS_MANAGE,
        description=(
            "Let a disabled user sign in again with their password; their old sessions stay "
            "ended. Enabling an active user changes nothing. Not one's own account. The change "
            "is recorded in the audit log."
        ),
    )
    async def enable_user(
        self, info: Info, user_id: Annotated[strawberry.ID, _user_id_argument()]
    ) -> UserAccountPayload | None:
        outcome = await user_admin.enable_user(info.context, user_id=user_id)
        return UserAccountPayload(
            user=UserAccount.from_row(outcome.row) if outcome.row is not None else None,
            user_errors=user_errors(outcome.issues),
        )

    @permission_field(
        Permission.USERS_MANAGE,
        description=(
            "End any user's live session (its refresh token stops working too): it is refused "
            "from the next request on. The change is recorded in the audit log."
        ),
    )
    async def end_user_session(
        self, info: Info, session_id: Annotated[strawberry.ID, SESSION_ID]
    ) -> EndSessionPayload | None:
        result = await sessions.end_session(info.context, session_id=session_id, own_only=False)
        return EndSessionPayload.from_result(result)

    @signed_in_field(
        description=(
            "End one of the signed-in user's own live sessions (see `sessions`), this one or "
            "another; its refresh token stops working too. Another user's session is "
            "NOT_FOUND. Recorded in the audit log."
        )
    )
    async def end_my_session(
        self, info: Info, session_id: Annotated[strawberry.ID, SESSION_ID]
    ) -> EndSessionPayload | None:
        result = await sessions.end_session(info.context, session_id=session_id, own_only=True)
        return EndSessionPayload.from_result(result)
