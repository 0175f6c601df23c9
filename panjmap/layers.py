"""Data layers: the curated incidents and each imported dataset, as one kind of thing.

A MapLayer is an indexed record set plus how it is labelled and coloured; the
query and every renderer treat the curated layer and imported layers alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from panjmap import query
from panjmap.data import Dataset
from panjmap.mapview import style
from panjmap.mapview.incidents import incident_layer
from panjmap.state import IMPORT_LAYER_PREFIX, ViewState

CURATED_KEY = "incidents"
CURATED_LABEL = "Curated incidents (seed articles)"


@dataclass(frozen=True)
class MapLayer:
    key: str  # "incidents" or "import:<name>"
    label: str
    records: query.RecordSet
    color: str | None = None  # None: colour by event type (curated)

    def filtered(self, state: ViewState) -> gpd.GeoDataFrame:
        return query.filter_records(self.records, state)

    def feature_group(self, state: ViewState, filtered: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup:
        """The layer's map group for ``state``; pass ``filtered`` (= self.filtered(state)) if already made."""
        records = self.filtered(state) if filtered is None else filtered
        return incident_layer(records, key=self.key, label=self.label, color=self.color)


_CURATED: dict[int, MapLayer] = {}


def curated_layer(dataset: Dataset) -> MapLayer:
    """The curated incidents as a layer; indexed once per loaded dataset (every rerun asks for it)."""
    layer = _CURATED.get(id(dataset))
    if layer is None or layer.records.records is not dataset.incidents:
        layer = MapLayer(
            key=CURATED_KEY,
            label=CURATED_LABEL,
            records=query.record_set(CURATED_KEY, dataset.incidents, dataset.claims, dataset.evidence),
        )
        _CURATED.clear()  # one dataset at a time: a reload replaces it
        _CURATED[id(dataset)] = layer
    return layer


def import_key(name: str) -> str:
    return IMPORT_LAYER_PREFIX + name


def imported_layer(name: str, records: gpd.GeoDataFrame, color_index: int) -> MapLayer:
    """An imported dataset (importer output, ISO date strings) as a map layer in its own colour."""
    records = records.copy()
    for col in ("event_date", "end_date"):
        records[col] = pd.to_datetime(records[col], format="%Y-%m-%d")
    return MapLayer(
        key=import_key(name),
        label=name,
        records=query.record_set(import_key(name), records),
        color=style.import_color(color_index),
    )


def visible_layers(state: ViewState, dataset: Dataset, imported: tuple[MapLayer, ...] = ()) -> list[MapLayer]:
    """The data layers the state shows: imported ones first, curated on top."""
    layers = [layer for layer in imported if layer.key in state.layers]
    if CURATED_KEY in state.layers:
        layers.append(curated_layer(dataset))
    return layers
