"""SQLModel tables and enums, one module per domain. Imports nothing else of ours."""

from models import accounts as identity
from models import (
    audit,
    catalog,
    clients,
    files,
    fx,
    idempotency,
    inquiries,
    ledger,
    orders,
    outbox,
    persisted_operations,
    reports,
    shipments,
    webhooks,
)
from models.base import metadata
from models.catalog import discovery, imports, stock

__all__ = [
    "audit",
    "catalog",
    "clients",
    "discovery",
    "files",
    "fx",
    "idempotency",
    "identity",
    "imports",
    "inquiries",
    "ledger",
    "metadata",
    "orders",
    "outbox",
    "persisted_operations",
    "reports",
    "shipments",
    "stock",
    "webhooks",
]
