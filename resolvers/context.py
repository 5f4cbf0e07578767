"""The request context: built once per request, read by every resolver. Nothing in it is global."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.cache import Cache
from core.db import Database
from core.kv import KeyValueStores
from core.rate_limit import RateLimiter
from core.request_session import RequestSession
from core.settings import Settings
from loaders.relations import Loaders


@dataclass
class Context:
    request_id: str
    settings: Settings
    session: RequestSession
    loaders: Loaders
    cache: Cache
    rate_limiter: RateLimiter
    statement_counter: list[int] = field(default_factory=lambda: [0])

    @classmethod
    def for_request(
        cls,
        *,
        request_id: str,
        settings: Settings,
        database: Database,
        stores: KeyValueStores,
    ) -> Context:
        session = RequestSession(database)
        return cls(
            request_id=request_id,
            settings=settings,
            session=session,
            loaders=Loaders(session),
            cache=stores.cache,
            rate_limiter=stores.rate_limiter,
        )

    async def close(self) -> None:
        await self.session.close()
