"""Reading receivables and their postings, scoped to the caller (finance, or the client's own)."""

from __future__ import annotations

from loaders.clients import CLIENT_COMPANY_BY_ID
from loaders.ledger import ENTRIES_BY_RECEIVABLE, ORDER_RECEIVABLE, RECEIVABLE_BY_SHIPMENT
from loaders.orders import ORDER_BY_ID
from loaders.shipments import SHIPMENT_BY_ID
from models.clients import ClientCompany
from models.ledger import LedgerEntry, Receivable
from models.orders import Order
from models.shipments import Shipment
from resolvers.context import Context


async def receivable_of_order(ctx: Context, order_id: int) -> Receivable | None:
    """The order's own receivable: all it owes but what is owed per departed shipment."""
    row: Receivable | None = await ctx.loaders.one(ORDER_RECEIVABLE, order_id)
    return row


async def receivable_of_shipment(ctx: Context, shipment_id: int) -> Receivable | None:
    """What is owed for a departed shipment's goods, under terms from the bill of lading."""
    row: Receivable | None = await ctx.loaders.one(RECEIVABLE_BY_SHIPMENT, shipment_id)
    return row


async def entries_of(ctx: Context, receivable_id: int | None) -> list[LedgerEntry]:
    """The postings of a receivable, oldest first."""
    return await ctx.loaders.many(ENTRIES_BY_RECEIVABLE, receivable_id)


async def receivable_client(ctx: Context, row: Receivable) -> ClientCompany | None:
    """The client who owes it, if the caller may see client companies."""
    found: ClientCompany | None = await ctx.loaders.one(CLIENT_COMPANY_BY_ID, row.client_company_id)
    return found


async def receivable_order(ctx: Context, row: Receivable) -> Order | None:
    """The order it was invoiced for, if the caller may see that order."""
    found: Order | None = await ctx.loaders.one(ORDER_BY_ID, row.order_id)
    return found


async def receivable_shipment(ctx: Context, shipment_id: int) -> Shipment | None:
    """The shipment a receivable is owed for, if the caller may see it."""
    found: Shipment | None = await ctx.loaders.one(SHIPMENT_BY_ID, shipment_id)
    return found
