"""The store's tables (SQLAlchemy Core). The migrations create them; a test checks they agree.

Curated records (incidents, claims, sites, evidence, sources, actors) keep every
seed column as text exactly as written, so ``db dump`` gives the seed files back
byte for byte; ``position`` keeps their order. Each record carries ``version``
(optimistic locking), ``status`` (draft/reviewed/published/retired) and, when
merged into another record, ``merged_into``. ``lon``/``lat`` are the numeric
coordinates for spatial queries (PostGIS also has a generated ``geom`` column
with a GiST index, made by the migration and not listed here).

Imported datasets are a ``datasets`` row plus its ``events``: the importer's
mapped columns (typed, for filtering) and ``original``, the JSON of the file's
whole row. ``event_actors`` lists each event's actor names (one row per name,
indexed by dataset and actor) so an actor filter is an index lookup; it follows
the events (the import writes it, deleting an event deletes its names). Text
search has an index the migration makes: on SQLite an FTS5 trigram table
``events_fts`` over ``events.search`` (external content, kept in sync by
triggers; an import indexes its new events in one statement instead), on PostgreSQL
a pg_trgm GIN index on ``events.search``. Neither looks up a needle shorter than a trigram;
for those SQLite reads ``ix_events_date_text`` and PostgreSQL ``event_text`` (below) instead of
the table (its rows hold ``original``).
"""

from __future__ import annotations

import sqlalchemy as sa

from panjmap.schema import (
    CLAIM_COLUMNS,
    EVIDENCE_COLUMNS,
    INCIDENT_COLUMNS,
    SITE_COLUMNS,
    SOURCE_COLUMNS,
)

metadata = sa.MetaData()

STATUSES: tuple[str, ...] = ("draft", "reviewed", "published", "retired")
ACTOR_COLUMNS: tuple[str, ...] = ("actor", "aliases", "kind", "inter")

# Seed columns the shared contract adds (trust helper); nullable until every seed has them.
PLANNED_COLUMNS: dict[str, tuple[str, ...]] = {
    "incidents": ("scope", "reported_location"),
    "sources": ("url", "language", "author"),
}

# table -> (its seed columns, its id column)
SEED_TABLES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "sources": (SOURCE_COLUMNS, "source_file"),
    "sites": (SITE_COLUMNS, "site_id"),
    "incidents": (INCIDENT_COLUMNS, "event_id_cnty"),
    "claims": (CLAIM_COLUMNS, "claim_id"),
    "evidence": (EVIDENCE_COLUMNS, None),
    "actors": (ACTOR_COLUMNS, "actor"),
}
# Foreign keys between seed tables (column -> "table.column").
_FOREIGN_KEYS: dict[str, dict[str, str]] = {
    "claims": {"incident_id": "incidents.event_id_cnty", "source_file": "sources.source_file"},
    "evidence": {"source_file": "sources.source_file"},
}
LOCATED_TABLES: tuple[str, ...] = ("incidents", "sites")


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("status", sa.Text, nullable=False, server_default="published"),
        sa.Column("merged_into", sa.Text),
        sa.Column("updated_at", sa.Text),
        sa.Column("updated_by", sa.Text),
    ]


def _seed_table(name: str) -> sa.Table:
    columns, id_column = SEED_TABLES[name]
    names = list(dict.fromkeys(columns + PLANNED_COLUMNS.get(name, ())))
    fks = _FOREIGN_KEYS.get(name, {})
    cols: list[sa.Column] = []
    if id_column is None:
        cols.append(sa.Column("id", sa.Integer, primary_key=True, autoincrement=True))
    for col in names:
        args = [sa.ForeignKey(fks[col])] if col in fks else []
        cols.append(sa.Column(col, sa.Text, *args, primary_key=col == id_column, nullable=col in PLANNED_COLUMNS.get(name, ())))
    cols += _record_columns()
    if name in LOCATED_TABLES:
        cols += [sa.Column("lon", sa.Float), sa.Column("lat", sa.Float)]
    if name == "sources":
        # The cited text byte for byte (what quotes must be found in), and the file as
        # uploaded when that differs (e.g. the HTML the text was extracted from).
        cols += [
            sa.Column("content", sa.LargeBinary, nullable=False),
            sa.Column("content_sha256", sa.Text, nullable=False),
            sa.Column("original", sa.LargeBinary),
            sa.Column("original_sha256", sa.Text),
            sa.Column("original_media_type", sa.Text),
        ]
    return sa.Table(name, metadata, *cols, sa.CheckConstraint(f"status IN {STATUSES!r}", name=f"ck_{name}_status"))


sources = _seed_table("sources")
sites = _seed_table("sites")
incidents = _seed_table("incidents")
claims = _seed_table("claims")
evidence = _seed_table("evidence")
actors = _seed_table("actors")
RECORD_TABLES: dict[str, sa.Table] = {
    "sources": sources, "sites": sites, "incidents": incidents, "claims": claims, "evidence": evidence,
    "actors": actors,
}

