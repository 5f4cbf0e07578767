"""How long the per-caller schema views take to build, how big each one is, and what
answering introspection from them costs the data fields of other operations.

`python -m bench.schema_views [--runs 5]` builds the full schema once, then every audience's
view (`schema.views.SchemaViews`, what the first served schema of a process builds at
startup) `--runs` times, and prints the median, with each view's types, query and mutation
fields. Then it runs a list of 10,000 objects of 5 fields (default resolvers, no database)
25 times with strawberry's execution context and with `caller_view_execution`'s, in
alternation, and prints both medians. Figures go to docs/benchmarks.md with the date, commit
and machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from dataclasses import dataclass

import strawberry

from auth.principal import ANONYMOUS, Principal
from schema.build import build_schema
from schema.introspection import caller_view_execution
from schema.views import SchemaViews

ROWS = 10_000
LIST_QUERY = "{ rows { a b c d e } }"


@strawberry.type
class Row:
    a: int
    b: str
    c: int
    d: str
    e: int


@strawberry.type
class RowQuery:
    @strawberry.field
    def rows(self) -> list[Row]:
        return [Row(a=i, b="b", c=i, d="d", e=i) for i in range(ROWS)]


@dataclass
class Caller:
    principal: Principal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    started = time.perf_counter()
    full = build_schema()._schema
    print(f"full schema: built in {(time.perf_counter() - started) * 1000:.0f} ms")
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        views = SchemaViews(full)
        timings.append(time.perf_counter() - started)
    count = len(views.by_audience)
    median = statistics.median(timings) * 1000
    print(
        f"{count} views: built in {median:.0f} ms (median of {runs}), {median / count:.0f} ms each"
    )
    print(f"{'audience':<22}{'types':>6}{'queries':>9}{'mutations':>11}")
    print(
        f"{'(full schema)':<22}{len(full.type_map):>6}{_fields(full.query_type):>9}"
        f"{_fields(full.mutation_type):>11}"
    )
    for audience, view in views.by_audience.items():
        print(
            f"{audience:<22}{len(view.type_map):>6}{_fields(view.query_type):>9}"
            f"{_fields(view.mutation_type):>11}"
        )
    plain, viewed = asyncio.run(_list_medians(views))
    fields = ROWS * 5
    print(
        f"{fields:,} data fields: {plain * 1000:.0f} ms with strawberry's execution context, "
        f"{viewed * 1000:.0f} ms with the caller-view one ({(viewed / plain - 1) * 100:+.1f} %)"
    )


async def _list_medians(views: SchemaViews) -> tuple[float, float]:
    plain = strawberry.Schema(query=RowQuery)
    viewed = strawberry.Schema(query=RowQuery, execution_context_class=caller_view_execution(views))
    timings: dict[int, list[float]] = {id(plain): [], id(viewed): []}
    for run in range(28):
        for schema in (plain, viewed):
            gc.collect()
            started = time.perf_counter()
            result = await schema.execute(LIST_QUERY, context_value=Caller(ANONYMOUS))
            assert result.errors is None
            if run >= 3:  # the first runs warm up
                timings[id(schema)].append(time.perf_counter() - started)
    return statistics.median(timings[id(plain)]), statistics.median(timings[id(viewed)])


def _fields(root: object) -> int:
    return len(getattr(root, "fields", {}))


if __name__ == "__main__":
    main()
