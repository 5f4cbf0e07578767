"""receiveStock and adjustStock: goods in, and a count's correction, each with its ledger row.

Both change stock on hand only, through `StockLedger` (one conditional UPDATE, so racing
orders and adjustments all count), in one transaction with the idempotency claim, the ledger
row, the stock.changed event and the audit row. On hand never goes below reserved: such an
adjustment is refused with BELOW_RESERVED, naming what is reserved.

A count may be given as the quantity counted (the ledger records the difference from the
books, read under the row's lock) or as a signed change ("3 damaged"). A count that matches
the books changes nothing and writes no ledger row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.outcomes import Issue, Refused, UserErrorCode, WriteResult
from core.row_locks import lock_for_no_key_update
from models.catalog import Variant
from models.catalog.stock import StockMovement, StockMovementKind
from resolvers.catalog.stock import MAX_ON_HAND, Cause, StockChange, StockLedger, StockShort
from resolvers.checks import Checker
from resolvers.context import Context
from resolvers.idempotency import (
    Claimed,
    IdempotentCall,
    claim,
    fingerprint,
    key_issues,
    settle,
)
from resolvers.outcomes import audit, pk_of

# Units in one receipt or one count: far beyond any warehouse, well inside the columns.
MAX_STOCK_QUANTITY = 1_000_000_000
MAX_REASON_LENGTH = 500  # stock_movements.reason
MOVEMENT = "StockMovement"
AUDIT_ACTIONS = {
    StockMovementKind.RECEIVED: "stock.receive",
    StockMovementKind.ADJUSTED: "stock.adjust",
}
VARIANT = "Variant"


@dataclass(frozen=True)
class StockWrite:
    """The variant as it is after the call, and the ledger row it wrote (None when a count
    matched the books)."""

    variant: Variant
    movement: StockMovement | None


@dataclass(frozen=True)
class Receipt:
    variant_id: str
    quantity: int
    note: str = ""
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Adjustment:
    """A count: the quantity counted or a signed change (exactly one of them is allowed)."""

    variant_id: str
    reason: str
    counted_on_hand: int | None = None
    change: int | None = None
    idempotency_key: str | None = None


async def receive_stock(ctx: Context, receipt: Receipt) -> WriteResult[StockWrite]:
    check = Checker(at=())
    check.in_range(("quantity",), receipt.quantity, 1, MAX_STOCK_QUANTITY)
    note = check.text(("note",), receipt.note, MAX_REASON_LENGTH, required=False)
    issues = check.issues + key_issues(receipt.idempotency_key)
    pk = pk_of(receipt.variant_id, VARIANT)
    if pk is None:
        issues.append(_unknown_variant())
    if issues or pk is None:
        return WriteResult(issues=issues)
    call = _call("receiveStock", receipt.idempotency_key, pk, receipt.quantity, note)
    cause = Cause(StockMovementKind.RECEIVED, note)
    return await _write(ctx, pk, call, cause, change=receipt.quantity)


async def adjust_stock(ctx: Context, adjustment: Adjustment) -> WriteResult[StockWrite]:
    check = Checker(at=())
    reason = check.text(("reason",), adjustment.reason, MAX_REASON_LENGTH, required=True)
    if adjustment.counted_on_hand is not None:
        check.in_range(
            ("adjustment", "countedOnHand"), adjustment.counted_on_hand, 0, MAX_STOCK_QUANTITY
        )
    given = [adjustment.counted_on_hand, adjustment.change].count(None)
    if given != 1:
        code = UserErrorCode.REQUIRED if given == 2 else UserErrorCode.INVALID
        check.fail(("adjustment",), code, "give exactly one of countedOnHand and change")
    if adjustment.change is not None:
        if adjustment.change == 0:
            check.fail(("adjustment", "change"), UserErrorCode.OUT_OF_RANGE, "must not be 0")
        check.in_range(
            ("adjustment", "change"), adjustment.change, -MAX_STOCK_QUANTITY, MAX_STOCK_QUANTITY
        )
    issues = check.issues + key_issues(adjustment.idempotency_key)
    pk = pk_of(adjustment.variant_id, VARIANT)
    if pk is None:
        issues.append(_unknown_variant())
    if issues or pk is None:
        return WriteResult(issues=issues)
    call = _call(
        "adjustStock",
        adjustment.idempotency_key,
        pk,
        [adjustment.counted_on_hand, adjustment.change],
        reason,
    )
    return await _write(
        ctx,
        pk,
        call,
        Cause(StockMovementKind.ADJUSTED, reason),
        change=adjustment.change,
        counted=adjustment.counted_on_hand,
    )


def _call(operation: str, key: str | None, *input: object) -> IdempotentCall | None:
    if key is None:
        return None
    return IdempotentCall(operation, key, fingerprint({"input": list(input)}))


async def _write(
    ctx: Context,
    pk: int,
    call: IdempotentCall | None,
    cause: Cause,
    *,
    change: int | None = None,
    counted: int | None = None,
) -> WriteResult[StockWrite]:
    """One transaction: claim the key (or replay its answer), move by `change` or to
    `counted` (read off the books under the row's lock), settle the key, audit."""
    try:
        async with ctx.database.transaction() as db:
            claimed = None
            if call is not None:
                outcome = await claim(db, ctx.principal, call)
                if not isinstance(outcome, Claimed):
                    return WriteResult(
                        row=await _replay(db, pk, outcome.result_type, outcome.result_id)
                    )
                claimed = outcome
            if counted is not None:
                change = counted - await _on_hand_locked(db, pk)
            movement = None
            if change:
                movement = await _move(db, ctx, StockChange(pk, on_hand=change), cause)
            if claimed is not None:
                kind, made = (VARIANT, pk) if movement is None else (MOVEMENT, movement.id)
                await settle(db, claimed, kind, made or pk)
            if movement is not None:
                await _audit(ctx, db, movement, cause)
            return WriteResult(row=StockWrite(await _variant(db, pk), movement))
    except Refused as refusal:
        return WriteResult(issues=refusal.issues)


async def _move(db: AsyncSession, ctx: Context, change: StockChange, cause: Cause) -> StockMovement:
    try:
        (movement,) = await StockLedger.of_caller(ctx).move(db, [change], cause)
    except StockShort as short:
        if short.reserved is None or short.on_hand is None:
            raise Refused(_unknown_variant()) from None
        field = ("adjustment",) if cause.kind is StockMovementKind.ADJUSTED else ("quantity",)
        if short.on_hand + change.on_hand > MAX_ON_HAND:
            raise Refused(
                Issue(
                    field,
                    UserErrorCode.OUT_OF_RANGE,
                    f"{short.on_hand} units are on hand: the most a variant can hold is "
                    f"{MAX_ON_HAND}",
                )
            ) from None
        raise Refused(
            Issue(
                field,
                UserErrorCode.BELOW_RESERVED,
                f"{short.reserved} units are reserved for orders and {short.on_hand} are on "
                f"hand: stock on hand cannot go below {short.reserved}",
            )
        ) from None
    return movement


async def _on_hand_locked(db: AsyncSession, pk: int) -> int:
    """The books' stock on hand, with the row locked until the adjustment commits."""
    found = await db.scalar(
        lock_for_no_key_update(select(col(Variant.stock_on_hand)).where(col(Variant.id) == pk))
    )
    if found is None:
        raise Refused(_unknown_variant())
    return int(found)


async def _variant(db: AsyncSession, pk: int) -> Variant:
    statement = select(Variant).where(col(Variant.id) == pk)
    variant: Variant = (await db.scalars(statement.execution_options(populate_existing=True))).one()
    return variant


async def _replay(db: AsyncSession, pk: int, result_type: str, result_id: int) -> StockWrite:
    """The answer to a retried call: its movement, and the variant as it is now."""
    movement = await db.get(StockMovement, result_id) if result_type == MOVEMENT else None
    return StockWrite(await _variant(db, pk), movement)


async def _audit(ctx: Context, db: AsyncSession, movement: StockMovement, cause: Cause) -> None:
    await audit(
        ctx,
        db,
        action=AUDIT_ACTIONS[cause.kind],
        target_type=VARIANT,
        target_id=movement.variant_id,
        changes={
            "stock_on_hand": [
                movement.on_hand_after - movement.on_hand_change,
                movement.on_hand_after,
            ],
            "reason": [None, cause.reason],
        },
    )


def _unknown_variant() -> Issue:
    return Issue(("variantId",), UserErrorCode.NOT_FOUND, "no variant has this id")
