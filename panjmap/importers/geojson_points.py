"""GeoJSON FeatureCollection of Point features -> :class:`Staged`.

Properties named like our columns (ACLED names) are mapped directly; the date
comes from the first of :data:`DATE_KEYS` present; every property is kept in
``original``. Line numbers are those where each feature starts; when features
share lines (a single-line file), feature numbers stand in for them, in messages
and in generated ids.

The file's structure is checked before and while it is decoded: nesting depth and
the number of values (:mod:`panjmap.importers.limits`) on the raw text, then every
member the importer relies on has the JSON type GeoJSON gives it; the first one
that does not rejects the file, naming the feature ("feature 3: geometry must be
an object, got a string").
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from panjmap.importers.core import TARGET_COLUMNS, ImportRejected, Staged
from panjmap.importers.limits import MAX_JSON_DEPTH, MAX_VALUES

DATE_KEYS: tuple[str, ...] = (
    "event_date", "date", "date_start", "start_date", "event_start", "datetime", "day", "time",
)
END_KEYS: tuple[str, ...] = ("end_date", "date_end", "event_end")
_GEOMETRY_COLUMNS = ("latitude", "longitude")
_WS = re.compile(r"\s*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_JSON_TYPES: dict[type, str] = {
    dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number",
}


class NumberText(str):
    """A JSON number a float cannot hold (over- or underflows, or too many digits), kept as written
    so the value checks can name it instead of reading it as 0 or inf."""


def _float(text: str) -> float | NumberText:
    value = float(text)
    if value in (float("inf"), float("-inf")) or (value == 0 and re.search(r"[1-9]", text.split("e")[0].split("E")[0])):
        return NumberText(text)
    return value


def _int(text: str) -> int | NumberText:
    return int(text) if len(text.lstrip("-")) <= 18 else NumberText(text)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        raise _DuplicateKey(next(key for key, _ in pairs if key in seen or seen.add(key)))  # type: ignore[func-returns-value]
    return obj


def json_type(value: Any) -> str:
    """'an object', 'a string', 'null', ... for messages."""
    if value is None:
        return "null"
    if isinstance(value, NumberText):
        return "a number"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def check_structure(text: str) -> None:
    """Refuse, before decoding, JSON nested deeper than MAX_JSON_DEPTH or holding more than MAX_VALUES values
    (strings are cut out first, so brackets and commas inside them do not count)."""
    bare = _STRING.sub('""', text)
    brackets = np.frombuffer(_NOT_BRACKET.sub("", bare).encode("ascii"), dtype=np.uint8)
    if brackets.size:
        steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1).astype(np.int32)
        depth = int(np.cumsum(steps).max())
        if depth > MAX_JSON_DEPTH:
            raise ImportRejected(
                f"The JSON is nested {depth:,} levels deep; GeoJSON points need 5 and an import may have at most "
                f"{MAX_JSON_DEPTH}. This is not a GeoJSON FeatureCollection of points."
            )
    values = bare.count(",") + bare.count(":") + 1
    if values > MAX_VALUES:
        raise ImportRejected(
            f"The file holds about {values:,} JSON values; an import may have at most {MAX_VALUES:,}. "
            "Split the file or drop properties you do not need before importing."
        )


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


def _load(text: str) -> tuple[list[Any], list[str]]:
    """The features to read and warnings; ImportRejected naming the first structural problem."""
    check_structure(text)
    try:
        doc = json.loads(text, parse_float=_float, parse_int=_int, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise ImportRejected(
            f"Not valid JSON: line {err.lineno}, column {err.colno}: {err.msg}. Expected a GeoJSON FeatureCollection."
        ) from None
    except _DuplicateKey as err:
        raise ImportRejected(
            f"The key {err.key!r} appears twice in one JSON object, so its value is ambiguous; "
            "every key of an object must be unique."
        ) from None
    if not isinstance(doc, dict):
        raise ImportRejected(f"Expected a GeoJSON FeatureCollection (a JSON object), but the file is {json_type(doc)}.")
    kind = doc.get("type")
    if not isinstance(kind, str):
        raise ImportRejected(f"The top-level 'type' must be the string 'FeatureCollection', got {json_type(kind)}.")
    if kind not in ("FeatureCollection", "Feature"):
        raise ImportRejected(f"Expected a GeoJSON FeatureCollection, but the top-level object has type '{kind}'.")
    _check_crs(doc.get("crs"))
    if kind == "Feature":
        return [doc], ["the file is a single Feature, not a FeatureCollection"]
    features = doc.get("features")
    if not isinstance(features, list):
        raise ImportRejected(f"The FeatureCollection's 'features' member must be an array, got {json_type(features)}.")
    if not features:
        raise ImportRejected("The FeatureCollection has no features.")
    return features, []


def _check_crs(crs: Any) -> None:
    """Only WGS 84 longitude/latitude: no crs (RFC 7946), or a 2008-style named crs saying 4326/CRS84."""
    if crs is None:
        return
    if not isinstance(crs, dict):
        raise ImportRejected(
            f"The top-level 'crs' must be an object such as {{\"type\": \"name\", \"properties\": {{\"name\": "
            f"\"EPSG:4326\"}}}}, got {json_type(crs)}."
        )
    props = crs.get("properties")
    if props is not None and not isinstance(props, dict):
        raise ImportRejected(f"The 'crs' member's 'properties' must be an object, got {json_type(props)}.")
    name = (props or {}).get("name")
    if name is not None and not isinstance(name, str):
        raise ImportRejected(f"The 'crs' name must be a string, got {json_type(name)}.")
    if name and not re.search(r"(4326|CRS84)$", name):
        raise ImportRejected(
            f"The GeoJSON declares the coordinate system '{name}'; only WGS 84 longitude/latitude "
            "(EPSG:4326) can be imported. Re-export it in EPSG:4326."
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, NumberText)) and not isinstance(value, bool)


def _point(feature: Any, where: str) -> tuple[tuple[Any, Any] | None, str]:
    """-> ((lon, lat), "") or (None, why the feature is skipped); ImportRejected when it is not GeoJSON."""
    if not isinstance(feature, dict):
        raise ImportRejected(f"{where}: a feature must be an object, got {json_type(feature)}.")
    if feature.get("type") != "Feature":
        got = feature.get("type")
        shown = f"'{got}'" if isinstance(got, str) else json_type(got)
        raise ImportRejected(f"{where}: 'type' must be 'Feature', got {shown}.")
    props = feature.get("properties")
    if props is not None and not isinstance(props, dict):
        raise ImportRejected(f"{where}: properties must be an object or null, got {json_type(props)}.")
    fid = feature.get("id")
    if fid is not None and not isinstance(fid, (str, int, NumberText)) or isinstance(fid, bool):
        raise ImportRejected(f"{where}: id must be a string or a number, got {json_type(fid)}.")
    geometry = feature.get("geometry")
    if geometry is None:
        return None, "feature has no geometry"
    if not isinstance(geometry, dict):
        raise ImportRejected(f"{where}: geometry must be an object or null, got {json_type(geometry)}.")
    gtype = geometry.get("type")
    if not isinstance(gtype, str):
        raise ImportRejected(f"{where}: the geometry's 'type' must be a string, got {json_type(gtype)}.")
    if gtype != "Point":
        return None, f"geometry is {gtype}; only Point features can be imported"
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        raise ImportRejected(f"{where}: Point coordinates must be an array [longitude, latitude], got {json_type(coords)}.")
    if len(coords) < 2:
        return None, "Point has no [longitude, latitude] coordinates"
    for axis, value in zip(("longitude", "latitude"), coords[:2], strict=True):
        if not _is_number(value):
            raise ImportRejected(f"{where}: the Point's {axis} must be a number, got {json_type(value)}.")
    return (coords[0], coords[1]), ""


def stage(text: str) -> Staged:
    features, warnings = _load(text)
    lines = feature_lines(text)
    numbered_by = "line"
    if lines is None or len(lines) != len(features) or len(set(lines)) != len(lines):
        # no line number per feature (e.g. a single-line file): number the features instead
        lines = list(range(1, len(features) + 1))
        numbered_by = "feature"
        warnings.append("line numbers below are feature numbers (1 = first feature)")

    skipped: list[tuple[int, str]] = []
    kept: list[tuple[int, dict[str, Any], tuple[Any, Any], Any]] = []
    names: dict[str, str] = {}  # lower-cased property name -> first spelling seen
    for number, (line, feature) in enumerate(zip(lines, features, strict=True), start=1):
        where = f"feature {number}" + (f" (line {line})" if numbered_by == "line" else "")
        point, why = _point(feature, where)
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
        originals=pd.Series(originals, dtype=str),
        mapped=mapped,
        labels={target: key for target, key in sources.items()},
        skipped=skipped,
        warnings=warnings,
        rows_read=len(features),
        numbered_by=numbered_by,
    )