# Revision counters: every write bumps one, so each app process notices changes at its next rerun.
meta = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

change_log = sa.Table(
    "change_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),  # ISO 8601 UTC
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),  # seed, create, update, retire, merge, import, remove, restore, ...
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("record_id", sa.Text),
    sa.Column("before", sa.Text),  # JSON of the fields before, or NULL
    sa.Column("after", sa.Text),  # JSON of the fields after, or NULL
    sa.Column("reason", sa.Text),
    sa.Index("ix_change_log_record", "table_name", "record_id"),
)

datasets = sa.Table(
    "datasets", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("source_format", sa.Text, nullable=False),
    sa.Column("filename", sa.Text),
    sa.Column("file_sha256", sa.Text),
    sa.Column("imported_at", sa.Text, nullable=False),
    sa.Column("imported_by", sa.Text),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("event_count", sa.Integer, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    sa.Column("mapped", sa.Text),  # JSON: our column -> where it came from
    sa.Column("report", sa.Text),  # the import summary shown to the user
)

EVENT_INT_COLUMNS: tuple[str, ...] = (
    "year", "time_precision", "geo_precision", "fatalities", "injuries", "fatalities_low", "fatalities_high",
)
EVENT_FLOAT_COLUMNS: tuple[str, ...] = ("latitude", "longitude")
EVENT_TEXT_COLUMNS: tuple[str, ...] = tuple(
    c for c in INCIDENT_COLUMNS + PLANNED_COLUMNS["incidents"]
    if c not in EVENT_INT_COLUMNS + EVENT_FLOAT_COLUMNS
)
# Separator around each name in ``actors`` ("\x1fA\x1fB\x1f"), so a filter matches whole names.
ACTOR_SEP = "\x1f"


def _event_column(name: str) -> sa.Column:
    if name in EVENT_INT_COLUMNS:
        return sa.Column(name, sa.Integer)
    if name in EVENT_FLOAT_COLUMNS:
        return sa.Column(name, sa.Float)
    return sa.Column(name, sa.Text)


EVENT_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

events = sa.Table(
    "events", metadata,
    sa.Column("id", EVENT_ID, primary_key=True, autoincrement=True),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    *[_event_column(name) for name in dict.fromkeys(
        INCIDENT_COLUMNS + PLANNED_COLUMNS["incidents"] + ("fatalities_low", "fatalities_high"))],
    sa.Column("original", sa.Text, nullable=False),
    sa.Column("actors", sa.Text, nullable=False),  # every actor name, ACTOR_SEP-delimited
    sa.Column("search", sa.Text, nullable=False),  # casefolded text the text filter searches
    sa.Column("sync_mark", sa.Integer, nullable=False, server_default="0"),  # last re-sync that saw it
    sa.UniqueConstraint("dataset_id", "event_id_cnty", name="uq_events_dataset_event"),
    # fatalities: the timeline's daily counts read this index only (migration 0003)
    sa.Index("ix_events_dates", "dataset_id", "event_date", "end_date", "fatalities"),
    sa.Index("ix_events_end_dates", "dataset_id", "end_date", "event_date"),
    # event_date second: a capped view of one value walks them in date order (migration 0003)
    sa.Index("ix_events_type_dates", "dataset_id", "event_type", "event_date", "end_date"),
    sa.Index("ix_events_country", "dataset_id", "country", "event_date", "end_date"),
    sa.Index("ix_events_admin1_dates", "dataset_id", "admin1", "event_date", "end_date"),
    sa.Index("ix_events_lonlat", "dataset_id", "longitude", "latitude"),
    # SQLite only (migration 0004): a needle shorter than a trigram reads this instead of the table
    sa.Index("ix_events_date_text", "dataset_id", "event_date", "end_date", "fatalities", "search")
    .ddl_if(dialect="sqlite"),
)

event_actors = sa.Table(
    "event_actors", metadata,
    sa.Column("event_id", EVENT_ID, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("actor", sa.Text, primary_key=True),
    sa.Column("dataset_id", sa.Integer, nullable=False),
    sa.Index("ix_event_actors_actor", "dataset_id", "actor", "event_id"),
    sqlite_with_rowid=False,
)
# PostgreSQL only (migration 0005, not in ``metadata``): each event's dates, fatalities and search
# text, kept equal to ``events`` by statement-level triggers; what a needle shorter than a trigram reads.
event_text = sa.Table(
    "event_text", sa.MetaData(),
    sa.Column("id", EVENT_ID, primary_key=True),
    sa.Column("dataset_id", sa.Integer, nullable=False),
    sa.Column("event_date", sa.Text),
    sa.Column("end_date", sa.Text),
    sa.Column("fatalities", sa.Integer),
    sa.Column("search", sa.Text, nullable=False),
    sa.Index("ix_event_text_dates", "dataset_id", "event_date", "id"),
)
FTS_TABLE = "events_fts"  # SQLite only (see the module docstring)
FTS_INSERT_TRIGGER = "events_fts_insert"  # its trigger for new events (migration 0002)
