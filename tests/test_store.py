"""The store on SQLite and PostGIS: migrations, seed baseline, dump, backup/restore, GeoPackage."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from panjmap.data import read_tables
from panjmap.paths import SEEDS_DIR
from panjmap.store import Store, open_store, records
from panjmap.store import engine as engines
from panjmap.store import tables as t


def _seed_files() -> list[str]:
    return sorted(p.name for p in SEEDS_DIR.iterdir() if p.suffix in (".csv", ".txt"))


def test_migrations_up_to_head_and_down_to_base(store_url: str) -> None:
    store = open_store(store_url, ready=False)
    store.migrate()
    assert store.schema_revision() is not None
    inspector = sa.inspect(store.engine)
    for table in t.metadata.sorted_tables:  # the migrations and tables.py agree
        assert {c["name"] for c in inspector.get_columns(table.name)} - {"geom"} == set(table.c.keys()), table.name
    if store.is_postgres:
        assert "geom" in {c["name"] for c in inspector.get_columns("events")}
        assert "ix_events_geom" in {i["name"] for i in inspector.get_indexes("events")}
    store.migrate("base", down=True)
    assert store.schema_revision() is None
    assert set(sa.inspect(store.engine).get_table_names()) <= {"alembic_version", "spatial_ref_sys"}


def test_seed_load_and_byte_identical_dump(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    target = tmp_path / "dump"
    records.dump(store, target)
    assert sorted(p.name for p in target.iterdir()) == _seed_files()
    for name in _seed_files():
        assert (target / name).read_bytes() == (SEEDS_DIR / name).read_bytes(), name
    with store.reading() as conn:
        statuses = set(conn.execute(sa.select(t.incidents.c.status)).scalars())
        assert statuses == {"published"}
    # Seeding happens once: another process opening the store does not load them again.
    Store(engines.create(store_url)).ensure_ready()
    with store.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.incidents)).scalar() == \
            len(read_tables(SEEDS_DIR)["incidents"])
