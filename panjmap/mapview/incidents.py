"""Incident layers: filtered records -> one folium FeatureGroup of compact data.

The same builder serves the curated incidents and every imported dataset; an
imported layer draws in its own colour so provenance reads at a glance.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Hashable
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa  # installed with streamlit (and pandas' string columns)
import pyarrow.compute as pc

from panjmap.cache import ByteBoundedCache
from panjmap.data import located_mask
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


@dataclass(frozen=True)
class _RowValues:
    """Per record of a frame, what its payload encodes (see ``incident_payload``), in row order."""

    located: np.ndarray  # bool: has a map location
    event_type: np.ndarray  # str
    start: np.ndarray  # datetime64
    end: np.ndarray
    lat: np.ndarray  # whole 1e-4 degrees (0 where not located)
    lon: np.ndarray
    radius: np.ndarray
    gp: np.ndarray  # precision codes, 0 where missing
    tp: np.ndarray
    location: np.ndarray  # str ("" where missing)
    reported: np.ndarray  # bool: a reported_location is given
    place: np.ndarray  # str: place_title
    stand_in: np.ndarray  # str: stand_in_note
    casualties: np.ndarray  # index into casualty_texts
    casualty_texts: list[str]
    actor: np.ndarray  # str
    id_text: np.ndarray  # str
    id_prefix: np.ndarray  # str
    id_matched: np.ndarray  # bool: the id is a prefix and a whole number
    id_number: np.ndarray  # int64

    @property
    def nbytes(self) -> int:
        """An estimate: 8 bytes per array cell plus ~48 per string cell (the strings themselves)."""
        return sum(8 * len(v) + (48 * len(v) if v.dtype == object else 0)
                   for v in vars(self).values() if isinstance(v, np.ndarray))


def _row_values(records: gpd.GeoDataFrame) -> _RowValues:
    geometry = records.geometry
    fatalities = _numbers(records["fatalities"])
    injuries = _numbers(records["injuries"])
    scale = 10**COORD_DECIMALS
    located_rows = located_mask(records).to_numpy()
    lat = np.where(located_rows, np.round(geometry.y.to_numpy() * scale), 0).astype(np.int64)
    lon = np.where(located_rows, np.round(geometry.x.to_numpy() * scale), 0).astype(np.int64)
    reported = (records["reported_location"].fillna("").astype(str).str.strip() != "").to_numpy() \
        if "reported_location" in records else np.zeros(len(records), dtype=bool)
    pairs = [_place_words(location, rep) for location, rep in
             zip(records["location"].tolist(), records["reported_location"].tolist())] if reported.any() else []
    casualty_codes, casualty_texts = _casualty_texts(records, fatalities, injuries)
    id_text = records["event_id_cnty"].astype(str).to_numpy(dtype=object)
    parts = pc.extract_regex(pa.array(id_text.tolist(), type=pa.string()), _ID_GROUPS)  # vectorised (RE2)
    matched = parts.is_valid()
    numbers = pc.cast(pc.if_else(matched, parts.field("n"), "0"), pa.int64()).to_numpy(zero_copy_only=False)
    return _RowValues(
        located=located_rows,
        event_type=records["event_type"].to_numpy(dtype=object),
        start=pd.to_datetime(records["event_date"]).to_numpy(),
        end=pd.to_datetime(records["end_date"]).to_numpy(),
        lat=lat, lon=lon,
        radius=_radii(fatalities, injuries),
        gp=_codes(_numbers(records["geo_precision"]), 0),
        tp=_codes(_numbers(records["time_precision"]), 0),
        location=records["location"].fillna("").astype(str).to_numpy(dtype=object),
        reported=reported,
        place=np.array([p for p, _ in pairs] or [""] * len(records), dtype=object),
        stand_in=np.array([n for _, n in pairs] or [""] * len(records), dtype=object),
        casualties=casualty_codes, casualty_texts=casualty_texts,
        actor=records["actor1"].fillna("").astype(str).to_numpy(dtype=object),
        id_text=id_text,
        id_prefix=pc.if_else(matched, parts.field("p"), "").to_numpy(zero_copy_only=False).astype(object),
        id_matched=matched.to_numpy(zero_copy_only=False),
        id_number=numbers,
    )


def _casualty_texts(records: gpd.GeoDataFrame, fatalities: np.ndarray, injuries: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Casualties in words ("2 killed; injured: not reported"): each record's index into the words.

    The words come from records.casualties_text, once per distinct (killed, injured,
    response, several) combination, so a 100k-record import costs a handful of calls.
    """
    response = records["event_type"].isin(NON_VIOLENT_EVENT_TYPES).to_numpy()
    tags = records["tags"].fillna("").astype(str) if "tags" in records else pd.Series("", index=records.index)
    several = tags.str.contains(SEVERAL_KILLED_TAG, regex=False).to_numpy()
    keys = pd.Series(list(zip(np.nan_to_num(fatalities, nan=-1), np.nan_to_num(injuries, nan=-1), response, several)))
    codes, uniques = pd.factorize(keys)
    return codes, [_casualty_words(*key) for key in uniques]


# Words per distinct value, kept per process: every filter change of every session asks again
# for the same few (a Series per call made them ~half of a small layer's payload time).
@functools.lru_cache(maxsize=4096)
def _casualty_words(fatalities: float, injuries: float, response: bool, several: bool) -> str:
    return casualties_text(pd.Series({
        "fatalities": None if fatalities < 0 else fatalities, "injuries": None if injuries < 0 else injuries,
        "event_type": "Strategic developments" if response else "", "tags": SEVERAL_KILLED_TAG if several else "",
    }))


