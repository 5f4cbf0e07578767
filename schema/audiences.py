"""Who a schema view is for: each kind of caller, named, with a caller that stands for it.

A view is decided by asking each field's own gates (`CallerGate`: `@requiresPermission` and
the other gates) about the audience's stand-in caller, so the view and execution cannot
disagree about a gated field. Open root operations (`schema.access.OPEN_OPERATIONS`) carry no
gate; the few that serve only some callers (a client user's own account, row-scoped orders)
name them in `OPEN_OPERATION_CALLERS`, and a test keeps every authenticated one decided.
Row-scoped records name who can ever read a row of them in `ROW_READERS`.
"""

from __future__ import annotations

from collections.abc import Callable

from auth.policy import Permission, permissions_of
from auth.principal import ANONYMOUS, Principal, PrincipalKind
from models.accounts import API_KEY_ROLES, STAFF_ROLES, Role

ANONYMOUS_AUDIENCE = "anonymous"
CLIENT_AUDIENCE = Role.CLIENT.value
KEY_SUFFIX = "-key"


def audience_of(principal: Principal) -> str:
    """The audience whose view `principal` introspects; staff who must set MFA up first
    hold no permissions yet, so they see what anonymous callers see."""
    role = principal.role
    if not principal.is_authenticated or role is None or principal.limited_to_mfa_setup:
        return ANONYMOUS_AUDIENCE
    if principal.kind is PrincipalKind.API_KEY:
        return _key_audience(role)
    return role.value


def _key_audience(role: Role) -> str:
    # Storefront is a role of API keys only, so its audience keeps the role's plain name.
    return role.value if role is Role.STOREFRONT else f"{role.value}{KEY_SUFFIX}"


def stand_in(audience: str) -> Principal:
    """A caller of `audience`, as the gates see one: staff with MFA passed, a client user of
    some company, an API key. Ids are placeholders: no gate looks a row up."""
    if audience == ANONYMOUS_AUDIENCE:
        return ANONYMOUS
    if audience.endswith(KEY_SUFFIX) or audience == Role.STOREFRONT.value:
        role = Role(audience.removesuffix(KEY_SUFFIX))
        return Principal(
            kind=PrincipalKind.API_KEY, role=role, permissions=permissions_of(role), api_key_id=0
        )
    role = Role(audience)
    return Principal(
        kind=PrincipalKind.USER,
        role=role,
        permissions=permissions_of(role),
        user_id=0,
        session_id=0,
        client_company_id=0 if role is Role.CLIENT else None,
        mfa_enrolled=role in STAFF_ROLES,
        mfa_verified=role in STAFF_ROLES,
    )


AUDIENCES: tuple[str, ...] = (
    ANONYMOUS_AUDIENCE,
    CLIENT_AUDIENCE,
    *(role.value for role in sorted(STAFF_ROLES)),
    *(_key_audience(role) for role in sorted(API_KEY_ROLES)),
)


def _client_user(principal: Principal) -> bool:
    return principal.is_client and principal.client_company_id is not None


def _user(principal: Principal) -> bool:
    return principal.kind is PrincipalKind.USER


def _client_user_or(permission: Permission) -> Callable[[Principal], bool]:
    def serves(principal: Principal) -> bool:
        return _client_user(principal) or principal.can(permission)

    return serves


def _signed_in(principal: Principal) -> bool:
    return principal.is_authenticated


# Records read by row scoping: a caller who can never see a row of one (anonymous callers,
# storefront keys, staff without the permission) finds no field leading to it in its view.
# Every field leading to one is listed in `schema.access` (RESTRICTED_TYPES).
ROW_READERS: dict[str, Callable[[Principal], bool]] = {
    "ClientCompany": _client_user_or(Permission.CLIENTS_READ),
    **{
        name: _client_user_or(Permission.ORDERS_READ_ALL)
        for name in ("Order", "Inquiry", "Quote", "Shipment", "Payment", "Receivable")
    },
}

# Input fields and enum values whose resolver checks a permission (gates sit on fields, not
# on what is passed to them), as `Type.entry`; each one's description names the permission,
# and a test keeps every input field or enum value that says it needs one listed here.
GATED_INPUTS: dict[str, Permission] = {
    f"{owner}.{entry}": Permission.FINANCE_READ
    for owner, entry in (
        ("ClientCompanyFilter", "creditUsedAbove"),
        ("ClientCompanyFilter", "overdueAtLeast"),
        ("ClientCompanySort", "CREDIT_USED"),
        ("ClientCompanySort", "OVERDUE_AMOUNT"),
    )
}

# Open root operations without a gate of their own that serve only some callers: everyone
# else is answered with null or an empty list whatever they ask, so their view leaves them out.
# Each authenticated operation is here or has a gate (tests/schema/test_schema_views.py).
OPEN_OPERATION_CALLERS: dict[str, Callable[[Principal], bool]] = {
    "Query.myCompany": _client_user,
    "Query.myAccount": _client_user,
    "Query.me": _user,
    "Query.downloadLink": _signed_in,
    # Row-scoped: a client user's own company's rows, every row for orders:read_all.
    **{
        f"Query.{name}": _client_user_or(Permission.ORDERS_READ_ALL)
        for name in ("orders", "order", "shipment", "inquiries", "inquiry", "quote")
    },
}
