"""Reading receivables and their postings, scoped to the caller (finance, or the client's own)."""

from __future__ import annotations

from loaders.ledger import ENTRIES_BY_RECEIVABLE, RECEIVABLE_BY_ORDER
from models.ledger import LedgerEntry, Receivable
from resolvers.context import Context


async def receivable_of_order(ctx: Context, order_id: int) -> Receivable | None:
    row: Receivable | None = await ctx.loaders.one(RECEIVABLE_BY_ORDER, order_id)
    return row


async def entries_of(ctx: Context, receivable_id: int | None) -> list[LedgerEntry]:
    """The postings of a receivable, oldest first."""
    return await ctx.loaders.many(ENTRIES_BY_RECEIVABLE, receivable_id)
