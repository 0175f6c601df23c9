"""Runtime access to the built map layers in ``geodata/`` (EPSG:4326).

Layers are read once and cached by (path, modification time), so a rebuild
is picked up without restarting the app. Build them with
``python -m panjmap build-geodata`` (see :mod:`panjmap.geodata_build`).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from panjmap.cache import byte_bounded
from panjmap.paths import GEODATA_DIR

LAYER_NAMES: tuple[str, ...] = (
    "countries", "regions", "districts", "border", "rivers", "places", "roads",
)
ATTRIBUTION_FILE: str = "attribution.json"
_INT_COLUMNS: tuple[str, ...] = ("population", "min_zoom", "geonames_id", "scalerank")


def layer_path(name: str) -> Path:
    """Path of a built layer, e.g. ``geodata/districts.geojson``."""
    if name not in LAYER_NAMES:
        raise ValueError(f"unknown layer {name!r}; expected one of {', '.join(LAYER_NAMES)}")
    return GEODATA_DIR / f"{name}.geojson"


@functools.lru_cache(maxsize=32)
def _read(path: str, mtime_ns: int) -> gpd.GeoDataFrame:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    features = data["features"]
    gdf = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    if any("id" in f for f in features):
        gdf.insert(0, "id", [f.get("id") for f in features])
    for column in _INT_COLUMNS:
        if column in gdf.columns:
            gdf[column] = pd.array(gdf[column].tolist(), dtype="Int64")
    # geometry last, properties in file order
    columns = [c for c in gdf.columns if c != "geometry"] + ["geometry"]
    return gdf[columns]


def _cached(name: str) -> gpd.GeoDataFrame:
    path = layer_path(name)
    return _read(str(path), path.stat().st_mtime_ns)


def load_layer(name: str) -> gpd.GeoDataFrame:
    """A built layer as a GeoDataFrame in EPSG:4326 (a copy of the cached frame)."""
    return _cached(name).copy()


@functools.lru_cache(maxsize=4)
def _read_attribution(path: str, mtime_ns: int) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _attribution_data() -> dict:
    path = GEODATA_DIR / ATTRIBUTION_FILE
    return _read_attribution(str(path), path.stat().st_mtime_ns)


def attribution() -> list[dict]:
    """Required credits: one {"layer", "text", "license"} per data source."""
    return [{"layer": c["layer"], "text": c["text"], "license": c["license"]}
            for c in _attribution_data()["credits"]]


def attribution_text() -> str:
    """One plain-text line for the map's attribution control."""
    return str(_attribution_data()["attribution_text"])


def odbl_notice() -> str:
    """The ODbL notice for the OpenStreetMap-derived layers."""
    return str(_attribution_data()["odbl_notice"])


# --------------------------------------------------------------------------- lookups


def normalize_name(text: str) -> str:
    """Search key: no diacritics, case, spaces or punctuation ("Shuro-obod" -> "shuroobod")."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text.casefold())


def _names(row: pd.Series) -> list[str]:
    names = [row.get("name", ""), row.get("name_source", ""), row.get("short_name", "")]
    names += str(row.get("name_alt", "") or "").split("|")
    source = str(row.get("name_source", "") or "")
    if source.endswith(" District"):
        names.append(source.removesuffix(" District"))
    return [n for n in names if isinstance(n, str) and n]


def search_layer(name: str, query: str, country: str | None = None) -> gpd.GeoDataFrame:
    """Features of a layer whose name, source name or any ``name_alt`` spelling matches ``query``.

    Matching ignores case, diacritics, spaces and punctuation; ``country`` is
    a full name or ISO3 code. Exact ``name`` matches come first.
    """
    gdf = _cached(name)
    key = normalize_name(query)
    if not key:
        return gdf.iloc[0:0].copy()
    path = layer_path(name)
    hits = [(not_primary, idx) for not_primary, idx, countries in _name_index(str(path), path.stat().st_mtime_ns).get(key, ())
            if not country or country in countries]
    return gdf.loc[[idx for _, idx in sorted(hits)]].copy()


@functools.lru_cache(maxsize=32)
def _name_index(path: str, mtime_ns: int) -> dict[str, list[tuple[bool, Any, tuple[Any, Any]]]]:
    """Search key -> (not the feature's first name, index, (country, iso_a3)) of each feature that has it.

    Built once per layer file: ``search_layer`` used to normalise every name of
    every feature per query (~20 ms each), and the query index looks up every
    distinct admin1/admin2 of an imported file.
    """
    gdf = _read(path, mtime_ns)
    index: dict[str, list[tuple[bool, Any, tuple[Any, Any]]]] = {}
    for idx, row in gdf.iterrows():
        keys = [normalize_name(n) for n in _names(row)]
        for key in dict.fromkeys(keys):
            index.setdefault(key, []).append((keys[0] != key, idx, (row.get("country"), row.get("iso_a3"))))
    return index


def search_districts(query: str, country: str | None = None) -> gpd.GeoDataFrame:
    """Districts matching ``query`` (e.g. "Shuroobod", "Vanch", "Maimay")."""
    return search_layer("districts", query, country)


@byte_bounded(8 * 1024**2)  # keyed by imported files' place names: bounded by bytes, not count (issue 17)
def place_aliases(name: str) -> tuple[str, ...]:
    """Every spelling of the regions and districts named ``name`` (empty if none is)."""
    aliases: list[str] = []
    for layer in ("regions", "districts"):
        for _, row in search_layer(layer, name).iterrows():
            aliases += _names(row)
    return tuple(dict.fromkeys(aliases))


def _find(name: str, lon: float, lat: float) -> dict[str, Any] | None:
    gdf = _cached(name)
    idx = sorted(int(i) for i in gdf.sindex.query(Point(lon, lat), predicate="intersects"))
    if not idx:
        return None
    # Afghan (AIMS) and Tajik (OSM) polygons overlap along the Panj; the OSM
    # border drawn on the map is the Tajik outline, so the Tajik polygon wins.
    idx.sort(key=lambda i: (gdf.iloc[i]["iso_a3"] != "TJK", i))
    row = gdf.iloc[idx[0]]
    return {k: (None if pd.isna(v) else v) for k, v in row.drop(labels="geometry").items()}


def find_region(lon: float, lat: float) -> dict[str, Any] | None:
    """Properties of the region (admin-1) containing the point, or None."""
    return _find("regions", lon, lat)


def find_district(lon: float, lat: float) -> dict[str, Any] | None:
    """Properties of the district containing the point, or None (also in Dushanbe city)."""
    return _find("districts", lon, lat)
