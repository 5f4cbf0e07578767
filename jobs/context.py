"""What a handler gets to work with: settings, the database, an HTTP client, the mailer, and
the callers' budgets (for work done on a caller's behalf, such as a CSV export)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from core.budget_buckets import CostBuckets
from core.db import Database
from core.settings import Settings
from jobs.mail.mailer import Mailer


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    database: Database
    http: httpx.AsyncClient
    mailer: Mailer
    # The buckets the API draws on (Redis's, or its server's in-process ones for the embedded
    # worker); None when budgets are off.
    cost_buckets: CostBuckets | None
