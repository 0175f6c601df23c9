"""Filter indexes ordered by event date after the filtered column; the date index holds fatalities.

* Event type, region (admin1) and side (country): (dataset, column, event_date, end_date),
  so a capped view of one value ("ORDER BY event_date LIMIT") walks that index in date order
  and stops at the limit (PostgreSQL walked the date index, reading and dropping the events
  of other values: 1M events, one type of six, 1.3 -> 0.3 s). A date window is still checked
  in the index: the queries bound event_date on both sides (panjmap.store.layers.view_conditions).
* Dates: (dataset, event_date, end_date, fatalities), so the timeline's daily counts of a
  date window read the index only (SQLite read every event for the fatalities).

Existing indexes are rebuilt in place (same names) and the table analysed. Frozen: later
changes go in new migrations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# name -> (columns in 0002, columns from here on)
INDEXES = {
    "ix_events_dates": (("dataset_id", "event_date", "end_date"),
                        ("dataset_id", "event_date", "end_date", "fatalities")),
    "ix_events_type_dates": (("dataset_id", "event_type", "end_date", "event_date"),
                             ("dataset_id", "event_type", "event_date", "end_date")),
    "ix_events_admin1_dates": (("dataset_id", "admin1", "end_date", "event_date"),
                               ("dataset_id", "admin1", "event_date", "end_date")),
    "ix_events_country": (("dataset_id", "country"),
                          ("dataset_id", "country", "event_date", "end_date")),
}


def _rebuild(which: int) -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, "events")
        op.create_index(name, "events", list(columns[which]))
    op.execute("ANALYZE events")  # statistics for the new indexes (SQLite drops the old ones' with them)


def upgrade() -> None:
    _rebuild(1)


def downgrade() -> None:
    _rebuild(0)
