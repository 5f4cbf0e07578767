"""What a handler gets to work with: settings, the database, an HTTP client, the mailer."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from core.db import Database
from core.settings import Settings
from jobs.mail.mailer import Mailer


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    database: Database
    http: httpx.AsyncClient
    mailer: Mailer
