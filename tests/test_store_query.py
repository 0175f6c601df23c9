"""Queries against the store on SQLite and PostGIS.

* The curated layer's query tests (tests/test_state_query.py) run again here on
  the records as each engine stores them.
* The SQL filters on an imported dataset select exactly what the in-memory
  query (panjmap.query) selects on the same records, through the structures
  that make them fast (the ``event_actors`` table, the text indexes), which
  stay consistent with the events through import, re-sync and removal.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from panjmap import query
from panjmap.data import store_dataset
from panjmap.layers import curated_layer
from panjmap.state import ViewState
from panjmap.store import imports, open_store
from panjmap.store import tables as t
from panjmap.store.layers import count_days, count_matching, select_shown
from panjmap.store.queries import conditions, count_events, filter_events
from tests import test_state_query
from tests.importer_fixtures import acled_csv, acled_row

# Every curated-layer query test, collected here too with this module's ``layer``.
for _name, _test in vars(test_state_query).items():
    if _name.startswith("test_") and "layer" in inspect.signature(_test).parameters:
        globals()[_name] = _test


@pytest.fixture
def layer(store_url: str):  # type: ignore[no-untyped-def]
    """The curated layer read from a store on each engine (seeded from seeds/)."""
    return curated_layer(store_dataset(open_store(store_url)))


def _events(timestamp: int = 1764115200, actor_shift: int = 0, ids: range = range(1, 61)) -> bytes:
    """Synthetic events varied on every filtered field, with LIKE wildcards, quotes and non-Latin text."""
    rows = []
    kinds = [("Battles", "Armed clash"), ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest")]
    for i in ids:
        kind, sub = kinds[i % 3]
        rows.append(acled_row(
            i,
            event_date=(dt.date(2024, 1, 1) + dt.timedelta(days=11 * i)).isoformat(),
            event_type=kind, sub_event_type=sub,
            actor1=["Taliban", "Islamic State Khorasan Province (ISKP)", "Unidentified Armed Group (Afghanistan)",
                    "Drug_smugglers 100%"][(i + actor_shift) % 4],
            assoc_actor_1="Local militia; Border units" if i % 5 == 0 else "",
            actor2="Civilians (China)" if i % 2 else "Military Forces of Tajikistan (1992-) Border Troops",
            country="Tajikistan" if i % 3 else "Afghanistan",
            admin1=["Khatlon", "GBAO", "Badakhshan"][i % 3],
            latitude=36.5 + i * 0.02, longitude=68.0 + i * 0.05,
            fatalities=i % 4, notes=f"Invented note {i}: {'пограничники' if i % 7 == 0 else 'border post'} 50%_off"
            + (' مرزبانان گفتند "ایست"' if i % 4 == 0 else ""),
            location=f"Kishlak {i}", timestamp=timestamp,
        ))
    return acled_csv(rows)


STATES = [
    ViewState(),
    ViewState(date_from=dt.date(2024, 6, 1), date_to=dt.date(2025, 2, 1)),
    ViewState(event_types=("Battles", "Protests")),
    ViewState(actors=("Taliban",)),
    ViewState(actors=("Unknown / unclaimed", "Border units")),
    ViewState(actors=("Drug_smugglers 100%",)),
    ViewState(actors=("Drug%",)),  # a wildcard is a character, not a pattern
    ViewState(actors=("ISKP",)),  # an alias selects its actor, as in memory
    ViewState(sides=("Afghanistan",)),
    ViewState(regions=("GBAO", "Khatlon")),
    ViewState(min_fatalities=2),
    # Text: needles of 3+ characters go through the trigram index; no index looks up shorter ones (the
    # map's layers read them from ix_events_date_text on SQLite, event_text on PostgreSQL).
    ViewState(text="ПОГРАНИЧНИКИ"),
    ViewState(text="ПОГ"),
    ViewState(text="50%_"),
    ViewState(text="%_o"),
    ViewState(text="%"),
    ViewState(text="_"),
    ViewState(text="o%"),  # as a pattern these two would match every event
    ViewState(date_from=dt.date(2024, 6, 1), date_to=dt.date(2025, 2, 1), text="_o"),  # short, in a window
    ViewState(text="p_st"),
    ViewState(text="7"),
    ViewState(text="ж"),  # no event holds it
    ViewState(text="17"),
    ViewState(text="kishlak 1"),
    ViewState(text="مرزبان"),
    ViewState(text="مر"),
    ViewState(text='"ایست"'),
    ViewState(text='"'),
    ViewState(date_from=dt.date(2024, 3, 1), actors=("Taliban", "Civilians (China)"), event_types=("Battles",),
              sides=("Tajikistan",), min_fatalities=1, text="note"),
]


@pytest.mark.parametrize("state", STATES, ids=[s.query_string() or "all" for s in STATES])
def test_sql_filters_select_what_the_in_memory_query_selects(store_url: str, state: ViewState) -> None:
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_events()), "events.csv", name="Events")
    with store.reading() as conn:
        dataset_id = imports.list_datasets(conn)[0].id
        records = imports.dataset_records(conn, dataset_id)
        in_sql = filter_events(conn, dataset_id, state)
        counted = count_events(conn, dataset_id, state)
        # The map layer's queries (which may read other tables or indexes), past and within a cap.
        span = 10_000  # days; any span at least the dataset's longest gives the same selection
        layer_count = count_matching(conn, dataset_id, state, span)
        shown = select_shown(conn, dataset_id, state, span)
        capped = select_shown(conn, dataset_id, state, span, limit=5)
        days = count_days(conn, dataset_id, state, span)
    records["event_date"] = records["event_date"].astype("datetime64[ns]")
    records["end_date"] = records["end_date"].astype("datetime64[ns]")
    in_memory = query.filter_records(query.record_set("events", records), state)
    assert list(in_sql["event_id_cnty"]) == list(in_memory["event_id_cnty"])
    assert counted == layer_count == shown.matching == capped.matching == len(in_memory)
    assert list(shown.records["event_id_cnty"]) == list(in_memory["event_id_cnty"])
    earliest = in_memory.sort_values("event_date", kind="stable").head(5)  # by date, then import order
    assert list(capped.records["event_id_cnty"]) == list(earliest["event_id_cnty"])
    assert days["events"].sum() == in_memory["event_date"].notna().sum()


def test_bounds_select_the_events_inside(store_url: str) -> None:
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_events()), "events.csv", name="Events")
    bounds = (68.5, 36.6, 69.5, 37.5)
    with store.reading() as conn:
        dataset_id = imports.list_datasets(conn)[0].id
        everything = imports.dataset_records(conn, dataset_id)
        inside = filter_events(conn, dataset_id, ViewState(), bounds=bounds)
    x, y = everything.geometry.x, everything.geometry.y
    expected = everything[(x >= 68.5) & (x <= 69.5) & (y >= 36.6) & (y <= 37.5)]
    assert 0 < len(inside) < len(everything)
    assert list(inside["event_id_cnty"]) == list(expected["event_id_cnty"])


def _explain(conn: sa.Connection, dataset_id: int, state: ViewState) -> str:
    postgis = conn.dialect.name == "postgresql"
    # Without "dataset_id = ?" on events (every one of these 60 events is in the dataset): PostgreSQL
    # would read that index rather than a text or actor index this small table does not need.
    statement = sa.select(sa.func.count()).select_from(t.events).where(
        *conditions(state, postgis=postgis, dataset_id=dataset_id))
    if postgis:  # a 60-row table is read whole; show the plan the index makes possible
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
        compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        return "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))
    sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    return "\n".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_actor_and_text_filters_use_their_indexes(store_url: str) -> None:
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_events()), "events.csv", name="Events")
    with store.reading() as conn:
        dataset_id = imports.list_datasets(conn)[0].id
        postgis = conn.dialect.name == "postgresql"
        assert "ix_event_actors_actor" in _explain(conn, dataset_id, ViewState(actors=("Taliban",)))
        text_index = "ix_events_search" if postgis else t.FTS_TABLE
        assert text_index in _explain(conn, dataset_id, ViewState(text="border"))
        assert text_index in _explain(conn, dataset_id, ViewState(text="50%_"))
        if not postgis:  # shorter than a trigram: scanned
            assert t.FTS_TABLE not in _explain(conn, dataset_id, ViewState(text="bo"))
        else:  # the map layer reads it from the narrow table, then the rows of the ids it found
            short = ViewState(text="bo")
            run = lambda c: (select_shown(c, dataset_id, short, 0, limit=5), count_days(c, dataset_id, short, 0))  # noqa: E731
            count, ids_then_rows, *_, days = _statements(conn, run)  # (between them: the dataset's name)
            assert "FROM event_text" in count and "FROM events" not in count
            assert "FROM event_text" in ids_then_rows and "LIMIT" in ids_then_rows.split("FROM event_text")[1]
            assert "FROM event_text" in days and "FROM events" not in days
        if not postgis:  # (PostgreSQL picks among the date indexes by its statistics of 60 rows)
            plan = _explain(conn, dataset_id, ViewState(event_types=("Battles",), date_from=dt.date(2024, 6, 1)))
            assert "ix_events_type_dates" in plan


def _executed(conn: sa.Connection, run) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """Each statement ``run(conn)`` executes, with its parameters."""
    statements = []

    def grab(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    sa.event.listen(conn, "before_cursor_execute", grab)
    try:
        run(conn)
    finally:
        sa.event.remove(conn, "before_cursor_execute", grab)
    return statements


def _statements(conn: sa.Connection, run) -> list[str]:  # type: ignore[no-untyped-def]
    return [" ".join(sql.split()) for sql, _ in _executed(conn, run)]


def _plans_of(conn: sa.Connection, run) -> list[str]:  # type: ignore[no-untyped-def]
    """SQLite's plan of each statement ``run(conn)`` executes."""
    return ["\n".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
            for sql, params in _executed(conn, run)]


