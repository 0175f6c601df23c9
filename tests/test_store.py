"""The store on SQLite and PostGIS: migrations, seed baseline, dump, backup/restore, GeoPackage."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
import sqlalchemy as sa

from panjmap.data import read_tables
from panjmap.paths import ROOT, SEEDS_DIR
from panjmap.store import Store, StoreError, backup, imports, open_store, records
from panjmap.store import engine as engines
from panjmap.store import tables as t
from panjmap.store.gpkg import write_gpkg


def _seed_files() -> list[str]:
    return sorted(p.name for p in SEEDS_DIR.iterdir() if p.suffix in (".csv", ".txt"))


# SQLAlchemy reads PostGIS's geometry column without knowing its type: expected, the test skips it.
@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry':sqlalchemy.exc.SAWarning")
def test_migrations_up_to_head_and_down_to_base(store_url: str) -> None:
    store = open_store(store_url, ready=False)
    store.migrate()
    assert store.schema_revision() is not None
    inspector = sa.inspect(store.engine)
    for table in t.metadata.sorted_tables:  # the migrations and tables.py agree: columns, and indexes' columns in order
        assert {c["name"] for c in inspector.get_columns(table.name)} - {"geom"} == set(table.c.keys()), table.name
        made = {i["name"]: i["column_names"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            only_on = index._ddl_if.dialect if index._ddl_if else None  # Index.ddl_if(dialect=...)
            if only_on not in (None, store.engine.dialect.name):
                assert index.name not in made, index.name
                continue
            assert made.get(index.name) == [c.name for c in index.columns], index.name
    if store.is_postgres:
        assert "geom" in {c["name"] for c in inspector.get_columns("events")}
        assert {"ix_events_geom", "ix_events_search"} <= {i["name"] for i in inspector.get_indexes("events")}
        narrow = t.event_text  # PostgreSQL only (0005)
        assert [c["name"] for c in inspector.get_columns(narrow.name)] == list(narrow.c.keys())
        assert {i["name"]: i["column_names"] for i in inspector.get_indexes(narrow.name)} == {
            index.name: [c.name for c in index.columns] for index in narrow.indexes}
        assert inspector.get_pk_constraint(narrow.name)["constrained_columns"] == ["id"]
    else:
        assert t.FTS_TABLE in inspector.get_table_names()
        assert t.event_text.name not in inspector.get_table_names()
    store.migrate("base", down=True)
    assert store.schema_revision() is None
    assert set(sa.inspect(store.engine).get_table_names()) <= {"alembic_version", "spatial_ref_sys"}


def test_filter_index_migration_backfills_and_goes_back(store_url: str) -> None:
    """0002 (and later) on a store holding events: their actor rows and text indexes are made; downgrade
    removes them."""
    from panjmap.state import ViewState
    from panjmap.store.layers import count_matching
    from panjmap.store.queries import count_events

    store = open_store(store_url, ready=False)
    store.migrate("0001")
    sep = t.ACTOR_SEP
    with store.writing() as conn:
        conn.execute(sa.text("INSERT INTO datasets (name, source_format, imported_at, updated_at, event_count) "
                             "VALUES ('Old', 'acled-current', '2026-01-01', '2026-01-01', 3)"))
        dataset_id = conn.execute(sa.text("SELECT id FROM datasets")).scalar_one()
        for event_id, actors, search in (("A1", f"{sep}Taliban{sep}Unknown / unclaimed{sep}", "border post шахр"),
                                         ("A2", "", "другое место"), ("A3", f"{sep}Civilians (China){sep}", "post")):
            conn.execute(sa.text("INSERT INTO events (dataset_id, event_id_cnty, original, actors, search) "
                                 "VALUES (:d, :e, '{}', :a, :s)"), {"d": dataset_id, "e": event_id, "a": actors, "s": search})
        ids = dict(conn.execute(sa.text("SELECT event_id_cnty, id FROM events")).all())
    store.migrate()
    a = t.event_actors.c
    with store.reading() as conn:
        assert sorted(conn.execute(sa.select(a.event_id, a.actor, a.dataset_id)).all()) == sorted([
            (ids["A1"], "Taliban", dataset_id), (ids["A1"], "Unknown / unclaimed", dataset_id),
            (ids["A3"], "Civilians (China)", dataset_id)])
        assert count_events(conn, dataset_id, ViewState(actors=("Unknown / unclaimed",))) == 1
        assert count_events(conn, dataset_id, ViewState(text="post")) == 2
        assert count_events(conn, dataset_id, ViewState(text="руго")) == 1
        assert count_events(conn, dataset_id, ViewState(text="po")) == 2
        assert count_matching(conn, dataset_id, ViewState(text="po"), 0) == 2  # ix_events_date_text / event_text
        if store.is_postgres:  # 0005 copied the events there
            assert conn.execute(sa.select(sa.func.count()).select_from(t.event_text)).scalar_one() == 3
    store.migrate("0001", down=True)
    names = set(sa.inspect(store.engine).get_table_names())
    assert "event_actors" not in names and not any(n.startswith("events_fts") for n in names)
    assert not {"ix_events_search", "ix_events_date_text"} & {i["name"] for i in sa.inspect(store.engine).get_indexes("events")}
    assert t.event_text.name not in names
    with store.reading() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one() == 3


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


def _store_with_import(store_url: str, seeds_dir: Path | None = None):  # type: ignore[no-untyped-def]
    from tests.importer_fixtures import acled_csv, acled_row

    store = open_store(store_url, ready=False)
    store.ensure_ready(seeds_dir)
    data = acled_csv([acled_row(i, notes=f"Invented note {i}, «ёж» 中文") for i in range(1, 21)])
    imports.import_dataset(store, io.BytesIO(data), "synthetic acled.csv", name="Synthetic ACLED")
    return store


def _snapshot(store) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    with store.reading() as conn:
        return {table.name: sorted(map(tuple, conn.execute(sa.select(*table.c)).all()), key=repr)
                for table in backup.ORDER if table is not t.meta}


def test_backup_restore_round_trip_and_refusals(store_url: str, tmp_path: Path) -> None:
    store = _store_with_import(store_url)
    before = _snapshot(store)
    file = tmp_path / "store.backup.gz"
    counts = backup.backup(store, file)
    assert counts["events"] == 20 and counts["incidents"] == len(read_tables(SEEDS_DIR)["incidents"])

    imports.remove_dataset(store, "Synthetic ACLED")
    with store.writing() as conn:
        conn.execute(t.incidents.update().values(notes="edited"))
    revision = store.revisions()
    backup.restore(store, file)
    after = _snapshot(store)
    for name in before:
        if name != "change_log":
            assert after[name] == before[name], name
    assert all(store.revisions()[area] > revision[area] for area in revision)  # every process reloads
    dump = tmp_path / "dump"
    records.dump(store, dump)
    assert all((dump / n).read_bytes() == (SEEDS_DIR / n).read_bytes() for n in _seed_files())

    # A damaged or foreign file changes nothing.
    restored = _snapshot(store)
    truncated = tmp_path / "cut.gz"
    truncated.write_bytes(file.read_bytes()[: len(file.read_bytes()) // 2])
    not_backup = tmp_path / "other.gz"
    with gzip.open(not_backup, "wt") as handle:
        handle.write('{"hello": 1}\n')
    wrong_count = tmp_path / "count.gz"
    with gzip.open(file, "rt") as src, gzip.open(wrong_count, "wt") as dst:
        lines = src.readlines()
        dst.writelines(lines[:-2] + lines[-1:])  # one event row missing
    for bad in (truncated, not_backup, wrong_count, tmp_path / "missing.gz"):
        with pytest.raises(StoreError):
            backup.restore(store, bad)
        assert _snapshot(store) == restored, bad.name


def test_backup_restores_across_engines(store_url: str, tmp_path: Path) -> None:
    """One portable format: a backup taken on one engine restores on the other."""
    store = _store_with_import(store_url)
    file = tmp_path / "b.gz"
    backup.backup(store, file)
    other_url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    other = open_store(other_url)
    backup.restore(other, file)
    with other.reading() as conn:
        names = [ds.name for ds in imports.list_datasets(conn)]
        assert names == ["Synthetic ACLED"]
        assert len(imports.dataset_records(conn, imports.list_datasets(conn)[0].id)) == 20


def test_geopackage_holds_every_layer(store_url: str, tmp_path: Path) -> None:
    store = _store_with_import(store_url)
    path = tmp_path / "store.gpkg"
    counts = write_gpkg(store, path)
    layers = dict(pyogrio.list_layers(path))
    assert {"incidents", "sites", "claims", "sources", "evidence", "import_Synthetic_ACLED"} <= set(layers)
    incidents = pyogrio.read_dataframe(path, layer="incidents")
    seeds = read_tables(SEEDS_DIR)["incidents"]
    assert sorted(incidents["event_id_cnty"]) == sorted(seeds["event_id_cnty"])
    assert counts["claims"] == len(read_tables(SEEDS_DIR)["claims"])
    events = pyogrio.read_dataframe(path, layer="import_Synthetic_ACLED")
    assert len(events) == 20 and events.crs.to_epsg() == 4326
    assert events.loc[events["event_id_cnty"] == "TJK3", "notes"].item() == "Invented note 3, «ёж» 中文"
    assert events.geometry.x.round(4).eq(68.75).all()
    assert json.loads(events["original"].iloc[0])["event_id_cnty"] == "TJK1"  # the file's whole row kept


def test_cli_dump_validate_and_backup(store_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "PANJ_DATABASE_URL": store_url}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "panjmap", *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)

    assert cli("db", "init").returncode == 0
    done = cli("db", "dump", str(tmp_path / "dump"))
    assert done.returncode == 0, done.stderr
    assert cli("validate", "--seeds", str(tmp_path / "dump")).returncode == 0
    checked = cli("validate", "--store")
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout
    store = open_store(store_url)
    with store.writing() as conn:  # a quote no longer in its source: validate --store must say so
        conn.execute(t.claims.update().where(t.claims.c.position == 0).values(quote="not in the article"))
    broken = cli("validate", "--store")
    assert broken.returncode == 1 and "not found verbatim" in broken.stdout
    reseeded = cli("db", "reseed")  # back to the seeds (nothing was logged as an edit)
    assert reseeded.returncode == 0 and "records replaced with seeds/" in reseeded.stdout, reseeded.stderr
    assert cli("validate", "--store").returncode == 0
    status = cli("db", "status")
    assert "seeds: the store was last filled from the current seeds/" in status.stdout, status.stdout
    assert cli("db", "backup", str(tmp_path / "b.gz")).returncode == 0
    refused = cli("db", "restore", str(tmp_path / "nothing.gz"))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def _notes_of(store: Store, record_id: str) -> str:
    with store.reading() as conn:
        return conn.execute(sa.select(t.incidents.c.notes).where(t.incidents.c.event_id_cnty == record_id)).scalar_one()


def _change_note(seeds_dir: Path, record_id: str, note: str) -> None:
    """A new release of the seeds: one incident's notes rewritten in incidents.csv."""
    path = seeds_dir / "incidents.csv"
    frame = read_tables(seeds_dir)["incidents"].drop(columns="_line")
    frame.loc[frame["event_id_cnty"] == record_id, "notes"] = note
    path.write_bytes(records.csv_bytes(frame))


