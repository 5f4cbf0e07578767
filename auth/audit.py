"""Writing the audit log: one row per privileged change, in the transaction that makes it.

Because the row is written with the change, a change that rolls back leaves no audit row and
an audit row always means the change happened. Values of secret fields are never recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principal import Principal
from core.db import deferred_writes
from models.audit import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{"field": [before, after]} for the fields whose value differs."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


async def record(
    db: AsyncSession,
    *,
    actor: Principal | None,
    action: str,
    target_type: str = "",
    target_id: int | str | None = None,
    changes: Mapping[str, Any] | None = None,
    request_id: str = "",
    client_ip: str = "",
    actor_label: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        actor_user_id=actor.user_id if actor is not None else None,
        actor_api_key_id=actor.api_key_id if actor is not None else None,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        changes=dict(changes or {}),
        request_id=request_id,
        client_ip=client_ip,
    )
    deferred = deferred_writes(db)
    if deferred is None:
        db.add(entry)  # written with the change's next flush or its commit
    else:
        deferred.keep(entry)  # a bulk writer inserts its rows together (core/deferred_writes.py)
    return entry
