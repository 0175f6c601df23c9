"""An imported dataset as a map layer that holds no events: every view asks the store (both engines).

What the stored layer shows (records, counts, a record by id, the sidebar's
options, the playback's range) equals what the same dataset shows when loaded
whole in memory; past ``MAX_SHOWN`` a view holds the earliest records by date
and says how many it left out; the process holds only what views showed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zipfile

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from panjmap import layers as layers_module
from panjmap import query, timeline
from panjmap.data import store_dataset
from panjmap.layers import capped_notice, curated_layer, imported_layer
from panjmap.paths import ROOT
from panjmap.records import find_record
from panjmap.state import DEFAULT_LAYERS, ViewState
from panjmap.store import imports, open_store
from panjmap.store import layers as stored
from panjmap.ui import export_panel, map_panel
from panjmap.ui.sidebar import options_for
from tests.importer_fixtures import acled_csv, acled_row, ucdp_csv, ucdp_row
from tests.test_store_query import STATES, _events

NAME = "Events"


@pytest.fixture
def pair(store_url: str) -> tuple[stored.StoredLayer, layers_module.MemoryLayer]:
    """The same imported dataset as the store's layer and loaded whole in memory."""
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(_events()), "events.csv", name=NAME)
    (layer,) = stored.stored_layers(store)
    with store.reading() as conn:
        records = imports.dataset_records(conn, layer.dataset_id)
    return layer, imported_layer(NAME, records, 0)


def _same_records(stored_view: pd.DataFrame, loaded: pd.DataFrame) -> None:
    """A stored layer's view carries the view's columns (not ``original``), as the loaded records hold them."""
    assert list(stored_view.columns) == [*stored.VIEW_COLUMNS, "geometry"]
    assert "original" in loaded.columns
    left, right = stored_view, loaded[list(stored_view.columns)]
    if left.empty or right.empty:  # an empty table's date unit is arbitrary
        assert left.empty and right.empty
        return
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True), check_like=False)


@pytest.mark.parametrize("state", STATES, ids=[s.query_string() or "all" for s in STATES])
def test_a_stored_layer_shows_what_the_loaded_dataset_shows(pair, state: ViewState) -> None:
    layer, memory = pair
    _same_records(layer.filtered(state), memory.filtered(state))
    assert layer.matching(state) == memory.matching(state) == len(memory.filtered(state))


def test_aliases_select_through_canonical_names(pair) -> None:
    layer, memory = pair
    state = ViewState(actors=("ISKP",))  # an alias, as an old URL may hold it
    assert len(memory.filtered(state)) > 0
    _same_records(layer.filtered(state), memory.filtered(state))


def test_totals_records_and_options_come_from_the_store(pair, store_url: str) -> None:
    layer, memory = pair
    assert layer.total() == memory.total() == 60
    assert layer.summary() == memory.summary()
    assert options_for([layer]) == options_for([memory])
    dataset = store_dataset(open_store(store_url))
    assert options_for([curated_layer(dataset), layer]) == options_for([curated_layer(dataset), memory])
    for record_id in ("TJK7", "TJK60"):
        pd.testing.assert_series_equal(layer.record(record_id), memory.record(record_id), check_names=False)
        found_layer, found = find_record(f"{layer.key}/{record_id}", dataset, [layer])
        assert found_layer is layer and found["event_id_cnty"] == record_id
    assert layer.record("TJK999") is None


def test_a_view_past_the_cap_shows_the_earliest_by_date_and_says_so(pair, monkeypatch) -> None:
    layer, memory = pair
    monkeypatch.setattr(layers_module, "MAX_SHOWN", 7)
    monkeypatch.setattr(stored, "MAX_SHOWN", 7)
    state = ViewState(event_types=("Battles", "Protests"))  # 40 of 60
    everything = memory.filtered(state)
    shown = layer.filtered(state)
    earliest = everything.sort_values("event_date", kind="stable").head(7)
    assert sorted(shown["event_id_cnty"]) == sorted(earliest["event_id_cnty"])
    assert layer.matching(state) == len(everything) == 40
    assert capped_notice(layer, state, len(shown)) == (
        "Showing 7 of 40 records (the earliest by date) — narrow the window or the filters to see the rest.")
    narrow = ViewState(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 3, 1))
    assert capped_notice(layer, narrow, len(layer.filtered(narrow))) == ""


