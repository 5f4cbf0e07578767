"""`tradeql reports rebuild [--from-month YYYY-MM]`: recompute the sales rollups.

The outbox keeps the rollups current as orders are placed and cancelled, and rebuilds from
a backdated exchange rate's month by itself. Run this once after upgrading to migration 0025
(the rollups start empty), after changing REPORTING_TIMEZONE or REPORTING_CURRENCIES, and
after writing orders straight into the tables. Safe at any time: order events wait for it.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date

from app.cli.arguments import Commands, actions_of
from app.cli.command_database import OperatorError, command_database
from core.errors import BadUserInput
from core.settings import Settings, get_settings
from resolvers.reports.periods import month_text, parse_month
from resolvers.reports.sales_rollups import rebuild_sales


def add_commands(commands: Commands) -> None:
    reports = commands.add_parser("reports", help="maintain what the reports read")
    actions = actions_of(reports, "reports_command")
    rebuild = actions.add_parser(
        "rebuild", help="recompute the sales rollups from the orders (all, or from a month)"
    )
    rebuild.add_argument(
        "--from-month",
        metavar="YYYY-MM",
        help="rebuild this month (of REPORTING_TIMEZONE) and every later one; default all",
    )
    rebuild.set_defaults(handler=_rebuild)


def _rebuild(args: argparse.Namespace) -> int:
    from_month = None
    if args.from_month is not None:
        try:
            from_month = parse_month(args.from_month, "--from-month")
        except BadUserInput as error:
            raise OperatorError(f"--from-month {error}") from None
    months = asyncio.run(rebuild_reports(get_settings(), from_month))
    if months:
        print(
            f"rebuilt {len(months)} month(s), {month_text(months[0])} to {month_text(months[-1])}"
        )
    else:
        print("rebuilt: no orders in those months")
    return 0


async def rebuild_reports(settings: Settings, from_month: date | None) -> list[date]:
    async with command_database(settings) as database, database.transaction() as session:
        return await rebuild_sales(session, from_month, settings=settings)
