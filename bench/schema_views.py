"""How long the per-caller schema views take to build, and how big each one is.

`python -m bench.schema_views [--runs 5]` builds the full schema once, then every audience's
view (`schema.views.SchemaViews`, what the first served schema of a process builds at
startup) `--runs` times, and prints the median, with each view's types, query and mutation
fields. No database. Figures go to docs/benchmarks.md with the date, commit and machine.
"""

from __future__ import annotations

import argparse
import statistics
import time

from schema.build import build_schema
from schema.views import SchemaViews


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


def _fields(root: object) -> int:
    return len(getattr(root, "fields", {}))


if __name__ == "__main__":
    main()
