"""Typed global ids (`base64("Product:42")`), the Relay convention partners expect.

Decoding checks the type, so an id of a category passed where a product is expected is
rejected instead of silently loading product 42.
"""

from __future__ import annotations

import base64
import binascii

from core.errors import BadUserInput

MAX_GLOBAL_ID_LENGTH = 100


def encode_global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def decode_global_id(value: str, *, argument: str) -> tuple[str, int]:
    """Return `(type_name, pk)` or raise BadUserInput naming `argument`."""
    try:
        if len(value) > MAX_GLOBAL_ID_LENGTH:
            raise ValueError
        type_name, _, raw_pk = base64.b64decode(value, validate=True).decode("ascii").partition(":")
        pk = int(raw_pk)
        if not type_name.isalpha() or pk <= 0 or str(pk) != raw_pk:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadUserInput("is not a valid global id", argument=argument) from None
    return type_name, pk


def decode_typed_id(value: str, expected: str, *, argument: str) -> int:
    """The primary key behind a global id that must be of type `expected`."""
    type_name, pk = decode_global_id(value, argument=argument)
    if type_name != expected:
        raise BadUserInput(f"must be the id of a {expected}, not a {type_name}", argument=argument)
    return pk
