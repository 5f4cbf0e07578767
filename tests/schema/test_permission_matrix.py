"""The role x field matrix: every protected field and operation of the schema, asked by every
kind of caller, is served exactly when `ROLE_PERMISSIONS` grants the caller its permission.

The protected coordinates come from the built schema (`schema.access.protected_fields`), so a
new protected field without a probe here fails `test_every_protected_field_has_a_probe`.
A denied field is FORBIDDEN at its path, except on a client company the caller may not see
at all, which is null without an error (HIDDEN), exactly like a company that does not exist.
Mutation probes are chosen to change nothing when served (a stale version, an empty name),
so the world is seeded once for the module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col

from auth.api_keys import create_api_key
from auth.policy import ROLE_PERMISSIONS, Permission
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from core.stored_files import store_file
from models.accounts import STAFF_ROLES, Role, UserSession
from models.catalog.imports import CatalogImport
from models.files import FilePurpose
from models.inquiries import Inquiry, InquirySource, InquiryStatus, LostReasonCode
from models.orders import Order
from models.shipments import Shipment, ShipmentLeg, ShipmentLegChange, TransportMode
from schema.access import protected_fields
from schema.build import build_schema
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import make_client_company, make_contact
from tests.graphql_client import GraphQLClient, graphql_client
from tests.inquiries.support import seed_inquiries
from tests.user_builders import make_user, session_for


class Outcome(StrEnum):
    SERVED = "served"
    FORBIDDEN = "forbidden"  # null with a FORBIDDEN error at the field's path
    HIDDEN = "hidden"  # a company the caller may not see: null, no error
    REFUSED = "refused"  # the whole operation FORBIDDEN: staff who must set MFA up first
    GATED = "gated"  # the field's parent refuses the caller (staff and staff API keys only)
    UNAUTHENTICATED = "401"


@dataclass(frozen=True)
class Probe:
    query: str
    path: tuple[str, ...]
    on_company: bool = False  # the field belongs to the seeded company, read by node id
    on_order: bool = False  # the field belongs to the seeded order, read by node id
    staff_row: bool = False  # a row only orders:read_all staff see (a guest's inquiry)
    staff_gated: bool = False  # under a root field for staff users and staff API keys only


def _company_field(selection: str, name: str) -> Probe:
    fragment = f"... on ClientCompany {{ {selection} }}"
    query = f"query($company: ID!) {{ node(id: $company) {{ {fragment} }} }}"
    return Probe(query, ("node", name), on_company=True)


def _variant_field(selection: str, name: str) -> Probe:
    fragment = f"... on Variant {{ {selection} }}"
    query = f"query($variant: ID!) {{ node(id: $variant) {{ {fragment} }} }}"
    return Probe(query, ("node", name))


def _order_field(name: str) -> Probe:
    query = f"query($order: ID!) {{ node(id: $order) {{ ... on Order {{ {name} }} }} }}"
    return Probe(query, ("node", name), on_order=True)


def _inquiry_field(selection: str, name: str, *, of_guest: bool = False) -> Probe:
    """A field of the seeded company's inquiry (seen like its orders), or of a guest's."""
    variable = "guestInquiry" if of_guest else "inquiry"
    fragment = f"... on Inquiry {{ {selection} }}"
    query = f"query(${variable}: ID!) {{ node(id: ${variable}) {{ {fragment} }} }}"
    return Probe(query, ("node", name), on_order=not of_guest, staff_row=of_guest)


def _mutation(name: str, arguments: str) -> Probe:
    """A mutation meant to be refused with a userError when served, so it changes nothing."""
    variables = "($company: ID!)" if "$company" in arguments else ""
    query = f"mutation{variables} {{ {name}({arguments}) {{ userErrors {{ code }} }} }}"
    return Probe(query, (name,))


NO_USER = encode_global_id("User", 999_999_999)
NO_ORDER = encode_global_id("Order", 999_999_999)
NO_INQUIRY = encode_global_id("Inquiry", 999_999_999)
NO_VARIANT = encode_global_id("Variant", 999_999_999)
NO_CATEGORY = encode_global_id("Category", 999_999_999)
NO_TYPE = encode_global_id("ProductType", 999_999_999)
NO_PRODUCT = encode_global_id("Product", 999_999_999)


TERMS = "paymentTerms: {advancePercent: 0, balanceDueOn: INVOICE, netDays: 30}"
PROBES: dict[str, Probe] = {
    "ClientCompany.taxId": _company_field("taxId", "taxId"),
    "ClientCompany.contacts": _company_field("contacts { name }", "contacts"),
    "ClientCompany.creditLimit": _company_field("creditLimit { amount }", "creditLimit"),
    "ClientCompany.creditUsed": _company_field("creditUsed { amount }", "creditUsed"),
    "ClientCompany.overdueAmount": _company_field("overdueAmount { amount }", "overdueAmount"),
    "ClientCompany.paymentTerms": _company_field("paymentTerms { netDays }", "paymentTerms"),
    "ClientCompany.users": _company_field("users { email }", "users"),
    "Variant.costPrice": _variant_field("costPrice { amount }", "costPrice"),
    "Variant.margin": _variant_field("margin { amount }", "margin"),
    "Query.clientCompanies": Probe(
        "{ clientCompanies(first: 1) { totalCount } }", ("clientCompanies",)
    ),
    "Query.clientCompany": Probe(
        "query($company: ID!) { clientCompany(id: $company) { name } }", ("clientCompany",)
    ),
    "Query.shipments": Probe(
        "{ shipments(first: 1, sortBy: ETD_DESC) { totalCount nodes { eta } } }",
        ("shipments",),
    ),
    "Query.catalogProducts": Probe(
        "{ catalogProducts(first: 1) { totalCount } }", ("catalogProducts",)
    ),
    "Query.catalogProduct": Probe(
        "query($product: ID!) { catalogProduct(id: $product) { status } }", ("catalogProduct",)
    ),
    "Query.catalogStockMovements": Probe(
        "query($variant: ID!) { catalogStockMovements(variantId: $variant) { totalCount } }",
        ("catalogStockMovements",),
    ),
    "Query.catalogImport": Probe(
        "query($catalogImport: ID!) { catalogImport(id: $catalogImport) { status } }",
        ("catalogImport",),
    ),
    "Query.auditLog": Probe("{ auditLog(first: 1) { totalCount } }", ("auditLog",)),
    "Query.staffOrders": Probe(
        '{ staffOrders(first: 1, search: "SO-1") { totalCount } }', ("staffOrders",)
    ),
    "Query.staffInquiries": Probe(
        "{ staffInquiries(first: 1, sortBy: VALUE_HIGHEST) { totalCount } }", ("staffInquiries",)
    ),
    "Order.fxRate": _order_field("fxRate"),
    "Inquiry.assignedTo": _inquiry_field("assignedTo { email }", "assignedTo"),
    "Inquiry.lostReason": _inquiry_field("lostReason", "lostReason"),
    "Inquiry.lostReasonCode": Probe(
        "query($lostInquiry: ID!) { node(id: $lostInquiry) { ... on Inquiry { lostReasonCode } } }",
        ("node", "lostReasonCode"),
        on_order=True,
    ),
    "Query.inquiryFunnel": Probe(
        '{ inquiryFunnel(from: "2026-01-01", to: "2026-12-31") { total { received } } }',
        ("inquiryFunnel",),
    ),
    "Inquiry.lead": _inquiry_field("lead { email }", "lead", of_guest=True),
    "Mutation.assignInquiry": _mutation(
        "assignInquiry", f'id: "{NO_INQUIRY}", userId: "{NO_USER}"'
    ),
    "Mutation.quoteInquiry": _mutation(
        "quoteInquiry",
        f'inquiryId: "{NO_INQUIRY}", '
        'input: {lines: [], currency: "EUR", validUntil: "2099-01-01", leadTimeDays: 1}',
    ),
    "Mutation.convertLeadToClient": _mutation("convertLeadToClient", f'inquiryId: "{NO_INQUIRY}"'),
    "Mutation.closeInquiry": _mutation(
        "closeInquiry", f'id: "{NO_INQUIRY}", outcome: LOST, reason: ""'
    ),
    "Order.creditCurrency": _order_field("creditCurrency"),
    "Mutation.confirmOrder": _mutation("confirmOrder", f'id: "{NO_ORDER}"'),
    "Mutation.shipOrder": _mutation("shipOrder", f'id: "{NO_ORDER}"'),
    "Mutation.deliverOrder": _mutation("deliverOrder", f'id: "{NO_ORDER}"'),
    "Mutation.setOrderCharges": _mutation(
        "setOrderCharges", f'orderId: "{NO_ORDER}", expectedVersion: 1, charges: []'
    ),
    "Mutation.recordPayment": _mutation(
        "recordPayment",
        f'orderId: "{NO_ORDER}", amount: "1", reference: "R", receivedAt: "2026-01-01T00:00:00Z"',
    ),
    "Query.exchangeRates": Probe("{ exchangeRates { rate } }", ("exchangeRates",)),
    "Query.receivables": Probe("{ receivables(first: 1) { totalCount } }", ("receivables",)),
    "Query.payments": Probe("{ payments(first: 1) { totalCount } }", ("payments",)),
    "Query.salesReport": Probe(
        '{ salesReport(currency: "USD", fromMonth: "2026-01", toMonth: "2026-01", by: MONTH) '
        "{ total { amount } } }",
        ("salesReport",),
    ),
    "Query.marginReport": Probe(
        '{ marginReport(currency: "USD", fromMonth: "2026-01", toMonth: "2026-01", '
        "by: PRODUCT) { total { margin } } }",
        ("marginReport",),
    ),
    **{
        f"HomeScreen.{name}": Probe(
            f"{{ home {{ {selection} }} }}", ("home", name), staff_gated=True
        )
        for name, selection in (
            ("ordersToday", "ordersToday { orderCount }"),
            ("ordersThisMonth", "ordersThisMonth { amount }"),
            ("openInquiries", "openInquiries { total }"),
            ("quotesAwaitingAnswer", "quotesAwaitingAnswer { count }"),
            ("shipmentsArrivingThisWeek", "shipmentsArrivingThisWeek"),
            ("overdueReceivables", "overdueReceivables { overdue }"),
            ("variantsShort", "variantsShort"),
        )
    },
    "Query.stockCoverage": Probe("{ stockCoverage(first: 1) { totalCount } }", ("stockCoverage",)),
    "Query.receivablesAging": Probe(
        "{ receivablesAging { totals { currency } } }", ("receivablesAging",)
    ),
    "Mutation.setExchangeRates": _mutation("setExchangeRates", "rates: []"),
    "Mutation.createShipment": _mutation(
        "createShipment",
        f'orderId: "{encode_global_id("Order", 999_999_999)}", input: {{legs: []}}',
    ),
    "Mutation.departShipment": _mutation(
        "departShipment", f'id: "{encode_global_id("Shipment", 999_999_999)}"'
    ),
    "Mutation.updateShipmentLeg": _mutation(
        "updateShipmentLeg",
        f'shipmentId: "{encode_global_id("Shipment", 999_999_999)}", sequence: 1, input: {{}}',
    ),
    "ShipmentLegChange.changedBy": Probe(
        "query($shipment: ID!) { node(id: $shipment) { ... on Shipment { legs { history { "
        "changedBy } } } } }",
        ("node", "legs", "history", "changedBy"),
        on_order=True,
    ),
    "Mutation.addTrackingEvent": _mutation(
        "addTrackingEvent",
        f'shipmentId: "{encode_global_id("Shipment", 999_999_999)}", '
        'input: {occurredAt: "2026-01-01T00:00:00Z", location: "", status: ""}',
    ),
    "Mutation.createClientCompany": _mutation(
        "createClientCompany", 'input: {name: "", country: "DE"}'
    ),
    "Mutation.updateClientCompany": _mutation(
        "updateClientCompany", 'id: $company, expectedVersion: 999, input: {name: "Renamed"}'
    ),
    "Mutation.updateClientCredit": _mutation(
        "updateClientCredit",
        f'id: $company, expectedVersion: 999, creditLimit: "1", creditCurrency: "USD", {TERMS}',
    ),
    "Mutation.addClientContact": _mutation(
        "addClientContact", 'companyId: $company, input: {name: ""}'
    ),
    "Mutation.updateClientContact": _mutation(
        "updateClientContact", f'id: "{encode_global_id("ClientContact", 1)}", input: {{name: ""}}'
    ),
    "Mutation.removeClientContact": _mutation(
        "removeClientContact", f'id: "{encode_global_id("ClientContact", 999_999_999)}"'
    ),
    "Mutation.inviteStaff": _mutation(
        "inviteStaff", 'email: "not-an-email", fullName: "Nobody", role: SALES'
    ),
    "Mutation.inviteClientUser": _mutation(
        "inviteClientUser", 'clientCompanyId: $company, email: "not-an-email", fullName: "X"'
    ),
    "Mutation.changeUserRole": _mutation("changeUserRole", f'userId: "{NO_USER}", role: SALES'),
    "Mutation.disableUser": _mutation("disableUser", f'userId: "{NO_USER}"'),
    "Mutation.resetUserMfa": _mutation("resetUserMfa", f'userId: "{NO_USER}"'),
    "Mutation.enableUser": _mutation("enableUser", f'userId: "{NO_USER}"'),
    "Mutation.endUserSession": _mutation(
        "endUserSession", f'sessionId: "{encode_global_id("Session", 999_999_999)}"'
    ),
    # Every user for users:manage, client users for users:invite_clients (tests/accounts).
    "Query.users": Probe("{ users(first: 1) { totalCount } }", ("users",)),
    "Query.userSessions": Probe(
        "query($user: ID!) { userSessions(userId: $user) { id } }", ("userSessions",)
    ),
    "Mutation.receiveStock": _mutation("receiveStock", f'variantId: "{NO_VARIANT}", quantity: 1'),
    # Allowed callers really export (a file in the test's rolled-back transaction).
    "Mutation.exportCatalog": Probe("mutation { exportCatalog { sizeBytes } }", ("exportCatalog",)),
    "Mutation.adjustStock": _mutation(
        "adjustStock", f'variantId: "{NO_VARIANT}", adjustment: {{change: 1}}, reason: "count"'
    ),
    **{
        f"Mutation.{name}": _mutation(name, arguments)
        for name, arguments in (
            ("createCategory", 'input: {name: "", slug: "probe"}'),
            ("updateCategory", f'id: "{NO_CATEGORY}", expectedVersion: 1, input: {{}}'),
            ("moveCategory", f'id: "{NO_CATEGORY}", expectedVersion: 1'),
            ("deleteCategory", f'id: "{NO_CATEGORY}", expectedVersion: 1'),
            ("createProductType", 'input: {name: "", slug: "probe"}'),
            ("updateProductType", f'id: "{NO_TYPE}", expectedVersion: 1, input: {{}}'),
            (
                "addProductTypeAttribute",
                f'productTypeId: "{NO_TYPE}", expectedVersion: 1, '
                'input: {key: "probe", label: "Probe", kind: TEXT}',
            ),
            (
                "updateProductTypeAttribute",
                f'productTypeId: "{NO_TYPE}", expectedVersion: 1, key: "probe", input: {{}}',
            ),
            (
                "removeProductTypeAttribute",
                f'productTypeId: "{NO_TYPE}", expectedVersion: 1, key: "probe"',
            ),
        )
    },
    "Mutation.createProduct": _mutation(
        "createProduct",
        f'input: {{name: "", slug: "x", categoryId: "{NO_PRODUCT}", productTypeId: "{NO_PRODUCT}", '
        'hsCode: "1", countryOfOrigin: "XX"}',
    ),
    "Mutation.updateProduct": _mutation(
        "updateProduct", f'id: "{NO_PRODUCT}", expectedVersion: 1, input: {{}}'
    ),
    "Mutation.publishProduct": _mutation(
        "publishProduct", f'id: "{NO_PRODUCT}", expectedVersion: 1'
    ),
    "Mutation.unpublishProduct": _mutation(
        "unpublishProduct", f'id: "{NO_PRODUCT}", expectedVersion: 1'
    ),
    "Mutation.archiveProduct": _mutation(
        "archiveProduct", f'id: "{NO_PRODUCT}", expectedVersion: 1'
    ),
    "Mutation.createVariant": _mutation(
        "createVariant", f'productId: "{NO_PRODUCT}", input: {{sku: ""}}'
    ),
    "Mutation.updateVariant": _mutation(
        "updateVariant", f'id: "{NO_VARIANT}", expectedVersion: 1, input: {{}}'
    ),
    "Mutation.removeVariant": _mutation("removeVariant", f'id: "{NO_VARIANT}", expectedVersion: 1'),
    "Mutation.setPriceTiers": _mutation(
        "setPriceTiers",
        f'variantId: "{NO_VARIANT}", currency: "XXX", tiers: [], expectedVersion: 1',
    ),
}


@dataclass(frozen=True)
class Who:
    token: str | None
    permissions: frozenset[Permission]
    own_company: bool = False  # a user of the company the probes read
    client_user: bool = False  # a user of a client company, this one or another
    storefront_key: bool = False  # an API key of the storefront role, not the back office
    limited: bool = False  # staff whose session may only set MFA up
    expired: bool = False

    def expects(self, permission: Permission, probe: Probe) -> Outcome:
        if self.expired:
            return Outcome.UNAUTHENTICATED
        if self.limited:
            return Outcome.REFUSED
        if permission in self.permissions:
            return Outcome.SERVED
        if probe.staff_gated and (self.client_user or self.storefront_key or self.token is None):
            return Outcome.GATED
        sees_company = Permission.CLIENTS_READ in self.permissions or self.own_company
        sees_order = Permission.ORDERS_READ_ALL in self.permissions or self.own_company
        hidden = (
            (probe.on_company and not sees_company)
            or (probe.on_order and not sees_order)
            or (probe.staff_row and Permission.ORDERS_READ_ALL not in self.permissions)
        )
        return Outcome.HIDDEN if hidden else Outcome.FORBIDDEN


CALLERS = [
    *(role.value for role in sorted(STAFF_ROLES)),
    "client of the company",
    "client of another company",
    "anonymous",
    "storefront key",
    "finance key",
    "catalog_manager key",
    "admin without MFA",
    "admin with MFA not verified in this session",
    "expired token",
]


@dataclass
class World:
    http: GraphQLClient
    callers: dict[str, Who]
    variables: dict[str, str]


async def _seed(database: Database, settings: Settings) -> tuple[dict[str, Who], dict[str, str]]:
    async with database.transaction() as session:
        company = await make_client_company(session)
        other = await make_client_company(session, name="Other Company SA")
        await make_contact(session, company)
        client_user = await make_user(session, Role.CLIENT, company=company)
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
        )
        variant = await make_variant(
            session, product=product, cost_price=Decimal("2.50"), cost_currency="USD"
        )

        async def token(role: Role, **options: Any) -> str:
            mfa_verified = options.pop("mfa_verified", None)
            user = await make_user(session, role, **options)
            issued = await session_for(session, user, settings, mfa_verified=mfa_verified)
            return issued.access_token

        async def key(role: Role) -> str:
            return (await create_api_key(session, name=f"{role.value} key", role=role)).key

        none: frozenset[Permission] = frozenset()
        callers = {
            role.value: Who(await token(role), ROLE_PERMISSIONS[role]) for role in STAFF_ROLES
        }
        callers |= {
            "client of the company": Who(
                await token(Role.CLIENT, company=company), none, own_company=True, client_user=True
            ),
            "client of another company": Who(
                await token(Role.CLIENT, company=other), none, client_user=True
            ),
            "anonymous": Who(None, none),
            "storefront key": Who(await key(Role.STOREFRONT), none, storefront_key=True),
            "finance key": Who(await key(Role.FINANCE), ROLE_PERMISSIONS[Role.FINANCE]),
            "catalog_manager key": Who(
                await key(Role.CATALOG_MANAGER), ROLE_PERMISSIONS[Role.CATALOG_MANAGER]
            ),
            "admin without MFA": Who(await token(Role.ADMIN, mfa=False), none, limited=True),
            "admin with MFA not verified in this session": Who(
                await token(Role.ADMIN, mfa_verified=False), none, limited=True
            ),
        }
        expired_user = await make_user(session, Role.ADMIN)
        expired = await session_for(session, expired_user, settings)
        await session.execute(
            update(UserSession)
            .where(col(UserSession.id) == expired.session_id)
            .values(access_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        callers["expired token"] = Who(expired.access_token, none, expired=True)
        order = Order(
            client_company_id=company.id or 0,
            request_hash="0" * 64,
            currency="USD",
            incoterm="FOB",
            total=Decimal("100.00"),
            credit_currency="USD",
            fx_rate=Decimal(1),
        )
        session.add(order)
        await session.flush()
        shipment = await _shipment_with_a_changed_leg(session, order)
        inquiry, guest_inquiry = await seed_inquiries(session, company)
        lost_inquiry = Inquiry(
            client_company_id=company.id,
            incoterm="FOB",
            named_place="Mumbai",
            source=InquirySource.CLIENT_USER,
            status=InquiryStatus.LOST,
            lost_reason="went elsewhere",
            lost_reason_code=LostReasonCode.COMPETITOR,
        )
        session.add(lost_inquiry)
        await session.flush()
        staff_file, company_file = [
            await store_file(
                session,
                purpose=FilePurpose.CATALOG_EXPORT,
                filename="catalog.csv",
                content_type="text/csv",
                content=b"sku\n",
                max_bytes=1_024,
                owner_company_id=owner,
            )
            for owner in (None, company.id)
        ]
        catalog_import = CatalogImport(filename="catalog.zip", sha256="0" * 64)
        session.add(catalog_import)
        await session.flush()
    variables = {
        "company": encode_global_id("ClientCompany", company.id or 0),
        "order": encode_global_id("Order", order.id or 0),
        "shipment": encode_global_id("Shipment", shipment.id or 0),
        "inquiry": encode_global_id("Inquiry", inquiry.id or 0),
        "guestInquiry": encode_global_id("Inquiry", guest_inquiry.id or 0),
        "lostInquiry": encode_global_id("Inquiry", lost_inquiry.id or 0),
        "variant": encode_global_id("Variant", variant.id or 0),
        "product": encode_global_id("Product", product.id or 0),
        "staffFile": encode_global_id("StoredFile", staff_file.id or 0),
        "companyFile": encode_global_id("StoredFile", company_file.id or 0),
        "catalogImport": encode_global_id("CatalogImport", catalog_import.id or 0),
        "user": encode_global_id("User", client_user.id or 0),
    }
    return callers, variables


async def _shipment_with_a_changed_leg(session: AsyncSession, order: Order) -> Shipment:
    shipment = Shipment(order_id=order.id or 0, client_company_id=order.client_company_id)
    session.add(shipment)
    await session.flush()
    leg = ShipmentLeg(
        shipment_id=shipment.id or 0, sequence=1, carrier="Maersk", mode=TransportMode.SEA
    )
    session.add(leg)
    await session.flush()
    changes = {"voyage": ["", "412W"]}
    session.add(
        ShipmentLegChange(
            shipment_id=shipment.id or 0,
            leg_id=leg.id or 0,
            changed_by="ops@x.test",
            changes=changes,
        )
    )
    await session.flush()
    return shipment


@pytest.fixture(scope="module")
async def world(engine: AsyncEngine, settings: Settings) -> AsyncIterator[World]:
    """One seeded world for the whole matrix, rolled back at the end of the module."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            database = Database(connection)
            callers, variables = await _seed(database, settings)
            async with graphql_client(settings, database) as http:
                yield World(http, callers, variables)
        finally:
            await transaction.rollback()


