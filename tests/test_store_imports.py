"""Imported datasets in the store, on SQLite and PostGIS: persistence, concurrency, crash
safety, ACLED re-sync, refusals. Files are synthetic (never ACLED rows)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from panjmap.importers import ImportRejected
from panjmap.paths import ROOT
from panjmap.store import StoreError, imports, open_store
from panjmap.store import tables as t
from tests.importer_fixtures import acled_csv, acled_row


def _acled(ids: range | list[int], timestamp: int = 1764115200, **values: object) -> bytes:
    return acled_csv([acled_row(i, timestamp=timestamp, **values) for i in ids])


def _state(store) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Everything an import may touch."""
    with store.reading() as conn:
        return {
            "datasets": conn.execute(sa.select(t.datasets.c.name, t.datasets.c.event_count)).all(),
            "events": conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar(),
            "log": conn.execute(sa.select(sa.func.count()).select_from(t.change_log)).scalar(),
            "revisions": store.revisions(),
        }


def _cli(store_url: str, *args: str, **kwargs: object) -> subprocess.Popen:
    env = {**os.environ, "PANJ_DATABASE_URL": store_url}
    return subprocess.Popen([sys.executable, "-m", "panjmap", "import", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def _data_page(store_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PANJ_DATABASE_URL", store_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    return at


def _expanders(at: AppTest) -> str:
    """The expander labels as shown (Markdown escapes removed)."""
    return "\n".join(e.label.replace("\\", "") for e in at.expander)


def test_import_persists_for_a_fresh_session(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(store_url)
    report = imports.import_dataset(store, io.BytesIO(_acled(range(1, 31))), "Field reports.csv")
    assert report.dataset == "Field_reports"  # named after the file
    assert (report.added, report.rows_read) == (30, 30)
    at = _data_page(store_url, monkeypatch)
    assert "Imported: Field_reports (30 of 30" in _expanders(at)
    assert "Imported: Field_reports" in [c.label.replace("\\", "") for c in at.sidebar.checkbox]
    # A dataset imported by another process shows in this open session at its next rerun.
    imports.import_dataset(store, io.BytesIO(_acled(range(1, 6))), "later.csv", name="Later")
    at.run()
    assert "Imported: Later (5 of 5" in _expanders(at)
    shown = at.sidebar.checkbox(key="sb_layer_import:Field_reports")
    shown.check().run()
    assert "import:Field_reports" in at.query_params["layers"]


def test_two_concurrent_imports_both_succeed(store_url: str, tmp_path: Path) -> None:
    open_store(store_url)  # migrated and seeded before both start
    files = []
    for name in ("first", "second"):
        path = tmp_path / f"{name}.csv"
        path.write_bytes(_acled(range(1, 3001), notes="Invented " + name * 40))
        files.append(path)
    procs = [_cli(store_url, str(path)) for path in files]
    results = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    with open_store(store_url).reading() as conn:
        assert sorted((ds.name, ds.event_count) for ds in imports.list_datasets(conn)) == [
            ("first", 3000), ("second", 3000)]


def test_sigkill_mid_import_leaves_no_partial_dataset(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    before = _state(store)
    path = tmp_path / "big.csv"
    path.write_bytes(_acled(range(1, 40_001)))  # several chunks
    proc = _cli(store_url, str(path), "--name", "Killed")
    line = proc.stderr.readline()  # printed after the first chunk's events are written (uncommitted)
    assert "events read" in line, line + proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)  # PostgreSQL notices the closed connection and rolls back
    assert _state(store) == before
    if not store.is_postgres:
        with store.reading() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # The store carries on: the same import completes.
    small = tmp_path / "small.csv"
    small.write_bytes(_acled(range(1, 11)))
    again = _cli(store_url, str(small), "--name", "Killed")
    assert again.communicate(timeout=120) and again.returncode == 0
    with store.reading() as conn:
        assert [(ds.name, ds.event_count) for ds in imports.list_datasets(conn)] == [("Killed", 10)]


def test_acled_resync_counts(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_acled(range(1, 11), timestamp=100)), "acled.csv", name="ACLED TJK")
    newer = acled_csv(
        [acled_row(i, timestamp=200, notes=f"Revised note {i}.") for i in (1, 2, 3)]
        + [acled_row(i, timestamp=100) for i in (4, 5, 6, 7, 8)]
        + [acled_row(i, timestamp=300) for i in (11, 12)]
    )
    deletions = tmp_path / "deleted.csv"
    deletions.write_bytes(b"event_id_cnty,deleted_timestamp\nTJK9,1764200000\n")
    with deletions.open("rb") as handle:
        deleted = imports.deletion_ids(handle)
    report = imports.import_dataset(store, io.BytesIO(newer), "acled2.csv", name="ACLED TJK", update=True,
                                    deletions=deleted)
    assert (report.added, report.updated, report.removed, report.unchanged) == (2, 3, 1, 5)
    assert "2 added, 3 updated, 1 removed, 5 unchanged" in report.summary()
    with store.reading() as conn:
        ds = imports.list_datasets(conn)[0]
        events = imports.dataset_records(conn, ds.id).set_index("event_id_cnty")
    assert ds.event_count == len(events) == 11
    assert sorted(events.index) == sorted(f"TJK{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12))
    assert events.loc["TJK2", "notes"] == "Revised note 2." and events.loc["TJK5", "notes"] == "Invented note 5."

    # An older timestamp never replaces; a full re-export removes what it no longer holds.
    full = acled_csv([acled_row(1, timestamp=150, notes="Stale.")] + [acled_row(i, timestamp=100) for i in (4, 5)])
    report = imports.import_dataset(store, io.BytesIO(full), "acled3.csv", name="ACLED TJK", update=True, full=True)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 8, 3)
    with store.reading() as conn:
        events = imports.dataset_records(conn, imports.list_datasets(conn)[0].id).set_index("event_id_cnty")
    assert sorted(events.index) == ["TJK1", "TJK4", "TJK5"] and events.loc["TJK1", "notes"] == "Revised note 1."

    # The CLI reports the same counts.
    newest = tmp_path / "acled4.csv"
    newest.write_bytes(acled_csv([acled_row(1, timestamp=400), acled_row(20, timestamp=400)]))
    out, err = _cli(store_url, str(newest), "--name", "ACLED TJK", "--update").communicate(timeout=120)
    assert "1 added, 1 updated, 0 removed, 0 unchanged" in out, err


def test_bad_files_are_refused_and_nothing_is_written(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_acled(range(1, 4))), "kept.csv", name="Kept")
    before = _state(store)
    header_only = _acled([])
    late_garbage = acled_csv([acled_row(i) for i in range(1, 41)]
                             + [acled_row(i, latitude="north", longitude="") for i in range(41, 81)])
    cases = {
        "binary.csv": b"PK\x03\x04" + b"\x00" * 64,
        "latin1.csv": _acled(range(1, 3), notes="caf\xe9").replace("café".encode(), b"caf\xe9"),
        "header.csv": header_only,
        "late.csv": late_garbage,  # the first chunk is fine, a later one is mostly bad
        "nothing.csv": b"",
    }
    monkeypatch.setattr(imports, "CHUNK_ROWS", 20)
    for name, data in cases.items():
        with pytest.raises(ImportRejected) as refused:
            imports.import_dataset(store, io.BytesIO(data), name)
        assert refused.value.message, name
        assert _state(store) == before, name
    with pytest.raises(ImportRejected, match="from line 42"):  # where, in the whole file
        imports.import_dataset(store, io.BytesIO(late_garbage), "late.csv")
    with pytest.raises(StoreError, match="already exists"):
        imports.import_dataset(store, io.BytesIO(_acled(range(1, 3))), "x.csv", name="Kept")
    with pytest.raises(StoreError, match="no imported dataset"):
        imports.import_dataset(store, io.BytesIO(_acled(range(1, 3))), "x.csv", name="Absent", update=True)
    assert _state(store) == before
    bad = tmp_path / "binary.csv"
    bad.write_bytes(cases["binary.csv"])
    out, err = _cli(store_url, str(bad)).communicate(timeout=120)
    assert "was not imported" in err and "ZIP" in err and "Traceback" not in err
    assert _state(store) == before


def test_chunks_keep_line_numbers_and_quoted_newlines(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 7)
    rows = [acled_row(i, notes=f'Line one of {i}\n"quoted", line two') for i in range(1, 31)]
    rows[20]["latitude"] = "abc"  # row 21 starts on line 2 + 20 * 2
    rows.append(acled_row(3))  # a repeat of an id from an earlier chunk
    store = open_store(store_url)
    report = imports.import_dataset(store, io.BytesIO(acled_csv(rows)), "chunked.csv")
    assert report.skipped == [(42, "latitude 'abc' is not a number")]
    assert report.added == 29 and report.duplicates == 1
    with store.reading() as conn:
        events = imports.dataset_records(conn, imports.list_datasets(conn)[0].id)
    assert events.loc[events["event_id_cnty"] == "TJK7", "notes"].item() == 'Line one of 7\n"quoted", line two'


def _text_index_schema(store) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """SQLite: the FTS table and its triggers as created (the import takes the insert trigger away
    while it writes); PostgreSQL: the text index."""
    with store.reading() as conn:
        if store.is_postgres:
            return conn.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = :name"),
                                {"name": "ix_events_search"}).all()
        return conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE name LIKE 'events_fts%' "
                                    "AND type IN ('table', 'trigger') ORDER BY name").all()


