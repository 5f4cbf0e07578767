"""SQLModel tables and enums, one module per domain. Imports nothing else of ours."""

from models import audit, catalog, clients, discovery, identity, outbox, webhooks
from models.base import metadata

__all__ = [
    "audit",
    "catalog",
    "clients",
    "discovery",
    "identity",
    "metadata",
    "outbox",
    "webhooks",
]
