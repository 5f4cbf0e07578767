"""SQLModel tables and enums, one module per domain. Imports nothing else of ours."""

from models import (
    audit,
    catalog,
    clients,
    discovery,
    fx,
    identity,
    inquiries,
    ledger,
    orders,
    outbox,
    shipments,
    webhooks,
)
from models.base import metadata

__all__ = [
    "audit",
    "catalog",
    "clients",
    "discovery",
    "fx",
    "identity",
    "inquiries",
    "ledger",
    "metadata",
    "orders",
    "outbox",
    "shipments",
    "webhooks",
]
