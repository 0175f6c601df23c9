"""Incident layers: filtered records -> one folium FeatureGroup of compact data.

The same builder serves the curated incidents and every imported dataset; an
imported layer draws in its own colour so provenance reads at a glance.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from panjmap.mapview import style
from panjmap.mapview.elements import IncidentLayer

# Above this many points a layer is drawn on one canvas instead of SVG icons.
ICON_LIMIT = 1500
COORD_DECIMALS = 4  # ~11 m: finer than any geo_precision code


def _ints(series: pd.Series) -> list[int | None]:
    values = pd.to_numeric(series, errors="coerce")
    return [None if pd.isna(v) else int(v) for v in values]


def _days(series: pd.Series, day0: pd.Timestamp) -> list[int]:
    return ((pd.to_datetime(series) - day0).dt.days).astype(int).tolist()


def _table(series: pd.Series) -> tuple[list[str], list[int]]:
    """Dictionary-encode repeated strings (locations, actors): the table and each row's index."""
    codes, uniques = pd.factorize(series.fillna("").astype(str))
    return list(uniques), codes.tolist()


def located(records: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geometry = records.geometry
    return records[~(geometry.isna() | geometry.is_empty)]


def incident_payload(records: gpd.GeoDataFrame, color: str | None = None) -> tuple[list[dict], dict[str, list]]:
    """Symbol table and parallel columns for the located records.

    Kept compact for large layers: dates are day offsets from ``day0`` (end as
    a span in days), locations and actors are indexes into string tables.
    """
    records = located(records)
    type_names = sorted(set(records["event_type"]))
    types = []
    for name in type_names:
        symbol = style.symbol_for(name)
        types.append({"name": name, "color": color or symbol.color, "shape": symbol.shape})
    index = {name: i for i, name in enumerate(type_names)}
    fatalities = _ints(records["fatalities"])
    injuries = _ints(records["injuries"])
    start = pd.to_datetime(records["event_date"])
    day0 = start.min() if len(records) else pd.Timestamp("2000-01-01")
    locs, loc_codes = _table(records["location"])
    actors, actor_codes = _table(records["actor1"])
    columns = {
        "day0": day0.strftime("%Y-%m-%d"),
        "locs": locs,
        "actors": actors,
        "id": records["event_id_cnty"].astype(str).tolist(),
        "lat": np.round(records.geometry.y.to_numpy(), COORD_DECIMALS).tolist(),
        "lon": np.round(records.geometry.x.to_numpy(), COORD_DECIMALS).tolist(),
        "t": [index[name] for name in records["event_type"]],
        "r": [round(style.marker_radius(f, i)) for f, i in zip(fatalities, injuries)],
        "gp": _ints(records["geo_precision"]),
        "tp": _ints(records["time_precision"]),
        "d": _days(records["event_date"], day0),
        "span": _days(records["end_date"], day0) if len(records) else [],
        "loc": loc_codes,
        "fat": [f or 0 for f in fatalities],
        "inj": injuries,
        "actor": actor_codes,
    }
    return types, columns


def incident_layer(
    records: gpd.GeoDataFrame,
    key: str,
    label: str,
    color: str | None = None,
    mode: str | None = None,
) -> folium.FeatureGroup:
    """A feature group drawing ``records``; mode defaults by size (icons, or canvas when large)."""
    types, columns = incident_payload(records, color)
    mode = mode or ("icons" if len(columns["id"]) <= ICON_LIMIT else "canvas")
    group = folium.FeatureGroup(name=label)
    IncidentLayer(key=key, label=label, types=types, columns=columns, mode=mode).add_to(group)
    return group
