"""Depth, alias and token limits: each refuses what it should and accepts what it should."""

from __future__ import annotations

from typing import Any

from strawberry.extensions.validation_cache import _get_validate_cache

from core.settings import Settings
from schema.build import DOCUMENT_CACHE_SIZE
from tests.graphql_client import GraphQLClient

# Deep documents walk `parent`, an object: a list at every level (`children`) would be
# refused by the query cost long before the depth limit (schema/cost.py).
ROOT = 'product(slug: "no-such-product") { category'


def _nested_parents(depth: int) -> str:
    """`product { category { parent { ... { slug } } } }`, `depth` fields deep."""
    inner = "slug"
    for _ in range(depth - 2):
        inner = f"parent {{ {inner} }}"
    return f"{{ {ROOT} {{ {inner} }} }} }}"


def _codes(body: dict[str, object]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]  # type: ignore[attr-defined]


async def test_depth_limit_refuses_one_level_too_deep(
    client: GraphQLClient, settings: Settings
) -> None:
    limit = settings.max_query_depth
    accepted = await client.post(_nested_parents(limit))
    assert "errors" not in accepted
    refused = await client.post(_nested_parents(limit + 1))
    assert refused["data"] is None
    assert _codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "depth" in refused["errors"][0]["message"]


async def test_depth_is_counted_through_fragments(
    client: GraphQLClient, settings: Settings
) -> None:
    limit = settings.max_query_depth
    # One level deeper than `_nested_parents(limit)`, hidden behind two fragment spreads.
    levels = "slug"
    for _ in range(limit - 2):
        levels = f"parent {{ {levels} }}"
    document = (
        f"query {{ {ROOT} {{ ...Outer }} }} }}\n"
        "fragment Outer on Category { ...Inner }\n"
        f"fragment Inner on Category {{ parent {{ {levels} }} }}"
    )
    refused = await client.post(document)
    assert _codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    shallower = document.replace("parent { slug }", "slug", 1)
    assert "errors" not in await client.post(shallower)


async def test_aliases_are_counted_per_fragment_spread(
    client: GraphQLClient, settings: Settings
) -> None:
    per_fragment = settings.max_aliases // 2 + 1
    aliases = " ".join(f"a{index}: slug" for index in range(per_fragment))
    fragment = f"fragment Many on Category {{ {aliases} }}"
    once = await client.post(f"{{ categories {{ ...Many }} }} {fragment}")
    assert "errors" not in once
    twice = await client.post(
        f"{{ categories {{ ...Many }} c2: categories {{ ...Many }} }} {fragment}"
    )
    assert _codes(twice) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases" in twice["errors"][0]["message"]


async def test_token_limit_refuses_huge_documents(
    client: GraphQLClient, settings: Settings
) -> None:
    small = "{ categories { " + " ".join(["slug"] * 100) + " } }"
    assert "errors" not in await client.post(small)
    huge = "{ categories { " + " ".join(["slug"] * settings.max_tokens) + " } }"
    refused = await client.post(huge)
    assert refused["data"] is None
    assert _codes(refused) == ["GRAPHQL_PARSE_FAILED"]
    assert "tokens" in refused["errors"][0]["message"]


async def test_a_repeated_document_is_validated_once(client: GraphQLClient) -> None:
    # The rules are made once per schema; made per request, each was a new cache key.
    validated: Any = _get_validate_cache(DOCUMENT_CACHE_SIZE)  # an lru_cache wrapper
    document = "query RepeatedForTheValidationCache { categories { slug name } }"
    before = validated.cache_info()
    for _ in range(3):
        assert "errors" not in await client.post(document)
    after = validated.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)
