"""SQLModel tables and enums, one module per domain. Imports nothing else of ours."""

from models import accounts as identity
from models import (
    audit,
    catalog,
    clients,
    fx,
    inquiries,
    ledger,
    orders,
    outbox,
    shipments,
    webhooks,
)
from models.base import metadata
from models.catalog import discovery

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
