"""Webhook tests deliver to a real local receiver from the committed database."""

from __future__ import annotations

import pytest

from core.settings import Settings


@pytest.fixture
def webhook_settings(jobs_settings: Settings) -> Settings:
    """Enough attempts and a short timeout for delivery tests against a local receiver."""
    return jobs_settings.model_copy(
        update={"outbox_max_attempts": 8, "webhook_timeout_seconds": 2.0}
    )