def test_sqlite_layer_queries_read_an_index_only_or_the_table_in_order(tmp_path: Path) -> None:
    """The timeline of a whole layer reads a date index only (both hold the fatalities); a needle
    shorter than a trigram (no index looks it up) reads ``ix_events_date_text`` only, not the table,
    for the count, the earliest ids and the daily counts; filters on a column no index holds
    (nationalities) read the table in order, not through an index with a row lookup per event."""
    from panjmap.store.layers import count_days, count_matching, select_shown

    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")  # SQLite's planner: one engine only
    imports.import_dataset(store, io.BytesIO(_events()), "events.csv", name="Events")
    with store.reading() as conn:
        dataset_id = imports.list_datasets(conn)[0].id
        (days,) = _plans_of(conn, lambda c: count_days(c, dataset_id, ViewState(), 0))
        assert "USING COVERING INDEX ix_events_date" in days  # ix_events_dates or ix_events_date_text
        text_index = "USING COVERING INDEX ix_events_date_text"
        for short in (ViewState(text="ki"), ViewState(text="%", min_fatalities=1)):
            count, shown, *_ = _plans_of(conn, lambda c: select_shown(c, dataset_id, short, 0, limit=5))
            assert count.startswith(f"SEARCH events {text_index} (dataset_id=?)")
            assert f"LIST SUBQUERY 1\nSEARCH events {text_index} (dataset_id=?)\n" in shown  # the earliest ids
            (short_days,) = _plans_of(conn, lambda c: count_days(c, dataset_id, short, 0))
            assert short_days.startswith(f"SEARCH events {text_index} (dataset_id=?)")
        nationality = ViewState(nationalities=("Chinese",))
        count, shown, *_ = _plans_of(conn, lambda c: select_shown(c, dataset_id, nationality, 0, limit=5))
        assert count == "SCAN events"
        assert "LIST SUBQUERY 1\nSCAN events\n" in shown  # the earliest ids; then their rows
        (nationality_days,) = _plans_of(conn, lambda c: count_days(c, dataset_id, nationality, 0))
        assert nationality_days.startswith("SCAN events\n")
        assert _plans_of(conn, lambda c: count_matching(c, dataset_id, ViewState(), 0)) != ["SCAN events"]


