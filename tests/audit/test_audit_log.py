"""The audit log as an admin reads it: newest first, filtered, in keyset pages, on both
PostgreSQL and the embedded SQLite default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from tests.callers import error_codes, token_for
from tests.graphql_client import graphql_client
from tests.user_builders import make_user

LOG = """query($filter: AuditLogFilter, $first: Int!, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { action targetType targetId changes requestId clientIp createdAt
      actor { userId apiKeyId label } } } }"""
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def _seed(db: Database) -> int:
    """Four entries an hour apart; returns the id of the user who made two of them."""
    async with db.transaction() as session:
        finance = await make_user(session, Role.FINANCE)
        assert finance.id is not None
        rows = [
            ("client_company.create", None, "ClientCompany", "7", "cli"),
            ("client_company.update", finance.id, "ClientCompany", "7", ""),
            ("client_company.update_credit", finance.id, "ClientCompany", "7", ""),
            ("client_contact.add", None, "ClientContact", "3", ""),
        ]
        for hour, (action, user_id, target_type, target_id, label) in enumerate(rows):
            session.add(
                AuditEntry(
                    actor_user_id=user_id,
                    actor_label=label,
                    action=action,
                    target_type=target_type,
                    target_id=target_id,
                    changes={"net_days": [30, 60]},
                    request_id=f"req-{hour}",
                    client_ip="203.0.113.9",
                    created_at=START + timedelta(hours=hour),
                )
            )
    return finance.id


async def test_an_admin_pages_through_the_log_newest_first(
    any_db: Database, settings: Settings
) -> None:
    await _seed(any_db)
    async with any_db.transaction() as session:
        admin = await token_for(session, settings, Role.ADMIN)
    async with graphql_client(settings, any_db) as anyone:
        first = (await anyone.as_(admin).data(LOG, {"first": 3}))["auditLog"]
        cursor = first["pageInfo"]["endCursor"]
        rest = (await anyone.as_(admin).data(LOG, {"first": 3, "after": cursor}))["auditLog"]
    assert [n["action"] for n in first["nodes"]] == [
        "client_contact.add",
        "client_company.update_credit",
        "client_company.update",
    ]
    assert first["totalCount"] == 4
    assert first["pageInfo"]["hasNextPage"] is True
    assert [n["action"] for n in rest["nodes"]] == ["client_company.create"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["nodes"][0] == {
        "action": "client_company.create",
        "targetType": "ClientCompany",
        "targetId": "7",
        "changes": {"net_days": [30, 60]},
        "requestId": "req-0",
        "clientIp": "203.0.113.9",
        "createdAt": "2026-11-20T09:00:00+00:00",
        "actor": {"userId": None, "apiKeyId": None, "label": "cli"},
    }


async def test_filters_narrow_the_log_and_its_count(any_db: Database, settings: Settings) -> None:
    finance_id = await _seed(any_db)
    async with any_db.transaction() as session:
        admin = await token_for(session, settings, Role.ADMIN)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"action": "client_company.update"}, ["client_company.update"]),
        (
            {"actorUserId": encode_global_id("User", finance_id)},
            ["client_company.update_credit", "client_company.update"],
        ),
        ({"targetType": "ClientContact", "targetId": "3"}, ["client_contact.add"]),
        (
            {"from": "2026-11-20T10:00:00Z", "to": "2026-11-20T12:00:00Z"},
            ["client_company.update_credit", "client_company.update"],
        ),
    ]
    async with graphql_client(settings, any_db) as anyone:
        for audit_filter, expected in cases:
            found = await anyone.as_(admin).data(LOG, {"filter": audit_filter, "first": 10})
            assert [n["action"] for n in found["auditLog"]["nodes"]] == expected, audit_filter
            assert found["auditLog"]["totalCount"] == len(expected)


async def test_only_audit_readers_see_the_log(db: Database, settings: Settings) -> None:
    await _seed(db)
    async with db.transaction() as session:
        finance = await token_for(session, settings, Role.FINANCE)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(finance).post(LOG, {"first": 10})
    assert body["data"] == {"auditLog": None}
    assert error_codes(body) == [("auditLog", "FORBIDDEN")]
