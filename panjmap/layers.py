"""Data layers: the curated incidents and each imported dataset, as one kind of thing.

A MapLayer is a set of records plus how it is labelled and coloured; the query
and every renderer treat every layer alike through its methods. A MemoryLayer
holds its records indexed in memory (the curated incidents, drafts, a file a
session holds); a store's imported dataset is a layer that holds none and asks
the store instead (panjmap.store.layers).
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from panjmap import query
from panjmap.cache import ByteBoundedCache
from panjmap.data import Dataset
from panjmap.mapview import style
from panjmap.mapview.incidents import incident_layer
from panjmap.memo import once_per
from panjmap.schema import CONTEXT_SCOPE
from panjmap.state import IMPORT_LAYER_PREFIX, ViewState

CURATED_KEY = "incidents"
CURATED_LABEL = "Curated incidents (seed articles)"
# The most records of one layer a view draws: the map draws ~50k in about half a second
# server-side and sends ~2 MB per rerun (docs/benchmarks.md, "Per filter change").
MAX_SHOWN = 50_000
Bounds = tuple[float, float, float, float]  # a map extent: west, south, east, north (degrees)


@dataclass(frozen=True)
class LayerSummary:
    """What the sidebar's choices and the playback's range need to know of one layer."""

    first_day: dt.date | None  # None: the layer has no records
    last_day: dt.date | None
    border_counts: dict[str, int]  # records per canonical actor among border records
    all_counts: dict[str, int]  # records per canonical actor, wider context included
    nationalities: frozenset[str]
    regions: frozenset[str]
    context_records: int
    max_fatalities: int | None  # None when no record gives a number
    longest_span_days: int  # the most days any record's end_date lies after its event_date


def summary_dates(summaries: list[LayerSummary]) -> tuple[dt.date, dt.date]:
    """(first day, last day) over the layers that have records."""
    return (min(s.first_day for s in summaries if s.first_day),
            max(s.last_day for s in summaries if s.last_day))


class MapLayer(ABC):
    key: str  # "incidents" or "import:<name>"
    label: str
    color: str | None  # None: colour by event type (curated)

    @abstractmethod
    def filtered(self, state: ViewState) -> gpd.GeoDataFrame:
        """The records ``state`` shows (at most ``matching(state)`` of them)."""

    @abstractmethod
    def matching(self, state: ViewState) -> int:
        """How many records pass the filters of ``state``; more than ``filtered`` holds if the view is capped."""

    @abstractmethod
    def total(self) -> int:
        """Every record of the layer."""

    @abstractmethod
    def record(self, record_id: str) -> pd.Series | None:
        """The record with this ``event_id_cnty``, if the layer has it."""

    @abstractmethod
    def summary(self) -> LayerSummary: ...

    def drawn(self, state: ViewState, bounds: Bounds | None = None) -> tuple[gpd.GeoDataFrame, str]:
        """The records the map draws for ``state`` while it shows ``bounds``, and what that leaves out
        in words ("" if nothing): ``filtered(state)`` here; a layer that caps its views overrides it."""
        records = self.filtered(state)
        return records, capped_notice(self, state, len(records))

    def daily_counts(self, state: ViewState) -> pd.DataFrame:
        """Per day (``day``, a timestamp) the records ``state`` selects starting then: ``events``,
        ``killed`` (the fatalities given, summed) and ``no_number`` (records giving none)."""
        records = self.filtered(state)
        killed = pd.to_numeric(records["fatalities"], errors="coerce")
        days = pd.DataFrame({"day": pd.to_datetime(records["event_date"]).dt.floor("D"),
                             "killed": killed.fillna(0).astype(float), "unknown": killed.isna()})
        return days.groupby("day").agg(events=("killed", "size"), killed=("killed", "sum"),
                                       no_number=("unknown", "sum")).reset_index()

    def feature_group(self, state: ViewState, filtered: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup:
        """The layer's map group for ``state``; pass ``filtered`` (= self.filtered(state)) if already made."""
        records = self.filtered(state) if filtered is None else filtered
        return incident_layer(records, key=self.key, label=self.label, color=self.color, source=self.table())

    def table(self) -> gpd.GeoDataFrame | None:
        """All the layer's records in one frame, if it holds them (its views are rows of it)."""
        return None


def capped_notice(layer: MapLayer, state: ViewState, shown: int) -> str:
    """What the view leaves out of ``layer`` when it shows only ``MAX_SHOWN`` records; "" if nothing."""
    if shown < MAX_SHOWN:
        return ""
    matching = layer.matching(state)
    if matching <= shown:
        return ""
    return (f"Showing {shown:,} of {matching:,} records (the earliest by date) — "
            "narrow the window or the filters to see the rest.")


# Summaries of in-memory tables, held only as long as their table (see panjmap.cache).
_SUMMARIES: ByteBoundedCache[LayerSummary] = ByteBoundedCache(max_bytes=64 * 1024**2)
# Filtered views of in-memory tables per (table, filters), shared by every session and rerun with
# those filters (their payload for the map is then made once too: mapview.incidents). A filtered
# frame's own bytes, about 8 per cell: its strings and geometries are the table's.
_FILTERED: ByteBoundedCache[gpd.GeoDataFrame] = ByteBoundedCache(
    max_bytes=128 * 1024**2, sizeof=lambda frame: 8 * (frame.shape[0] + 1) * (frame.shape[1] + 1))


