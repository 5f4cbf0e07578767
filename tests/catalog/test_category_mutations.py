"""Running the category tree through the API: create, edit, move and reorder, delete when
empty. Each refusal is a typed userError and writes nothing; each change one audit row; the
storefront's `category(slug:)` and `children` follow at once."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.global_id import decode_global_id
from core.settings import Settings
from models.accounts import Role
from models.catalog import Category, ProductStatus
from resolvers.catalog import categories_writes
from tests.builders import make_category, make_fabric_type, make_product
from tests.callers import context_for, principal_of, token_for
from tests.catalog.taxonomy_support import as_role, audit_rows, codes, gid
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient

FIELDS = "category { id name slug description version parent { slug } } userErrors { field code }"
CREATE = f"""mutation($input: CategoryInput!, $key: String) {{
  createCategory(input: $input, idempotencyKey: $key) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $v: Int!, $input: CategoryPatch!) {{
  updateCategory(id: $id, expectedVersion: $v, input: $input) {{ {FIELDS} }} }}"""
MOVE = f"""mutation($id: ID!, $v: Int!, $parent: ID, $position: Int) {{
  moveCategory(id: $id, expectedVersion: $v, parentId: $parent, position: $position) {{
  {FIELDS} }} }}"""
DELETE = """mutation($id: ID!, $v: Int!) { deleteCategory(id: $id, expectedVersion: $v) {
  deletedCategoryId userErrors { field code message } } }"""
STOREFRONT = """query($slug: String!) { category(slug: $slug) { name version
  parent { slug } children { slug } } }"""


async def _create(manager: GraphQLClient, **given: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await manager.data(CREATE, {"input": given}))["createCategory"]
    return payload


async def _children(http: GraphQLClient, slug: str) -> list[str]:
    found = (await http.data(STOREFRONT, {"slug": slug}))["category"]
    return [child["slug"] for child in found["children"]]


async def _count(db: Database) -> int:
    async with db.session() as session:
        return len(list(await session.scalars(select(Category))))


async def test_a_created_category_is_in_the_tree_at_its_position_with_one_audit_row(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    root = (await _create(manager, name="Textiles", slug="textiles"))["category"]
    last = await _create(manager, name="Knits", slug="knits", parentId=root["id"])
    first = await _create(
        manager,
        name=" Woven fabrics ",
        slug="woven-fabrics",
        description="Shirting, denim",
        parentId=root["id"],
        position=0,
    )
    assert first["userErrors"] == last["userErrors"] == []
    assert first["category"] | {"id": "?"} == {
        "id": "?",
        "name": "Woven fabrics",
        "slug": "woven-fabrics",
        "description": "Shirting, denim",
        "version": 1,
        "parent": {"slug": "textiles"},
    }
    assert await _children(client, "textiles") == ["woven-fabrics", "knits"]
    created = await audit_rows(db, "category.")
    assert [entry.action for entry in created] == ["category.create"] * 3
    assert created[2].changes["slug"] == [None, "woven-fabrics"]


async def test_bad_input_is_refused_field_by_field_and_writes_nothing(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    refused = await _create(manager, name=" ", slug="Woven Fabrics", position=-1)
    assert refused["category"] is None
    assert codes(refused) == [
        (["input", "name"], "REQUIRED"),
        (["input", "slug"], "INVALID_SLUG"),
        (["input", "position"], "OUT_OF_RANGE"),
    ]
    long_name = await _create(manager, name="x" * 121, slug="a-" + "b" * 119)
    assert codes(long_name) == [
        (["input", "name"], "TOO_LONG"),
        (["input", "slug"], "INVALID_SLUG"),
    ]
    unknown_parent = await _create(
        manager, name="Knits", slug="knits", parentId=gid("Category", 2**31 + 5)
    )
    assert codes(unknown_parent) == [(["input", "parentId"], "NOT_FOUND")]
    not_an_id = await _create(manager, name="Knits", slug="knits", parentId="garbage")
    assert codes(not_an_id) == [(["input", "parentId"], "NOT_FOUND")]
    beyond = await _create(manager, name="Knits", slug="knits", position=999)
    assert codes(beyond) == [(["input", "position"], "OUT_OF_RANGE")]
    assert await _count(db) == 0
    assert await audit_rows(db) == []


async def test_a_nul_in_any_text_argument_is_bad_user_input(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    for given in (
        {"name": "Knits\x00", "slug": "knits"},
        {"name": "Knits", "slug": "knits", "description": "\ud800"},
    ):
        body = await manager.post(CREATE, {"input": given})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await manager.post(DELETE, {"id": "Q2F0ZWdvcnk6MQ==\x00", "v": 1})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _count(db) == 0


async def test_a_taken_slug_is_refused_on_create_and_on_edit(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    await _create(manager, name="Textiles", slug="textiles")
    other = (await _create(manager, name="Spices", slug="spices"))["category"]
    assert codes(await _create(manager, name="Again", slug="textiles")) == [
        (["input", "slug"], "SLUG_TAKEN")
    ]
    renamed = await manager.data(UPDATE, {"id": other["id"], "v": 1, "input": {"slug": "textiles"}})
    assert codes(renamed["updateCategory"]) == [(["input", "slug"], "SLUG_TAKEN")]
    assert await _count(db) == 2


async def test_an_idempotent_create_retried_answers_the_first_and_another_input_is_refused(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    given = {"input": {"name": "Textiles", "slug": "textiles"}, "key": "cat-1"}
    first = (await manager.data(CREATE, given))["createCategory"]
    again = (await manager.data(CREATE, given))["createCategory"]
    assert again == first
    other = {"input": {"name": "Spices", "slug": "spices"}, "key": "cat-1"}
    reused = (await manager.data(CREATE, other))["createCategory"]
    assert codes(reused) == [(["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED")]
    blank = (await manager.data(CREATE, {**other, "key": " "}))["createCategory"]
    assert codes(blank) == [(["idempotencyKey"], "REQUIRED")]
    overlong = (await manager.data(CREATE, {**other, "key": "k" * 101}))["createCategory"]
    assert codes(overlong) == [(["idempotencyKey"], "TOO_LONG")]
    assert await _count(db) == 1
    assert len(await audit_rows(db, "category.")) == 1


async def test_an_edit_bumps_the_version_and_a_stale_one_is_a_conflict(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    created = (await _create(manager, name="Textiles", slug="textiles"))["category"]
    change = {"name": "Textiles & yarns", "slug": "textiles-yarns", "description": "All"}
    edited = await manager.data(UPDATE, {"id": created["id"], "v": 1, "input": change})
    assert edited["updateCategory"]["category"]["version"] == 2
    stale = await manager.data(
        UPDATE, {"id": created["id"], "v": 1, "input": {"name": "Lost update"}}
    )
    assert codes(stale["updateCategory"]) == [(["expectedVersion"], "CONFLICT")]
    assert (await client.data(STOREFRONT, {"slug": "textiles"}))["category"] is None
    shown = (await client.data(STOREFRONT, {"slug": "textiles-yarns"}))["category"]
    assert (shown["name"], shown["version"]) == ("Textiles & yarns", 2)
    [entry] = await audit_rows(db, "category.update")
    assert entry.changes == {
        "name": ["Textiles", "Textiles & yarns"],
        "slug": ["textiles", "textiles-yarns"],
        "description": ["", "All"],
        "version": [1, 2],
    }
    unknown = await manager.data(
        UPDATE, {"id": gid("Category", 999_999), "v": 1, "input": {"name": "X"}}
    )
    assert codes(unknown["updateCategory"]) == [(["id"], "NOT_FOUND")]


async def test_a_move_reparents_and_reorders_and_a_cycle_is_refused(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    textiles = (await _create(manager, name="Textiles", slug="textiles"))["category"]
    woven = await _create(manager, name="Woven", slug="woven", parentId=textiles["id"])
    knits = await _create(manager, name="Knits", slug="knits", parentId=textiles["id"])
    denim = await _create(manager, name="Denim", slug="denim", parentId=woven["category"]["id"])
    spices = (await _create(manager, name="Spices", slug="spices"))["category"]
    woven_id, knits_id = woven["category"]["id"], knits["category"]["id"]
    textiles_pk = decode_global_id(textiles["id"], argument="id")[1]

    # reordering within one parent
    reorder = {"id": knits_id, "v": 1, "parent": textiles["id"], "position": 0}
    moved = await manager.data(MOVE, reorder)
    assert moved["moveCategory"]["userErrors"] == []
    assert await _children(client, "textiles") == ["knits", "woven"]

    # a cycle: into itself, into its own descendant
    for parent in (woven_id, denim["category"]["id"]):
        refused = await manager.data(MOVE, {"id": woven_id, "v": 1, "parent": parent})
        assert codes(refused["moveCategory"]) == [(["parentId"], "CATEGORY_CYCLE")]
    assert await _children(client, "textiles") == ["knits", "woven"]

    # reparenting, with its sub-category, to the top
    version = (await client.data(STOREFRONT, {"slug": "woven"}))["category"]["version"]
    to_top = await manager.data(MOVE, {"id": woven_id, "v": version, "position": 0})
    assert to_top["moveCategory"]["category"]["parent"] is None
    roots = (await client.data("{ categories { slug } }"))["categories"]
    assert [root["slug"] for root in roots] == ["woven", "textiles", "spices"]
    assert await _children(client, "woven") == ["denim"]
    beyond = {"id": spices["id"], "v": 1, "parent": woven_id, "position": 5}
    under = await manager.data(MOVE, beyond)
    assert codes(under["moveCategory"]) == [(["position"], "OUT_OF_RANGE")]
    moves = await audit_rows(db, "category.move")
    assert [entry.changes for entry in moves] == [
        {"position": [1, 0], "version": [1, 2]},
        {"parent_id": [textiles_pk, None], "position": [1, 0], "version": [1, 2]},
    ]


async def test_only_an_empty_category_is_deleted(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    async with db.transaction() as session:
        parent = await make_category(session)
        child = await make_category(session, parent=parent)
        with_draft = await make_category(session)
        await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=with_draft,
            status=ProductStatus.DRAFT,
        )
    manager = await as_role(db, settings, client)
    has_children = await manager.data(DELETE, {"id": gid("Category", parent.id), "v": 1})
    assert codes(has_children["deleteCategory"]) == [(["id"], "CATEGORY_HAS_CHILDREN")]
    has_products = await manager.data(DELETE, {"id": gid("Category", with_draft.id), "v": 1})
    assert codes(has_products["deleteCategory"]) == [(["id"], "CATEGORY_HAS_PRODUCTS")]
    stale = await manager.data(DELETE, {"id": gid("Category", child.id), "v": 7})
    assert codes(stale["deleteCategory"]) == [(["expectedVersion"], "CONFLICT")]
    deleted = await manager.data(DELETE, {"id": gid("Category", child.id), "v": 1})
    assert deleted["deleteCategory"] == {
        "deletedCategoryId": gid("Category", child.id),
        "userErrors": [],
    }
    assert (await client.data(STOREFRONT, {"slug": parent.slug}))["category"]["children"] == []
    [entry] = await audit_rows(db, "category.delete")
    assert entry.changes["slug"] == [child.slug, None]
    assert await _count(db) == 2


async def test_two_crossing_moves_at_once_never_make_a_cycle(
    committed_db: Database, settings: Settings
) -> None:
    # given two sibling categories, moved under each other by two callers at the same time
    async with committed_db.transaction() as session:
        first, second = await make_category(session), await make_category(session)
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    ctx = context_for(committed_db, settings, await principal_of(committed_db, settings, token))

    async def move(one: Category, under: Category) -> list[str]:
        result = await categories_writes.move_category(
            ctx,
            category_id=gid("Category", one.id),
            expected_version=1,
            parent_id=gid("Category", under.id),
            position=None,
        )
        return [issue.code.value for issue in result.issues]

    outcomes = await settled(move(first, second), move(second, first))
    assert sorted(outcomes) == [[], ["CATEGORY_CYCLE"]]
    async with committed_db.session() as session:
        parents = list(
            await session.scalars(
                select(col(Category.parent_id)).where(col(Category.id).in_([first.id, second.id]))
            )
        )
    assert parents.count(None) == 1