def _actor_rows(conn: sa.Connection) -> list[tuple[int, str, int]]:
    a = t.event_actors.c
    return sorted(conn.execute(sa.select(a.event_id, a.actor, a.dataset_id)).all())


def _actors_of_events(conn: sa.Connection) -> list[tuple[int, str, int]]:
    e = t.events.c
    return sorted((row.id, name, row.dataset_id) for row in conn.execute(sa.select(e.id, e.actors, e.dataset_id))
                  for name in row.actors.split(t.ACTOR_SEP) if name)


def _assert_indexes_follow_events(store) -> None:  # type: ignore[no-untyped-def]
    with store.reading() as conn:
        assert _actor_rows(conn) == _actors_of_events(conn)
        if conn.dialect.name == "sqlite":  # the FTS index holds exactly the events' search text
            conn.exec_driver_sql(f"INSERT INTO {t.FTS_TABLE}({t.FTS_TABLE}) VALUES ('integrity-check')")
        else:  # event_text holds exactly the events' dates, fatalities and search text
            narrow = t.event_text.c
            projection = [t.events.c[c.name] for c in narrow]
            assert sorted(conn.execute(sa.select(*narrow)).all()) == sorted(conn.execute(sa.select(*projection)).all())


def test_actor_rows_and_text_index_follow_import_resync_and_removal(store_url: str) -> None:
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_events()), "events.csv", name="Events")
    imports.import_dataset(store, io.BytesIO(_events(ids=range(1, 11))), "other.csv", name="Other")
    _assert_indexes_follow_events(store)
    with store.reading() as conn:
        assert len(_actor_rows(conn)) > 140  # two or three names per event
        unknown = [row for row in _actor_rows(conn) if row[1] == query.UNKNOWN_ACTOR]
        assert unknown  # the importer's pseudo-actor is a row like any name

    # A full re-export: ids 1-20 gone, 21-70 newer with other actors (50 replaced or added).
    newer = _events(timestamp=1764115300, actor_shift=1, ids=range(21, 71))
    report = imports.import_dataset(store, io.BytesIO(newer), "events.csv", name="Events", update=True, full=True)
    assert (report.added, report.updated, report.removed) == (10, 40, 20)
    _assert_indexes_follow_events(store)
    if store.is_postgres:  # an update of a column event_text holds follows too (no import makes one today)
        e = t.events.c
        with store.writing() as conn:
            conn.execute(t.events.update().where(e.event_id_cnty.in_(["TJK30", "TJK31"]))
                         .values(search="zz", fatalities=99, event_date="2020-01-01", end_date="2020-01-02"))
        _assert_indexes_follow_events(store)
    with store.reading() as conn:
        dataset_id = next(ds.id for ds in imports.list_datasets(conn) if ds.name == "Events")
        records = imports.dataset_records(conn, dataset_id)
        records["event_date"] = records["event_date"].astype("datetime64[ns]")
        records["end_date"] = records["end_date"].astype("datetime64[ns]")
        for state in (ViewState(actors=("Taliban",)), ViewState(text="kishlak 2"), ViewState(text="ПОГ")):
            expected = query.filter_records(query.record_set("events", records), state)
            assert list(filter_events(conn, dataset_id, state)["event_id_cnty"]) == list(expected["event_id_cnty"])
            assert len(expected)

    imports.remove_dataset(store, "Events")
    _assert_indexes_follow_events(store)
    with store.reading() as conn:
        assert {row[2] for row in _actor_rows(conn)} == {imports.list_datasets(conn)[0].id}


def test_filter_events_leaves_out_the_original_row_unless_asked(store_url: str) -> None:
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_events()), "events.csv", name="Events")
    with store.reading() as conn:
        dataset_id = imports.list_datasets(conn)[0].id
        drawn = filter_events(conn, dataset_id, ViewState(text="kishlak"))
        whole = filter_events(conn, dataset_id, ViewState(text="kishlak"), with_original=True)
    assert "original" not in drawn and list(drawn.columns) == [c for c in whole.columns if c != "original"]
    assert drawn.drop(columns="geometry").equals(whole.drop(columns=["geometry", "original"]))
