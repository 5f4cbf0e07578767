"""Outside development no error suggests a name: "Did you mean" would map the schema.

graphql-core suggests in every message shape that names something unknown: fields (and
abstract types to spread), arguments of fields and directives, types, input-object fields
and enum values, both in literals (validation) and in variables (coercion at execution).
"""

from __future__ import annotations

from typing import Any

import pytest

from core.db import Database
from core.settings import Settings
from tests.graphql_client import graphql_client

# (what is misspelt, document, variables, what graphql-core would suggest)
MISSPELLINGS: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("field", "{ products { edges { node { nme } } } }", None, "'name'"),
    ("field on an abstract type", '{ node(id: "x") { slug } }', None, "fragment"),
    ("field argument", '{ category(slg: "x") { slug } }', None, "'slug'"),
    (
        "directive argument",
        "{ categories { slug @include(iff: true) } }",
        None,
        "'if'",
    ),
    ("fragment type", "{ ...F } fragment F on Quer { __typename }", None, "'Query'"),
    (
        "variable type",
        "query($f: ProductFiltr) { products(filter: $f) { totalCount } }",
        None,
        "'ProductFilter'",
    ),
    (
        "input-object field in a literal",
        '{ products(filter: {categorySlu: "x"}) { totalCount } }',
        None,
        "'categorySlug'",
    ),
    (
        "enum value in a literal",
        "{ products(sortBy: NEWES) { totalCount } }",
        None,
        "'NEWEST'",
    ),
    (
        "input-object field in a variable",
        "query($f: ProductFilter) { products(filter: $f) { totalCount } }",
        {"f": {"categorySlu": "x"}},
        "'categorySlug'",
    ),
    (
        "enum value in a variable",
        "query($s: ProductSort!) { products(sortBy: $s) { totalCount } }",
        {"s": "NEWES"},
        "'NEWEST'",
    ),
]


@pytest.mark.parametrize(
    ("document", "variables", "suggestion"),
    [case[1:] for case in MISSPELLINGS],
    ids=[case[0] for case in MISSPELLINGS],
)
@pytest.mark.parametrize("env", ["production", "test", "development"])
async def test_suggestions_only_in_development(
    settings: Settings,
    db: Database,
    env: str,
    document: str,
    variables: dict[str, Any] | None,
    suggestion: str,
) -> None:
    configured = settings.model_copy(update={"env": env})
    async with graphql_client(configured, db) as client:
        body = await client.post(document, variables)
    assert body["data"] is None
    messages = " ".join(error["message"] for error in body["errors"])
    if env == "development":
        assert "Did you mean" in messages, messages
        assert suggestion in messages, messages
    else:
        assert "Did you mean" not in messages, messages
        assert suggestion not in messages, messages
