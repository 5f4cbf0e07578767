"""The reports' query fields, one class per report, merged into `Query` together."""

from __future__ import annotations

import strawberry

from schema.reports.aging import AgingQuery
from schema.reports.coverage import CoverageQuery
from schema.reports.funnel import FunnelQuery
from schema.reports.home import HomeQuery
from schema.reports.margin import MarginReportQuery
from schema.reports.sales import SalesReportQuery


@strawberry.type
class ReportQuery(
    SalesReportQuery, MarginReportQuery, FunnelQuery, AgingQuery, CoverageQuery, HomeQuery
):
    pass
