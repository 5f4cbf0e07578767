"""`AlsoRequiresGate`: a field needing more than the permission it declares refuses a caller
missing any of the others; and the policy grants `convertLeadToClient`'s three together, so
the permission matrix, which probes the declared one, tells the whole truth."""

from __future__ import annotations

import pytest

from auth.policy import ROLE_PERMISSIONS, Permission
from auth.principal import Principal, PrincipalKind
from core.errors import Forbidden
from models.accounts import Role
from schema.permissions import AlsoRequiresGate

LEAD_CONVERSION = AlsoRequiresGate(Permission.INQUIRIES_MANAGE, Permission.USERS_INVITE_CLIENTS)


def _staff(*permissions: Permission) -> Principal:
    return Principal(kind=PrincipalKind.USER, role=Role.SALES, permissions=frozenset(permissions))


def test_a_caller_missing_one_of_the_further_permissions_is_refused_naming_it() -> None:
    with pytest.raises(Forbidden) as refused:
        LEAD_CONVERSION.check(_staff(Permission.CLIENTS_WRITE, Permission.INQUIRIES_MANAGE))
    assert "users:invite_clients" in str(refused.value)
    assert "inquiries:manage" not in str(refused.value)


def test_a_caller_holding_them_all_passes() -> None:
    LEAD_CONVERSION.check(
        _staff(
            Permission.CLIENTS_WRITE,
            Permission.INQUIRIES_MANAGE,
            Permission.USERS_INVITE_CLIENTS,
        )
    )


def test_every_role_that_may_create_clients_may_also_work_inquiries_and_invite() -> None:
    for role, granted in ROLE_PERMISSIONS.items():
        if Permission.CLIENTS_WRITE in granted:
            assert set(LEAD_CONVERSION.permissions) <= granted, role
