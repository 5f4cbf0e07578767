"""Field-level permissions, declared next to the field and visible in the schema.

`permission_field(Permission.X, description=...)` gives a field the `@requiresPermission`
directive, a line in its description, and a gate that runs before the resolver (and before
any other field extension, such as a cache): a caller without the permission gets null with
a FORBIDDEN error at that path, and the rest of the response is served.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.schema_directive import Location

from auth.policy import DESCRIPTIONS, Permission
from auth.principal import Principal, PrincipalKind
from core.errors import Forbidden, Unauthenticated
from models.accounts import STAFF_ROLES


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Only callers holding the named permission may read this field.",
)
class RequiresPermission:
    name: str


class CallerGate(FieldExtension):
    """Runs `check` on the caller before the field resolves, sync or async alike."""

    def check(self, principal: Principal) -> None:
        raise NotImplementedError

    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        self.check(info.context.principal)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        self.check(info.context.principal)
        return await next_(source, info, **kwargs)


class PermissionGate(CallerGate):
    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def check(self, principal: Principal) -> None:
        if not principal.can(self.permission):
            raise Forbidden(f"requires the {self.permission.value} permission")


class ClientOrPermissionGate(CallerGate):
    """Client users (their own company's rows, by row scoping) or holders of `permission`."""

    def __init__(self, permission: Permission, doing: str) -> None:
        self.permission = permission
        self.doing = doing

    def check(self, principal: Principal) -> None:
        is_client_user = principal.is_client and principal.client_company_id is not None
        if not (is_client_user or principal.can(self.permission)):
            raise Forbidden(
                f"{self.doing} by the client's users, or by staff holding {self.permission.value}"
            )


def permission_description(permission: Permission, description: str) -> str:
    return (
        f"{description}\n\nRequires the `{permission.value}` permission "
        f"({DESCRIPTIONS[permission]})."
    )


def permission_field(
    permission: Permission,
    *,
    description: str,
    extensions: list[FieldExtension] | None = None,
    **kwargs: Any,
) -> Any:
    """A field only `permission` holders may read; the gate is listed last so it runs first."""
    return strawberry.field(
        description=permission_description(permission, description),
        directives=[RequiresPermission(name=permission.value)],
        extensions=[*(extensions or []), PermissionGate(permission)],
        **kwargs,
    )


class StaffOrApiKeyGate(CallerGate):
    """Staff users and API keys of a staff role: the back office. Client users have their own
    views in the storefront, and a storefront key reads the catalog, not the back office."""

    def __init__(self, what: str) -> None:
        self.what = what

    def check(self, principal: Principal) -> None:
        if not principal.is_authenticated:
            raise Unauthenticated(f"sign in first: {self.what} for a signed-in caller")
        staff_key = principal.kind is PrincipalKind.API_KEY and principal.role in STAFF_ROLES
        if not (principal.is_staff or staff_key):
            raise Forbidden(f"{self.what} for staff and staff API keys")


class AlsoRequiresGate(CallerGate):
    """Permissions a field needs beside the one its `@requiresPermission` names, for an
    operation that does the work of several (converting a lead creates a company, works the
    inquiry and invites a user). List it before `permission_field`'s own gate, which then
    runs first, so a caller without the named permission hears about that one."""

    def __init__(self, *permissions: Permission) -> None:
        self.permissions = permissions

    def check(self, principal: Principal) -> None:
        missing = [p.value for p in self.permissions if not principal.can(p)]
        if missing:
            raise Forbidden(f"also requires the {', '.join(missing)} permission")