@functools.lru_cache(maxsize=4096)
def _place_words(location: object, reported: object) -> tuple[str, str]:
    """(place_title, stand_in_note) of a record at ``location`` reported at ``reported``."""
    record = pd.Series({"location": location, "reported_location": reported}, dtype=object)
    return place_title(record), stand_in_note(record)


def _radii(fatalities: np.ndarray, injuries: np.ndarray) -> np.ndarray:
    """style.marker_radius per record, computed once per distinct casualty count."""
    casualties = np.nan_to_num(fatalities) + np.nan_to_num(injuries)
    distinct, inverse = np.unique(casualties, return_inverse=True)
    radius = np.array([round(style.marker_radius(float(c), 0)) for c in distinct], dtype=np.int64)
    return radius[inverse.reshape(-1)]


def _codes(values: np.ndarray, missing: int) -> np.ndarray:
    """Whole numbers with ``missing`` in place of NaN (smaller than JSON null)."""
    return np.where(np.isnan(values), missing, values).astype(np.int64)


def _table(values: np.ndarray) -> tuple[list[str], list[int]]:
    """Dictionary-encode repeated strings (locations, actors): the table and each row's index."""
    codes, uniques = pd.factorize(values)
    return list(uniques), codes.tolist()


def _ids(rows: _RowValues, at: np.ndarray) -> dict[str, list]:
    """Record ids, as ``idp`` (prefixes) + ``idk`` (prefix index; empty if one) + ``idn`` (number)
    when every id is a prefix and a whole number, like ACLED's "TJK12345"; else as strings (``ids``)."""
    if not len(at) or not rows.id_matched[at].all():
        return {"ids": rows.id_text[at].tolist()}
    codes, table = pd.factorize(rows.id_prefix[at])
    return {"idp": list(table), "idk": codes.tolist() if len(table) > 1 else [], "idn": _deltas(rows.id_number[at])}


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
    return _encode(_row_values(records), np.arange(len(records)), color)


def _encode(rows: _RowValues, at: np.ndarray, color: str | None) -> tuple[list[dict], dict[str, list]]:
    """The payload of the records at positions ``at`` of ``rows`` (see incident_payload)."""
    at = at[rows.located[at]]
    event_types = rows.event_type[at]
    type_names = sorted(set(event_types))
    types = []
    for name in type_names:
        symbol = style.symbol_for(name)
        types.append({"name": name, "color": color or symbol.color, "shape": symbol.shape})
    start, end = rows.start[at], rows.end[at]
    day0 = start.min() if len(at) else np.datetime64("2000-01-01")
    day = np.timedelta64(1, "D")
    days = (start - day0) // day
    if rows.reported[at].any():  # the place as reported; else the mapped location as it is
        locs, loc_codes = _table(rows.place[at])
        stand_in_texts, stand_in_codes = _table(rows.stand_in[at])
    else:
        locs, loc_codes = _table(rows.location[at])
        stand_in_texts, stand_in_codes = _table(np.full(len(at), "", dtype=object))
    casualty_codes, casualty_keys = pd.factorize(rows.casualties[at])
    lat, lon = rows.lat[at], rows.lon[at]
    lat0, lon0 = (int(lat.min()), int(lon.min())) if len(at) else (0, 0)
    columns = {
        "day0": pd.Timestamp(day0).strftime("%Y-%m-%d"),
        "locs": locs,
        "actors": (actors := _table(rows.actor[at]))[0],
        **_ids(rows, at),
        "cs": 10**COORD_DECIMALS,
        "lat0": lat0,
        "lon0": lon0,
        "lat": (lat - lat0).tolist(),
        "lon": (lon - lon0).tolist(),
        "t": np.searchsorted(np.array(type_names, dtype=object), event_types).tolist(),  # index into types
        "r": rows.radius[at].tolist(),
        "gp": rows.gp[at].tolist(),
        "tp": rows.tp[at].tolist(),
        "d": _deltas(days),
        "span": ((end - day0) // day - days).tolist(),
        "loc": loc_codes,
        "actor": actors[1],
        # Text made in Python (records.py), so every renderer words unknown counts alike.
        "cass": [rows.casualty_texts[k] for k in casualty_keys],
        "cas": casualty_codes.tolist(),
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


def shared_payload(records: gpd.GeoDataFrame, color: str | None = None,
                   source: gpd.GeoDataFrame | None = None) -> tuple[list[dict], dict[str, list]]:
    """``incident_payload(records, color)``, made once per records object (read-only: it is shared);
    ``source``: the table ``records`` are rows of (see ``_payload_of``)."""
    return _PAYLOADS.get_or_make(color, lambda: _payload_of(records, color, source), owners=[records])


# Per-record values of whole tables (an in-memory layer's records, held weakly): a filter change
# then encodes its rows from them instead of deriving them again (pandas work per column that
# was most of a rerun's payload time on the seed data).
_ROWS: ByteBoundedCache[_RowValues] = ByteBoundedCache(max_bytes=256 * 1024**2, sizeof=lambda rows: rows.nbytes)


def _payload_of(records: gpd.GeoDataFrame, color: str | None, source: gpd.GeoDataFrame | None) -> tuple[list[dict], dict[str, list]]:
    """``incident_payload(records, color)``, from ``source``'s per-record values when ``records``
    are rows of ``source`` (by index label)."""
    at = source.index.get_indexer(records.index) if source is not None and source.index.is_unique else None
    if at is None or (at < 0).any():
        return incident_payload(records, color)
    rows = _ROWS.get_or_make(None, lambda: _row_values(source), owners=[source])
    return _encode(rows, at, color)


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
    source: gpd.GeoDataFrame | None = None,
) -> folium.FeatureGroup:
    """A feature group drawing ``records`` (rows of ``source``, if given); mode defaults by size
    (icons, or canvas when large)."""
    types, columns = shared_payload(records, color, source)
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
