"""Connections a committed test left in use, found and closed when it ends.

A request or task still running when its test ends holds its pooled connection past the
engine's disposal, which closes only the connections checked in; nothing would close it, and
every later test that needs a few connections would fail with "too many connections for
role". The committed engine's fixture asks `CheckedOut.closed_after` when the test ends: it
waits briefly for connections to come back, terminates those that do not, and the test fails
naming how many it left.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class CheckedOut:
    """The connections of `engine`'s pool in use now, as its checkout and checkin events say."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._out: dict[int, Any] = {}
        self._none_out = asyncio.Event()
        self._none_out.set()
        event.listen(engine.sync_engine, "checkout", self._checked_out)
        event.listen(engine.sync_engine, "checkin", self._checked_in)

    def _checked_out(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        self._out[id(record)] = dbapi_connection
        self._none_out.clear()

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        self._out.pop(id(record), None)
        if not self._out:
            self._none_out.set()

    async def closed_after(self, patience_seconds: float) -> int:
        """How many connections were still in use after `patience_seconds`; each is closed."""
        try:
            async with asyncio.timeout(patience_seconds):
                await self._none_out.wait()
        except TimeoutError:
            pass
        left = list(self._out.values())
        self._out.clear()
        for connection in left:
            connection.terminate()  # outside a greenlet: closes the socket, no round trip
        return len(left)
