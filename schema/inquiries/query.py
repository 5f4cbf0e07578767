"""Inquiries and quotes as clients and staff read them: the listing, one inquiry, one quote.

Open to every caller, scoped to what each may see: a client user its own company's, staff
holding `orders:read_all` all, guests and everyone else nothing (an empty list, nulls).
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.global_id import decode_typed_id
from models.inquiries import InquiryStatus as InquiryStatusModel
from resolvers.inquiries import reads as inquiries
from schema.info import Info
from schema.inquiries.enums import InquiryStatus
from schema.inquiries.inquiry import Inquiry, InquiryConnection
from schema.inquiries.quote import Quote
from schema.node import PageAfter, PageSize


@strawberry.type
class InquiryQuery:
    @strawberry.field(
        description=(
            "Inquiries the caller may see, newest first, a page at a time: a client user its "
            "company's, staff with `orders:read_all` all of them, anyone else none. Pass "
            "`pageInfo.endCursor` as `after` for the next page, with the same status. Staff "
            "filter and sort every inquiry with `staffInquiries`."
        )
    )
    async def inquiries(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        status: Annotated[
            InquiryStatus | None,
            strawberry.argument(description="Only inquiries in this status; all if null."),
        ] = None,
    ) -> InquiryConnection:
        page = await inquiries.list_inquiries(
            info.context,
            first=first,
            after=after,
            status=None if status is None else InquiryStatusModel(str(status.value)),
        )
        return InquiryConnection.from_page(page)

    @strawberry.field(
        description="An inquiry by its global id; null if there is none or it is not yours."
    )
    async def inquiry(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The inquiry's global id.")],
    ) -> Inquiry | None:
        row = await inquiries.inquiry(info.context, decode_typed_id(id, "Inquiry", argument="id"))
        return None if row is None else Inquiry.from_row(row)

    @strawberry.field(
        description="A quote revision by its global id; null if there is none or it is not yours."
    )
    async def quote(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The quote's global id.")],
    ) -> Quote | None:
        row = await inquiries.quote(info.context, decode_typed_id(id, "Quote", argument="id"))
        return None if row is None else Quote.from_row(row)
