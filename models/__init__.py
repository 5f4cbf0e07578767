"""SQLModel tables and enums, one module per domain. Imports nothing else of ours."""

from models import catalog, discovery, outbox
from models.base import metadata

__all__ = ["catalog", "discovery", "metadata", "outbox"]
