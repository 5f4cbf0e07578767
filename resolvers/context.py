"""The request context: built once per request, read by every resolver. Nothing in it is global."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auth.caller_budget import CallerBudget
from auth.principal import ANONYMOUS, Principal
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
    database: Database  # for mutations: each opens its own write transaction
    session: RequestSession
    loaders: Loaders
    cache: Cache
    rate_limiter: RateLimiter
    principal: Principal = ANONYMOUS
    client_ip: str = ""
    user_agent: str = ""
    # Who acts when no principal does (`cli` for the command line), as audit rows show it.
    actor_label: str = ""
    statement_counter: list[int] = field(default_factory=lambda: [0])
    # What several resolvers of one request read alike (the attribute catalog), read once.
    memo: dict[str, Any] = field(default_factory=dict)
    # The caller's budget, charged by the cost extension; None where budgets are off.
    budget: CallerBudget | None = None

    @classmethod
    def for_request(
        cls,
        *,
        request_id: str,
        settings: Settings,
        database: Database,
        stores: KeyValueStores,
        principal: Principal = ANONYMOUS,
        client_ip: str = "",
        user_agent: str = "",
        budget: CallerBudget | None = None,
    ) -> Context:
        session = RequestSession(database)
        return cls(
            request_id=request_id,
            settings=settings,
            database=database,
            session=session,
            loaders=Loaders(session, principal),
            cache=stores.cache,
            rate_limiter=stores.rate_limiter,
            principal=principal,
            client_ip=client_ip,
            user_agent=user_agent,
            budget=budget,
        )

    async def close(self) -> None:
        await self.session.close()
        self.loaders.close()