@pytest.mark.parametrize("side", ["reading", "writing"])
def test_a_failure_on_either_side_of_the_pipeline_leaves_no_trace(
    store_url: str, monkeypatch: pytest.MonkeyPatch, side: str,
) -> None:
    """Chunks are parsed in a thread while the previous one is written: an error in either
    aborts the whole import with that error, and the reading thread stops."""
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_acled(range(1, 4))), "kept.csv", name="Kept")
    before, schema = _state(store), _text_index_schema(store)
    assert schema
    monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
    calls = []
    target = "event_rows" if side == "reading" else "bulk_insert"
    original = getattr(imports, target)

    def failing_on_the_third_chunk(*args: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError(f"{side} failed")
        return original(*args)

    monkeypatch.setattr(imports, target, failing_on_the_third_chunk)
    with pytest.raises(RuntimeError, match=f"^{side} failed$"):
        imports.import_dataset(store, io.BytesIO(_acled(range(1, 101))), "broken.csv")
    assert _state(store) == before and _text_index_schema(store) == schema
    assert not [thread for thread in threading.enumerate() if thread.name == "import-reader"]
    # A refused file is refused with the importer's message, as before the pipeline.
    monkeypatch.setattr(imports, target, original)
    late = acled_csv([acled_row(i) for i in range(1, 41)]
                     + [acled_row(i, latitude="north", longitude="") for i in range(41, 81)])
    with pytest.raises(ImportRejected, match="from line 42"):
        imports.import_dataset(store, io.BytesIO(late), "late.csv")
    assert _state(store) == before and _text_index_schema(store) == schema


def test_import_keeps_the_text_index_and_its_triggers(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import indexes its events' text in one statement (SQLite: without the per-row
    trigger): the index holds exactly the events' text, and later writes are indexed by the trigger."""
    store = open_store(store_url)
    schema = _text_index_schema(store)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 25)
    imports.import_dataset(store, io.BytesIO(_acled(range(1, 101), notes="Invented shelling near Kalai")),
                           "first.csv", name="First")
    imports.import_dataset(store, io.BytesIO(_acled(range(50, 151), timestamp=1764200000, notes="Revised crossing")),
                           "second.csv", name="First", update=True, deletions=["TJK150", "TJK10"])
    assert _text_index_schema(store) == schema
    with store.writing() as conn:  # a write outside an import goes through the trigger
        conn.execute(t.events.update().where(t.events.c.event_id_cnty == "TJK1").values(search="invented bridge"))
    with store.reading() as conn:
        e = t.events.c
        if not store.is_postgres:
            conn.exec_driver_sql(f"INSERT INTO {t.FTS_TABLE}({t.FTS_TABLE}) VALUES ('integrity-check')")
            def matching(word: str) -> list[str]:  # the index's candidates, confirmed by the text
                terms = " ".join(f'"{word[i:i + 3]}"' for i in range(len(word) - 2))
                return conn.exec_driver_sql(
                    f"SELECT e.event_id_cnty FROM {t.FTS_TABLE} f JOIN events e ON e.id = f.rowid "
                    f"WHERE {t.FTS_TABLE} MATCH ? AND e.search LIKE ? ORDER BY e.id", (terms, f"%{word}%"),
                ).scalars().all()

            assert matching("crossing") == [f"TJK{i}" for i in range(50, 150)]
            assert matching("bridge") == ["TJK1"]
        counts = conn.execute(sa.select(sa.func.count()).where(e.search.like("%crossing%"))).scalar_one()
        assert counts == 100