@pytest.mark.parametrize("state", [ViewState(text="o"), ViewState(text="ki"), ViewState(min_fatalities=1),
                                   ViewState(text="a", min_fatalities=1)], ids=lambda s: s.query_string())
def test_a_capped_view_of_filters_no_index_answers_shows_the_earliest(pair, monkeypatch, state: ViewState) -> None:
    """(SQLite reads the table in order for these: no index holds a short needle or the fatalities)"""
    layer, memory = pair
    monkeypatch.setattr(layers_module, "MAX_SHOWN", 7)
    monkeypatch.setattr(stored, "MAX_SHOWN", 7)
    everything = memory.filtered(state)
    shown = layer.filtered(state)
    assert layer.matching(state) == len(everything)
    assert len(everything) > 7
    earliest = everything.sort_values("event_date", kind="stable").head(7)
    assert sorted(shown["event_id_cnty"]) == sorted(earliest["event_id_cnty"])


def test_the_process_holds_only_what_a_view_showed(store_url: str) -> None:
    store = open_store(store_url)
    start = dt.date(2020, 1, 1)
    days = {i: start + dt.timedelta(days=i % 1400) for i in range(1, 3001)}
    rows = [acled_row(i, event_date=day.isoformat()) for i, day in days.items()]
    imports.import_dataset(store, io.BytesIO(acled_csv(rows)), "big.csv", name="Big")
    (layer,) = stored.stored_layers(store)
    month = ViewState(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 3, 31))
    shown = layer.filtered(month)
    in_month = sum(month.date_from <= day <= month.date_to for day in days.values())
    assert len(shown) == layer.matching(month) == in_month == 62
    assert shown["event_date"].between(pd.Timestamp(month.date_from), pd.Timestamp(month.date_to)).all()
    # The layer holds no records, only where to find them ...
    assert all(not isinstance(getattr(layer, f.name), pd.DataFrame) for f in dataclasses.fields(layer))
    # ... and what the process cached for this dataset is that month's rows, once for every session.
    cached = [stored._SELECTIONS.get(key) for key in list(stored._SELECTIONS._entries)
              if key[:4] == (layer.url, layer.dataset_id, layer.revision, "shown")]
    assert [len(selection.records) for selection in cached] == [len(shown)]
    (again,) = stored.stored_layers(store)
    assert again.filtered(month.replace(center=(37.0, 70.0), zoom=9)) is shown


@pytest.mark.parametrize("kind", ["geojson", "csv"])
def test_exports_of_a_stored_layer_equal_the_loaded_ones(pair, store_url: str, kind: str) -> None:
    layer, memory = pair
    dataset = store_dataset(open_store(store_url))
    view = ViewState(layers=(*DEFAULT_LAYERS, layer.key), event_types=("Battles",))
    made = [export_panel._data(view, dataset, (each,), kind)() for each in (layer, memory)]
    if kind == "geojson":
        features = [json.loads(data)["features"] for data in made]
        assert features[0] == features[1]
        assert sum(f["properties"]["record_type"] == "imported incident" for f in features[0]) == 20
    else:
        name = f"{view.file_stem()}_imported-1.csv"
        files = [zipfile.ZipFile(io.BytesIO(data)).read(name) for data in made]
        assert files[0] == files[1] and files[0].count(b"\nTJK") == 20


