"""PostgreSQL: ``event_text``, a narrow copy of each event's dates, fatalities and search text.

A text needle shorter than a trigram is one pg_trgm cannot look up, so it read every
event of the dataset from ``events``, whose rows carry the file's whole row (~1.9 GB at
1M events). This table holds only what such a view reads (1M events: ~200 MB): its count,
the earliest ids by date (index ``(dataset_id, event_date, id)``) and the timeline's daily
counts read it instead (1M events, '42': the count 0.44 -> 0.14 s, the daily counts
0.47 -> 0.16 s). SQLite has ``ix_events_date_text`` for this (0004); a PostgreSQL B-tree
entry could not hold a long search text.

Statement-level triggers with transition tables keep it equal to ``events`` in the same
transaction as every write (COPY included): one statement per write, not one per row.

Frozen: later changes go in new migrations.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = "id, dataset_id, event_date, end_date, fatalities, search"
TRIGGERS = {  # trigger (and its function) -> (event, transition table, what the function does)
    "event_text_insert": ("INSERT", "NEW TABLE AS changed",
                          f"INSERT INTO event_text ({COLUMNS}) SELECT {COLUMNS} FROM changed"),
    "event_text_update": ("UPDATE", "NEW TABLE AS changed",
                          "UPDATE event_text x SET dataset_id = c.dataset_id, event_date = c.event_date, "
                          "end_date = c.end_date, fatalities = c.fatalities, search = c.search FROM changed c "
                          "WHERE x.id = c.id AND (x.dataset_id, x.event_date, x.end_date, x.fatalities, x.search) "
                          "IS DISTINCT FROM (c.dataset_id, c.event_date, c.end_date, c.fatalities, c.search)"),
    "event_text_delete": ("DELETE", "OLD TABLE AS changed",
                          "DELETE FROM event_text x USING changed c WHERE x.id = c.id"),
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgres():
        return
    op.execute("CREATE TABLE event_text (id bigint PRIMARY KEY, dataset_id integer NOT NULL, event_date text, "
               "end_date text, fatalities integer, search text NOT NULL)")
    op.execute(f"INSERT INTO event_text ({COLUMNS}) SELECT {COLUMNS} FROM events")
    op.execute("CREATE INDEX ix_event_text_dates ON event_text (dataset_id, event_date, id)")
    for name, (event, transition, body) in TRIGGERS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; "
                   "RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON events REFERENCING {transition} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    op.execute("ANALYZE event_text")


def downgrade() -> None:
    if not _postgres():
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON events")
        op.execute(f"DROP FUNCTION {name}()")
    op.execute("DROP TABLE event_text")
