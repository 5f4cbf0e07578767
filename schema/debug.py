"""`DEBUG_EXTENSIONS`: statements sent, fields that awaited a loader's batch (a look-ahead
leaves none on the paths it covers) and time spent, in the response's `extensions`."""

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
        context = self.execution_context.context
        counter = getattr(context, "statement_counter", [0])
        loaders = getattr(context, "loaders", None)
        return {
            "sqlStatements": counter[0],
            "awaitedFields": getattr(loaders, "awaited", 0),
            "durationMs": round((time.perf_counter() - self._started) * 1000, 2),
        }
