"""The initial store: curated records, sources with their bytes, imported datasets, change log.

Frozen: later changes go in new migrations, never here.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = ("draft", "reviewed", "published", "retired")
ACLED = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
    "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)
INCIDENT = ACLED + ("end_date", "injuries", "victim_nationality", "site_id", "claim_status", "related_ids")
# table -> (id column or None, required text columns, nullable text columns)
SEED = {
    "sources": ("source_file", ("source_file", "title", "publisher", "published", "sha256", "notes"),
                ("url", "language", "author")),
    "sites": ("site_id", ("site_id", "name", "name_alt", "site_type", "operator", "chinese_link", "country", "admin1",
                          "admin2", "location", "latitude", "longitude", "geo_precision", "geometry_ref", "notes"), ()),
    "incidents": ("event_id_cnty", INCIDENT, ("scope", "reported_location")),
    "claims": ("claim_id", ("claim_id", "incident_id", "actor", "stance", "claimant", "claimant_type", "source_file",
                            "quote", "notes"), ()),
    "evidence": (None, ("record_id", "source_file", "quote", "supports"), ()),
    "actors": ("actor", ("actor", "aliases", "kind", "inter"), ()),
}
FOREIGN_KEYS = {
    "claims": {"incident_id": "incidents.event_id_cnty", "source_file": "sources.source_file"},
    "evidence": {"source_file": "sources.source_file"},
}
EVENT_INTS = ("year", "time_precision", "geo_precision", "fatalities", "injuries", "fatalities_low", "fatalities_high")
EVENT_FLOATS = ("latitude", "longitude")


def _postgis() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _add_geometry(table: str, lon: str, lat: str) -> None:
    """PostGIS: a point generated from the numeric coordinates, with a GiST index."""
    op.execute(
        f"ALTER TABLE {table} ADD COLUMN geom geometry(Point, 4326) GENERATED ALWAYS AS "
        f"(CASE WHEN {lon} IS NULL OR {lat} IS NULL THEN NULL "
        f"ELSE ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326) END) STORED"
    )
    op.execute(f"CREATE INDEX ix_{table}_geom ON {table} USING GIST (geom)")


def _seed_table(name: str) -> None:
    id_column, required, nullable = SEED[name]
    fks = FOREIGN_KEYS.get(name, {})
    cols = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)] if id_column is None else []
    for col in required + nullable:
        fk = [sa.ForeignKey(fks[col])] if col in fks else []
        cols.append(sa.Column(col, sa.Text, *fk, primary_key=col == id_column, nullable=col in nullable))
    cols += [
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("status", sa.Text, nullable=False, server_default="published"),
        sa.Column("merged_into", sa.Text),
        sa.Column("updated_at", sa.Text),
        sa.Column("updated_by", sa.Text),
    ]
    if name in ("incidents", "sites"):
        cols += [sa.Column("lon", sa.Float), sa.Column("lat", sa.Float)]
    if name == "sources":
        cols += [
            sa.Column("content", sa.LargeBinary, nullable=False),
            sa.Column("content_sha256", sa.Text, nullable=False),
            sa.Column("original", sa.LargeBinary),
            sa.Column("original_sha256", sa.Text),
            sa.Column("original_media_type", sa.Text),
        ]
    op.create_table(name, *cols, sa.CheckConstraint(f"status IN {STATUSES!r}", name=f"ck_{name}_status"))
    op.create_index(f"ix_{name}_status", name, ["status"])
    if name in ("incidents", "sites"):
        op.create_index(f"ix_{name}_lonlat", name, ["lon", "lat"])
        if _postgis():
            _add_geometry(name, "lon", "lat")


def upgrade() -> None:
    if _postgis():
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    for name in SEED:
        _seed_table(name)
    op.create_index("ix_claims_incident", "claims", ["incident_id"])
    op.create_index("ix_evidence_record", "evidence", ["record_id"])
    op.create_table("store_meta", sa.Column("key", sa.Text, primary_key=True), sa.Column("value", sa.Text, nullable=False))
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("table_name", sa.Text, nullable=False),
        sa.Column("record_id", sa.Text),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_change_log_record", "change_log", ["table_name", "record_id"])
    op.create_table(
        "datasets",
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
        sa.Column("mapped", sa.Text),
        sa.Column("report", sa.Text),
    )
    event_cols = []
    for col in dict.fromkeys(INCIDENT + SEED["incidents"][2] + ("fatalities_low", "fatalities_high")):
        kind = sa.Integer if col in EVENT_INTS else sa.Float if col in EVENT_FLOATS else sa.Text
        event_cols.append(sa.Column(col, kind))
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
        *event_cols,
        sa.Column("original", sa.Text, nullable=False),
        sa.Column("actors", sa.Text, nullable=False),
        sa.Column("search", sa.Text, nullable=False),
        sa.Column("sync_mark", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("dataset_id", "event_id_cnty", name="uq_events_dataset_event"),
    )
    op.create_index("ix_events_dates", "events", ["dataset_id", "event_date", "end_date"])
    op.create_index("ix_events_end", "events", ["dataset_id", "end_date"])
    op.create_index("ix_events_type", "events", ["dataset_id", "event_type"])
    op.create_index("ix_events_country", "events", ["dataset_id", "country"])
    op.create_index("ix_events_admin1", "events", ["dataset_id", "admin1"])
    op.create_index("ix_events_lonlat", "events", ["dataset_id", "longitude", "latitude"])
    if _postgis():
        _add_geometry("events", "longitude", "latitude")


def downgrade() -> None:
    for name in ("events", "datasets", "change_log", "store_meta", "evidence", "claims", "actors", "incidents",
                 "sites", "sources"):
        op.drop_table(name)
