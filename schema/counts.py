"""`BigInt`: a whole number that may pass GraphQL `Int`'s 32 bits, such as the units a
report sums over years of orders (5.6 billion over one demo book), sent as a decimal string
so that JavaScript clients, whose numbers are exact only to 2^53, read it exactly."""

from __future__ import annotations

import re
from typing import NewType

import strawberry

from core.errors import BadUserInput

# PostgreSQL's bigint, the widest whole number TradeQL stores or sums into.
LIMIT = 2**63 - 1
_DIGITS = re.compile(r"-?[0-9]+")


def _serialize(value: int) -> str:
    return str(int(value))


def parse_big_int(value: object) -> int:
    text = str(value).strip()
    if _DIGITS.fullmatch(text) is None:
        raise BadUserInput('must be a whole number written in digits, such as "2500000000"')
    number = int(text)
    if abs(number) > LIMIT:
        raise BadUserInput(f"must lie between -{LIMIT} and {LIMIT}")
    return number


BigInt = NewType("BigInt", int)

BIG_INT = strawberry.scalar(
    name="BigInt",
    serialize=_serialize,
    parse_value=parse_big_int,
    description=(
        "A whole number beyond GraphQL Int's 32 bits, as a string of decimal digits "
        '(e.g. "5599864350"), so that clients read it exactly.'
    ),
)