def test_an_unedited_store_follows_new_seeds_and_keeps_its_imports(store_url: str, seeds_copy: Path) -> None:
    _store_with_import(store_url, seeds_copy)
    first = read_tables(seeds_copy)["incidents"]["event_id_cnty"].iloc[0]
    _change_note(seeds_copy, first, "Released later: «ёж» 中文.")
    again = Store(engines.create(store_url))  # the next start of the app
    again.ensure_ready(seeds_copy)
    assert _notes_of(again, first) == "Released later: «ёж» 中文."
    assert records.seeds_status(again, seeds_copy) == records.CURRENT
    with again.reading() as conn:
        assert [ds.name for ds in imports.list_datasets(conn)] == ["Synthetic ACLED"]
        actions = conn.execute(sa.select(t.change_log.c.action).order_by(t.change_log.c.id)).scalars().all()
    assert actions[-1] == "reseed"


def test_an_edited_store_is_never_overwritten_by_new_seeds(store_url: str, seeds_copy: Path) -> None:
    store = Store(engines.create(store_url))
    store.ensure_ready(seeds_copy)
    first = read_tables(seeds_copy)["incidents"]["event_id_cnty"].iloc[0]
    with store.writing() as conn:  # an analyst's edit, as the editorial workflow logs it
        conn.execute(t.incidents.update().where(t.incidents.c.event_id_cnty == first).values(notes="Analyst's note."))
        store.log(conn, "update", "incidents", first, who="alice", reason="test")
    _change_note(seeds_copy, first, "Released later.")
    assert records.sync_seeds(store, seeds_copy) == records.DIVERGED
    assert _notes_of(store, first) == "Analyst's note."
    assert records.seeds_status(store, seeds_copy) == records.DIVERGED
    with pytest.raises(StoreError, match="discard"):
        records.reseed(store, seeds_copy)
    assert _notes_of(store, first) == "Analyst's note."
    records.reseed(store, seeds_copy, discard_edits=True)
    assert _notes_of(store, first) == "Released later."
    assert records.seeds_status(store, seeds_copy) == records.CURRENT