def _named(path: list[str | int] | None) -> tuple[str | int, ...]:
    return tuple(step for step in path or () if not isinstance(step, int))


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _observed(response: httpx.Response, probe: Probe) -> Outcome | str:
    if response.status_code == 401:
        return Outcome.UNAUTHENTICATED
    body = response.json()
    errors = body.get("errors", [])
    # A field under a list is probed on its first item: its index is left out of the path.
    codes = [(_named(error.get("path")), error["extensions"]["code"]) for error in errors]
    value: Any = body.get("data")
    for step in probe.path:
        value = None if value is None else _first(value).get(step)
    if codes == [(probe.path, "FORBIDDEN")] and value is None:
        return Outcome.FORBIDDEN
    if codes == [((), "FORBIDDEN")] and body.get("data") is None:
        return Outcome.REFUSED
    gated = [(probe.path[:1], "FORBIDDEN")], [(probe.path[:1], "UNAUTHENTICATED")]
    if len(probe.path) > 1 and codes in gated and value is None:
        return Outcome.GATED
    if codes:
        return f"unexpected errors {codes}"
    if value is not None:
        return Outcome.SERVED
    parent: Any = body["data"]
    for step in probe.path[:-1]:
        parent = None if parent is None else _first(parent).get(step)
    return Outcome.HIDDEN if parent is None else "null without an error"


