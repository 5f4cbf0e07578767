"""The `Upload` scalar: a file sent with a GraphQL multipart request (docs/api/README.md).

An argument typed `Upload` reaches its resolver as a `core.uploads.UploadedFile`, already
spooled, its `size` and `sha256` known; read it with `chunks()`. Only a file the transport
placed in `variables` is one: a string, a number or an inline literal where an `Upload` goes is
BAD_USER_INPUT naming the argument, so a JSON request can never pose as a file. The schema
prints the scalar once a field takes one.
"""

from __future__ import annotations

from typing import Any, NewType

from graphql import ValueNode
from strawberry.types.scalar import ScalarDefinition

from core.errors import BadUserInput
from core.uploads import UploadedFile

SPEC_URL = "https://github.com/jaydenseric/graphql-multipart-request-spec"
DESCRIPTION = (
    "A file, sent with a multipart request (GraphQL multipart request specification): "
    "`null` in `variables`, the file in its own part, and a `map` saying where it goes. "
    "Input only."
)

Upload = NewType("Upload", UploadedFile)


def _parse_value(value: object) -> UploadedFile:
    if isinstance(value, UploadedFile):
        return value
    raise BadUserInput("must be a file sent with a multipart request, not a value")


def _parse_literal(_node: ValueNode, _variables: dict[str, Any] | None = None) -> UploadedFile:
    raise BadUserInput("must be a file sent with a multipart request, not a literal")


def _serialize(_value: object) -> None:
    raise TypeError("Upload is an input type: no field returns one")


UPLOAD = ScalarDefinition(
    name="Upload",
    description=DESCRIPTION,
    specified_by_url=SPEC_URL,
    serialize=_serialize,
    parse_value=_parse_value,
    parse_literal=_parse_literal,
)