def test_a_backup_from_an_older_schema_is_restored_and_migrated(store_url: str, tmp_path: Path) -> None:
    from panjmap.state import ViewState
    from panjmap.store import queries

    store = _store_with_import(store_url)
    assert store.known_revisions()[0] == "0001" and store.schema_revision() == store.known_revisions()[-1]
    with store.reading() as conn:
        dataset_id = conn.execute(sa.select(t.datasets.c.id)).scalar_one()
        actor = conn.execute(sa.select(t.event_actors.c.actor)).scalars().first()
        by_actor = queries.count_events(conn, dataset_id, ViewState(actors=(actor,)))
    assert by_actor > 0
    current = tmp_path / "current.gz"
    backup.backup(store, current)
    # The same store as a schema-0001 backup would hold it: no event_actors (0002 derives them).
    lines = [json.loads(line) for line in gzip.open(current, "rt", encoding="utf-8")]
    lines[0]["schema_revision"] = "0001"
    old, skipping = [], False
    for item in lines:
        if isinstance(item, dict) and "table" in item:
            skipping = item["table"] == "event_actors"
        if isinstance(item, dict) and item.get("end"):
            item["rows"].pop("event_actors")
            skipping = False
        if not skipping:
            old.append(item)
    older = tmp_path / "older.gz"
    with gzip.open(older, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in old)

    imports.remove_dataset(store, "Synthetic ACLED")
    backup.restore(store, older)
    assert store.schema_revision() == store.known_revisions()[-1]
    with store.reading() as conn:
        assert [ds.name for ds in imports.list_datasets(conn)] == ["Synthetic ACLED"]
        dataset_id = conn.execute(sa.select(t.datasets.c.id)).scalar_one()
        assert queries.count_events(conn, dataset_id, ViewState(actors=(actor,))) == by_actor  # actors rebuilt

    future = tmp_path / "future.gz"  # a backup from a newer app than this one: refused, nothing changed
    lines[0]["schema_revision"] = "9999"
    with gzip.open(future, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in lines)
    with pytest.raises(StoreError, match="upgrade the app"):
        backup.restore(store, future)


def test_alembic_is_loaded_only_when_the_schema_is_behind(store_url: str) -> None:
    """A process's first page opens a store at head without alembic's imports; a store behind is still migrated."""
    from panjmap.store.core import newest_revision

    assert newest_revision() == Store.known_revisions()[-1]
    open_store(store_url)  # migrated and seeded, as a restarted server finds it
    probe = "import sys; from panjmap.store import open_store; open_store(sys.argv[1]); print('alembic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe, store_url], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]
    Store(engines.create(store_url)).migrate(Store.known_revisions()[0], down=True)
    behind = Store(engines.create(store_url))  # a new process's store: not yet checked
    behind.ensure_ready()
    assert behind.schema_revision() == newest_revision()