def test_the_app_shows_a_stored_import_from_sql(pair, store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    layer, memory = pair
    monkeypatch.setenv("PANJ_DATABASE_URL", store_url)
    view = ViewState(layers=(*DEFAULT_LAYERS, layer.key), event_types=("Battles",), selected=f"{layer.key}/TJK9")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(view.to_query())
    at.run()
    assert not at.exception, at.exception
    shown = query.summarize(memory.filtered(view), memory.total()).sentence()
    assert shown.startswith("20 of 60 records")
    assert f"**{NAME}:** {shown}" in [m.value for m in at.markdown]
    actors = at.sidebar.multiselect(key="sb_actors").options
    assert "Drug_smugglers 100% (15)" in [a.replace("\\", "") for a in actors]  # an imported actor, counted in SQL
    assert any("Kishlak 9" in m.value for m in at.markdown), "the selected record's details"
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    assert f"Imported: {NAME} (20 of 60 in the current filters)" in [e.label for e in at.expander]


WINDOWS = [(dt.date(2024, 3, 1), dt.date(2024, 3, 31)), (dt.date(2024, 6, 10), None), (None, dt.date(2024, 2, 1)),
           (dt.date(2024, 12, 1), dt.date(2024, 12, 1))]


@pytest.mark.parametrize("window", WINDOWS, ids=[f"{a}..{b}" for a, b in WINDOWS])
def test_records_spanning_months_meet_a_window_as_in_memory(store_url: str, window) -> None:
    """A record shows if its span meets the window, however long the dataset's longest span is."""
    start = dt.date(2024, 1, 1)
    rows = [ucdp_row(i, date_start=f"{start + dt.timedelta(days=7 * i)} 00:00:00.000",
                     date_end=f"{start + dt.timedelta(days=7 * i + (i % 5) * 40)} 00:00:00.000") for i in range(1, 50)]
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(ucdp_csv(rows)), "spans.csv", name="Spans")
    (layer,) = stored.stored_layers(store)
    with store.reading() as conn:
        memory = imported_layer("Spans", imports.dataset_records(conn, layer.dataset_id), 0)
    assert layer.summary() == memory.summary() and layer.summary().longest_span_days == 160
    view = ViewState(date_from=window[0], date_to=window[1])
    _same_records(layer.filtered(view), memory.filtered(view))
    # the long spans reach back: the window catches records that began before it
    assert (memory.filtered(view)["event_date"] < pd.Timestamp(window[0] or dt.date.min)).any() or not window[0]


