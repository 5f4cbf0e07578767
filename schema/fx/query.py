"""Finance's view of exchange rates: the rate in force for each pair."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from admin_queries import fx as fx_rates
from auth.policy import Permission
from schema.fx.types import ExchangeRate
from schema.info import Info
from schema.permissions import permission_field


@strawberry.type
class FxQuery:
    @permission_field(
        Permission.FINANCE_READ,
        description=(
            "For each stored currency pair, the rate in force at `at` (default now), by base "
            "then quote. A pair is listed the way it was stored; orders also use its inverse."
        ),
    )
    async def exchange_rates(
        self,
        info: Info,
        base: Annotated[
            str | None, strawberry.argument(description="Only pairs with this base currency.")
        ] = None,
        quote: Annotated[
            str | None, strawberry.argument(description="Only pairs with this quote currency.")
        ] = None,
        at: Annotated[
            datetime | None,
            strawberry.argument(description="The moment to look at; now when omitted."),
        ] = None,
    ) -> list[ExchangeRate] | None:
        rows = await fx_rates.latest_rates(info.context, base=base, quote=quote, at=at)
        return [ExchangeRate.from_row(row) for row in rows]
