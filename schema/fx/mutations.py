"""`setExchangeRates`: finance appends a batch of rates, all or nothing."""

from __future__ import annotations

from typing import Annotated

import strawberry

from auth.policy import Permission
from core.outcomes import UserErrorCode
from resolvers.fx import rates as fx_rates
from schema.decimal_input import DecimalBounds
from schema.fx.types import ExchangeRate, ExchangeRateInput
from schema.info import Info
from schema.permissions import permission_field
from schema.user_errors import UserError, one_of, user_errors

FX_CODES = (
    UserErrorCode.NO_ITEMS,
    UserErrorCode.TOO_MANY_ITEMS,
    UserErrorCode.TOO_LONG,
    UserErrorCode.INVALID_CURRENCY,
    UserErrorCode.SAME_CURRENCY,
    UserErrorCode.INVALID_RATE,
    UserErrorCode.INVALID_DATE,
    UserErrorCode.DUPLICATE_ITEM,
    UserErrorCode.DUPLICATE_RATE,
)


@strawberry.type(description="The result of adding exchange rates.")
class SetExchangeRatesPayload:
    rates: list[ExchangeRate] | None = strawberry.field(
        description="The rates added, in the order given; null when the batch was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description=(
            "Why nothing was added; empty on success. `field` is e.g. "
            '["rates", "2", "rate"]; `code` is one of ' + one_of(FX_CODES) + "."
        )
    )


@strawberry.type
class FxMutation:
    @permission_field(
        Permission.FINANCE_WRITE,
        description=(
            "Add exchange rates, up to 500 at once. Every rate is checked first; one bad rate "
            "refuses the whole batch. Orders placed from `effectiveAt` on use the new rate."
        ),
        extensions=[DecimalBounds()],
    )
    async def set_exchange_rates(
        self,
        info: Info,
        rates: Annotated[
            list[ExchangeRateInput], strawberry.argument(description="The rates to add.")
        ],
    ) -> SetExchangeRatesPayload | None:
        result = await fx_rates.set_exchange_rates(
            info.context, [rate.to_given() for rate in rates]
        )
        added = None if result.row is None else [ExchangeRate.from_row(r) for r in result.row]
        return SetExchangeRatesPayload(rates=added, user_errors=user_errors(result.issues))
