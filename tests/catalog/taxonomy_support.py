"""What the taxonomy mutation tests share: a catalog manager's client, ids, audit rows."""

from __future__ import annotations

from sqlmodel import col, select

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from tests.callers import token_for
from tests.graphql_client import GraphQLClient


async def as_role(
    db: Database, settings: Settings, http: GraphQLClient, role: Role = Role.CATALOG_MANAGER
) -> GraphQLClient:
    async with db.transaction() as session:
        return http.as_(await token_for(session, settings, role))


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return encode_global_id(type_name, pk)


async def audit_rows(db: Database, action_prefix: str = "") -> list[AuditEntry]:
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith(action_prefix))
            .order_by(col(AuditEntry.id))
        )
        return list(rows)


def codes(payload: dict[str, object]) -> list[tuple[list[str] | None, str]]:
    errors = payload["userErrors"]
    assert isinstance(errors, list)
    return [(error["field"], error["code"]) for error in errors]