# Fields taking a file: a JSON request cannot reach their permission check, so their matrix
# is probed with multipart requests where the field is tested.
PROBED_WITH_UPLOADS = {
    "Mutation.importCatalog": "tests/catalog/test_import_catalog_mutation.py",
}


def test_every_protected_field_has_a_probe() -> None:
    probed = set(PROBES) | set(PROBED_WITH_UPLOADS)
    assert probed == set(protected_fields(build_schema()._schema))


@pytest.mark.parametrize("who", CALLERS)
async def test_protected_fields_are_served_exactly_as_the_policy_says(
    world: World, who: str
) -> None:
    caller_kind = world.callers[who]
    permissions = protected_fields(build_schema()._schema)
    mismatches = []
    for coordinate, probe in PROBES.items():
        variables = {
            name: value for name, value in world.variables.items() if f"${name}" in probe.query
        }
        response = await world.http.as_(caller_kind.token).response(probe.query, variables)
        expected = caller_kind.expects(permissions[coordinate], probe)
        observed = _observed(response, probe)
        if observed != expected:
            mismatches.append(f"{coordinate}: expected {expected}, got {observed}")
    assert mismatches == []


DOWNLOAD_LINK = "query($file: ID!) { downloadLink(fileId: $file) { expiresAt } }"


