"""Audit rows for changes to user accounts, written in the transaction that makes the change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth import audit
from auth.origin import Origin
from auth.principal import Principal

USER = "User"
API_KEY = "ApiKey"
# The command line acts as nobody in particular: its rows carry this label.
CLI_LABEL = "cli"


async def record_account_change(
    db: AsyncSession,
    *,
    actor: Principal | None,
    origin: Origin,
    action: str,
    target_id: int | None,
    target_type: str = USER,
    changes: Mapping[str, Any] | None = None,
    actor_label: str = "",
) -> None:
    await audit.record(
        db,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        changes=changes,
        request_id=origin.request_id,
        client_ip=origin.client_ip,
        actor_label=actor_label,
    )
