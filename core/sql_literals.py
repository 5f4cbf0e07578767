"""Values the query planner must see: written into the SQL text instead of sent as parameters.

asyncpg prepares each statement once per connection, and after five runs PostgreSQL may
reuse a generic plan made without the parameters' values. For most conditions that is the
point. For a filter's attribute key and values it is not: `weave` = `twill` matches 1,467
of 100,000 products and `bore_mm` = 20 a few hundred, `gsm` between 200 and 240 thousands,
and a plan made for "some key, some value" guessed 8 rows for that range and probed each of
4,630 rows one at a time instead of hashing them (9 ms against 2 ms). Inlined, each distinct
filter gets its own prepared statement, planned with its values once and reused while
it stays in the connection's statement cache.

SQLAlchemy renders the value with the dialect's literal quoting (`literal_execute`), the
same for any input: it is never pasted into SQL by hand.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, bindparam


def inline(value: Any) -> BindParameter[Any]:
    """`value` as a constant of the statement's text."""
    return bindparam(None, value, literal_execute=True)
