"""Queries against the store on SQLite and PostGIS.

* The curated layer's query tests (tests/test_state_query.py) run again here on
  the records as each engine stores them.
* The SQL filters on an imported dataset select exactly what the in-memory
  query (panjmap.query) selects on the same records.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io

import pytest

from panjmap import query
from panjmap.data import store_dataset
from panjmap.layers import curated_layer
from panjmap.state import ViewState
from panjmap.store import imports, open_store
from panjmap.store.queries import count_events, filter_events
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


def _events() -> bytes:
    """Synthetic events varied on every filtered field, with LIKE wildcards and non-Latin text."""
    rows = []
    kinds = [("Battles", "Armed clash"), ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest")]
    for i in range(1, 61):
        kind, sub = kinds[i % 3]
        rows.append(acled_row(
            i,
            event_date=(dt.date(2024, 1, 1) + dt.timedelta(days=11 * i)).isoformat(),
            event_type=kind, sub_event_type=sub,
            actor1=["Taliban", "Islamic State Khorasan Province (ISKP)", "Unidentified Armed Group (Afghanistan)",
                    "Drug_smugglers 100%"][i % 4],
            assoc_actor_1="Local militia; Border units" if i % 5 == 0 else "",
            actor2="Civilians (China)" if i % 2 else "Military Forces of Tajikistan (1992-) Border Troops",
            country="Tajikistan" if i % 3 else "Afghanistan",
            admin1=["Khatlon", "GBAO", "Badakhshan"][i % 3],
            latitude=36.5 + i * 0.02, longitude=68.0 + i * 0.05,
            fatalities=i % 4, notes=f"Invented note {i}: {'пограничники' if i % 7 == 0 else 'border post'} 50%_off",
            location=f"Kishlak {i}",
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
    ViewState(sides=("Afghanistan",)),
    ViewState(regions=("GBAO", "Khatlon")),
    ViewState(min_fatalities=2),
    ViewState(text="ПОГРАНИЧНИКИ"),
    ViewState(text="50%_"),
    ViewState(text="%"),
    ViewState(text="kishlak 1"),
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
    records["event_date"] = records["event_date"].astype("datetime64[ns]")
    records["end_date"] = records["end_date"].astype("datetime64[ns]")
    in_memory = query.filter_records(query.record_set("events", records), state)
    assert list(in_sql["event_id_cnty"]) == list(in_memory["event_id_cnty"])
    assert counted == len(in_memory)


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
