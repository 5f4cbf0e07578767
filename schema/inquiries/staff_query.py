"""The staff list of inquiries and quotes: filtered and sorted by age or value
(`orders:read_all`).

Client users keep reading their own company's inquiries through `inquiries` (`query.py`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, cast

import strawberry

from admin_queries import inquiries as staff_inquiries
from auth.policy import Permission
from models.inquiries import InquiryStatus as InquiryStatusModel
from schema.info import Info
from schema.inquiries.enums import InquiryStatus
from schema.inquiries.inquiry import InquiryConnection
from schema.node import PageAfter, PageSize
from schema.permissions import permission_field

Sort = staff_inquiries.StaffInquirySort
Origin = staff_inquiries.InquiryOrigin

VALUE = (
    "its value: the total of its latest quote revision, in that quote's currency and not "
    "converted, 0 while it has no quote"
)


@strawberry.enum(description="Orders of the staff inquiry list; each pages with its own cursors.")
class StaffInquirySort(Enum):
    OLDEST_FIRST = strawberry.enum_value(
        Sort.OLDEST_FIRST.value, description="The longest waiting first (the default)."
    )
    NEWEST_FIRST = strawberry.enum_value(
        Sort.NEWEST_FIRST.value, description="The most recently submitted first."
    )
    VALUE_HIGHEST = strawberry.enum_value(
        Sort.VALUE_HIGHEST.value, description=f"Highest value first; {VALUE}."
    )
    VALUE_LOWEST = strawberry.enum_value(
        Sort.VALUE_LOWEST.value, description=f"Lowest value first; {VALUE}."
    )


@strawberry.enum(description="Who asked: a guest (a lead) or a client company's user.")
class InquiryOrigin(Enum):
    GUEST = strawberry.enum_value(Origin.GUEST.value, description="A guest, known as a lead.")
    CLIENT = strawberry.enum_value(Origin.CLIENT.value, description="A client company's user.")


@strawberry.input(description="Conditions on inquiries; all given must hold.")
class StaffInquiryFilter:
    status: list[InquiryStatus] | None = strawberry.field(
        default=None, description="Only inquiries in one of these statuses."
    )
    assigned_to: strawberry.ID | None = strawberry.field(
        default=None, description="Only inquiries assigned to this staff user (a User global id)."
    )
    unassigned: bool | None = strawberry.field(
        default=None,
        description=(
            "True: only inquiries nobody is assigned to; false: only assigned ones. Not "
            "together with `assignedTo`."
        ),
    )
    origin: InquiryOrigin | None = strawberry.field(
        default=None, description="Only inquiries from guests, or only from clients."
    )
    client: strawberry.ID | None = strawberry.field(
        default=None, description="Only this client company's inquiries (a global id)."
    )
    created_from: datetime | None = strawberry.field(
        default=None, description="Only inquiries submitted at or after this moment."
    )
    created_to: datetime | None = strawberry.field(
        default=None,
        description="Only inquiries submitted at or before this moment; not before `createdFrom`.",
    )
    older_than_days: int | None = strawberry.field(
        default=None,
        description="Only inquiries submitted at least this many days ago (0 to 36500).",
    )
    quote_expiring_before: date | None = strawberry.field(
        default=None,
        description=(
            "Only inquiries with an open quote valid until a day before this date (the open "
            "quote is the latest revision, not yet accepted, withdrawn or replaced)."
        ),
    )

    def to_resolver(self) -> staff_inquiries.StaffInquiryFilter:
        return staff_inquiries.StaffInquiryFilter(
            statuses=(
                None
                if self.status is None
                else [InquiryStatusModel(cast(str, value.value)) for value in self.status]
            ),
            assigned_to_id=self.assigned_to,
            unassigned=self.unassigned,
            origin=None if self.origin is None else Origin(cast(str, self.origin.value)),
            client_id=self.client,
            created_from=self.created_from,
            created_to=self.created_to,
            older_than_days=self.older_than_days,
            quote_expiring_before=self.quote_expiring_before,
        )


@strawberry.type
class StaffInquiryQuery:
    @permission_field(
        Permission.ORDERS_READ_ALL,
        description=(
            "Every inquiry (from clients and guests) with its quotes, filtered and sorted, a "
            "page at a time. Pass `pageInfo.endCursor` as `after` for the next page, with the "
            "same arguments; a cursor of another sort is refused."
        ),
    )
    async def staff_inquiries(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        filter: Annotated[
            StaffInquiryFilter | None,
            strawberry.argument(description="Only inquiries meeting these conditions."),
        ] = None,
        sort_by: Annotated[
            StaffInquirySort, strawberry.argument(description="The order of the list.")
        ] = StaffInquirySort.OLDEST_FIRST,
    ) -> InquiryConnection | None:
        page = await staff_inquiries.list_staff_inquiries(
            info.context,
            first=first,
            after=after,
            inquiry_filter=(filter or StaffInquiryFilter()).to_resolver(),
            sort=Sort(cast(str, sort_by.value)),
        )
        return InquiryConnection.from_page(page)
