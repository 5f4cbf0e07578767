"""`tradeql fx-rates import FILE`: append exchange rates from a CSV rate sheet, all or nothing.

The header is `base,quote,rate,effective_at` (`effective_at` may be left out, as a column or
as a value: the rate then takes effect now). Every row is checked with the same rules as
`setExchangeRates` before anything is written; each problem is one line on stderr naming
the file's line, and a file with any problem imports nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import re
import sys
from pathlib import Path

from app.cli.arguments import Commands, actions_of
from app.cli.command_database import OperatorError, command_database
from auth.account_audit import CLI_LABEL
from auth.audit import record
from core.outbox import utcnow
from core.outcomes import Issue
from core.settings import Settings, get_settings
from resolvers.fx.rates import CheckedRate, GivenRate, append_rates, check_rates

REQUIRED_COLUMNS = ("base", "quote", "rate")
COLUMNS = (*REQUIRED_COLUMNS, "effective_at")
# Issues name API fields; the file names its columns.
COLUMN_OF = {"effectiveAt": "effective_at"}
FIRST_DATA_LINE = 2
LINE = re.compile(r"line (\d+):")


def add_commands(commands: Commands) -> None:
    fx_rates = commands.add_parser("fx-rates", help="maintain exchange rates")
    actions = actions_of(fx_rates, "fx_rates_command")
    imports = actions.add_parser("import", help="append rates from a CSV file, all or nothing")
    imports.add_argument("file", type=Path, metavar="FILE", help="base,quote,rate[,effective_at]")
    imports.set_defaults(handler=_import)


def _import(args: argparse.Namespace) -> int:
    asyncio.run(import_rates(get_settings(), args.file))
    return 0


def read_rate_sheet(path: Path) -> tuple[list[GivenRate], list[int], list[str]]:
    """The rows of the file, the line number of each, and problems with its shape."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise OperatorError(f"cannot read {path}: {error}") from None
    reader = csv.reader(text.splitlines())
    header = [name.strip().lower() for name in next(reader, [])]
    problems = [f"line 1: unknown column {name!r}" for name in header if name not in COLUMNS]
    problems += [f"line 1: missing column {name!r}" for name in COLUMNS[:3] if name not in header]
    if len(set(header)) != len(header):
        problems.append("line 1: a column is named twice")
    if problems:
        return [], [], problems
    source = f"import of {path.name}"[:120]
    rows: list[GivenRate] = []
    lines: list[int] = []
    for line, fields in enumerate(reader, start=FIRST_DATA_LINE):
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            problems.append(f"line {line}: expected {len(header)} fields, found {len(fields)}")
            continue
        values = dict(zip(header, fields, strict=True))
        rows.append(
            GivenRate(
                base=values["base"],
                quote=values["quote"],
                rate=values["rate"],
                effective_at=values.get("effective_at"),
                source=source,
            )
        )
        lines.append(line)
    if not rows and not problems:
        problems.append(f"{path.name} holds no rates")
    return rows, lines, problems


def describe(issue: Issue, lines: list[int]) -> str:
    """`line 4: rate: must be ...` for a row's problem; the message alone for the file's."""
    if issue.field is None or len(issue.field) < 3:
        return issue.message
    line = lines[int(issue.field[1])]
    column = COLUMN_OF.get(issue.field[2], issue.field[2])
    return f"line {line}: {column}: {issue.message}"


async def import_rates(settings: Settings, path: Path) -> None:
    rows, lines, problems = read_rate_sheet(path)
    rates, issues = check_rates(rows, now=utcnow(), limit=None) if rows else ([], [])
    problems += [describe(issue, lines) for issue in issues]
    if not problems:
        problems = await _append(settings, path, rates, lines)
    if problems:
        for problem in sorted(problems, key=_line_number):
            print(problem, file=sys.stderr)
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise OperatorError(f"{count} in {path.name}; nothing was imported")
    print(f"imported {len(rates)} exchange rates")


def _line_number(problem: str) -> int:
    """Problems are listed in file order; those about the whole file come last."""
    found = LINE.match(problem)
    return int(found.group(1)) if found else sys.maxsize


async def _append(
    settings: Settings, path: Path, rates: list[CheckedRate], lines: list[int]
) -> list[str]:
    """Write the rates with one audit row; the problems if any is already stored."""
    async with command_database(settings) as database, database.transaction() as session:
        result = await append_rates(session, rates, created_by_user_id=None)
        if result.issues:
            return [describe(issue, lines) for issue in result.issues]
        await record(
            session,
            actor=None,
            action="fx_rates.import",
            target_type="FxRate",
            changes={"file": [None, path.name], "rates": [None, len(rates)]},
            actor_label=CLI_LABEL,
        )
    return []
