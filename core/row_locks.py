"""`FOR NO KEY UPDATE`, under a name that says what it is: SQLAlchemy spells it `key_share`.

SQLAlchemy renders no locking clause on SQLite, whose write transactions (`BEGIN IMMEDIATE`)
already run one at a time, so the same statement is correct on both databases. Plain
`FOR UPDATE` and `SKIP LOCKED` are written with `with_for_update` where they are needed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select


def lock_for_no_key_update(statement: Select[Any]) -> Select[Any]:
    """Lock the selected rows against other writers (`FOR NO KEY UPDATE`), waiting for them.

    Weaker than `FOR UPDATE`: rows of other tables may still be inserted with a foreign key
    to the locked rows (they take `FOR KEY SHARE`), so serialising, say, a client's order
    placements does not also block unrelated inserts that point at the client.
    """
    return statement.with_for_update(key_share=True)
