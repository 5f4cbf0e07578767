"""The operations a file declares, checked against the schema before any is registered.

A file is one of:
- a `.graphql` document with one or more named operations: each is registered on its own,
  with the fragments it uses, as graphql-core prints it;
- an Apollo persisted query manifest (`@apollo/generate-persisted-query-manifest`):
  `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "name",
  "type", "body"}]}`, each `body` registered as written, `id` its SHA-256;
- a Relay persisted queries map (`persistConfig` with `"algorithm": "SHA256"`): `{"<id>":
  "<document>"}`, each document registered as written, the id its SHA-256.
The hash a client sends is that of the exact text, so manifests are registered verbatim.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphql import (
    DefinitionNode,
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    parse,
    print_ast,
    validate,
    visit,
)
from graphql.language import Visitor

from core.operation_registry import OperationToRegister, sha256_hex

APOLLO_MANIFEST_FORMAT = "apollo-persisted-query-manifest"


class UnusableOperations(ValueError):
    """The file cannot be registered; the message says where and why, in one line."""


def operations_in_file(path: Path, schema: GraphQLSchema) -> list[OperationToRegister]:
    """Every operation of the file, each valid against `schema`; none if any is not."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UnusableOperations(f"cannot read {path}: {error}") from None
    if path.suffix.lower() == ".json":
        documents = _manifest_documents(_json(text, path))
        operations = [_checked(document, label, schema) for label, document in documents]
    else:
        operations = [
            _checked(document, label, schema) for label, document in _split_document(text)
        ]
    if not operations:
        raise UnusableOperations(f"{path} holds no operation")
    return operations


def _json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise UnusableOperations(f"{path} is not valid JSON") from None


def _manifest_documents(manifest: Any) -> list[tuple[str, str]]:
    """(label, document) of an Apollo manifest or a Relay map, each id checked."""
    if isinstance(manifest, dict) and manifest.get("format") == APOLLO_MANIFEST_FORMAT:
        if manifest.get("version") != 1 or not isinstance(manifest.get("operations"), list):
            raise UnusableOperations("an Apollo manifest of version 1 with `operations` is needed")
        pairs = [_apollo_entry(entry) for entry in manifest["operations"]]
    elif isinstance(manifest, dict) and all(
        isinstance(key, str) and isinstance(value, str) for key, value in manifest.items()
    ):
        pairs = list(manifest.items())
    else:
        raise UnusableOperations(
            "JSON must be an Apollo persisted query manifest or a Relay map of id to document"
        )
    for identifier, document in pairs:
        if identifier != sha256_hex(document):
            raise UnusableOperations(
                f"operation {identifier}: the id is not the SHA-256 of its document "
                "(Relay: set persistConfig's algorithm to SHA256)"
            )
    return pairs


def _apollo_entry(entry: Any) -> tuple[str, str]:
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(key), str) for key in ("id", "body")
    ):
        raise UnusableOperations("each manifest operation needs a string `id` and `body`")
    return entry["id"], entry["body"]


def _split_document(text: str) -> list[tuple[str, str]]:
    """(operation name, its own document) of each operation of a `.graphql` file."""
    try:
        document = parse(text)
    except GraphQLError as error:
        raise UnusableOperations(f"not valid GraphQL: {error.message}") from None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if len(operations) > 1 and any(operation.name is None for operation in operations):
        raise UnusableOperations("in a file of several operations, each must have a name")
    split = []
    for operation in operations:
        used = _fragments_used(operation, fragments)
        definitions: list[DefinitionNode] = [operation]
        definitions += [fragment for name, fragment in fragments.items() if name in used]
        name = operation.name.value if operation.name else "(anonymous)"
        split.append((name, print_ast(DocumentNode(definitions=tuple(definitions)))))
    return split


def _fragments_used(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> set[str]:
    used: set[str] = set()
    pending: list[Node] = [operation]
    while pending:
        for name in _spread_names(pending.pop()):
            if name not in used and name in fragments:
                used.add(name)
                pending.append(fragments[name])
    return used


def _spread_names(node: Node) -> Iterable[str]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())
    return names


def _checked(document: str, label: str, schema: GraphQLSchema) -> OperationToRegister:
    try:
        parsed = parse(document)
    except GraphQLError as error:
        raise UnusableOperations(f"operation {label}: not valid GraphQL: {error.message}") from None
    errors = validate(schema, parsed)
    if errors:
        raise UnusableOperations(f"operation {label}: {errors[0].message}")
    names = tuple(
        definition.name.value if definition.name else ""
        for definition in parsed.definitions
        if isinstance(definition, OperationDefinitionNode)
    )
    if not names:
        raise UnusableOperations(f"operation {label}: the document has no operation")
    return OperationToRegister(document=document, operation_names=names)
