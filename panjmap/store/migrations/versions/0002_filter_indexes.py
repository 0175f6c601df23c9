"""Indexes for filtering imported events: actors as rows, text search, type/region with dates.

* ``event_actors``: each event's actor names (split from ``events.actors``), indexed
  by (dataset, actor); rows go when their event goes (foreign key, cascade).
* Text: SQLite an FTS5 trigram table over ``events.search`` (external content,
  kept in sync by triggers; without positions or sizes, half the size of a full
  index: it finds the events holding every trigram of a needle, and the query
  confirms the substring); PostgreSQL a pg_trgm GIN index on ``events.search``.
* The end-date, event-type and region indexes also hold the dates, so a date
  window (alone or with either filter) is checked in the index and only the
  matching events are read.

Existing datasets are backfilled (and the tables analysed). Frozen: later changes go in new migrations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTOR_SEP = "\x1f"
EVENT_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
# The FTS table's triggers: every write to events (import, re-sync, remove, restore) reaches the index.
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE events_fts USING fts5(search, content='events', content_rowid='id', "
    "tokenize='trigram case_sensitive 1', detail=none, columnsize=0)",
    "CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN "
    "INSERT INTO events_fts(rowid, search) VALUES (new.id, new.search); END",
    "CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN "
    "INSERT INTO events_fts(events_fts, rowid, search) VALUES ('delete', old.id, old.search); END",
    "CREATE TRIGGER events_fts_update AFTER UPDATE OF search ON events BEGIN "
    "INSERT INTO events_fts(events_fts, rowid, search) VALUES ('delete', old.id, old.search); "
    "INSERT INTO events_fts(rowid, search) VALUES (new.id, new.search); END",
    "INSERT INTO events_fts(events_fts) VALUES ('rebuild')",
)
# Each name between separators in events.actors ("\x1fA\x1fB\x1f"), one row per name.
SQLITE_ACTORS_BACKFILL = """
WITH RECURSIVE names(event_id, dataset_id, actor, rest) AS (
    SELECT id, dataset_id, NULL, substr(actors, 2) FROM events WHERE actors <> ''
    UNION ALL
    SELECT event_id, dataset_id, substr(rest, 1, instr(rest, :sep) - 1), substr(rest, instr(rest, :sep) + 1)
    FROM names WHERE rest <> ''
)
INSERT OR IGNORE INTO event_actors (event_id, actor, dataset_id)
SELECT event_id, actor, dataset_id FROM names WHERE actor IS NOT NULL AND actor <> ''
"""
POSTGRES_ACTORS_BACKFILL = """
INSERT INTO event_actors (event_id, actor, dataset_id)
SELECT DISTINCT id, name, dataset_id FROM events, unnest(string_to_array(actors, :sep)) AS name
WHERE name <> ''
"""


def _postgis() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "event_actors",
        sa.Column("event_id", EVENT_ID, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("actor", sa.Text, primary_key=True),
        sa.Column("dataset_id", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    backfill = POSTGRES_ACTORS_BACKFILL if _postgis() else SQLITE_ACTORS_BACKFILL
    op.get_bind().execute(sa.text(backfill), {"sep": ACTOR_SEP})
    op.create_index("ix_event_actors_actor", "event_actors", ["dataset_id", "actor", "event_id"])
    op.drop_index("ix_events_end", "events")
    op.drop_index("ix_events_type", "events")
    op.drop_index("ix_events_admin1", "events")
    op.create_index("ix_events_end_dates", "events", ["dataset_id", "end_date", "event_date"])
    op.create_index("ix_events_type_dates", "events", ["dataset_id", "event_type", "end_date", "event_date"])
    op.create_index("ix_events_admin1_dates", "events", ["dataset_id", "admin1", "end_date", "event_date"])
    if _postgis():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_events_search ON events USING GIN (search gin_trgm_ops)")
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)
    # Statistics, so the planner looks matching ids up instead of reading a whole dataset.
    op.execute("ANALYZE events")
    op.execute("ANALYZE event_actors")


def downgrade() -> None:
    if _postgis():
        op.drop_index("ix_events_search", "events")
    else:
        for trigger in ("events_fts_insert", "events_fts_delete", "events_fts_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE events_fts")
    op.drop_index("ix_events_end_dates", "events")
    op.drop_index("ix_events_type_dates", "events")
    op.drop_index("ix_events_admin1_dates", "events")
    op.create_index("ix_events_end", "events", ["dataset_id", "end_date"])
    op.create_index("ix_events_type", "events", ["dataset_id", "event_type"])
    op.create_index("ix_events_admin1", "events", ["dataset_id", "admin1"])
    op.drop_table("event_actors")
