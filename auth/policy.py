"""The one policy table: which role may do what. Least privilege; admins have everything.

Fields and operations name the permission they need (`@requiresPermission`); nothing in a
resolver checks a role by name. Client users hold no permissions at all: what they may see
is decided by row scoping (their own company's records), not by this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.accounts import Role


class Permission(StrEnum):
    CATALOG_WRITE = "catalog:write"
    CATALOG_READ_COST = "catalog:read_cost"
    CATALOG_READ_INTERNAL = "catalog:read_internal"
    CLIENTS_READ = "clients:read"
    CLIENTS_READ_PII = "clients:read_pii"
    CLIENTS_WRITE = "clients:write"
    FINANCE_READ = "finance:read"
    FINANCE_WRITE = "finance:write"
    ORDERS_READ_ALL = "orders:read_all"
    ORDERS_WRITE = "orders:write"
    INQUIRIES_MANAGE = "inquiries:manage"
    USERS_MANAGE = "users:manage"
    USERS_INVITE_CLIENTS = "users:invite_clients"
    AUDIT_READ = "audit:read"
    REPORTS_READ = "reports:read"


DESCRIPTIONS: dict[Permission, str] = {
    Permission.CATALOG_WRITE: "create and edit products, types, categories and prices",
    Permission.CATALOG_READ_COST: "see cost prices and margins",
    Permission.CATALOG_READ_INTERNAL: (
        "see products in every status (drafts, archived) and the stock ledger"
    ),
    Permission.CLIENTS_READ: "see client companies",
    Permission.CLIENTS_READ_PII: "see clients' tax ids and contacts",
    Permission.CLIENTS_WRITE: "create and edit client companies and contacts",
    Permission.FINANCE_READ: "see credit limits and payment terms",
    Permission.FINANCE_WRITE: "change credit limits, payment terms and exchange rates",
    Permission.ORDERS_READ_ALL: "see every client's orders, inquiries and quotes",
    Permission.ORDERS_WRITE: "move orders through their states and record shipments",
    Permission.INQUIRIES_MANAGE: "record, assign, quote and close inquiries",
    Permission.USERS_MANAGE: (
        "list every user, invite staff, change roles, disable and enable users, reset MFA, "
        "see and end any user's sessions"
    ),
    Permission.USERS_INVITE_CLIENTS: "invite and list users of client companies",
    Permission.AUDIT_READ: "read the audit log",
    Permission.REPORTS_READ: (
        "read the reports: sales, the inquiry funnel, stock coverage (receivables aging needs "
        "finance:read, margins catalog:read_cost)"
    ),
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CATALOG_MANAGER: frozenset(
        {
            Permission.CATALOG_WRITE,
            Permission.CATALOG_READ_COST,
            Permission.CATALOG_READ_INTERNAL,
            Permission.REPORTS_READ,
        }
    ),
    Role.SALES: frozenset(
        {
            Permission.CATALOG_READ_INTERNAL,
            Permission.CLIENTS_READ,
            Permission.CLIENTS_READ_PII,
            Permission.CLIENTS_WRITE,
            Permission.ORDERS_READ_ALL,
            Permission.ORDERS_WRITE,
            Permission.INQUIRIES_MANAGE,
            Permission.USERS_INVITE_CLIENTS,
            # The inquiry funnel, sales figures and stock coverage; not finance's aging.
            Permission.REPORTS_READ,
        }
    ),
    Role.FINANCE: frozenset(
        {
            Permission.CATALOG_READ_COST,
            Permission.CATALOG_READ_INTERNAL,
            Permission.CLIENTS_READ,
            Permission.CLIENTS_READ_PII,
            Permission.FINANCE_READ,
            Permission.FINANCE_WRITE,
            Permission.ORDERS_READ_ALL,
            Permission.REPORTS_READ,
        }
    ),
    Role.SUPPORT: frozenset(
        {Permission.CATALOG_READ_INTERNAL, Permission.CLIENTS_READ, Permission.ORDERS_READ_ALL}
    ),
    Role.CLIENT: frozenset(),
    Role.STOREFRONT: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Budget:
    """A caller's bucket of query-cost points (schema/cost.py): it holds at most `size` and
    regains `restore_rate` points a second. docs/api/limits.md explains the model."""

    size: int
    restore_rate: int

    def __post_init__(self) -> None:
        if self.size < 1 or self.restore_rate < 1:
            raise ValueError("a budget's size and restore rate must be at least 1")


# Sized so that an operation at the default MAX_QUERY_COST (50,000) fits every bucket once,
# and a listing of 20 products with their variants (about 2,000 points) runs 10 to 100 times
# a second for as long as a caller likes; a caller sending maximal operations one after the
# other waits for them to be restored. API keys may have their own (`api-keys create --budget`).
ANONYMOUS_BUDGET = Budget(size=50_000, restore_rate=1_000)
ROLE_BUDGETS: dict[Role, Budget] = {
    Role.ADMIN: Budget(size=100_000, restore_rate=5_000),
    Role.CATALOG_MANAGER: Budget(size=100_000, restore_rate=5_000),
    Role.SALES: Budget(size=100_000, restore_rate=5_000),
    Role.FINANCE: Budget(size=100_000, restore_rate=5_000),
    Role.SUPPORT: Budget(size=100_000, restore_rate=5_000),
    Role.CLIENT: Budget(size=50_000, restore_rate=2_000),
    # One storefront serves many shoppers, most of whose reads the response cache answers.
    Role.STOREFRONT: Budget(size=200_000, restore_rate=20_000),
}


def budget_of(role: Role | None) -> Budget:
    """The budget of a role's callers; None: anonymous callers (one bucket per client IP)."""
    return ANONYMOUS_BUDGET if role is None else ROLE_BUDGETS[role]


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[role]


def roles_with(permission: Permission) -> list[Role]:
    return [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
