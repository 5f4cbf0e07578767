"""Apps with equal settings share one served schema; other settings get their own."""

from __future__ import annotations

from core.settings import Settings
from schema.build import build_schema


def test_equal_settings_share_one_schema_and_other_settings_get_their_own(
    settings: Settings,
) -> None:
    served = build_schema(settings)

    assert build_schema(settings.model_copy()) is served
    deeper = settings.model_copy(update={"max_query_depth": settings.max_query_depth + 1})
    assert build_schema(deeper) is not served
    assert build_schema(deeper) is build_schema(deeper)


def test_the_bare_schema_is_built_anew_each_time() -> None:
    # `export-schema` and the tests that inspect it get a schema no app serves.
    assert build_schema() is not build_schema()
