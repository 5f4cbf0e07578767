"""The budget of each caller over HTTP: whose bucket a request draws on, the 429 when it is
empty, and `extensions.cost` for callers who ask for it.

A caller is an API key, a signed-in user, or, anonymous, a client IP (as uvicorn gives it,
from X-Forwarded-For only behind TRUSTED_PROXIES). A caller asks for its figures with the
header `X-TradeQL-Cost: 1` or `"extensions": {"cost": true}`; only then does the answer carry
them, so every other answer stays byte for byte what it was, and the response cache serves
the same entries to everyone. The rules: auth/caller_budget.py and docs/api/limits.md.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.json_response import OrjsonResponse
from app.request_body import GraphQLRequest
from auth.caller_budget import CallerBudget
from auth.principal import Principal
from core.budget_buckets import CostBuckets
from core.errors import ErrorCode
from core.kv import KeyValueStores
from core.logging import request_id_var
from core.settings import Settings

COST_HEADER = "x-tradeql-cost"
COST_EXTENSION = "cost"


def cost_buckets_for(settings: Settings, stores: KeyValueStores) -> CostBuckets | None:
    """The stores' buckets (Redis's, or this process's), or none when budgets are off."""
    return stores.cost_buckets if settings.caller_budgets else None


def asks_for_cost(request: Request, graphql_request: GraphQLRequest) -> bool:
    if request.headers.get(COST_HEADER, "").strip().lower() in ("1", "true"):
        return True
    extensions = graphql_request.extensions or {}
    return extensions.get(COST_EXTENSION) is True


def budget_for(
    buckets: CostBuckets | None,
    request: Request,
    graphql_request: GraphQLRequest,
    principal: Principal,
    client_ip: str,
) -> CallerBudget | None:
    """This request's draw on its caller's bucket; None when budgets are off."""
    if buckets is None:
        return None
    return CallerBudget(
        buckets,
        principal.bucket_key or f"ip:{client_ip}",
        principal.budget,
        report=asks_for_cost(request, graphql_request),
    )


def throttled_response(budget: CallerBudget, media_type: str) -> Response | None:
    """The 429 for a request its budget refused; None when it was not refused."""
    refusal = budget.refusal
    if refusal is None:
        return None
    body: dict[str, Any] = {
        "errors": [
            {
                "message": refusal.message,
                "extensions": {"code": ErrorCode.THROTTLED, "requestId": request_id_var.get()},
            }
        ]
    }
    if budget.report:
        body["extensions"] = {COST_EXTENSION: budget.cost_extension()}
    return OrjsonResponse(
        body,
        status_code=429,
        headers={"Retry-After": str(refusal.retry_after_seconds)},
        media_type=media_type,
    )


def with_cost(response: Response, budget: CallerBudget | None) -> Response:
    """`response` with `extensions.cost` added for a caller who asked; else unchanged."""
    if budget is None or not budget.report:
        return response
    body: dict[str, Any] = json.loads(bytes(response.body))
    body.setdefault("extensions", {})[COST_EXTENSION] = budget.cost_extension()
    return OrjsonResponse(body, status_code=response.status_code, media_type=response.media_type)


async def cached_answer(cached: bytes, budget: CallerBudget | None, media_type: str) -> Response:
    """An answer from the response cache, for MINIMUM_COST points of the caller's budget."""
    if budget is not None:
        await budget.charge_cached_answer()
        if (throttled := throttled_response(budget, media_type)) is not None:
            return throttled
    return with_cost(Response(cached, media_type=media_type), budget)
