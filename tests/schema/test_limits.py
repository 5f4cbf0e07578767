"""Depth, alias and token limits: each refuses what it should and accepts what it should."""

from __future__ import annotations

from core.settings import Settings
from schema.validation import MAX_VALIDATION_ERRORS, validate_document
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
    validated = validate_document
    document = "query RepeatedForTheValidationCache { categories { slug name } }"
    before = validated.cache_info()
    for _ in range(3):
        assert "errors" not in await client.post(document)
    after = validated.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


async def test_a_flood_of_directives_is_refused_with_one_error(client: GraphQLClient) -> None:
    # 500 repeats of an unknown directive: validating each gave 101 errors in 17 KB.
    for flood in (
        "@aa " * 500,
        "@include(if: true) " * 300,
        " ".join(f"@d{n}" for n in range(500)),
    ):
        response = await client.response(f"query {{ __typename {flood} }}")
        body = response.json()
        assert body["data"] is None
        assert _codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
        assert "directives" in body["errors"][0]["message"]
        assert len(response.content) < 1_000


async def test_directives_up_to_the_limit_are_accepted(
    client: GraphQLClient, settings: Settings
) -> None:
    def document(count: int) -> str:
        return "{ " + "__typename @include(if: true) " * count + "}"

    assert "errors" not in await client.post(document(settings.max_directives))
    assert _codes(await client.post(document(settings.max_directives + 1))) == [
        "GRAPHQL_VALIDATION_FAILED"
    ]


async def test_validation_stops_after_a_few_errors(client: GraphQLClient) -> None:
    unknown_fields = " ".join(f"missing{n}" for n in range(300))
    body = await client.post(f"{{ {unknown_fields} }}")
    assert 1 < len(body["errors"]) <= MAX_VALIDATION_ERRORS + 1
    assert "error limit reached" in body["errors"][-1]["message"]
