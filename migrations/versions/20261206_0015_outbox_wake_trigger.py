"""PostgreSQL notifies idle workers when outbox events are inserted.

A statement-level trigger sends `NOTIFY tradeql_outbox` (core.outbox.WAKE_CHANNEL); PostgreSQL
delivers it when the inserting transaction commits, never on rollback, and folds identical
notifications of one transaction into one. A trigger rather than a statement sent by the
application: it costs the writer no round trip, and it covers every writer of the table.
SQLite has no NOTIFY: its one process wakes its embedded worker itself.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 13:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelt here as it was at this revision: a later rename of the constant must not change it.
CHANNEL = "tradeql_outbox"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION outbox_events_wake_workers() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_events_wake_workers AFTER INSERT ON outbox_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_wake_workers()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER outbox_events_wake_workers ON outbox_events")
    op.execute("DROP FUNCTION outbox_events_wake_workers()")
