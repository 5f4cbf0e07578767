"""Charges beside the goods, as quoted and ordered: the type, its kinds, and the input."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Self

import strawberry

from models import orders as rows
from models.inquiries import QuoteCharge
from models.money import round_money
from resolvers.orders.trade_terms import ChargeRequest
from schema.decimal_input import lands_in
from schema.money import Money


@strawberry.enum(description="What a charge beside the goods pays for.")
class ChargeKind(Enum):
    FREIGHT = strawberry.enum_value(
        rows.ChargeKind.FREIGHT.value,
        description="The main carriage; required under CFR, CIF, CPT, CIP, DAP, DPU and DDP.",
    )
    INSURANCE = strawberry.enum_value(
        rows.ChargeKind.INSURANCE.value,
        description="Cargo insurance; required under CIF and CIP.",
    )
    OTHER = strawberry.enum_value(
        rows.ChargeKind.OTHER.value,
        description="Anything else (inspection, documents, packing); needs a description.",
    )


@strawberry.type(description="A charge beside the goods, in the quote's or order's currency.")
class Charge:
    kind: ChargeKind = strawberry.field(description="What it pays for.")
    amount: Money = strawberry.field(description="The amount, in the currency's minor unit.")
    description: str = strawberry.field(description="What it is; may be empty but for OTHER.")

    @classmethod
    def from_row(cls, row: rows.OrderCharge | QuoteCharge, currency: str) -> Self:
        return cls(
            kind=ChargeKind(row.kind),
            amount=Money(amount=round_money(row.amount, currency), currency=currency),
            description=row.description,
        )


@strawberry.input(description="A charge beside the goods, in the quote's or order's currency.")
class ChargeInput:
    kind: ChargeKind = strawberry.field(
        description="What it pays for; FREIGHT and INSURANCE at most once each."
    )
    amount: Decimal = strawberry.field(
        description="Above 0, in the currency's minor unit (2 decimals for USD).",
        metadata=lands_in(rows.OrderCharge.amount),
    )
    description: str = strawberry.field(
        default="", description="What it is, up to 200 characters; required for OTHER."
    )

    def to_request(self) -> ChargeRequest:
        return ChargeRequest(str(self.kind.value), self.amount, self.description)
