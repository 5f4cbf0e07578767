"""Stored moments as clients see them: always with their UTC offset."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every moment TradeQL stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
