"""Inquiries, their items, quotes and leads, scoped to the caller on every path.

Staff holding `orders:read_all` (sales, support, finance, admins) see every inquiry; a client
user sees its own company's; nobody else sees any, guests included: a guest's inquiry is
answered by mail, not read back. Leads are prospects' personal data: only staff who may
also read client contacts (`clients:read_pii`) load them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true
from sqlmodel import col

from auth.policy import Permission
from auth.principal import Principal
from loaders.relations import Relation
from loaders.scoping import own_company_rows, rows_under
from models.inquiries import Inquiry, InquiryItem, Lead, Quote, QuoteCharge, QuoteLine


def inquiry_is_visible(principal: Principal) -> ColumnElement[bool]:
    return own_company_rows(
        principal, col(Inquiry.client_company_id), staff_permission=Permission.ORDERS_READ_ALL
    )


def quote_is_visible(principal: Principal) -> ColumnElement[bool]:
    return rows_under(inquiry_is_visible, col(Inquiry.id), col(Quote.inquiry_id))(principal)


def lead_is_visible(principal: Principal) -> ColumnElement[bool]:
    if principal.can(Permission.ORDERS_READ_ALL) and principal.can(Permission.CLIENTS_READ_PII):
        return true()
    return false()


INQUIRY_BY_ID = Relation("inquiry_by_id", Inquiry, col(Inquiry.id), visible=inquiry_is_visible)
ITEMS_BY_INQUIRY = Relation(
    "items_by_inquiry",
    InquiryItem,
    col(InquiryItem.inquiry_id),
    many=True,
    order_by=(col(InquiryItem.position), col(InquiryItem.id)),
    visible=rows_under(inquiry_is_visible, col(Inquiry.id), col(InquiryItem.inquiry_id)),
)
QUOTE_BY_ID = Relation("quote_by_id", Quote, col(Quote.id), visible=quote_is_visible)
QUOTES_BY_INQUIRY = Relation(
    "quotes_by_inquiry",
    Quote,
    col(Quote.inquiry_id),
    many=True,
    order_by=(col(Quote.revision),),
    visible=quote_is_visible,
)
QUOTE_LINES_BY_QUOTE = Relation(
    "quote_lines_by_quote",
    QuoteLine,
    col(QuoteLine.quote_id),
    many=True,
    order_by=(col(QuoteLine.position), col(QuoteLine.id)),
    visible=rows_under(quote_is_visible, col(Quote.id), col(QuoteLine.quote_id)),
)
QUOTE_CHARGES_BY_QUOTE = Relation(
    "quote_charges_by_quote",
    QuoteCharge,
    col(QuoteCharge.quote_id),
    many=True,
    order_by=(col(QuoteCharge.position), col(QuoteCharge.id)),
    visible=rows_under(quote_is_visible, col(Quote.id), col(QuoteCharge.quote_id)),
)
LEAD_BY_ID = Relation("lead_by_id", Lead, col(Lead.id), visible=lead_is_visible)
