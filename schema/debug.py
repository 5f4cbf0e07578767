"""`DEBUG_EXTENSIONS`: statements sent and time spent, in the response's `extensions`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension


class DebugExtensions(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        self._started = time.perf_counter()
        yield

    def get_results(self) -> dict[str, Any]:
        counter = getattr(self.execution_context.context, "statement_counter", [0])
        return {
            "sqlStatements": counter[0],
            "durationMs": round((time.perf_counter() - self._started) * 1000, 2),
        }
