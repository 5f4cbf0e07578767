"""`ExchangeRate` as finance reads and writes it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Self

import strawberry

from models.fx import FxRate
from resolvers.fx.rates import GivenRate
from schema.decimal_input import lands_in


@strawberry.type(
    description="From `effectiveAt` on, one unit of `base` is worth `rate` units of `quote`."
)
class ExchangeRate:
    base: str = strawberry.field(description="ISO 4217 code of the currency being priced.")
    quote: str = strawberry.field(description="ISO 4217 code of the currency it is priced in.")
    rate: Decimal = strawberry.field(
        description="Units of `quote` per unit of `base`, a decimal string with up to 10 places."
    )
    effective_at: datetime = strawberry.field(description="When the rate takes effect.")
    source: str = strawberry.field(
        description="Where the rate came from (a rate sheet, a bank); may be empty."
    )
    created_at: datetime = strawberry.field(description="When the rate was recorded.")

    @classmethod
    def from_row(cls, row: FxRate) -> Self:
        assert row.created_at is not None
        return cls(
            base=row.base_currency,
            quote=row.quote_currency,
            rate=row.rate,
            effective_at=row.effective_at,
            source=row.source,
            created_at=row.created_at,
        )


@strawberry.input(description="A new exchange rate. Rates are added, never changed.")
class ExchangeRateInput:
    base: str = strawberry.field(description="ISO 4217 code of the currency priced, e.g. EUR.")
    quote: str = strawberry.field(description="ISO 4217 code it is priced in, e.g. USD.")
    rate: Decimal = strawberry.field(
        description="Units of `quote` per unit of `base`: positive, at most 10 decimals.",
        metadata=lands_in(FxRate.rate),
    )
    effective_at: datetime | None = strawberry.field(
        default=None,
        description=(
            "When the rate takes effect (a time without offset is UTC); now when omitted. "
            "A pair may not have two rates at the same moment."
        ),
    )
    source: str = strawberry.field(
        default="", description="Where the rate came from, up to 120 characters."
    )

    def to_given(self) -> GivenRate:
        return GivenRate(self.base, self.quote, self.rate, self.effective_at, self.source)
