"""A pooled connection is pinged before use only when it sat idle long enough to have died.

`pool_pre_ping` pinged on every checkout: one more round trip per request, whatever the load.
A connection handed back a moment ago is almost surely alive, and one that is not fails with a
disconnect error, which invalidates the whole pool (SQLAlchemy then replaces every connection
older than the failure) and answers that request 503 SERVICE_UNAVAILABLE with Retry-After
(core/database_failures.py). After `idle_seconds` unused (a quiet night, a database restarted
meanwhile, a firewall dropping idle sessions) the ping is worth its round trip: a dead
connection is then replaced before the request sees it.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

_RETURNED_AT = "tradeql.returned_at"


def ping_after_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return  # new, or back in the pool a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except (OSError, TimeoutError, dialect.loaded_dbapi.Error) as error:
            # The pool discards this connection and checks out another (a new one if need be).
            raise DisconnectionError("idle connection found dead") from error
