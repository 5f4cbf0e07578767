"""What account mail tests share: the app URL in links, the worker run once, a mailed link."""

from __future__ import annotations

import re

from app.worker_main import build_worker, job_context
from core.db import Database
from core.settings import Settings
from tests.smtp_mailbox import Mailbox

APP_URL = "https://shop.anatolia.example"
LINK = re.compile(re.escape(APP_URL) + r"/(accept-invitation|reset-password)\?token=(\S+)")


async def run_worker_once(settings: Settings, database: Database) -> None:
    async with job_context(settings, database) as context:
        await build_worker(settings, database, context).run_once()


def mailed_link(box: Mailbox, index: int = -1) -> tuple[str, str]:
    """(page, token) of the link in a received mail."""
    found = LINK.search(box.text(index))
    assert found is not None, box.text(index)
    return found.group(1), found.group(2)
