"""Row scoping lives in the loaders: whatever path asks, a caller gets only the rows it may see."""

from __future__ import annotations

from auth.policy import permissions_of
from auth.principal import ANONYMOUS, Principal, PrincipalKind
from core.db import Database
from core.request_session import RequestSession
from loaders import catalog as catalog_relations
from loaders.clients import CLIENT_COMPANY_BY_ID, CONTACTS_BY_COMPANY, USERS_BY_COMPANY
from loaders.relations import Loaders
from models.accounts import Role
from tests.builders import make_category, make_fabric_type, make_product
from tests.callers import make_client_company, make_contact
from tests.user_builders import make_user


def _staff(role: Role) -> Principal:
    return Principal(kind=PrincipalKind.USER, role=role, permissions=permissions_of(role))


def _client_of(company_id: int | None) -> Principal:
    return Principal(kind=PrincipalKind.USER, role=Role.CLIENT, client_company_id=company_id)


async def test_each_caller_loads_only_the_companies_contacts_and_users_it_may_see(
    db: Database,
) -> None:
    # given two companies, each with a contact and a client user
    async with db.transaction() as session:
        mine = await make_client_company(session, name="Mine BV")
        other = await make_client_company(session, name="Other SA")
        for company in (mine, other):
            await make_contact(session, company)
            await make_user(session, Role.CLIENT, company=company)
    keys = [mine.id, other.id]
    reads = RequestSession(db)
    try:
        results = {}
        for name, principal in (
            ("sales", _staff(Role.SALES)),
            ("support", _staff(Role.SUPPORT)),
            ("catalog manager", _staff(Role.CATALOG_MANAGER)),
            ("client", _client_of(mine.id)),
            ("anonymous", ANONYMOUS),
        ):
            # when each caller's loaders fetch both companies, their contacts and users
            loaders = Loaders(reads, principal)
            companies = await loaders.loader(CLIENT_COMPANY_BY_ID).load_many(keys)
            contacts = await loaders.loader(CONTACTS_BY_COMPANY).load_many(keys)
            users = await loaders.loader(USERS_BY_COMPANY).load_many(keys)
            results[name] = (
                [None if c is None else c.name for c in companies],
                [len(found) for found in contacts],
                [len(found) for found in users],
            )
    finally:
        await reads.close()
    # then staff see what their permissions allow, the client only its own company's
    # public record, and anyone else nothing
    assert results == {
        "sales": (["Mine BV", "Other SA"], [1, 1], [1, 1]),
        "support": (["Mine BV", "Other SA"], [0, 0], [1, 1]),
        "catalog manager": ([None, None], [0, 0], [0, 0]),
        "client": (["Mine BV", None], [0, 0], [0, 0]),
        "anonymous": ([None, None], [0, 0], [0, 0]),
    }


async def test_catalog_relations_do_not_depend_on_the_caller(db: Database) -> None:
    async with db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
        )
    reads = RequestSession(db)
    try:
        for principal in (ANONYMOUS, _staff(Role.ADMIN), _client_of(None)):
            loaders = Loaders(reads, principal)
            found = await loaders.one(catalog_relations.PRODUCT_BY_ID, product.id)
            assert found is not None
            assert found.slug == product.slug
    finally:
        await reads.close()
