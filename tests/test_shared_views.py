"""Views with the same filters share one filtered frame and one map payload (issue 15, capacity).

Every session of a process asks for the same few views (a shared link, the default
view); the filtered records and the map's payload for them are made once and shared,
and they go when the table they came from goes.
"""

from __future__ import annotations

import gc

import pandas as pd

from panjmap import layers, query
from panjmap.data import load_dataset
from panjmap.layers import curated_layer, imported_layer
from panjmap.mapview import incidents
from panjmap.state import ViewState


def test_filter_key_ignores_what_does_not_select_records() -> None:
    a = ViewState(event_types=("Battles", "Explosions/Remote violence"), text=" Drone ")
    moved = a.replace(center=(37.0, 70.0), zoom=9, selected="incidents/X", layers=(), basemap="osm",
                      event_types=("Explosions/Remote violence", "Battles"), text="drone")
    assert query.filter_key(a) == query.filter_key(moved)
    for other in (a.replace(text="border"), a.replace(context=True), a.replace(min_fatalities=1),
                  a.replace(event_types=("Battles",)), a.replace(date_to=pd.Timestamp("2024-01-01").date())):
        assert query.filter_key(other) != query.filter_key(a)


def test_same_filters_share_one_frame_equal_to_the_query() -> None:
    layer = curated_layer(load_dataset())
    view = ViewState(event_types=("Battles",))
    first = layer.filtered(view)
    again = layer.filtered(view.replace(zoom=11, selected="incidents/anything"))
    assert again is first
    pd.testing.assert_frame_equal(first, query.filter_records(layer.records, view))
    wider = layer.filtered(ViewState())
    assert wider is not first and len(wider) > len(first)
    pd.testing.assert_frame_equal(wider, query.filter_records(layer.records, ViewState()))
    assert layer.matching(view) == len(first)


def test_payload_made_once_per_frame_and_colour() -> None:
    records = curated_layer(load_dataset()).filtered(ViewState())
    shared = incidents.shared_payload(records)
    assert incidents.shared_payload(records) is shared
    assert shared == incidents.incident_payload(records)
    red = incidents.shared_payload(records, "#ff0000")
    assert red is not shared and {t["color"] for t in red[0]} == {"#ff0000"}


def test_shared_entries_go_with_their_table() -> None:
    curated = load_dataset().incidents
    table = curated[curated.geometry.notna()].head(5).copy()
    table["event_date"] = table["event_date"].dt.strftime("%Y-%m-%d")
    table["end_date"] = table["end_date"].dt.strftime("%Y-%m-%d")
    layer = imported_layer("gone", table, 0)
    shown = layer.filtered(ViewState())
    incidents.shared_payload(shown, layer.color)
    layers.shown_summary(shown, layer.total())
    filtered_before, payloads_before, summaries_before = len(layers._FILTERED), len(incidents._PAYLOADS), len(layers._SHOWN)
    del layer, shown
    gc.collect()
    assert len(layers._FILTERED) == filtered_before - 1
    assert len(incidents._PAYLOADS) == payloads_before - 1
    assert len(layers._SHOWN) == summaries_before - 1


def test_summary_line_counted_once_per_frame() -> None:
    layer = curated_layer(load_dataset())
    view = ViewState(event_types=("Battles",))
    summary = layers.shown_summary(layer.filtered(view), layer.total())
    assert layers.shown_summary(layer.filtered(view.replace(selected="incidents/PNJ002")), layer.total()) is summary
    assert summary == query.summarize(layer.filtered(view), layer.total())
    assert summary.shown == len(layer.filtered(view)) < layer.total()
    assert layers.shown_summary(layer.filtered(view), 1000).total == 1000
    assert layers.shown_summary(layer.filtered(ViewState()), layer.total()).shown > summary.shown


def test_payload_from_the_tables_rows_equals_the_payload_of_the_frame() -> None:
    """A filter change encodes its rows from values derived once per table: the same payload."""
    dataset = load_dataset()
    curated = dataset.incidents
    table = curated.head(12).copy()
    table["event_id_cnty"] = [f"X-{i}" if i % 5 else f"free text {i}" for i in range(len(table))]  # some not prefix+number
    table["reported_location"] = ["Somewhere district" if i % 3 == 0 else "" for i in range(len(table))]
    table["event_date"] = table["event_date"].dt.strftime("%Y-%m-%d")
    table["end_date"] = table["end_date"].dt.strftime("%Y-%m-%d")
    for layer in (curated_layer(dataset), imported_layer("odd ids", table, 2)):
        for view in (ViewState(), ViewState(context=True), ViewState(event_types=("Battles",)), ViewState(text="drone"),
                     ViewState(text="no such words anywhere"), ViewState(date_from=pd.Timestamp("2025-01-01").date())):
            records = layer.filtered(view)
            assert incidents._payload_of(records, layer.color, layer.table()) == incidents.incident_payload(records, layer.color)
    some = curated.iloc[[5, 2, 9]]  # any rows, in any order
    assert incidents._payload_of(some, None, curated) == incidents.incident_payload(some)
    assert incidents._payload_of(some, None, curated.iloc[:4]) == incidents.incident_payload(some)  # not all its rows


def test_a_selected_record_is_one_shared_row() -> None:
    layer = curated_layer(load_dataset())
    records = layer.table()
    row = layer.record("PNJ019")
    assert layer.record("PNJ019") is row
    pd.testing.assert_series_equal(row, records.iloc[int((records["event_id_cnty"] == "PNJ019").argmax())])
    assert layer.record("PNJ019-not-a-record") is None
