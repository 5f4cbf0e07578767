"""Reading client companies: staff listings, node lookups and a client's view of its own company.

A client user sees its own company and nothing of any other: another company's id answers
exactly like an id that does not exist, and no listing or count includes other companies.
"""

from __future__ import annotations

from admin_queries import clients as client_listing
from auth.api_keys import create_api_key
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from tests.callers import (
    context_for,
    error_codes,
    make_client_company,
    make_contact,
    principal_of,
    token_for,
)
from tests.graphql_client import graphql_client
from tests.user_builders import make_user, session_for

COMPANY = """query($id: ID!) { node(id: $id) { __typename id
  ... on ClientCompany { name country preferredCurrency preferredIncoterm version } } }"""


async def test_staff_list_companies_by_name_with_search_and_keyset_pages(
    db: Database, settings: Settings
) -> None:
    # given three companies and a support user (clients:read)
    async with db.transaction() as session:
        for name in ("Zeta Imports", "Alpha Trading", "Beta Alpha Handel"):
            await make_client_company(session, name=name)
        token = await token_for(session, settings, Role.SUPPORT)
    query = """query($after: String, $search: String) {
      clientCompanies(first: 1, after: $after, search: $search) {
        totalCount pageInfo { hasNextPage endCursor } nodes { name } } }"""
    async with graphql_client(settings, db) as anyone:
        support = anyone.as_(token)
        # when they search for "alpha", one company per page
        first = (await support.data(query, {"search": "alpha"}))["clientCompanies"]
        after = first["pageInfo"]["endCursor"]
        second = (await support.data(query, {"search": "ALPHA", "after": after}))["clientCompanies"]
    # then both matches come by name, across pages, counted once each
    assert first["nodes"] == [{"name": "Alpha Trading"}]
    assert first["totalCount"] == 2
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["nodes"] == [{"name": "Beta Alpha Handel"}]
    assert second["pageInfo"]["hasNextPage"] is False


