"""`inquiryFunnel`: received, quoted, won, lost and open inquiries of a period, and the median
time to the first quote; in total and by assignee or by source. Needs `reports:read`."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Self

import strawberry

from admin_queries.reports import funnel
from auth.policy import Permission
from schema.info import Info
from schema.inquiries.enums import InquirySource
from schema.inquiries.inquiry import StaffMember
from schema.permissions import permission_field


@strawberry.enum(description="How the inquiry funnel is split into rows.")
class FunnelGrouping(Enum):
    NONE = strawberry.enum_value(funnel.FunnelGrouping.NONE.value, description="One row: all.")
    ASSIGNEE = strawberry.enum_value(
        funnel.FunnelGrouping.ASSIGNEE.value,
        description="A row per salesperson the inquiries are assigned to, and one unassigned.",
    )
    SOURCE = strawberry.enum_value(
        funnel.FunnelGrouping.SOURCE.value,
        description="A row per source (storefront guest, client user, staff), each listed.",
    )


@strawberry.type(description="The funnel of a group of inquiries received in the period.")
class FunnelFigures:
    received: int = strawberry.field(description="Inquiries submitted in the period.")
    quoted: int = strawberry.field(
        description="Of those, how many were sent at least one quote (whatever came next)."
    )
    won: int = strawberry.field(description="Of those, how many are closed as won.")
    lost: int = strawberry.field(description="Of those, how many are closed as lost.")
    open: int = strawberry.field(description="Of those, how many are not closed yet.")
    median_hours_to_first_quote: float | None = strawberry.field(
        description=(
            "The median time from submission to the first quote over the quoted ones, in "
            "hours (two decimals); null when none was quoted."
        )
    )

    @classmethod
    def from_figures(cls, figures: funnel.FunnelFigures) -> Self:
        return cls(
            received=figures.received,
            quoted=figures.quoted,
            won=figures.won,
            lost=figures.lost,
            open=figures.open,
            median_hours_to_first_quote=figures.median_hours_to_first_quote,
        )


@strawberry.type(description="One row of the inquiry funnel.")
class FunnelRow:
    row: strawberry.Private[funnel.FunnelRow]
    figures: FunnelFigures = strawberry.field(description="The row's funnel.")
    source: InquirySource | None = strawberry.field(
        description="The source of the row's inquiries when split by source; null otherwise."
    )

    @classmethod
    def from_row(cls, row: funnel.FunnelRow) -> Self:
        return cls(
            row=row,
            figures=FunnelFigures.from_figures(row.figures),
            source=None if row.source is None else InquirySource(row.source.value),
        )

    @strawberry.field(
        description=(
            "The salesperson the row's inquiries are assigned to when split by assignee; null "
            "for the unassigned row and when not split by assignee."
        ),
    )
    def assignee(self) -> StaffMember | None:
        found = self.row.assignee
        return None if found is None else StaffMember.from_row(found)


@strawberry.type(description="The inquiry funnel of a period, in the reporting time zone.")
class InquiryFunnel:
    from_day: date = strawberry.field(name="from", description="The period's first day.")
    to_day: date = strawberry.field(name="to", description="The period's last day.")
    rows: list[FunnelRow] = strawberry.field(description="The rows, most inquiries received first.")
    total: FunnelFigures = strawberry.field(
        description="The funnel of every inquiry of the period."
    )

    @classmethod
    def from_report(cls, report: funnel.InquiryFunnel) -> Self:
        return cls(
            from_day=report.first_day,
            to_day=report.last_day,
            rows=[FunnelRow.from_row(row) for row in report.rows],
            total=FunnelFigures.from_figures(report.total),
        )


@strawberry.type
class FunnelQuery:
    @permission_field(
        Permission.REPORTS_READ,
        description=(
            "The inquiry funnel of the inquiries submitted from `from` to `to` (local days of "
            "REPORTING_TIMEZONE, both included): received, quoted, won, lost, open and the "
            "median hours to the first quote, in total and split as `by` says."
        ),
    )
    async def inquiry_funnel(
        self,
        info: Info,
        from_day: Annotated[
            date, strawberry.argument(name="from", description="The first day of the period.")
        ],
        to_day: Annotated[
            date,
            strawberry.argument(
                name="to", description="The last day of the period; at most ten years later."
            ),
        ],
        by: Annotated[
            FunnelGrouping, strawberry.argument(description="How to split the rows.")
        ] = FunnelGrouping.NONE,
    ) -> InquiryFunnel | None:
        report = await funnel.inquiry_funnel(
            info.context,
            first_day=from_day,
            last_day=to_day,
            by=funnel.FunnelGrouping(str(by.value)),
        )
        return InquiryFunnel.from_report(report)
