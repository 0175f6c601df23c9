"""Incident layers: filtered records -> one folium FeatureGroup of compact data.

The same builder serves the curated incidents and every imported dataset; an
imported layer draws in its own colour so provenance reads at a glance.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Hashable

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa  # installed with streamlit (and pandas' string columns)
import pyarrow.compute as pc

from panjmap.cache import ByteBoundedCache
from panjmap.data import located
from panjmap.mapview import style
from panjmap.mapview.elements import IncidentLayer, SelectionSync
from panjmap.record_text import NON_VIOLENT_EVENT_TYPES, casualties_text, place_title, stand_in_note
from panjmap.schema import SEVERAL_KILLED_TAG

# Above this many points a layer is drawn on one canvas instead of SVG icons.
ICON_LIMIT = 1500
COORD_DECIMALS = 4  # ~11 m: finer than any geo_precision code


# An id as a prefix and a whole number written canonically (no leading zero, JS-safe size).
_ID_GROUPS = r"^(?P<p>.*?)(?P<n>0|[1-9][0-9]{0,14})$"


def _numbers(series: pd.Series) -> np.ndarray:
    """Numeric values as floats, NaN where missing or not a number."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _codes(values: np.ndarray, missing: int) -> list[int]:
    """Whole numbers with ``missing`` in place of NaN (smaller than JSON null)."""
    return np.where(np.isnan(values), missing, values).astype(np.int64).tolist()


def _days(series: pd.Series, day0: pd.Timestamp) -> np.ndarray:
    return (pd.to_datetime(series) - day0).dt.days.to_numpy(dtype=np.int64)


def _table(series: pd.Series) -> tuple[list[str], list[int]]:
    """Dictionary-encode repeated strings (locations, actors): the table and each row's index."""
    codes, uniques = pd.factorize(series.fillna("").astype(str))
    return list(uniques), codes.tolist()


def _casualty_texts(records: gpd.GeoDataFrame, fatalities: np.ndarray, injuries: np.ndarray) -> tuple[list[str], list[int]]:
    """Casualties in words per record ("2 killed; injured: not reported"), dictionary-encoded.

    The words come from records.casualties_text, once per distinct (killed, injured,
    response, several) combination, so a 100k-record import costs a handful of calls.
    """
    response = records["event_type"].isin(NON_VIOLENT_EVENT_TYPES).to_numpy()
    tags = records["tags"].fillna("").astype(str) if "tags" in records else pd.Series("", index=records.index)
    several = tags.str.contains(SEVERAL_KILLED_TAG, regex=False).to_numpy()
    keys = pd.Series(list(zip(np.nan_to_num(fatalities, nan=-1), np.nan_to_num(injuries, nan=-1), response, several)))
    codes, uniques = pd.factorize(keys)
    return [_casualty_words(*key) for key in uniques], codes.tolist()


# Words per distinct value, kept per process: every filter change of every session asks again
# for the same few (a Series per call made them ~half of a small layer's payload time).
@functools.lru_cache(maxsize=4096)
def _casualty_words(fatalities: float, injuries: float, response: bool, several: bool) -> str:
    return casualties_text(pd.Series({
        "fatalities": None if fatalities < 0 else fatalities, "injuries": None if injuries < 0 else injuries,
        "event_type": "Strategic developments" if response else "", "tags": SEVERAL_KILLED_TAG if several else "",
    }))