async def test_search_wildcards_are_taken_literally(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        await make_client_company(session, name="100% Cotton Ltd")
        await make_client_company(session, name="Plain Cotton Ltd")
        token = await token_for(session, settings, Role.SALES)
    query = 'query { clientCompanies(search: "100%") { nodes { name } } }'
    async with graphql_client(settings, db) as anyone:
        found = await anyone.as_(token).data(query)
    assert found["clientCompanies"]["nodes"] == [{"name": "100% Cotton Ltd"}]


async def test_a_client_sees_its_own_company_but_another_looks_like_none(
    db: Database, settings: Settings
) -> None:
    # given companies A and B, and a user of A
    async with db.transaction() as session:
        mine = await make_client_company(session, name="Mine BV")
        other = await make_client_company(session, name="Other SA")
        token = await token_for(session, settings, Role.CLIENT, company=mine)
    mine_id = encode_global_id("ClientCompany", mine.id or 0)
    other_id = encode_global_id("ClientCompany", other.id or 0)
    missing_id = encode_global_id("ClientCompany", 999_999_999)
    async with graphql_client(settings, db) as anyone:
        client = anyone.as_(token)
        # when they fetch each company by node id, and their own company
        own = await client.post(COMPANY, {"id": mine_id})
        others = await client.post(COMPANY, {"id": other_id})
        missing = await client.post(COMPANY, {"id": missing_id})
        my_company = await client.data("{ myCompany { id name } }")
    # then their own is served, and the other is indistinguishable from a missing one
    assert own == {
        "data": {
            "node": {
                "__typename": "ClientCompany",
                "id": mine_id,
                "name": "Mine BV",
                "country": "DE",
                "preferredCurrency": "USD",
                "preferredIncoterm": "FOB",
                "version": 1,
            }
        }
    }
    assert others == missing == {"data": {"node": None}}
    assert my_company == {"myCompany": {"id": mine_id, "name": "Mine BV"}}


async def test_a_client_gets_no_tax_id_contacts_terms_or_users_of_its_own_company(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        mine = await make_client_company(session)
        await make_contact(session, mine)
        token = await token_for(session, settings, Role.CLIENT, company=mine)
    query = """{ myCompany { name taxId contacts { name } creditLimit { amount }
      paymentTerms { netDays } users { email } } }"""
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(token).post(query)
    assert body["data"]["myCompany"] == {
        "name": "Hanse Textil GmbH",
        "taxId": None,
        "contacts": None,
        "creditLimit": None,
        "paymentTerms": None,
        "users": None,
    }
    assert sorted(error_codes(body)) == [
        ("myCompany.contacts", "FORBIDDEN"),
        ("myCompany.creditLimit", "FORBIDDEN"),
        ("myCompany.paymentTerms", "FORBIDDEN"),
        ("myCompany.taxId", "FORBIDDEN"),
        ("myCompany.users", "FORBIDDEN"),
    ]


async def test_staff_see_what_their_role_allows_of_a_company(
    db: Database, settings: Settings
) -> None:
    # given a company with a contact and a client user
    async with db.transaction() as session:
        company = await make_client_company(session)
        await make_contact(session, company)
        await make_user(session, Role.CLIENT, company=company, email="buyer@hanse.example")
        finance = await token_for(session, settings, Role.FINANCE)
        sales = await token_for(session, settings, Role.SALES)
    query = """query($id: ID!) { clientCompany(id: $id) { taxId contacts { name email phone }
      creditLimit { amount currency } paymentTerms { advancePercent balanceDueOn netDays }
      users { email } } }"""
    variables = {"id": encode_global_id("ClientCompany", company.id or 0)}
    async with graphql_client(settings, db) as anyone:
        as_finance = await anyone.as_(finance).data(query, variables)
        as_sales = await anyone.as_(sales).post(query, variables)
    # then finance sees everything, and sales everything but credit and terms
    assert as_finance["clientCompany"] == {
        "taxId": "DE811907980",
        "contacts": [{"name": "Jana Weber", "email": "jana@hanse.example", "phone": "+49 40 1234"}],
        "creditLimit": {"amount": "50000.00", "currency": "EUR"},
        "paymentTerms": {"advancePercent": 30, "balanceDueOn": "INVOICE", "netDays": 60},
        "users": [{"email": "buyer@hanse.example"}],
    }
    assert as_sales["data"]["clientCompany"]["creditLimit"] is None
    assert as_sales["data"]["clientCompany"]["taxId"] == "DE811907980"
    assert sorted(error_codes(as_sales)) == [
        ("clientCompany.creditLimit", "FORBIDDEN"),
        ("clientCompany.paymentTerms", "FORBIDDEN"),
    ]


async def test_listings_and_counts_never_include_other_companies_for_a_client(
    db: Database, settings: Settings
) -> None:
    # given three companies and a user of one of them
    async with db.transaction() as session:
        mine = await make_client_company(session, name="Mine BV")
        for name in ("Other SA", "Third Ltd"):
            await make_client_company(session, name=name)
        user = await make_user(session, Role.CLIENT, company=mine)
        issued = await session_for(session, user, settings)
    # when the client asks for the staff listing over HTTP
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(issued.access_token).post(
            "{ clientCompanies { totalCount nodes { name } } }"
        )
    # then it is refused outright
    assert body["data"] == {"clientCompanies": None}
    assert error_codes(body) == [("clientCompanies", "FORBIDDEN")]
    # and even the listing itself, called past the gate, is scoped to their own company
    ctx = context_for(db, settings, await principal_of(db, settings, issued.access_token))
    try:
        page = await client_listing.list_client_companies(ctx, first=100, after=None, search=None)
        assert [row.name for row in page.rows] == ["Mine BV"]
        assert await page.total_count() == 1
    finally:
        await ctx.close()


async def test_callers_without_clients_read_get_no_company_by_node_id(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        catalog_manager = await token_for(session, settings, Role.CATALOG_MANAGER)
        storefront = (await create_api_key(session, name="Shop", role=Role.STOREFRONT)).key
    variables = {"id": encode_global_id("ClientCompany", company.id or 0)}
    async with graphql_client(settings, db) as anyone:
        for token in (None, catalog_manager, storefront):
            assert await anyone.as_(token).post(COMPANY, variables) == {"data": {"node": None}}