# Selected records' rows per (table, record id), ~2 KB each.
_RECORDS: ByteBoundedCache[pd.Series] = ByteBoundedCache(max_bytes=8 * 1024**2, sizeof=lambda row: 2048)
# The map's line per layer ("N of M records · K killed ..."), per filtered frame and total: the
# frames are shared per filters (above; stored layers keep theirs too), so a rerun that changes
# no filter (a selection, a pan, playback's stop) reads it instead of counting again.
_SHOWN: ByteBoundedCache[query.Summary] = ByteBoundedCache(max_bytes=4 * 1024**2)


def shown_summary(records: gpd.GeoDataFrame, total: int) -> query.Summary:
    """``query.summarize(records, total)``, made once per records frame and total (read-only: shared)."""
    return _SHOWN.get_or_make(total, lambda: query.summarize(records, total), owners=[records])


@dataclass(frozen=True)
class MemoryLayer(MapLayer):
    key: str
    label: str
    records: query.RecordSet
    color: str | None = None

    def filtered(self, state: ViewState) -> gpd.GeoDataFrame:
        """Shared, so never to be changed in place."""
        return _FILTERED.get_or_make(query.filter_key(state), lambda: query.filter_records(self.records, state),
                                     owners=[self.records.records])

    def matching(self, state: ViewState) -> int:
        return len(self.filtered(state))

    def table(self) -> gpd.GeoDataFrame:
        return self.records.records

    def total(self) -> int:
        return len(self.records.records)

    def record(self, record_id: str) -> pd.Series | None:
        """Shared, so never to be changed in place."""
        # Asked twice on every rerun with a selection: the ids are indexed once per loaded table,
        # and a selected record's row is made once (a row of mixed types is a costly Series).
        records = self.records.records
        position = once_per(records, _positions).get(record_id)
        if position is None:
            return None
        return _RECORDS.get_or_make(record_id, lambda: records.iloc[position], owners=[records])

    def summary(self) -> LayerSummary:
        return _SUMMARIES.get_or_make(None, lambda: _summarize(self.records), owners=[self.records.records])


def _summarize(rs: query.RecordSet) -> LayerSummary:
    table = rs.records
    first, last = query.date_bounds([rs]) if len(table) else (None, None)
    known = table["fatalities"].dropna()
    spans = (table["end_date"] - table["event_date"]).dropna()
    return LayerSummary(
        first_day=first, last_day=last,
        border_counts=query.actor_counts([rs], ViewState()),
        all_counts=query.actor_counts([rs], ViewState(context=True)),
        nationalities=frozenset(query.nationalities(table["victim_nationality"])),
        regions=frozenset(r for r in table["admin1"] if r),
        context_records=int((table["scope"] == CONTEXT_SCOPE).sum()) if "scope" in table else 0,
        max_fatalities=int(known.max()) if len(known) else None,
        longest_span_days=int(spans.max().days) if len(spans) else 0,
    )


_CURATED: dict[int, MemoryLayer] = {}


def curated_layer(dataset: Dataset) -> MemoryLayer:
    """The curated incidents as a layer; indexed once per loaded dataset (every rerun asks for it)."""
    layer = _CURATED.get(id(dataset))
    if layer is None or layer.records.records is not dataset.incidents:
        layer = MemoryLayer(
            key=CURATED_KEY,
            label=CURATED_LABEL,
            records=query.record_set(CURATED_KEY, dataset.incidents, dataset.claims, dataset.evidence),
        )
        _CURATED.clear()  # one dataset at a time: a reload replaces it
        _CURATED[id(dataset)] = layer
    return layer


def import_key(name: str) -> str:
    return IMPORT_LAYER_PREFIX + name


def with_dates(records: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Importer output (ISO date strings) with its dates as timestamps, as the query and renderers take them."""
    records = records.copy()
    for col in ("event_date", "end_date"):
        records[col] = pd.to_datetime(records[col], format="%Y-%m-%d")
    return records


def imported_layer(name: str, records: gpd.GeoDataFrame, color_index: int) -> MemoryLayer:
    """An imported dataset held in memory (importer output) as a map layer in its own colour."""
    return MemoryLayer(
        key=import_key(name),
        label=name,
        records=query.record_set(import_key(name), with_dates(records)),
        color=style.import_color(color_index),
    )


def visible_layers(state: ViewState, dataset: Dataset, imported: tuple[MapLayer, ...] = ()) -> list[MapLayer]:
    """The data layers the state shows: imported ones first, curated on top."""
    layers = [layer for layer in imported if layer.key in state.layers]
    if CURATED_KEY in state.layers:
        layers.append(curated_layer(dataset))
    return layers


def _positions(records: pd.DataFrame) -> dict[str, int]:
    """Each record id's first row position."""
    positions: dict[str, int] = {}
    for position, record_id in enumerate(records["event_id_cnty"].astype(str)):
        positions.setdefault(record_id, position)
    return positions
