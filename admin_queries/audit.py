"""Reading the audit log: newest first, filtered, a keyset page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from core.dialect import timestamp_key, timestamp_value
from models.audit import AuditEntry
from resolvers.context import Context
from resolvers.newest_first import NewestFirst, newest_first_page
from resolvers.pagination import Page

NEWEST_FIRST = NewestFirst(
    "audit_newest",
    created_at=cast(ColumnElement[datetime], col(AuditEntry.created_at)),
    id=cast(ColumnElement[int], col(AuditEntry.id)),
)


@dataclass(frozen=True)
class AuditFilter:
    """Entries matching every condition given; `since` inclusive, `until` exclusive."""

    action: str | None = None
    actor_user_id: int | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _conditions(audit_filter: AuditFilter) -> list[ColumnElement[bool]]:
    created = timestamp_key(NEWEST_FIRST.created_at)
    conditions: list[ColumnElement[bool]] = []
    if audit_filter.action is not None:
        conditions.append(col(AuditEntry.action) == audit_filter.action)
    if audit_filter.actor_user_id is not None:
        conditions.append(col(AuditEntry.actor_user_id) == audit_filter.actor_user_id)
    if audit_filter.target_type is not None:
        conditions.append(col(AuditEntry.target_type) == audit_filter.target_type)
    if audit_filter.target_id is not None:
        conditions.append(col(AuditEntry.target_id) == audit_filter.target_id)
    if audit_filter.since is not None:
        conditions.append(created >= timestamp_value(audit_filter.since))
    if audit_filter.until is not None:
        conditions.append(created < timestamp_value(audit_filter.until))
    return conditions


async def list_audit_entries(
    ctx: Context, *, first: int, after: str | None, audit_filter: AuditFilter
) -> Page[AuditEntry]:
    statement = select(AuditEntry).where(*_conditions(audit_filter))
    return await newest_first_page(ctx.session, NEWEST_FIRST, statement, first=first, after=after)
