"""A filter's values are part of the statement text, so PostgreSQL plans with them."""

from __future__ import annotations

from sqlalchemy import column, make_url, select, table

from core.sql_literals import inline

rows = table("rows", column("key"), column("number"))


def test_inlined_values_are_quoted_constants_and_others_stay_parameters() -> None:
    # given a statement with an inlined key and number and an ordinary parameter
    statement = select(rows.c.key).where(
        rows.c.key == inline("it's"), rows.c.number >= inline(2.5), rows.c.number < 9
    )
    for url in ("postgresql+asyncpg://", "sqlite+aiosqlite://"):
        dialect = make_url(url).get_dialect()()
        # when it is compiled as it is sent
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        # then the inlined values are in its text, quoted, and only the other is a parameter
        assert "'it''s'" in str(compiled)
        assert "2.5" in str(compiled)
        assert list(compiled.params.values()) == [9]
