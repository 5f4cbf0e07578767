"""What the stock tests share: the mutations, and reading a variant's ledger back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.catalog import Variant
from models.catalog.stock import StockMovement

MOVEMENT = """movement { id kind onHandChange reservedChange onHandAfter reservedAfter
  availableAfter reason orderId actor { userId apiKeyId name } requestId createdAt }
  variant { id sku available }
  userErrors { field code message }"""

RECEIVE = f"""mutation($variant: ID!, $quantity: Int!, $note: String! = "", $key: String) {{
  receiveStock(variantId: $variant, quantity: $quantity, note: $note, idempotencyKey: $key) {{
  {MOVEMENT} }} }}"""

ADJUST = f"""mutation($variant: ID!, $adjustment: StockAdjustmentInput!, $reason: String!,
  $key: String) {{
  adjustStock(variantId: $variant, adjustment: $adjustment, reason: $reason,
    idempotencyKey: $key) {{ {MOVEMENT} }} }}"""


async def ledger_of(session: AsyncSession, variant_id: int | None) -> list[StockMovement]:
    """The variant's movements, oldest first."""
    rows = await session.scalars(
        select(StockMovement)
        .where(col(StockMovement.variant_id) == variant_id)
        .order_by(col(StockMovement.id))
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def assert_ledger_explains(
    session: AsyncSession, variant: Variant, *, on_hand_before: int, reserved_before: int
) -> list[StockMovement]:
    """The ledger chains from the figures before it to the variant's figures now: each row's
    after is the previous after plus its change, and the last after is what is stored."""
    rows = await ledger_of(session, variant.id)
    on_hand, reserved = on_hand_before, reserved_before
    for row in rows:
        on_hand += row.on_hand_change
        reserved += row.reserved_change
        assert (row.on_hand_after, row.reserved_after) == (on_hand, reserved), row
    stored = (
        await session.execute(
            select(col(Variant.stock_on_hand), col(Variant.stock_reserved)).where(
                col(Variant.id) == variant.id
            )
        )
    ).one()
    assert (on_hand, reserved) == (int(stored[0]), int(stored[1]))
    return rows
