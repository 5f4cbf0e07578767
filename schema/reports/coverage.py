"""`stockCoverage`: per variant, stock on hand against open orders and open quotes. Needs
`reports:read`."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from admin_queries.reports import coverage as coverage_report
from auth.policy import Permission
from resolvers.pagination import Page
from schema.catalog.variant import Variant
from schema.info import Info
from schema.node import PageAfter, PageInfo, PageSize, connection_parts
from schema.permissions import permission_field


@strawberry.type(description="One variant's stock against the demand on it, in units.")
class VariantCoverage:
    variant: Variant = strawberry.field(description="The variant.")
    on_hand: int = strawberry.field(description="Units in stock.")
    reserved: int = strawberry.field(
        description="Units reserved by open orders (placed, not yet shipped or cancelled)."
    )
    quoted: int = strawberry.field(
        description="Units on open quotes still valid, which may become orders at any moment."
    )
    demand: int = strawberry.field(description="Reserved plus quoted.")
    coverage: int = strawberry.field(
        description="On hand less demand; negative when the variant is short by that much."
    )

    @classmethod
    def from_row(cls, row: coverage_report.VariantCoverage) -> Self:
        return cls(
            variant=Variant.from_row(row.variant),
            on_hand=row.on_hand,
            reserved=row.reserved,
            quoted=row.quoted,
            demand=row.demand,
            coverage=row.coverage,
        )


@strawberry.type(description="A variant's coverage in a list, with the cursor after it.")
class VariantCoverageEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the variants after it.")
    node: VariantCoverage = strawberry.field(description="The variant's coverage.")


@strawberry.type(description="A page of variants' coverage (Relay connection), least first.")
class VariantCoverageConnection:
    page: strawberry.Private[Page[coverage_report.VariantCoverage]]
    edges: list[VariantCoverageEdge] = strawberry.field(
        description="Variants of this page with cursors."
    )
    nodes: list[VariantCoverage] = strawberry.field(
        description="Variants of this page, without cursors."
    )
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[coverage_report.VariantCoverage]) -> Self:
        edges, nodes, info = connection_parts(page, VariantCoverage.from_row, VariantCoverageEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many variants are listed, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()


@strawberry.type
class CoverageQuery:
    @permission_field(
        Permission.REPORTS_READ,
        description=(
            "Stock on hand against demand per variant: units reserved by open orders plus "
            "units on open quotes still valid. Least covered (largest shortfall) first, then "
            "by variant; with `shortOnly`, only variants whose demand exceeds stock on hand."
        ),
    )
    async def stock_coverage(
        self,
        info: Info,
        first: PageSize = 50,
        after: PageAfter = None,
        short_only: Annotated[
            bool, strawberry.argument(description="Only variants short of their demand.")
        ] = False,
    ) -> VariantCoverageConnection | None:
        page = await coverage_report.stock_coverage(
            info.context, first=first, after=after, short_only=short_only
        )
        return VariantCoverageConnection.from_page(page)
