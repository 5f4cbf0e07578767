"""Who is calling (a user, an API key, nobody) and what they may do on this request.

Kept apart, as Starlette does: identity (user, company) from authority (permissions, MFA).
A staff user who has not passed MFA holds no permissions until they do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from auth.policy import Budget, Permission, budget_of, permissions_of
from models.accounts import STAFF_ROLES, Role


class PrincipalKind(StrEnum):
    ANONYMOUS = "anonymous"
    USER = "user"
    API_KEY = "api_key"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    role: Role | None = None
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    user_id: int | None = None
    api_key_id: int | None = None
    session_id: int | None = None
    client_company_id: int | None = None
    mfa_enrolled: bool = False
    mfa_verified: bool = False
    # Staff without MFA may only set MFA up; everything else waits until they have.
    limited_to_mfa_setup: bool = False
    # An API key's own budget (`api-keys create --budget`); otherwise its role's.
    budget_override: Budget | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not PrincipalKind.ANONYMOUS

    @property
    def is_staff(self) -> bool:
        return self.kind is PrincipalKind.USER and self.role in STAFF_ROLES

    @property
    def is_client(self) -> bool:
        return self.role is Role.CLIENT

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def budget(self) -> Budget:
        return self.budget_override or budget_of(self.role)

    @property
    def bucket_key(self) -> str | None:
        """Whose bucket this caller's requests draw on; None for anonymous callers, whose
        bucket is their client IP's."""
        if self.api_key_id is not None:
            return f"key:{self.api_key_id}"
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return None


ANONYMOUS = Principal(kind=PrincipalKind.ANONYMOUS)


def user_principal(
    *,
    user_id: int,
    role: Role,
    session_id: int | None,
    client_company_id: int | None,
    mfa_enrolled: bool,
    mfa_verified: bool,
    require_staff_mfa: bool,
) -> Principal:
    limited = role in STAFF_ROLES and require_staff_mfa and not (mfa_enrolled and mfa_verified)
    return Principal(
        kind=PrincipalKind.USER,
        role=role,
        permissions=frozenset() if limited else permissions_of(role),
        user_id=user_id,
        session_id=session_id,
        client_company_id=client_company_id,
        mfa_enrolled=mfa_enrolled,
        mfa_verified=mfa_verified,
        limited_to_mfa_setup=limited,
    )


def api_key_principal(
    *, api_key_id: int, role: Role, budget_override: Budget | None = None
) -> Principal:
    return Principal(
        kind=PrincipalKind.API_KEY,
        role=role,
        permissions=permissions_of(role),
        api_key_id=api_key_id,
        budget_override=budget_override,
    )