def _link_expected(who: Who, *, company_file: bool) -> str:
    """`downloadLink` decides by the file: its purpose's permission (catalog:write for a
    catalog export) for staff and keys, its owner for client users, who cannot tell another
    company's file, or a staff file, from no file."""
    if who.expired:
        return Outcome.UNAUTHENTICATED
    if who.limited:
        return Outcome.REFUSED
    if who.token is None:
        return "UNAUTHENTICATED"
    if who.client_user:
        return Outcome.SERVED if company_file and who.own_company else "NOT_FOUND"
    return Outcome.SERVED if Permission.CATALOG_WRITE in who.permissions else Outcome.FORBIDDEN


def _link_observed(response: httpx.Response) -> str:
    if response.status_code == 401:
        return Outcome.UNAUTHENTICATED
    body = response.json()
    codes = [(tuple(e.get("path") or ()), e["extensions"]["code"]) for e in body.get("errors", [])]
    if codes == [((), "FORBIDDEN")] and body.get("data") is None:
        return Outcome.REFUSED
    if not codes and body["data"]["downloadLink"] is not None:
        return Outcome.SERVED
    if len(codes) == 1 and codes[0][0] == ("downloadLink",):
        return Outcome.FORBIDDEN if codes[0][1] == "FORBIDDEN" else str(codes[0][1])
    return f"unexpected {body}"


@pytest.mark.parametrize("who", CALLERS)
async def test_download_links_are_made_exactly_for_the_callers_who_may_read_the_file(
    world: World, who: str
) -> None:
    caller = world.callers[who]
    observed, expected = {}, {}
    for name in ("staffFile", "companyFile"):
        variables = {"file": world.variables[name]}
        response = await world.http.as_(caller.token).response(DOWNLOAD_LINK, variables)
        observed[name] = _link_observed(response)
        expected[name] = _link_expected(caller, company_file=name == "companyFile")
    assert observed == expected
