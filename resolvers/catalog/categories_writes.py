"""Changing the category tree: create, edit, move (which also reorders siblings), delete.

Each change runs in one transaction with one audit row; a refused change writes nothing.
Positions among siblings are renumbered 0..n-1 around the category placed, as the storefront
lists children by (position, name). Renumbered siblings keep their version: a position is the
parent's ordering, written only by moves, which compute it afresh, so no edit based on an
older version can lose it, and an admin editing a sibling is not sent a CONFLICT. Moves run one
at a time (`serialise_transactions`): two moves of different categories could otherwise each
pass the cycle check and together make a loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth.audit import changed_fields
from core.outcomes import Issue, Refused, UserErrorCode, WriteResult, refuse
from core.row_locks import serialise_transactions
from models.catalog import Category, Product
from resolvers.catalog.taxonomy_rules import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, check_slug
from resolvers.catalog.taxonomy_saves import (
    check_slug_free,
    save_catalog_row,
    slug_guard,
)
from resolvers.checks import Checker, Path
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.outcomes import audit, pk_of, refusable
from resolvers.versions import stale

CATEGORY = "Category"
AUDITED = ("name", "slug", "description", "parent_id", "position")
MOVES = "catalog.category_tree"


@dataclass(frozen=True)
class CategoryDetails:
    """What a caller sets on a category; None leaves a field as it is (on edits)."""

    name: str | None = None
    slug: str | None = None
    description: str | None = None


def check_category_details(
    details: CategoryDetails, *, creating: bool
) -> tuple[dict[str, Any], list[Issue]]:
    checker = Checker()
    values: dict[str, Any] = {}
    if details.name is not None or creating:
        values["name"] = checker.text(("name",), details.name or "", MAX_NAME_LENGTH, required=True)
    if details.slug is not None or creating:
        values["slug"] = check_slug(checker, ("slug",), details.slug or "")
    if details.description is not None:
        values["description"] = checker.text(
            ("description",), details.description, MAX_DESCRIPTION_LENGTH, required=False
        )
    return values, checker.issues


def _snapshot(category: Category) -> dict[str, Any]:
    return {name: getattr(category, name) for name in AUDITED}


def _not_found(*path: str) -> Refused:
    return refuse(UserErrorCode.NOT_FOUND, "no category has this id", *path)


async def _category(db: AsyncSession, global_id: str, *path: str, lock: bool = False) -> Category:
    pk = pk_of(global_id, CATEGORY)
    if pk is None:
        raise _not_found(*path)
    statement = select(Category).where(col(Category.id) == pk)
    found = (await db.scalars(statement.with_for_update() if lock else statement)).first()
    if found is None:
        raise _not_found(*path)
    return found


async def create_category(
    ctx: Context,
    details: CategoryDetails,
    *,
    parent_id: str | None,
    position: int | None,
    idempotency_key: str | None,
) -> WriteResult[Category]:
    """A new category under `parent_id` (None: at the top) at `position` (None: last)."""
    values, issues = check_category_details(details, creating=True)
    issues += _position_issues(position, ("input", "position"))
    issues += key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)
    normalised = {**values, "parent_id": parent_id, "position": position}

    async def create(db: AsyncSession) -> Category:
        parent = None if parent_id is None else await _category(db, parent_id, "input", "parentId")
        await check_slug_free(db, Category, values["slug"])
        category = Category(**values, parent_id=None if parent is None else parent.id)
        category.position = await _make_room(db, category.parent_id, position, None, "input")
        async with slug_guard(db, Category):
            db.add(category)
            await db.flush()
        await audit(
            ctx,
            db,
            action="category.create",
            target_type=CATEGORY,
            target_id=category.id,
            changes=changed_fields({}, _snapshot(category)),
        )
        return category

    return await refusable(
        ctx,
        lambda db: created_once(
            ctx,
            db,
            operation="createCategory",
            key=idempotency_key,
            normalised_input=normalised,
            model=Category,
            create=lambda: create(db),
        ),
    )


async def update_category(
    ctx: Context, *, category_id: str, expected_version: int, details: CategoryDetails
) -> WriteResult[Category]:
    """Name, slug and description; absent (None) fields stay as they are."""
    values, issues = check_category_details(details, creating=False)
    if issues:
        return WriteResult(issues=issues)

    async def update(db: AsyncSession) -> Category:
        before = await _category(db, category_id, "id")
        if before.version != expected_version:
            raise stale("category", before.version)
        changes = changed_fields(_snapshot(before), values)
        if not changes:
            return before
        if "slug" in changes:
            await check_slug_free(db, Category, values["slug"], owner=before.id)
        assert before.id is not None
        async with slug_guard(db, Category):
            after = await save_catalog_row(
                db, Category, before.id, expected_version, values, what="category"
            )
        await _audit_change(ctx, db, "category.update", after, changes, expected_version)
        return after

    return await refusable(ctx, update)


async def move_category(
    ctx: Context,
    *,
    category_id: str,
    expected_version: int,
    parent_id: str | None,
    position: int | None,
) -> WriteResult[Category]:
    """Under `parent_id` (None: to the top) at `position` among its new siblings (None:
    last); the same parent with another position reorders the siblings."""
    issues = _position_issues(position, ("position",))
    if issues:
        return WriteResult(issues=issues)

    async def move(db: AsyncSession) -> Category:
        await serialise_transactions(db, MOVES)
        before = await _category(db, category_id, "id")
        if before.version != expected_version:
            raise stale("category", before.version)
        assert before.id is not None
        parent = None if parent_id is None else await _category(db, parent_id, "parentId")
        if parent is not None and before.id in await _ancestry(db, parent):
            raise refuse(
                UserErrorCode.CATEGORY_CYCLE,
                "cannot move a category into itself or one of its descendants",
                "parentId",
            )
        snapshot = _snapshot(before)
        new_parent = None if parent is None else parent.id
        placed = await _make_room(db, new_parent, position, before.id)
        values = {"parent_id": new_parent, "position": placed}
        changes = changed_fields(snapshot, values)
        if not changes:
            return before
        await db.flush()
        after = await save_catalog_row(
            db, Category, before.id, expected_version, values, what="category"
        )
        await _audit_change(ctx, db, "category.move", after, changes, expected_version)
        return after

    return await refusable(ctx, move)


async def delete_category(
    ctx: Context, *, category_id: str, expected_version: int
) -> WriteResult[int]:
    """Only an empty category: no sub-categories and no products in any status. The row is
    locked first, so nothing is added to it between the check and the delete."""

    async def delete(db: AsyncSession) -> int:
        category = await _category(db, category_id, "id", lock=True)
        if category.version != expected_version:
            raise stale("category", category.version)
        children = await _count(db, Category, col(Category.parent_id) == category.id)
        if children:
            raise refuse(
                UserErrorCode.CATEGORY_HAS_CHILDREN,
                f"the category has {children} sub-categories; move or delete them first",
                "id",
            )
        products = await _count(db, Product, col(Product.category_id) == category.id)
        if products:
            raise refuse(
                UserErrorCode.CATEGORY_HAS_PRODUCTS,
                f"{products} products are in the category; move them to another one first",
                "id",
            )
        assert category.id is not None
        snapshot = _snapshot(category)
        await db.delete(category)
        await db.flush()
        await audit(
            ctx,
            db,
            action="category.delete",
            target_type=CATEGORY,
            target_id=category.id,
            changes={name: [value, None] for name, value in snapshot.items()},
        )
        return category.id

    return await refusable(ctx, delete)


def _position_issues(position: int | None, path: Path) -> list[Issue]:
    if position is not None and position < 0:
        return [Issue(path, UserErrorCode.OUT_OF_RANGE, "must be 0 (first) or more")]
    return []


async def _make_room(
    db: AsyncSession,
    parent_id: int | None,
    position: int | None,
    moving_id: int | None,
    *path: str,
) -> int:
    """Renumber the other children of `parent_id` 0..n, leaving `position` free for the
    category placed there (None: after the last), and return that position."""
    under = (
        col(Category.parent_id).is_(None)
        if parent_id is None
        else col(Category.parent_id) == parent_id
    )
    statement = select(Category).where(under)
    if moving_id is not None:
        statement = statement.where(col(Category.id) != moving_id)
    ordered = statement.order_by(col(Category.position), col(Category.name), col(Category.id))
    siblings = list(await db.scalars(ordered))
    if position is None:
        position = len(siblings)
    elif position > len(siblings):
        raise refuse(
            UserErrorCode.OUT_OF_RANGE,
            f"must be from 0 to {len(siblings)} (the number of siblings)",
            *path,
            "position",
        )
    for index, sibling in enumerate(siblings):
        wanted = index if index < position else index + 1
        if sibling.position != wanted:
            sibling.position = wanted
    return position


async def _ancestry(db: AsyncSession, category: Category) -> set[int]:
    """The ids of `category` and all its ancestors, in one recursive statement."""
    chain = (
        select(col(Category.id), col(Category.parent_id))
        .where(col(Category.id) == category.id)
        .cte("ancestry", recursive=True)
    )
    chain = chain.union(
        select(col(Category.id), col(Category.parent_id)).join(
            chain, col(Category.id) == chain.c.parent_id
        )
    )
    return set(await db.scalars(select(chain.c.id)))


async def _count(db: AsyncSession, model: type[Category] | type[Product], condition: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(condition)) or 0)


async def _audit_change(
    ctx: Context,
    db: AsyncSession,
    action: str,
    after: Category,
    changes: dict[str, list[Any]],
    expected_version: int,
) -> None:
    await audit(
        ctx,
        db,
        action=action,
        target_type=CATEGORY,
        target_id=after.id,
        changes={**changes, "version": [expected_version, after.version]},
    )
