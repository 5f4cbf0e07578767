"""`Money`: an amount in one currency, as a decimal string, never a float."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.type(description="An amount of money in one currency.")
class Money:
    amount: Decimal = strawberry.field(
        description="The amount, as a decimal string (never a float); may be negative for a margin."
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. USD.")
