"""The worker's side of CSV exports: the handler that runs an export's query and stores it.

It lives in the composition root rather than in jobs/ because it executes the schema, which
jobs may not import; `app.worker_main` registers it beside the handlers of `jobs.builtin`.
The schema is built once per worker, at its first export, with the settings' limits, as the
server builds it.
"""

from __future__ import annotations

import strawberry

from core import event_types
from jobs.context import JobContext
from jobs.registry import HandlerRegistry
from models.outbox import OutboxEvent
from schema.build import build_schema
from schema.files.csv_export_run import run_csv_export

RUN_CSV_EXPORT = "files.csv_export.run"


def register(registry: HandlerRegistry) -> None:
    built: list[strawberry.Schema] = []

    async def run(event: OutboxEvent, context: JobContext) -> None:
        if not built:
            built.append(build_schema(context.settings))
        await run_csv_export(
            built[0],
            context.settings,
            context.database,
            int(event.payload["export_id"]),
            last_attempt=event.attempts >= context.settings.outbox_max_attempts,
            buckets=context.cost_buckets,
        )

    registry.register(RUN_CSV_EXPORT, (event_types.CSV_EXPORT,))(run)
