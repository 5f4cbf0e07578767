"""The staff users list: who sees which users, search, filters, orders, keyset pages, constant
SQL, and hostile arguments refused with the argument named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from auth.policy import ROLE_PERMISSIONS, Permission
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role, User
from models.clients import ClientCompany
from resolvers.pagination import encode_cursor
from tests.callers import error_codes
from tests.graphql_client import GraphQLClient
from tests.paging import PAGE_SIZES
from tests.user_builders import make_company, make_user, session_for

LISTING = """
query($first: Int, $after: String, $search: String, $filter: UserFilter, $sortBy: UserSort) {
  users(first: $first, after: $after, search: $search, filter: $filter, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id email fullName role disabled mfaEnabled lastSignedInAt invitationPending
            clientCompanyId clientCompany { name } }
  }
}
"""
MOMENT = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


async def _person(
    session: AsyncSession,
    role: Role,
    email: str,
    full_name: str,
    *,
    company: ClientCompany | None = None,
    signed_in: datetime | None = None,
    **options: Any,
) -> User:
    user = await make_user(session, role, email=email, company=company, **options)
    user.full_name = full_name
    user.last_signed_in_at = signed_in
    await session.flush()
    return user


async def _world(db: Database, settings: Settings) -> dict[str, Any]:
    """Two companies, people of every kind, and the tokens of an admin ("admin") and of a
    sales user ("sales"), created before the others."""
    async with db.transaction() as session:
        acme = await make_company(session, name="Acme Textiles")
        bolt = await make_company(session, name="Bolt Fabrics")
        admin = await _person(session, Role.ADMIN, "zz-admin@staff.example", "Zed Admin")
        sales = await _person(session, Role.SALES, "zz-sales@staff.example", "Zoe Sales")
        people = {
            "anna": await _person(
                session,
                Role.CLIENT,
                "anna@acme.example",
                "Anna Berg",
                company=acme,
                signed_in=MOMENT,
            ),
            "bert": await _person(
                session,
                Role.CLIENT,
                "bert@bolt.example",
                "bert 50%_off",
                company=bolt,
                mfa=True,
                signed_in=MOMENT + timedelta(days=1),
            ),
            "carl": await _person(
                session,
                Role.CLIENT,
                "carl@acme.example",
                "Carl Anders",
                company=acme,
                disabled=True,
            ),
            "dora": await _person(
                session,
                Role.FINANCE,
                "dora@staff.example",
                "Dora Finch",
                signed_in=MOMENT - timedelta(days=1),
            ),
            "emil": await _person(
                session, Role.SUPPORT, "emil@staff.example", "Émil Ångström", mfa=False
            ),
        }
        tokens = {
            "admin": (await session_for(session, admin, settings)).access_token,
            "sales": (await session_for(session, sales, settings)).access_token,
        }
    return {"acme": acme, "bolt": bolt, **people, **tokens}


async def _listed(api: GraphQLClient, token: str, **variables: Any) -> list[str]:
    """The emails listed, by email unless another order is asked for."""
    body = await api.as_(token).post(LISTING, {"first": 100, "sortBy": "EMAIL", **variables})
    assert "errors" not in body, body
    return [node["email"] for node in body["data"]["users"]["nodes"]]


def test_whoever_manages_users_may_also_list_client_users() -> None:
    # `users` is gated on users:invite_clients and shows everyone to users:manage holders
    for granted in ROLE_PERMISSIONS.values():
        if Permission.USERS_MANAGE in granted:
            assert Permission.USERS_INVITE_CLIENTS in granted


async def test_an_admin_lists_every_user_with_what_a_row_shows(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    body = await api.as_(world["admin"]).post(LISTING, {"first": 100})
    users = body["data"]["users"]
    assert users["totalCount"] == 7
    by_email = {node["email"]: node for node in users["nodes"]}
    assert by_email["bert@bolt.example"] == {
        "id": encode_global_id("User", world["bert"].id),
        "email": "bert@bolt.example",
        "fullName": "bert 50%_off",
        "role": "CLIENT",
        "disabled": False,
        "mfaEnabled": True,
        "lastSignedInAt": (MOMENT + timedelta(days=1)).isoformat(),
        "invitationPending": False,
        "clientCompanyId": encode_global_id("ClientCompany", world["bolt"].id),
        "clientCompany": {"name": "Bolt Fabrics"},
    }
    assert by_email["carl@acme.example"]["disabled"] is True
    assert by_email["emil@staff.example"]["mfaEnabled"] is False
    assert by_email["emil@staff.example"]["lastSignedInAt"] is None
    assert by_email["dora@staff.example"]["clientCompany"] is None


async def test_who_invites_client_users_sees_client_users_only(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    sales = world["sales"]
    listed = await _listed(api, sales)
    assert listed == ["anna@acme.example", "bert@bolt.example", "carl@acme.example"]
    body = await api.as_(sales).post(LISTING, {"first": 1})
    assert body["data"]["users"]["totalCount"] == 3
    # asking for staff finds nothing, and searching for them neither
    assert await _listed(api, sales, filter={"roles": ["ADMIN", "FINANCE", "SALES"]}) == []
    assert await _listed(api, sales, search="dora") == []
    assert await _listed(api, sales, sortBy="LAST_SIGNED_IN") == [
        "bert@bolt.example",
        "anna@acme.example",
        "carl@acme.example",
    ]


async def test_client_users_and_api_keys_reach_no_users(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    async with db.transaction() as session:
        client = await session_for(session, world["anna"], settings)
    body = await api.as_(client.access_token).post(LISTING, {"first": 5})
    assert error_codes(body) == [("users", "FORBIDDEN")]
    assert body["data"] is None or body["data"]["users"] is None


async def test_search_is_a_case_insensitive_prefix_of_name_or_email(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    admin = world["admin"]
    assert await _listed(api, admin, search="ANNA") == ["anna@acme.example"]
    assert await _listed(api, admin, search="anna@ACME") == ["anna@acme.example"]
    # a prefix of the surname is not a prefix of the name
    assert await _listed(api, admin, search="berg") == []
    assert await _listed(api, admin, search="  carl ") == ["carl@acme.example"]
    assert await _listed(api, admin, search="émil å") == ["emil@staff.example"]
    # LIKE's wildcards are plain characters
    assert await _listed(api, admin, search="bert 50%_") == ["bert@bolt.example"]
    assert await _listed(api, admin, search="bert 5_") == []
    assert await _listed(api, admin, search="%") == []
    assert len(await _listed(api, admin, search="   ")) == 7


async def test_filters_by_role_company_state_and_mfa(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    admin = world["admin"]
    acme = encode_global_id("ClientCompany", world["acme"].id)
    assert await _listed(api, admin, filter={"roles": ["FINANCE", "SUPPORT"]}) == [
        "dora@staff.example",
        "emil@staff.example",
    ]
    assert await _listed(api, admin, filter={"clientCompanyId": acme}) == [
        "anna@acme.example",
        "carl@acme.example",
    ]
    assert await _listed(api, admin, filter={"disabled": True}) == ["carl@acme.example"]
    assert len(await _listed(api, admin, filter={"disabled": False})) == 6
    assert await _listed(api, admin, filter={"mfaEnabled": False, "roles": ["SUPPORT"]}) == [
        "emil@staff.example"
    ]
    assert await _listed(api, admin, filter={"mfaEnabled": True, "roles": ["CLIENT"]}) == [
        "bert@bolt.example"
    ]
    unknown = encode_global_id("ClientCompany", 999_999_999)
    assert await _listed(api, admin, filter={"clientCompanyId": unknown}) == []
    body = await api.as_(admin).post(
        LISTING, {"first": 1, "filter": {"disabled": False, "clientCompanyId": acme}}
    )
    assert body["data"]["users"]["totalCount"] == 1


async def test_orders_by_name_email_and_last_sign_in(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    admin = world["admin"]
    names = await api.as_(admin).post(LISTING, {"first": 100, "sortBy": "NAME"})
    full_names = [node["fullName"] for node in names["data"]["users"]["nodes"]]
    # as the database collates (the test database: byte order, capitals first)
    assert full_names[:2] == ["Anna Berg", "Carl Anders"]
    assert set(full_names) == {
        "Anna Berg",
        "bert 50%_off",
        "Carl Anders",
        "Dora Finch",
        "Émil Ångström",
        "Zed Admin",
        "Zoe Sales",
    }
    emails = await _listed(api, admin, sortBy="EMAIL")
    assert emails == sorted(emails)
    # the most recent sign-in first; those who never signed in last, the newest id first
    assert await _listed(api, admin, sortBy="LAST_SIGNED_IN") == [
        "bert@bolt.example",
        "anna@acme.example",
        "dora@staff.example",
        "emil@staff.example",
        "carl@acme.example",
        "zz-sales@staff.example",
        "zz-admin@staff.example",
    ]


SORTS = ["NAME", "EMAIL", "LAST_SIGNED_IN"]


async def _page_through(
    api: GraphQLClient,
    db: Database,
    token: str,
    *,
    sort: str,
    size: int,
    company: ClientCompany,
) -> list[str]:
    """Every page in `sort`, a new user inserted between pages (before and after the cursor)."""
    seen: list[str] = []
    after = None
    for page_number in range(200):
        body = await api.as_(token).post(LISTING, {"first": size, "after": after, "sortBy": sort})
        assert "errors" not in body, body
        users = body["data"]["users"]
        seen += [node["id"] for node in users["nodes"]]
        async with db.transaction() as session:
            await _person(
                session,
                Role.CLIENT,
                f"new{page_number}-{size}@late.example",
                f"{'A' if page_number % 2 else 'z'}-late {page_number}",
                company=company,
                signed_in=MOMENT
                + timedelta(hours=page_number if page_number % 2 else -page_number),
            )
        if not users["pageInfo"]["hasNextPage"]:
            return seen
        after = users["pageInfo"]["endCursor"]
    raise AssertionError("paging did not end")


async def _many(db: Database, company: ClientCompany, count: int, tag: str = "many") -> None:
    async with db.transaction() as session:
        for n in range(count):
            await _person(
                session,
                Role.SUPPORT if n % 3 == 1 else Role.CLIENT,
                f"u{n:03d}@{tag}.example",
                f"Person {n % 9}",  # names repeat: the id breaks ties
                company=None if n % 3 == 1 else company,
                signed_in=None if n % 4 == 0 else MOMENT + timedelta(minutes=n % 5),
            )


@pytest.mark.parametrize("size", PAGE_SIZES)
@pytest.mark.parametrize("sort", SORTS)
async def test_every_user_appears_once_and_in_order_while_users_are_added(
    api: GraphQLClient, db: Database, settings: Settings, sort: str, size: int
) -> None:
    world = await _world(db, settings)
    await _many(db, world["acme"], 30 if size == 1 else 60)
    admin = world["admin"]
    before = await api.as_(admin).post(LISTING, {"first": 100, "sortBy": sort})
    existing = [node["id"] for node in before["data"]["users"]["nodes"]]
    seen = await _page_through(api, db, admin, sort=sort, size=size, company=world["acme"])
    assert len(seen) == len(set(seen))
    # every user that existed before paging started, once, in the order they had
    assert [pk for pk in seen if pk in set(existing)] == existing
    # and the list in one page is the same order as the pages (users added included)
    after = await api.as_(admin).post(LISTING, {"first": 100, "sortBy": sort})
    whole = [node["id"] for node in after["data"]["users"]["nodes"]]
    assert [pk for pk in whole if pk in set(seen)] == [pk for pk in seen if pk in set(whole)]


@pytest.mark.parametrize("sort", SORTS)
async def test_a_page_of_100_costs_the_statements_of_a_page_of_1(
    api: GraphQLClient, db: Database, settings: Settings, sort: str
) -> None:
    world = await _world(db, settings)
    async with db.transaction() as session:
        companies = [await make_company(session) for _ in range(4)]
    for number, company in enumerate(companies):
        await _many(db, company, 30, tag=f"company{number}")
    query = """
    query($first: Int!, $sortBy: UserSort) {
      users(first: $first, sortBy: $sortBy, search: "Person") {
        totalCount
        nodes { email role lastSignedInAt clientCompany { name } }
      }
    }
    """
    admin = api.as_(world["admin"])
    one = await admin.post_with_extensions(query, {"first": 1, "sortBy": sort})
    hundred = await admin.post_with_extensions(query, {"first": 100, "sortBy": sort})
    assert "errors" not in hundred, hundred
    assert len(hundred["data"]["users"]["nodes"]) == 100
    companies_named = {
        node["clientCompany"]["name"]
        for node in hundred["data"]["users"]["nodes"]
        if node["clientCompany"]
    }
    assert len(companies_named) == 4
    assert one["extensions"]["sqlStatements"] == hundred["extensions"]["sqlStatements"]
    # the caller's session, the page, its count, the companies
    assert hundred["extensions"]["sqlStatements"] <= 4


HOSTILE = [
    ({"search": "an\u0000na"}, "search"),
    ({"search": "x" * 101}, "search"),
    ({"search": "x" * 100_000}, "search"),
    ({"first": 0}, "first"),
    ({"first": 101}, "first"),
    ({"after": "not a cursor"}, "after"),
    ({"after": "x" * 100_000}, "after"),
    ({"after": encode_cursor("users:email", ["a@b.example", 1])}, "after"),  # another order's
    ({"after": encode_cursor("catalog_name", ["A", 1])}, "after"),  # another list's
    ({"after": encode_cursor("users:name", ["A", 2**70])}, "after"),
    ({"after": encode_cursor("users:name", [1, 1])}, "after"),
    ({"filter": {"roles": []}}, "filter.roles"),
    ({"filter": {"clientCompanyId": "nonsense"}}, "filter.clientCompanyId"),
    ({"filter": {"clientCompanyId": encode_global_id("User", 1)}}, "filter.clientCompanyId"),
    ({"filter": {"clientCompanyId": "\u0000"}}, "filter"),  # refused as the input is read
]


@pytest.mark.parametrize(("variables", "argument"), HOSTILE)
async def test_hostile_arguments_get_bad_user_input_naming_them(
    api: GraphQLClient, db: Database, settings: Settings, variables: dict[str, Any], argument: str
) -> None:
    world = await _world(db, settings)
    body = await api.as_(world["admin"]).post(LISTING, variables)
    assert [code for _path, code in error_codes(body)] == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"].get("argument") == argument
    assert (body.get("data") or {}).get("users") is None


async def test_a_last_sign_in_cursor_altered_by_hand_is_refused(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    admin = api.as_(world["admin"])
    for moment in ("2026-11-01T09:30:00", "yesterday", "2026-11-01T09:30:00.000+00:00"):
        cursor = encode_cursor("users:last_signed_in", [moment, 1])
        body = await admin.post(LISTING, {"after": cursor, "sortBy": "LAST_SIGNED_IN"})
        assert [code for _path, code in error_codes(body)] == ["BAD_USER_INPUT"], moment
