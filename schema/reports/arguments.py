"""The arguments every money report takes, declared once."""

from __future__ import annotations

from typing import Annotated

import strawberry

MONTH = 'A month of REPORTING_TIMEZONE\'s calendar, written "YYYY-MM".'

ReportingCurrency = Annotated[
    str, strawberry.argument(description="One of REPORTING_CURRENCIES, e.g. USD.")
]
FromMonth = Annotated[str, strawberry.argument(description=MONTH)]
ToMonth = Annotated[str, strawberry.argument(description=MONTH + " At most 120 months on.")]
