"""The role x field matrix: every protected field and operation of the schema, asked by every
kind of caller, is served exactly when `ROLE_PERMISSIONS` grants the caller its permission.

The protected coordinates come from the built schema (`schema.access.protected_fields`), so a
new protected field without a probe in `permission_probes.py` fails
`test_every_protected_field_has_a_probe`.
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
from tests.schema.permission_probes import PROBES, Outcome, Probe
from tests.user_builders import make_user, session_for


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