def test_the_app_says_what_a_capped_view_leaves_out(pair, store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    layer, _ = pair
    monkeypatch.setenv("PANJ_DATABASE_URL", store_url)
    monkeypatch.setattr(layers_module, "MAX_SHOWN", 7)
    monkeypatch.setattr(stored, "MAX_SHOWN", 7)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(ViewState(layers=(*DEFAULT_LAYERS, layer.key), text="kishlak").to_query())
    at.session_state[export_panel.PANEL_KEY] = True  # the export panel open: its notice is made only then
    at.run()
    assert not at.exception, at.exception
    notice = "Showing 7 of 60 records (the earliest by date) — narrow the window or the filters to see the rest."
    assert notice in [i.value for i in at.info]
    assert (f"{NAME}: the PNG, HTML, video and PDF show what the map shows; the GeoJSON, CSV and KML hold all 60 "
            f"matching records. {notice}") in [c.value for c in at.caption]
    assert f"**{NAME}:** 7 of 60 records" in " ".join(m.value for m in at.markdown)
    offered = {b.proto.label.split(" ")[0]: b.proto for b in at.get("download_button")}
    assert not any(offered[kind].disabled for kind in ("GeoJSON", "CSV,", "KML"))
    # Past what the server makes in memory, GeoJSON and KML point to the CSV ZIP and the command line.
    monkeypatch.setattr(export_panel, "MAX_TEXT_FILE_RECORDS", 59)
    at.run()
    offered = {b.proto.label.split(" ")[0]: b.proto for b in at.get("download_button")}
    assert offered["GeoJSON"].disabled and offered["KML"].disabled and not offered["CSV,"].disabled
    assert offered["GeoJSON"].help.startswith("60 records are too many") and "--query" in offered["KML"].help
    # The map reports where it looks: the capped layer draws what matches there.
    at.session_state[map_panel.MAP_KEY] = {"bounds": {"_southWest": {"lat": 36.0, "lng": 69.01},
                                                      "_northEast": {"lat": 38.0, "lng": 69.19}}}
    at.run()
    assert not at.exception, at.exception
    assert ("Showing 5 of 5 records in the map's view (60 match the filters; pan or zoom out to see the others)."
            in [i.value for i in at.info])
    # The timeline counts every matching record in SQL: nothing left out to say.
    at.switch_page("pages/timeline.py").run()
    assert not at.exception, at.exception
    assert not [i.value for i in at.info if "Showing" in i.value]


def test_the_map_bounds_as_reported() -> None:
    corners = {"_southWest": {"lat": 36.0, "lng": -200.0}, "_northEast": {"lat": 38.0, "lng": 69.19}}
    assert map_panel.map_bounds({"bounds": corners}) == (-180.0, 36.0, 69.19, 38.0)
    assert map_panel.map_bounds({"bounds": {"_southWest": {"lat": None, "lng": None},
                                            "_northEast": {"lat": None, "lng": None}}}) is None
    assert map_panel.map_bounds(None) is None and map_panel.map_bounds({"center": {}}) is None


def _within(records: pd.DataFrame, bounds: tuple[float, float, float, float]) -> pd.DataFrame:
    west, south, east, north = bounds
    return records[records.geometry.x.between(west, east) & records.geometry.y.between(south, north)]


def test_a_capped_view_draws_what_matches_in_the_map_bounds(pair, monkeypatch) -> None:
    layer, memory = pair
    monkeypatch.setattr(layers_module, "MAX_SHOWN", 7)
    monkeypatch.setattr(stored, "MAX_SHOWN", 7)
    state = ViewState(event_types=("Battles", "Protests"))  # 40 of 60: capped
    everything = memory.filtered(state)
    # A view holding 4 of them (all drawn), then one holding 16 (the earliest 7 there drawn).
    for bounds, in_view in (((69.01, 36.0, 69.19, 38.0), 4), ((69.01, 36.0, 70.0, 38.0), 16)):
        expected = _within(everything, stored.padded(bounds)).sort_values("event_date", kind="stable")
        assert len(expected) == in_view
        records, notice = layer.drawn(state, bounds)
        assert sorted(records["event_id_cnty"]) == sorted(expected.head(7)["event_id_cnty"])
        _same_records(records.sort_values("event_date", kind="stable"), expected.head(7))
        left_out = ("the earliest by date; zoom in or narrow the filters to see the rest" if in_view > 7
                    else "pan or zoom out to see the others")
        assert notice == f"Showing {min(in_view, 7)} of {in_view} records in the map's view (40 match the filters; {left_out})."
    # Before the map has reported its bounds: the earliest by date, as before.
    records, notice = layer.drawn(state)
    assert len(records) == 7 and notice.startswith("Showing 7 of 40 records (the earliest by date)")


def test_an_uncapped_view_ignores_the_map_bounds(pair) -> None:
    layer, memory = pair
    state = ViewState(event_types=("Battles",))
    records, notice = layer.drawn(state, (69.01, 36.0, 69.19, 38.0))
    _same_records(records, memory.filtered(state))
    assert notice == "" and memory.drawn(state, (69.01, 36.0, 69.19, 38.0))[1] == ""


def test_padded_bounds_grow_outwards() -> None:
    assert stored.padded((69.01, 36.0, 69.19, 38.0)) == (68.99, 35.8, 69.21, 38.2)


DAILY_STATES = [*STATES[:12], ViewState(text="ki")]


@pytest.mark.parametrize("state", DAILY_STATES, ids=[s.query_string() or "all" for s in DAILY_STATES])
def test_daily_counts_come_from_sql_over_every_matching_record(pair, monkeypatch, state: ViewState) -> None:
    layer, memory = pair
    monkeypatch.setattr(layers_module, "MAX_SHOWN", 7)
    monkeypatch.setattr(stored, "MAX_SHOWN", 7)  # the view is capped; the counts are not
    counts = layer.daily_counts(state)
    pd.testing.assert_frame_equal(counts, memory.daily_counts(state))
    assert counts["events"].sum() == memory.matching(state) == len(memory.filtered(state))
    assert counts["killed"].sum() == pd.to_numeric(memory.filtered(state)["fatalities"]).fillna(0).sum()
    # The timeline's lane leaves the shared counts as they were.
    assert len(timeline.daily_totals(layer, state)) == len(counts)
    pd.testing.assert_frame_equal(layer.daily_counts(state), memory.daily_counts(state))
