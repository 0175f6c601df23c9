"""GeoJSON FeatureCollection of Point features -> :class:`Staged`.

Properties named like our columns (ACLED names) are mapped directly; the date
comes from the first of :data:`DATE_KEYS` present; every property is kept in
``original``. Line numbers are those where each feature starts.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from panjmap.importers.core import TARGET_COLUMNS, ImportRejected, Staged

DATE_KEYS: tuple[str, ...] = (
    "event_date", "date", "date_start", "start_date", "event_start", "datetime", "day", "time",
)
END_KEYS: tuple[str, ...] = ("end_date", "date_end", "event_end")
_GEOMETRY_COLUMNS = ("latitude", "longitude")
_WS = re.compile(r"\s*")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _skip(text: str, pos: int) -> int:
    """Position of the next non-whitespace character at or after ``pos``."""
    match = _WS.match(text, pos)
    return match.end() if match else pos


def feature_lines(text: str) -> list[int] | None:
    """Line on which each element of the top-level "features" array starts; None if not found."""
    decoder = json.JSONDecoder()
    try:
        pos = _skip(text, 0) + 1  # past '{'
        while True:
            pos = _skip(text, pos)
            if text[pos] == "}":
                return None
            key, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, _skip(text, pos) + 1)  # past ':'
            if key == "features" and text[pos] == "[":
                return _array_lines(text, pos + 1, decoder)
            _, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, pos)
            pos += text[pos] == ","
    except (ValueError, IndexError):
        return None


def _array_lines(text: str, pos: int, decoder: json.JSONDecoder) -> list[int]:
    lines: list[int] = []
    line, counted = 1, 0
    while True:
        pos = _skip(text, pos)
        if text[pos] == "]":
            return lines
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        pos += text[pos] == ","


def _load(text: str) -> list[Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportRejected(
            f"Not valid JSON: line {err.lineno}, column {err.colno}: {err.msg}. Expected a GeoJSON FeatureCollection."
        ) from None
    kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
    if kind not in ("FeatureCollection", "Feature"):
        raise ImportRejected(f"Expected a GeoJSON FeatureCollection, but the top-level object has type '{kind}'.")
    crs = doc.get("crs")
    name = crs.get("properties", {}).get("name", "") if isinstance(crs, dict) else ""
    if name and not re.search(r"(4326|CRS84)$", str(name)):
        raise ImportRejected(
            f"The GeoJSON declares the coordinate system '{name}'; only WGS 84 longitude/latitude "
            "(EPSG:4326) can be imported. Re-export it in EPSG:4326."
        )
    features = doc.get("features") if kind == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        raise ImportRejected("The FeatureCollection's 'features' member is not a list.")
    if not features:
        raise ImportRejected("The FeatureCollection has no features.")
    return features


def _point(feature: Any) -> tuple[tuple[Any, Any] | None, str]:
    """-> ((lon, lat), "") or (None, why the feature cannot be used)."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, "not a GeoJSON Feature"
    geometry = feature.get("geometry")
    if not geometry:
        return None, "feature has no geometry"
    if geometry.get("type") != "Point":
        return None, f"geometry is {geometry.get('type')}; only Point features can be imported"
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return None, "Point has no [longitude, latitude] coordinates"
    return (coords[0], coords[1]), ""


def stage(text: str) -> Staged:
    features = _load(text)
    lines = feature_lines(text) if text.lstrip().startswith("{") else None
    warnings: list[str] = []
    if lines is None or len(lines) != len(features):
        lines = list(range(1, len(features) + 1))
        warnings.append("line numbers below are feature numbers (1 = first feature)")

    skipped: list[tuple[int, str]] = []
    kept: list[tuple[int, dict[str, Any], tuple[Any, Any], Any]] = []
    names: dict[str, str] = {}  # lower-cased property name -> first spelling seen
    for line, feature in zip(lines, features, strict=True):
        point, why = _point(feature)
        if point is None:
            skipped.append((line, why))
            continue
        props = feature.get("properties") or {}
        for key in props:
            names.setdefault(key.lower(), key)
        kept.append((line, props, point, feature.get("id")))

    date_key = next((names[k] for k in DATE_KEYS if k in names), None)
    if date_key is None and kept:
        found = ", ".join(list(names.values())[:15]) or "none"
        raise ImportRejected(
            f"No date property: the features have none of {', '.join(DATE_KEYS)} (found properties: {found})."
        )
    end_key = next((names[k] for k in END_KEYS if k in names), None)
    sources = {t: names[t] for t in TARGET_COLUMNS if t in names and t not in _GEOMETRY_COLUMNS + ("year",)}
    sources["event_date"] = date_key or "event_date"
    if end_key:
        sources["end_date"] = end_key

    columns: dict[str, list[str]] = {target: [] for target in sources}
    columns["longitude"], columns["latitude"] = [], []
    originals: list[str] = []
    for _, props, (lon, lat), fid in kept:
        lookup = {key.lower(): value for key, value in props.items()}
        for target, key in sources.items():
            columns[target].append(_text(lookup.get(key.lower())))
        columns["longitude"].append(_text(lon))
        columns["latitude"].append(_text(lat))
        original = dict(props) if fid is None or "id" in props else {"id": fid, **props}
        originals.append(json.dumps(original, ensure_ascii=False))
    frame = pd.DataFrame(columns, dtype=object)
    if "event_id_cnty" not in sources and any(fid is not None for *_, fid in kept):
        frame["event_id_cnty"] = [_text(fid) for *_, fid in kept]
        sources["event_id_cnty"] = "id"
    mapped = {target: f"properties.{key}" if key != "id" or target != "event_id_cnty" else "feature id"
              for target, key in sources.items()}
    mapped.update({"latitude": "geometry (Point y)", "longitude": "geometry (Point x)", "year": "year of event_date"})
    if "end_date" not in sources:
        mapped["end_date"] = "= event_date (no end-date property)"
    if date_key and date_key != "event_date":
        warnings.append(f"event dates taken from the property '{date_key}'")
    return Staged(
        source_format="geojson",
        frame=frame,
        lines=np.asarray([line for line, *_ in kept], dtype=int),
        originals=originals,
        mapped=mapped,
        labels={target: key for target, key in sources.items()},
        skipped=skipped,
        warnings=warnings,
        rows_read=len(features),
    )
