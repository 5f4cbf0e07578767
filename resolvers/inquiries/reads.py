"""Reading inquiries and quotes: the listing, lookups by id, and what hangs off them.

Every read goes through the caller's visibility clause (`loaders.inquiries`): a client user
sees its own company's inquiries and their quotes, staff holding `orders:read_all` all of
them, anyone else none, so a hidden inquiry is a miss on every path, like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from loaders import catalog as catalog_relations
from loaders.clients import CLIENT_COMPANY_BY_ID
from loaders.inquiries import (
    INQUIRY_BY_ID,
    ITEMS_BY_INQUIRY,
    LEAD_BY_ID,
    QUOTE_BY_ID,
    QUOTE_CHARGES_BY_QUOTE,
    QUOTE_LINES_BY_QUOTE,
    QUOTES_BY_INQUIRY,
)
from loaders.orders import order_is_visible
from loaders.relations import Relation
from models.accounts import User
from models.catalog import Product, Variant
from models.clients import ClientCompany
from models.inquiries import (
    Inquiry,
    InquiryItem,
    InquiryStatus,
    Lead,
    Quote,
    QuoteCharge,
    QuoteLine,
)
from models.orders import Order
from resolvers.context import Context
from resolvers.newest_first import NewestFirst, newest_first_page
from resolvers.pagination import Page

NEWEST_FIRST = NewestFirst(
    "inquiry_newest",
    created_at=cast(ColumnElement[datetime], col(Inquiry.created_at)),
    id=cast(ColumnElement[int], col(Inquiry.id)),
)

# The staff member an inquiry is assigned to; the field reading it is staff-only.
USER_BY_ID = Relation("inquiry_user_by_id", User, col(User.id))
# The order a quote became; scoped like every order.
ORDER_BY_QUOTE = Relation("order_by_quote", Order, col(Order.quote_id), visible=order_is_visible)


async def list_inquiries(
    ctx: Context, *, first: int, after: str | None, status: InquiryStatus | None
) -> Page[Inquiry]:
    """Inquiries the caller may see, newest first, optionally in one status."""
    statement = select(Inquiry).where(ctx.loaders.visible(INQUIRY_BY_ID))
    if status is not None:
        statement = statement.where(col(Inquiry.status) == status)
    page = await newest_first_page(ctx.session, NEWEST_FIRST, statement, first=first, after=after)
    for row in page.rows:
        ctx.loaders.prime(INQUIRY_BY_ID, row.id, row)
    return page


async def inquiry(ctx: Context, pk: int) -> Inquiry | None:
    """The inquiry if the caller may see it; None whether it is hidden or does not exist."""
    found: Inquiry | None = await ctx.loaders.one(INQUIRY_BY_ID, pk)
    return found


async def quote(ctx: Context, pk: int) -> Quote | None:
    found: Quote | None = await ctx.loaders.one(QUOTE_BY_ID, pk)
    return found


async def items(ctx: Context, inquiry: Inquiry) -> list[InquiryItem]:
    return await ctx.loaders.many(ITEMS_BY_INQUIRY, inquiry.id)


async def quotes(ctx: Context, inquiry: Inquiry) -> list[Quote]:
    """Every revision, oldest first."""
    return await ctx.loaders.many(QUOTES_BY_INQUIRY, inquiry.id)


async def current_quote(ctx: Context, inquiry: Inquiry) -> Quote | None:
    """The latest revision, whatever its status; None before the first quote."""
    revisions = await quotes(ctx, inquiry)
    return revisions[-1] if revisions else None


async def quote_lines(ctx: Context, quote: Quote) -> list[QuoteLine]:
    return await ctx.loaders.many(QUOTE_LINES_BY_QUOTE, quote.id)


async def quote_charges(ctx: Context, quote: Quote) -> list[QuoteCharge]:
    return await ctx.loaders.many(QUOTE_CHARGES_BY_QUOTE, quote.id)


async def quote_inquiry(ctx: Context, quote: Quote) -> Inquiry | None:
    return await inquiry(ctx, quote.inquiry_id)


async def lead(ctx: Context, inquiry: Inquiry) -> Lead | None:
    if inquiry.lead_id is None:
        return None
    found: Lead | None = await ctx.loaders.one(LEAD_BY_ID, inquiry.lead_id)
    return found


async def client(ctx: Context, inquiry: Inquiry) -> ClientCompany | None:
    if inquiry.client_company_id is None:
        return None
    found: ClientCompany | None = await ctx.loaders.one(
        CLIENT_COMPANY_BY_ID, inquiry.client_company_id
    )
    return found


async def assignee(ctx: Context, inquiry: Inquiry) -> User | None:
    if inquiry.assigned_to_user_id is None:
        return None
    found: User | None = await ctx.loaders.one(USER_BY_ID, inquiry.assigned_to_user_id)
    return found


async def product(ctx: Context, product_id: int) -> Product | None:
    """An active product; None once it left the catalog."""
    found: Product | None = await ctx.loaders.one(catalog_relations.PRODUCT_BY_ID, product_id)
    return found


async def variant(ctx: Context, variant_id: int | None) -> Variant | None:
    if variant_id is None:
        return None
    found: Variant | None = await ctx.loaders.one(catalog_relations.VARIANT_BY_ID, variant_id)
    return found


async def order_of(ctx: Context, quote: Quote) -> Order | None:
    """The order a converted quote became, if the caller may see it."""
    found: Order | None = await ctx.loaders.one(ORDER_BY_QUOTE, quote.id)
    return found
