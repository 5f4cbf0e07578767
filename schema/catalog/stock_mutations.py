"""Stock mutations: goods received and a count's adjustment (`catalog:write`).

Each writes one row of the variant's stock ledger, a stock.changed event (coalesced per
variant) and an audit row, in one transaction; a retry with the same `idempotencyKey` answers
the first call's movement and counts nothing twice.
"""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from admin_queries import catalog as staff_catalog
from auth.policy import Permission
from core.outcomes import UserErrorCode, WriteResult
from resolvers.catalog import stock_writes
from resolvers.catalog.stock_writes import MAX_STOCK_QUANTITY, Adjustment, Receipt, StockWrite
from schema.catalog.stock_movement import StockMovement
from schema.catalog.variant import Variant
from schema.info import Info
from schema.permissions import permission_field
from schema.user_errors import UserError, one_of, user_errors

STOCK_CODES = (
    UserErrorCode.REQUIRED,
    UserErrorCode.INVALID,
    UserErrorCode.TOO_LONG,
    UserErrorCode.OUT_OF_RANGE,
    UserErrorCode.NOT_FOUND,
    UserErrorCode.BELOW_RESERVED,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
)
USER_ERRORS = (
    "Why nothing was changed; empty on success. `code` is one of " + one_of(STOCK_CODES) + "."
)
VARIANT_ARGUMENT = strawberry.argument(description="Global id of the variant.")
KEY_ARGUMENT = strawberry.argument(
    description=(
        "Optional, 1 to 100 characters chosen by the caller, unique per intended change (a UUID "
        "is ideal). A retry with the same key and input answers the first call's movement and "
        "changes nothing again; with another input it is refused (IDEMPOTENCY_KEY_REUSED)."
    )
)


@strawberry.type(description="The result of receiving or adjusting a variant's stock.")
class StockChangePayload:
    movement: StockMovement | None = strawberry.field(
        description=(
            "The ledger row written (the first call's, for a retry); null when refused, or "
            "when a count matched the books and nothing moved."
        )
    )
    variant: Variant | None = strawberry.field(
        description="The variant as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    async def from_result(cls, info: Info, result: WriteResult[StockWrite]) -> Self:
        written = result.row
        if written is None:
            return cls(movement=None, variant=None, user_errors=user_errors(result.issues))
        movement = None
        if written.movement is not None:
            assert written.movement.id is not None
            # Read back with who made it, as the ledger listing shows it (one more statement).
            row = await staff_catalog.stock_movement(info.context, written.movement.id)
            movement = None if row is None else StockMovement.from_row(row)
        return cls(movement=movement, variant=Variant.from_row(written.variant), user_errors=[])


@strawberry.input(
    description=(
        "What a count found: give exactly one of the quantity counted or a signed change "
        "(neither: REQUIRED, both: INVALID)."
    )
)
class StockAdjustmentInput:
    counted_on_hand: int | None = strawberry.field(
        default=None,
        description=(
            f"The units counted on hand, 0 to {MAX_STOCK_QUANTITY:,}; the ledger records the "
            "difference from the books at the moment of the change."
        ),
    )
    change: int | None = strawberry.field(
        default=None,
        description=(
            "Units to add (negative: to take away, e.g. -3 found damaged); not 0, at most "
            f"{MAX_STOCK_QUANTITY:,} either way."
        ),
    )


@strawberry.type
class StockMutation:
    @permission_field(
        Permission.CATALOG_WRITE,
        description=(
            "Goods came in: add `quantity` units to the variant's stock on hand, with a ledger "
            "row (kind RECEIVED) and a stock.changed event."
        ),
    )
    async def receive_stock(
        self,
        info: Info,
        variant_id: Annotated[strawberry.ID, VARIANT_ARGUMENT],
        quantity: Annotated[
            int, strawberry.argument(description=f"Units received, 1 to {MAX_STOCK_QUANTITY:,}.")
        ],
        note: Annotated[
            str,
            strawberry.argument(
                description=(
                    "What came in, up to 500 characters: a purchase order, delivery note or "
                    "container number."
                )
            ),
        ] = "",
        idempotency_key: Annotated[str | None, KEY_ARGUMENT] = None,
    ) -> StockChangePayload | None:
        receipt = Receipt(str(variant_id), quantity, note, idempotency_key)
        return await StockChangePayload.from_result(
            info, await stock_writes.receive_stock(info.context, receipt)
        )

    @permission_field(
        Permission.CATALOG_WRITE,
        description=(
            "Correct a variant's stock on hand after a count, with a reason (ledger kind "
            "ADJUSTED). Stock on hand never goes below what orders have reserved: such an "
            "adjustment is refused with BELOW_RESERVED, saying how much is reserved."
        ),
    )
    async def adjust_stock(
        self,
        info: Info,
        variant_id: Annotated[strawberry.ID, VARIANT_ARGUMENT],
        adjustment: Annotated[
            StockAdjustmentInput, strawberry.argument(description="What the count found.")
        ],
        reason: Annotated[
            str,
            strawberry.argument(description="Why, up to 500 characters, e.g. 'cycle count'."),
        ],
        idempotency_key: Annotated[str | None, KEY_ARGUMENT] = None,
    ) -> StockChangePayload | None:
        request = Adjustment(
            str(variant_id),
            reason,
            counted_on_hand=adjustment.counted_on_hand,
            change=adjustment.change,
            idempotency_key=idempotency_key,
        )
        return await StockChangePayload.from_result(
            info, await stock_writes.adjust_stock(info.context, request)
        )
