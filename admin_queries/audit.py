"""Reading the audit log: newest first, filtered, a keyset page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, func, tuple_
from sqlmodel import col, select

from core.dialect import timestamp_key, timestamp_value
from core.errors import BadUserInput
from models.audit import AuditEntry
from resolvers.context import Context
from resolvers.pagination import Page, check_page_size, decode_cursor, encode_cursor

NEWEST_FIRST = "audit_newest"


@dataclass(frozen=True)
class AuditFilter:
    """Entries matching every condition given; `since` inclusive, `until` exclusive."""

    action: str | None = None
    actor_user_id: int | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _created_key() -> ColumnElement[Any]:
    return timestamp_key(cast(ColumnElement[datetime], col(AuditEntry.created_at)))


def _conditions(audit_filter: AuditFilter) -> list[ColumnElement[bool]]:
    created = _created_key()
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


def _after(cursor: str) -> ColumnElement[bool]:
    moment, pk = decode_cursor(cursor, NEWEST_FIRST, (str, int))
    try:
        created_at = datetime.fromisoformat(moment)
    except ValueError:
        raise BadUserInput("is not a cursor of this list", argument="after") from None
    key = tuple_(_created_key(), col(AuditEntry.id))
    return key < tuple_(timestamp_value(created_at), pk)


async def list_audit_entries(
    ctx: Context, *, first: int, after: str | None, audit_filter: AuditFilter
) -> Page[AuditEntry]:
    check_page_size(first)
    conditions = _conditions(audit_filter)
    statement = select(AuditEntry).where(*conditions)
    if after is not None:
        statement = statement.where(_after(after))
    statement = statement.order_by(_created_key().desc(), col(AuditEntry.id).desc()).limit(
        first + 1
    )
    rows = list(await ctx.session.scalars(statement))
    has_next_page = len(rows) > first
    rows = rows[:first]

    async def total_count() -> int:
        count = select(func.count()).select_from(AuditEntry).where(*conditions)
        return int(await ctx.session.scalar(count) or 0)

    return Page(
        rows=rows,
        cursors=[
            encode_cursor(NEWEST_FIRST, [row.created_at.isoformat(), row.id])
            for row in rows
            if row.created_at is not None
        ],
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        total_count=total_count,
    )
