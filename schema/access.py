"""Who may use what: the classification of every root operation and every restricted field.

A field is *protected* when it is declared with `permission_field` (the `@requiresPermission`
directive plus the gate that enforces it). Everything a caller can start from, each root
field of Query and Mutation, is either protected or listed below as PUBLIC or AUTHENTICATED.
Fields of the types that hold client or internal records, and fields anywhere whose name
suggests restricted data, are protected or listed below as readable by whoever may see the
row. `unclassified` finds what is neither, and a test keeps it empty, so a new operation or
a new sensitive field cannot ship without someone deciding who may use it.

`python -m schema.access --write` regenerates the tables of docs/permissions.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema

from auth.policy import DESCRIPTIONS, ROLE_PERMISSIONS, Permission
from schema.permissions import PermissionGate, RequiresPermission


class Access(StrEnum):
    PUBLIC = "public"  # anyone, anonymous included; the rows returned are scoped to the caller
    AUTHENTICATED = "authenticated"  # a signed-in caller, about themselves; null for others
    ROW = "row"  # whoever may see the row the field belongs to


OPEN_OPERATIONS: dict[str, Access] = {
    "Query.products": Access.PUBLIC,
    "Query.facets": Access.PUBLIC,
    "Query.product": Access.PUBLIC,
    "Query.node": Access.PUBLIC,
    "Query.categories": Access.PUBLIC,
    "Query.category": Access.PUBLIC,
    "Query.productType": Access.PUBLIC,
    "Query.myCompany": Access.AUTHENTICATED,
    # A client user's own company account; null for everyone else, staff included.
    "Query.myAccount": Access.AUTHENTICATED,
    # Orders: row-scoped (a client's own, all for orders:read_all); placing and cancelling
    # check the caller in the resolver (client users for their company, or orders:write).
    "Query.orders": Access.PUBLIC,
    "Query.order": Access.PUBLIC,
    "Mutation.placeOrder": Access.AUTHENTICATED,
    "Mutation.cancelOrder": Access.AUTHENTICATED,
    # Shipments: row-scoped like their orders.
    "Query.shipment": Access.PUBLIC,
    # Inquiries: row-scoped like orders (guests see none). Anyone may ask, guests throttled;
    # a quote is accepted by its client's users or inquiries:manage (a gate at the field).
    "Query.inquiries": Access.PUBLIC,
    "Query.inquiry": Access.PUBLIC,
    "Query.quote": Access.PUBLIC,
    "Mutation.submitInquiry": Access.PUBLIC,
    "Mutation.convertQuoteToOrder": Access.AUTHENTICATED,
    # Signing in and proving who one is: anyone may try, throttled.
    "Mutation.login": Access.PUBLIC,
    "Mutation.verifyMfa": Access.PUBLIC,
    "Mutation.refreshSession": Access.PUBLIC,
    "Mutation.requestPasswordReset": Access.PUBLIC,
    "Mutation.resetPassword": Access.PUBLIC,
    "Mutation.acceptInvitation": Access.PUBLIC,
    # The signed-in user's own account.
    "Query.me": Access.AUTHENTICATED,
    "Query.sessions": Access.AUTHENTICATED,
    "Mutation.logout": Access.AUTHENTICATED,
    "Mutation.logoutAll": Access.AUTHENTICATED,
    "Mutation.endMySession": Access.AUTHENTICATED,
    "Mutation.changePassword": Access.AUTHENTICATED,
    "Mutation.enrollTotp": Access.AUTHENTICATED,
    "Mutation.confirmTotp": Access.AUTHENTICATED,
    "Mutation.regenerateRecoveryCodes": Access.AUTHENTICATED,
    "Mutation.disableTotp": Access.AUTHENTICATED,
    # Checks the caller against the file (resolvers/files): its purpose's permission for
    # staff, its owner company for client users.
    "Query.downloadLink": Access.AUTHENTICATED,
    # Staff users and API keys (a gate at the field); the export runs the query as the
    # caller, so every permission the query needs is checked as it runs. An export is read
    # back by whoever asked only.
    "Mutation.exportCsv": Access.AUTHENTICATED,
    "Query.csvExport": Access.AUTHENTICATED,
    # Staff users and API keys (a gate at the field); each figure under it has its own
    # report's permission.
    "Query.home": Access.AUTHENTICATED,
}

# Types holding client or internal records, and their fields readable by whoever may see
# the row; every other field of theirs must be protected.
RESTRICTED_TYPES: dict[str, frozenset[str]] = {
    "ClientCompany": frozenset(
        {
            "id",
            "name",
            "country",
            "preferredCurrency",
            "preferredIncoterm",
            "preferredLanguage",
            "version",
            "createdAt",
        }
    ),
    # Reached only through protected fields (`contacts`, `users`) or mutations.
    "ClientContact": frozenset({"id", "name", "email", "phone", "position", "mailTopics"}),
    "ClientCompanyUser": frozenset({"email", "fullName"}),
    "PaymentTerms": frozenset({"advancePercent", "balanceDueOn", "netDays"}),
    # Reached only through `Query.myAccount`: the signed-in client user's own company.
    "ClientAccount": frozenset(
        {
            "companyName",
            "creditLimit",
            "creditUsed",
            "creditAvailable",
            "paymentTerms",
            "overdueAmount",
            "openInvoices",
        }
    ),
    "AccountInvoice": frozenset(
        {"orderNumber", "order", "amount", "balance", "advanceAmount", "dueDate", "overdue"}
    ),
    "AuditEntry": frozenset(
        {
            "id",
            "actor",
            "action",
            "targetType",
            "targetId",
            "changes",
            "requestId",
            "clientIp",
            "createdAt",
        }
    ),
    "AuditActor": frozenset({"userId", "apiKeyId", "label"}),
    "Order": frozenset(
        {
            "id",
            "number",
            "status",
            "paymentStatus",
            "currency",
            "incoterm",
            "namedPlace",
            "shippingAddress",
            "note",
            "lines",
            "total",
            "amountPaid",
            "balanceDue",
            # The terms the client bought under, as its quote offered them.
            "linesTotal",
            "chargesTotal",
            "charges",
            "paymentTerms",
            "client",
            "placedAt",
            "confirmedAt",
            "paidAt",
            "shippedAt",
            "deliveredAt",
            "cancelledAt",
            "cancelReason",
            "payments",
            "version",
            # Row-scoped: the client's own, or finance:read (null for other staff).
            "receivable",
            "shipments",
        }
    ),
    "OrderLine": frozenset(
        {
            "id",
            "variant",
            "sku",
            "productName",
            "quantity",
            "shippedQuantity",
            "unitPrice",
            "lineTotal",
        }
    ),
    "Payment": frozenset({"id", "amount", "reference", "receivedAt", "order"}),
    "Shipment": frozenset(
        {
            "id",
            "order",
            "reference",
            "note",
            "etd",
            "eta",
            "status",
            "departedAt",
            "billOfLadingDate",
            "createdAt",
            "lines",
            "legs",
            "trackingEvents",
            # Row-scoped like Order.receivable: the client's own, or finance:read.
            "receivable",
        }
    ),
    "ShipmentLine": frozenset({"orderLineId", "quantity"}),
    "ShipmentLeg": frozenset(
        {
            "sequence",
            "carrier",
            "mode",
            "transportDocumentNumber",
            "containerNumber",
            "vesselOrFlight",
            "voyage",
            "origin",
            "destination",
            "etd",
            "eta",
            "history",
        }
    ),
    # The history of a leg, read like its shipment; who made a change is for staff only.
    "ShipmentLegChange": frozenset({"changedAt", "changes"}),
    "LegFieldChange": frozenset({"field", "before", "after"}),
    "TrackingEvent": frozenset({"occurredAt", "location", "status", "description", "recordedAt"}),
    # Reached only through the row-scoped `Order.receivable`.
    "Receivable": frozenset(
        {
            "amount",
            "balance",
            "advanceAmount",
            "dueDate",
            "status",
            "entries",
            "client",
            "order",
            "shipment",
        }
    ),
    "LedgerEntry": frozenset({"kind", "amount", "postedAt"}),
    "Inquiry": frozenset(
        {
            "id",
            "reference",
            "status",
            "incoterm",
            "namedPlace",
            "requiredBy",
            "message",
            "fromGuest",
            "source",
            "items",
            "quotes",
            "currentQuote",
            "client",
            "version",
            "createdAt",
        }
    ),
    "InquiryItem": frozenset({"product", "variant", "quantity", "targetPrice"}),
    "Quote": frozenset(
        {
            "id",
            "revision",
            "status",
            "currency",
            "validUntil",
            "leadTimeDays",
            "notes",
            "lines",
            "total",
            # Terms of trade as sent to the buyer.
            "incoterm",
            "namedPlace",
            "paymentTerms",
            "charges",
            "linesTotal",
            "chargesTotal",
            "changes",
            "lineChanges",
            "inquiry",
            "order",
            "createdAt",
        }
    ),
    "QuoteLine": frozenset({"variant", "quantity", "unitPrice", "lineTotal"}),
    # Reached only through protected fields (`Inquiry.lead`, `Inquiry.assignedTo`).
    "Lead": frozenset({"companyName", "contactName", "email", "country"}),
    "StaffMember": frozenset({"id", "fullName", "email"}),
}

# Field names that suggest restricted data wherever they appear.
SENSITIVE_NAME = re.compile(
    r"cost|margin|tax|credit|payment|contact|secret|password|recovery", re.I
)
# Sensitive-looking fields that are not restricted, and why. Root operations whose names
# look sensitive are decided in OPEN_OPERATIONS instead.
SENSITIVE_BUT_OPEN: dict[str, str] = {
    "ClientContactPayload.contact": "returned only by clients:write mutations",
    "RemoveClientContactPayload.removedContactId": "an id the caller sent",
    "TotpEnrollment.secret": "shown to the user enrolling their own authenticator",
    "MfaPayload.recoveryCodes": "shown once to the user whose codes they are",
    "RecordPaymentPayload.payment": "returned only by the finance:write recordPayment",
    **{
        f"MarginReportRow.{name}": "reached only through marginReport (catalog:read_cost)"
        for name in (
            "costedRevenue",
            "cost",
            "margin",
            "marginPercent",
            "uncostedRevenue",
            "uncostedLines",
        )
    },
}


@dataclass(frozen=True)
class Classified:
    coordinate: str  # Type.field
    permission: Permission | None  # set for protected fields
    access: Access | None  # set for open ones


def required_permission(field: GraphQLField) -> Permission | None:
    """The permission a field declares with @requiresPermission, checked against its gate."""
    definition = field.extensions.get("strawberry-definition")
    if definition is None:
        return None
    declared = [d.name for d in definition.directives if isinstance(d, RequiresPermission)]
    gates = [e.permission for e in definition.extensions if isinstance(e, PermissionGate)]
    if not declared and not gates:
        return None
    if [Permission(name) for name in declared] != gates:
        raise ValueError(f"{definition.python_name}: @requiresPermission and gate disagree")
    return gates[0]


def _object_types(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    return [
        graphql_type
        for name, graphql_type in sorted(schema.type_map.items())
        if isinstance(graphql_type, GraphQLObjectType) and not name.startswith("__")
    ]


def _roots(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    return [root for root in (schema.query_type, schema.mutation_type) if root is not None]


def protected_fields(schema: GraphQLSchema) -> dict[str, Permission]:
    """Every protected field of the schema, `Type.field` -> the permission it needs."""
    found: dict[str, Permission] = {}
    for graphql_type in _object_types(schema):
        for name, field in graphql_type.fields.items():
            permission = required_permission(field)
            if permission is not None:
                found[f"{graphql_type.name}.{name}"] = permission
    return found


def unclassified(schema: GraphQLSchema) -> list[str]:
    """Coordinates nobody has decided about, and classifications that name nothing."""
    protected = protected_fields(schema)
    problems: list[str] = []
    roots = {f"{root.name}.{name}" for root in _roots(schema) for name in root.fields}
    problems += [
        f"{c}: root operation neither protected nor in OPEN_OPERATIONS"
        for c in sorted(roots - set(protected) - set(OPEN_OPERATIONS))
    ]
    problems += [
        f"{c}: in OPEN_OPERATIONS but protected or not in the schema"
        for c in sorted(set(OPEN_OPERATIONS) - (roots - set(protected)))
    ]
    by_name = {graphql_type.name: graphql_type for graphql_type in _object_types(schema)}
    for type_name, open_fields in sorted(RESTRICTED_TYPES.items()):
        fields = set(by_name[type_name].fields) if type_name in by_name else set()
        coordinates = {f"{type_name}.{name}" for name in fields}
        problems += [
            f"{c}: field of a restricted type neither protected nor open to the row's readers"
            for c in sorted(coordinates - set(protected))
            if c.split(".")[1] not in open_fields
        ]
        problems += [
            f"{type_name}.{name}: in RESTRICTED_TYPES but protected or not in the schema"
            for name in sorted(open_fields)
            if name not in fields or f"{type_name}.{name}" in protected
        ]
    every = {f"{t.name}.{name}" for t in _object_types(schema) for name in t.fields}
    problems += [
        f"{c}: in SENSITIVE_BUT_OPEN but not in the schema"
        for c in sorted(set(SENSITIVE_BUT_OPEN) - every)
    ]
    for graphql_type in _object_types(schema):
        if graphql_type.name in RESTRICTED_TYPES:
            continue
        for name in graphql_type.fields:
            coordinate = f"{graphql_type.name}.{name}"
            decided = (
                coordinate in protected
                or coordinate in OPEN_OPERATIONS
                or coordinate in SENSITIVE_BUT_OPEN
            )
            if SENSITIVE_NAME.search(name) and not decided:
                problems.append(f"{coordinate}: looks sensitive but is not protected")
    return problems


def who_sees_what(schema: GraphQLSchema) -> str:
    """The permissions page's tables: permissions by role, and the fields each one guards."""
    roles = list(ROLE_PERMISSIONS)
    lines = [
        "| permission | lets you | " + " | ".join(f"`{role.value}`" for role in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = " | ".join("✓" if permission in ROLE_PERMISSIONS[r] else "" for r in roles)
        lines.append(f"| `{permission.value}` | {DESCRIPTIONS[permission]} | {marks} |")
    guarded: dict[Permission, list[str]] = {permission: [] for permission in Permission}
    for coordinate, permission in protected_fields(schema).items():
        guarded[permission].append(coordinate)
    lines += ["", "| permission | guards |", "|---|---|"]
    for permission, coordinates in guarded.items():
        shown = ", ".join(f"`{c}`" for c in sorted(coordinates)) or "nothing in the API yet"
        lines.append(f"| `{permission.value}` | {shown} |")
    return "\n".join(lines) + "\n"


PERMISSIONS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
TABLES_START = "<!-- who-sees-what: generated by `python -m schema.access --write` -->"
TABLES_END = "<!-- who-sees-what: end -->"


def with_tables(page: str, schema: GraphQLSchema) -> str:
    """`page` with the text between the markers replaced by `who_sees_what`."""
    before, start, rest = page.partition(TABLES_START)
    _, end, after = rest.partition(TABLES_END)
    if not start or not end:
        raise ValueError(f"{PERMISSIONS_PAGE.name} lacks the who-sees-what markers")
    return f"{before}{TABLES_START}\n{who_sees_what(schema)}{TABLES_END}{after}"


if __name__ == "__main__":
    import sys

    from schema.build import build_schema

    built = build_schema()._schema
    if sys.argv[1:] == ["--write"]:
        page = PERMISSIONS_PAGE.read_text("utf-8")
        PERMISSIONS_PAGE.write_text(with_tables(page, built), "utf-8")
    else:
        print(who_sees_what(built), end="")