def _places(records: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """Each record's title place (the reported place of a stand-in) and its stand-in note ("" if none)."""
    if "reported_location" not in records or not records["reported_location"].fillna("").astype(str).str.strip().any():
        return records["location"], pd.Series("", index=records.index)
    pairs = [_place_words(location, reported)
             for location, reported in zip(records["location"].tolist(), records["reported_location"].tolist())]
    return (pd.Series([p for p, _ in pairs], index=records.index), pd.Series([s for _, s in pairs], index=records.index))


@functools.lru_cache(maxsize=4096)
def _place_words(location: object, reported: object) -> tuple[str, str]:
    """(place_title, stand_in_note) of a record at ``location`` reported at ``reported``."""
    record = pd.Series({"location": location, "reported_location": reported}, dtype=object)
    return place_title(record), stand_in_note(record)


def _radii(fatalities: np.ndarray, injuries: np.ndarray) -> list[int]:
    """style.marker_radius per record, computed once per distinct casualty count."""
    casualties = np.nan_to_num(fatalities) + np.nan_to_num(injuries)
    distinct, inverse = np.unique(casualties, return_inverse=True)
    radius = np.array([round(style.marker_radius(float(c), 0)) for c in distinct], dtype=np.int64)
    return radius[inverse.reshape(-1)].tolist()


def _ids(ids: pd.Series) -> dict[str, list]:
    """Record ids, as ``idp`` (prefixes) + ``idk`` (prefix index; empty if one) + ``idn`` (number)
    when every id is a prefix and a whole number, like ACLED's "TJK12345"; else as strings (``ids``)."""
    text = ids.astype(str).tolist()
    parts = pc.extract_regex(pa.array(text, type=pa.string()), _ID_GROUPS)  # vectorised (RE2)
    if not text or parts.null_count:
        return {"ids": text}
    codes, table = pd.factorize(parts.field("p").to_numpy(zero_copy_only=False))
    numbers = pc.cast(parts.field("n"), pa.int64()).to_numpy()
    return {"idp": list(table), "idk": codes.tolist() if len(table) > 1 else [], "idn": _deltas(numbers)}


def _deltas(values: np.ndarray) -> list[int]:
    """Each value minus the one before (the first as is): small numbers for sorted columns."""
    return np.diff(values, prepend=0).tolist() if len(values) else []


def incident_payload(records: gpd.GeoDataFrame, color: str | None = None) -> tuple[list[dict], dict[str, list]]:
    """Symbol table and parallel columns for the located records.

    Kept compact for large layers (bytes per event are what a filter change
    sends): coordinates are whole numbers of 1e-4 degree (~11 m, finer than any
    geo_precision code) above ``lat0``/``lon0``; dates are day offsets from
    ``day0`` and the end a span in days; ids are prefix + number where they can
    be; start days and id numbers are sent as differences from the previous
    record (exports are sorted by date, so these are short); locations and
    actors are indexes into string tables; a missing precision code is 0. ``locs``
    holds the place as reported (a stand-in's reported name); ``cass``/``cas``
    the casualties in words ("killed: not reported"), ``sts``/``st`` the stand-in
    note of a record placed at a stand-in point (``st`` empty when none is).
    Vectorised: no Python work per record beyond making the lists.
    """
    records = located(records)
    type_names = sorted(set(records["event_type"]))
    types = []
    for name in type_names:
        symbol = style.symbol_for(name)
        types.append({"name": name, "color": color or symbol.color, "shape": symbol.shape})
    fatalities = _numbers(records["fatalities"])
    injuries = _numbers(records["injuries"])
    start = pd.to_datetime(records["event_date"])
    day0 = start.min() if len(records) else pd.Timestamp("2000-01-01")
    days = _days(records["event_date"], day0)
    places, stand_ins = _places(records)
    locs, loc_codes = _table(places)
    stand_in_texts, stand_in_codes = _table(stand_ins)
    casualty_texts, casualty_codes = _casualty_texts(records, fatalities, injuries)
    actors, actor_codes = _table(records["actor1"])
    scale = 10**COORD_DECIMALS
    lat = np.round(records.geometry.y.to_numpy() * scale).astype(np.int64)
    lon = np.round(records.geometry.x.to_numpy() * scale).astype(np.int64)
    lat0, lon0 = (int(lat.min()), int(lon.min())) if len(records) else (0, 0)
    columns = {
        "day0": day0.strftime("%Y-%m-%d"),
        "locs": locs,
        "actors": actors,
        **_ids(records["event_id_cnty"]),
        "cs": scale,
        "lat0": lat0,
        "lon0": lon0,
        "lat": (lat - lat0).tolist(),
        "lon": (lon - lon0).tolist(),
        "t": pd.Categorical(records["event_type"], categories=type_names).codes.astype(np.int64).tolist(),
        "r": _radii(fatalities, injuries),
        "gp": _codes(_numbers(records["geo_precision"]), 0),
        "tp": _codes(_numbers(records["time_precision"]), 0),
        "d": _deltas(days),
        "span": (_days(records["end_date"], day0) - days).tolist(),
        "loc": loc_codes,
        "actor": actor_codes,
        # Text made in Python (records.py), so every renderer words unknown counts alike.
        "cass": casualty_texts,
        "cas": casualty_codes,
        "sts": stand_in_texts,
        "st": stand_in_codes if any(stand_in_texts) else [],
    }
    return types, columns


def _payload_bytes(payload: tuple[list[dict], dict[str, list]]) -> int:
    """An estimate: a list's pointers plus ~32 bytes per item (small ints are shared, strings are not)."""
    return sum(sys.getsizeof(v) + (32 * len(v) if isinstance(v, list) else 0) for v in payload[1].values())


# Payloads per (records frame, colour): the layers hand out one frame per filters and dataset
# (panjmap.layers, panjmap.store.layers), so sessions on the same view share one payload, and
# sessions asking for it at once wait for one build instead of each holding its own.
_PAYLOADS: ByteBoundedCache[tuple[list[dict], dict[str, list]]] = ByteBoundedCache(
    max_bytes=128 * 1024**2, sizeof=_payload_bytes)
_BUILDING = [threading.Lock() for _ in range(8)]


def shared_payload(records: gpd.GeoDataFrame, color: str | None = None) -> tuple[list[dict], dict[str, list]]:
    """``incident_payload(records, color)``, made once per records object (read-only: it is shared)."""
    found = _PAYLOADS.get_for([records], color)
    if found is None:
        with _BUILDING[id(records) % len(_BUILDING)]:
            found = _PAYLOADS.get_for([records], color)
            if found is None:
                found = incident_payload(records, color)
                _PAYLOADS.put_for([records], found, color)
    return found


class LayerGroup(folium.FeatureGroup):
    """A feature group whose script, rendered at one position of the map's groups, is the same
    whenever its ``script_key`` is: the objects it is drawn from (held weakly by a cache of
    rendered scripts, ui.map_component) and a hashable rest (key, label, colour, ...)."""

    def __init__(self, name: str, script_key: tuple[tuple[object, ...], Hashable], control: bool = True):
        super().__init__(name=name, control=control)
        self.script_key = script_key


def incident_layer(
    records: gpd.GeoDataFrame,
    key: str,
    label: str,
    color: str | None = None,
    mode: str | None = None,
) -> folium.FeatureGroup:
    """A feature group drawing ``records``; mode defaults by size (icons, or canvas when large)."""
    types, columns = shared_payload(records, color)
    mode = mode or ("icons" if len(columns["lat"]) <= ICON_LIMIT else "canvas")
    # The name is plain text: only our LayerControl shows it, escaped (never folium's templates).
    # The payload is made per records object (shared_payload): so is the group's script.
    group = LayerGroup(label, ((records,), ("incidents", key, label, color, mode)))
    IncidentLayer(key=key, label=label, types=types, columns=columns, mode=mode).add_to(group)
    return group


def selection_group(selected: str) -> folium.FeatureGroup:
    """The selected record's ring and popup; added after the incident layers (see SelectionSync)."""
    group = LayerGroup("Selected record", ((), ("selection", selected)), control=False)
    SelectionSync(selected).add_to(group)
    return group
