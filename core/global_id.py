"""Typed global ids (`base64("Product:42")`), the Relay convention partners expect.

Decoding checks the type, so an id of a category passed where a product is expected is
rejected instead of silently loading product 42. It also knows each type's key range, read
from its table's primary-key column (catalog keys are 32-bit, the others 64-bit): a number
beyond it names no row, so it decodes to `NO_ROW`, and every caller answers it exactly as an
unknown id instead of sending the database a key its column cannot hold.
"""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import BigInteger, Integer
from sqlmodel import SQLModel

from core.errors import BadUserInput
from models.accounts import ApiKey, User, UserSession
from models.audit import AuditEntry
from models.catalog import Category, Product, ProductType, Variant
from models.catalog.imports import CatalogImport
from models.catalog.stock import StockMovement
from models.clients import ClientCompany, ClientContact
from models.files import CsvExport, StoredFile
from models.inquiries import Inquiry, Quote
from models.ledger import Receivable
from models.orders import Order, OrderLine, Payment
from models.shipments import Shipment

MAX_GLOBAL_ID_LENGTH = 100
# The key no row has: keys start at 1, and no global id spells 0 (decoding refuses it).
NO_ROW = 0

# The table behind each type a global id can name.
GLOBAL_ID_TABLES: dict[str, type[SQLModel]] = {
    "ApiKey": ApiKey,
    "AuditEntry": AuditEntry,
    "Category": Category,
    "ClientCompany": ClientCompany,
    "ClientContact": ClientContact,
    "CsvExport": CsvExport,
    "Inquiry": Inquiry,
    "Order": Order,
    "OrderLine": OrderLine,
    "Payment": Payment,
    "Product": Product,
    "ProductType": ProductType,
    "Quote": Quote,
    "Receivable": Receivable,
    "Session": UserSession,
    "Shipment": Shipment,
    "StockMovement": StockMovement,
    "StoredFile": StoredFile,
    "CatalogImport": CatalogImport,
    "User": User,
    "Variant": Variant,
}


def _largest_key(table: type[SQLModel]) -> int:
    """The largest value the table's integer primary key holds on PostgreSQL."""
    [key] = table.__table__.primary_key.columns  # type: ignore[attr-defined]
    if isinstance(key.type, BigInteger):
        return 2**63 - 1
    if isinstance(key.type, Integer):
        return 2**31 - 1
    raise TypeError(f"{table.__name__}'s primary key is not an integer")


KEY_RANGES: dict[str, int] = {name: _largest_key(table) for name, table in GLOBAL_ID_TABLES.items()}


def encode_global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def decode_global_id(value: str, *, argument: str) -> tuple[str, int]:
    """Return `(type_name, pk)` or raise BadUserInput naming `argument`.

    `pk` is NO_ROW when the number lies beyond the type's keys: the id is well formed, and
    names nothing.
    """
    try:
        if len(value) > MAX_GLOBAL_ID_LENGTH:
            raise ValueError
        type_name, _, raw_pk = base64.b64decode(value, validate=True).decode("ascii").partition(":")
        pk = int(raw_pk)
        if not type_name.isalpha() or pk <= 0 or str(pk) != raw_pk:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadUserInput("is not a valid global id", argument=argument) from None
    if pk > KEY_RANGES.get(type_name, 0):
        pk = NO_ROW
    return type_name, pk


def decode_typed_id(value: str, expected: str, *, argument: str) -> int:
    """The primary key behind a global id that must be of type `expected`."""
    if expected not in KEY_RANGES:
        raise ValueError(f"no global id names a {expected}")  # our mistake, not the caller's
    type_name, pk = decode_global_id(value, argument=argument)
    if type_name != expected:
        raise BadUserInput(f"must be the id of a {expected}, not a {type_name}", argument=argument)
    return pk
