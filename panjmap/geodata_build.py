"""Build the web layers in ``geodata/`` from the raw layers in ``geodata/source/``.

``python -m panjmap build-geodata`` runs :func:`build`. The build is
deterministic: the same source files give byte-identical output (features are
sorted, coordinates are rounded, nothing depends on time or dict order).

What it does, layer by layer (see geodata/source/SOURCES.md for the inputs):

* countries, regions, districts and the border go through ONE TopoJSON
  topology (``topojson.Topology`` on a fixed 1e-5 degree grid), so that
  polygons that share an edge in the source keep sharing it after
  simplification. Each arc is simplified with the tolerance of the finest
  layer that uses it (:data:`TOLERANCES`): the border line and the Tajik
  polygon edges along it share arcs, so they stay identical on the map.
* Tajik districts (OSM ADM2) are conformed to the Tajik regions (OSM ADM1),
  because the two OSM levels disagree in a few places (for example the 2017
  Rudaki polygon still covers Dushanbe city, and the Khatlon/GBAO line west of
  Qalaikhumb differs by a 3-5 km strip): each district is clipped to its
  region and the leftover pieces of the region go to the district with the
  longest shared border. The region (ADM1) outline is kept as it is because it
  is identical to the OSM border line.
* Afghan (AIMS) and Tajik (OSM) polygons are left as they are: they do not
  share edges and overlap by about 93 km2 along the Panj. The OSM border line
  is the authority drawn on the map; :mod:`panjmap.geodata` prefers the Tajik
  polygon where the two overlap.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import math
import re
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import shapely
import topojson
from pyproj import Geod
from shapely.geometry import LineString, mapping, shape
from shapely.ops import substring

from panjmap.output import write_atomically
from panjmap.paths import GEODATA_DIR, GEODATA_SOURCE_DIR

# Raw layers used by the build (copied unchanged into geodata/source/).
SOURCE_FILES: tuple[str, ...] = (
    "SOURCES.md",
    "admin0_ne10m.geojson",
    "admin1_tjk_afg.geojson",
    "admin2_tjk.geojson",
    "admin2_afg.geojson",
    "afg_tjk_border_osm.geojson",
    "rivers_ne10m.geojson",
    "populated_places_geonames.geojson",
    "populated_places_ne10m.geojson",
    "key_places.geojson",
)

LAYER_NAMES: tuple[str, ...] = (
    "countries", "regions", "districts", "border", "rivers", "places", "roads",
)

# Douglas-Peucker tolerances in degrees (1e-3 deg is about 90-110 m here).
TOLERANCES: dict[str, float] = {
    "border": 0.0005,        # the Panj border and the Tajik edges along it (~50 m)
    "districts": 0.003,      # districts, Tajik regions, the 4 Afghan border provinces
    "regions_other": 0.01,   # edges used only by the other 19 Afghan provinces
    "countries": 0.01,       # edges used only by the Natural Earth countries
    "rivers": 0.002,
}
TOPOLOGY_GRID: float = 1e-5  # TopoJSON quantisation grid (degrees)
DECIMALS_POLYGON: int = 4    # ~11 m; well below the polygon tolerances
DECIMALS_LINE: int = 5       # border, road and places (~1 m)
DECIMALS_RIVER: int = 4
SIZE_BUDGET_BYTES: int = 600_000

EMPHASIS_ISO: frozenset[str] = frozenset({"TJ-KT", "TJ-GB", "AF-BDS"})
BORDER_PROVINCES: tuple[str, ...] = ("Badakhshan", "Takhar", "Kunduz", "Balkh")
SHORT_NAMES: dict[str, str] = {
    "Gorno-Badakhshan Autonomous Region": "GBAO",
    "Districts of Republican Subordination": "RRS",
}

# Extra district notes (see SOURCES.md); keyed by source name.
DISTRICT_NOTES: dict[str, str] = {
    "Darwaz": (
        "Naming conflict: this AIMS polygon contains Nusay (GeoNames puts Nusay in Darwaz-e Payin), "
        "but some NSIA/OCHA-derived lists call Darwaz-e Bala 'Nusay' and Darwaz-e Payin 'Maimay'; "
        "match on the settlement it contains (Nusay), not on Bala/Payin."
    ),
    "Darwazbala": (
        "Naming conflict: this AIMS polygon contains Maymay/Maimay (GeoNames puts Maymay in Darwaz-e Bala), "
        "but some NSIA/OCHA-derived lists call Darwaz-e Payin 'Maimay' and Darwaz-e Bala 'Nusay'; "
        "match on the settlement it contains (Maymay), not on Bala/Payin."
    ),
    "Jilikul District": "Not to be confused with the town of Dusti (Dŭstí), which lies in Jayhun District.",
    "Qumsangir District": "Contains the town of Dusti (Dŭstí); Dusti District is the former Jilikul District.",
}

# Alternative spellings for places that analysts search for (GeoNames ids).
PLACE_NAME_ALT: dict[int, str] = {
    1221559: "Kalaikhumb|Qal'ai Khumb|Kalai-Khumb|Qalai Khumb|Kalaikhum",
    1220210: "Vanch",
    1220685: "Rushon|Rushan|Roshan",
    1221328: "Khorog|Khorugh",
    1220479: "Shurobod|Shuroobod|Shuro-obod|Shurabad",
    1220750: "Pyanj|Pyandzh",
    1220826: "Parkhar",
    1221194: "Kulob|Kulyab",
    1221871: "Dusti",
    1221808: "Jilikul",
    1221614: "Ishkoshim|Ishkashim|Ishqoshim",
    1220962: "Murgab|Murghab",
    1220747: "Qurghonteppa|Kurgan-Tyube",
    1131591: "Nusay|Nusai",
    1133657: "Maymay|Maimay",
    1136354: "Deh Khwahan",
    1142170: "Faizabad|Feyzabad",
    1135689: "Kondoz|Konduz",
    1123004: "Taluqan|Taloqan",
    1133616: "Mazar-i-Sharif|Mazar-e Sharif",
    1138958: "Kabol",
}
NATIONAL_CAPITALS: frozenset[int] = frozenset({1221874, 1138958, 1176615})  # Dushanbe, Kabul, Islamabad
REGION_CAPITALS: frozenset[int] = frozenset({
    1514879,  # Khujand (Sughd)
    1220747,  # Bokhtar (Khatlon)
    1221328,  # Khorugh (GBAO)
    1142170,  # Fayzabad (Badakhshan)
    1123004,  # Taloqan (Takhar)
    1135689,  # Kunduz (Kunduz)
    1133616,  # Mazar-e Sharif (Balkh)
})
LARGE_TOWN_POPULATION: int = 50_000

ROAD_TOWNS: tuple[int, int, int] = (1221559, 1220210, 1220685)  # Qalaikhumb, Vanj, Rushon

ODBL = "ODbL-1.0"
_GEOD = Geod(ellps="WGS84")


# --------------------------------------------------------------------------- helpers


def fold(text: str) -> str:
    """Lower-case ASCII-ish key: strip diacritics, case and punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text.casefold())


def ascii_name(text: str) -> str:
    """Name with diacritics and modifier letters removed ("Rŭshon" -> "Rushon")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\u02b0-\u02ff\u2018\u2019]", "'", text)  # ʻ ’ ‘ -> '
    return text.encode("ascii", "ignore").decode("ascii").replace("''", "'").strip(" '")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split())


def join_alt(names: Iterable[str], exclude: Iterable[str] = ()) -> str:
    """Pipe-join names, dropping empties and case-insensitive duplicates."""
    seen = {n.casefold() for n in exclude}
    out: list[str] = []
    for name in names:
        name = _text(name)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return "|".join(out)


def split_alt(raw: Any) -> tuple[list[str], list[str]]:
    """Split a hand-made ``name_alt`` into (names, notes).

    Annotations such as "Uroteppa (former)", "Дарвоз (centre: Qalaikhumb)" or
    "Maimay|... — polygon contains Maymay; ..." become notes, not names.
    """
    names: list[str] = []
    notes: list[str] = []
    former: list[str] = []
    text = _text(raw)
    if " — " in text:
        text, tail = text.split(" — ", 1)
        notes.append(tail[0].upper() + tail[1:].rstrip(".") + ".")
    for token in (t.strip() for t in text.split("|")):
        if not token:
            continue
        match = re.fullmatch(r"(.*?)\s*\((.*)\)", token)
        if not match:
            names.append(token)
            continue
        base, note = match.group(1).strip(), match.group(2).strip()
        if note.lower() == "former":
            names.append(base)
            former.append(base)
        elif note.lower() == "centre":
            notes.append(f"Centre: {base}.")
        else:
            names.append(base)
            if note.lower() != "geonames":
                notes.append(note[0].upper() + note[1:].rstrip(".") + ".")
    if former:
        notes.insert(0, "Former name" + ("s" if len(former) > 1 else "") + ": " + ", ".join(former) + ".")
    return names, notes


def polygonal(geom: Any) -> Any:
    """Valid (Multi)Polygon part of ``geom`` (make_valid, drop lines/points)."""
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 0]
    if not parts:
        return shapely.Polygon()
    if len(parts) == 1:
        return parts[0]
    return shapely.union_all(parts)


def geodesic_km(geom: Any) -> float:
    """Geodesic length of a line geometry in km (WGS84)."""
    return _GEOD.geometry_length(geom) / 1000.0


def _round_coords(coords: Any, nd: int) -> Any:
    if isinstance(coords[0], (int, float)):
        return [round(float(coords[0]), nd), round(float(coords[1]), nd)]
    return [_round_coords(c, nd) for c in coords]


def _dedupe(coords: list) -> list:
    """Drop consecutive duplicate positions (after rounding)."""
    out = [coords[0]]
    for c in coords[1:]:
        if c != out[-1]:
            out.append(c)
    return out


def rounded_geometry(geom: Any, decimals: int) -> Any:
    """Round a geometry to ``decimals``; polygons are snap-rounded so they stay valid."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        snapped = shapely.set_precision(geom, 10.0 ** -decimals)
        return polygonal(snapped)
    return shapely.set_precision(geom, 10.0 ** -decimals, mode="pointwise")


def geometry_json(geom: Any, decimals: int) -> dict:
    """GeoJSON geometry dict with rounded coordinates (exterior rings CCW)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom)
    gj = mapping(geom)
    coords = _round_coords(gj["coordinates"], decimals)
    if gj["type"] == "LineString":
        coords = _dedupe(coords)
    elif gj["type"] == "MultiLineString":
        coords = [_dedupe(part) for part in coords]
    return {"type": gj["type"], "coordinates": coords}


def feature_collection_text(name: str, features: list[dict]) -> str:
    """Compact, deterministic GeoJSON text: one feature per line."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":"), allow_nan=False) for f in features]
    head = '{"type":"FeatureCollection","name":' + json.dumps(name) + ',"features":[\n'
    return head + ",\n".join(lines) + "\n]}\n"


def _feature(props: dict, geometry: dict, fid: str | None = None) -> dict:
    feat: dict[str, Any] = {"type": "Feature"}
    if fid is not None:
        feat["id"] = fid
    feat["properties"] = props
    feat["geometry"] = geometry
    return feat


def read_source(source_dir: Path, name: str) -> gpd.GeoDataFrame:
    """Read one raw layer (EPSG:4326)."""
    gdf = gpd.read_file(source_dir / name)
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        gdf = gdf.set_crs(4326, allow_override=True)
    return gdf


# --------------------------------------------------------------------------- polygons


def _neighbour_score(piece: Any, district: Any, index: int) -> tuple[float, float, int]:
    """Rank a district for receiving ``piece``: longest shared border, then nearest, then first."""
    shared = piece.boundary.intersection(district.buffer(1e-7)).length
    return (round(shared, 9), -round(district.distance(piece), 9), -index)


def conform_districts(districts: gpd.GeoDataFrame, regions: dict[str, Any]) -> tuple[list, list[dict]]:
    """Clip each Tajik district to its region and give the region's leftovers to neighbours.

    Returns the new geometries (same order) and a log of the changes.
    """
    geoms = [polygonal(g.intersection(regions[r])) for g, r in zip(districts.geometry, districts["adm1_name"])]
    for region_name in sorted(set(districts["adm1_name"])):
        idx = [i for i, r in enumerate(districts["adm1_name"]) if r == region_name]
        gap = polygonal(regions[region_name].difference(shapely.union_all([geoms[i] for i in idx])))
        pieces = sorted(shapely.get_parts(gap), key=lambda p: (-p.area, p.centroid.x, p.centroid.y))
        for piece in pieces:
            best = max(idx, key=lambda i: _neighbour_score(piece, geoms[i], i))
            geoms[best] = polygonal(shapely.union(geoms[best], piece))
    # drop specks (< ~1000 m2) left detached by the overlay, then make the edges identical
    cleaned = []
    for g in geoms:
        parts = [p for p in shapely.get_parts(g) if p.area >= 1e-7]
        cleaned.append(shapely.union_all(parts) if len(parts) > 1 else parts[0])
    cleaned = list(shapely.coverage_clean(np.array(cleaned, dtype=object), gap_width=1e-4))
    cleaned = [polygonal(g) for g in cleaned]
    log = []
    for name, old, new in zip(districts["name"], districts.geometry, cleaned):
        changed = gpd.GeoSeries([old.symmetric_difference(new)], crs=4326).to_crs(6933).area.iloc[0] / 1e6
        if changed >= 0.5:
            log.append({"district": name, "changed_km2": round(float(changed), 1)})
    return cleaned, log


def _arc_ids(geometry: dict) -> list[int]:
    out: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, int):
            out.append(node if node >= 0 else ~node)
        else:
            for item in node:
                walk(item)

    if "arcs" in geometry:
        walk(geometry["arcs"])
    for sub in geometry.get("geometries", []):
        out.extend(_arc_ids(sub))
    return out


def topology_simplify(layers: dict[str, tuple[gpd.GeoDataFrame, list[str]]]) -> dict[str, list]:
    """Simplify layers together on one TopoJSON topology, per-arc tolerance.

    ``layers`` maps an object name to (frame, per-feature tolerance key). Each
    arc gets the smallest tolerance of the features that use it. Returns the
    simplified geometries per object, in input order.
    """
    names = list(layers)
    frames = [gpd.GeoDataFrame({"fid": range(len(layers[n][0]))}, geometry=list(layers[n][0].geometry), crs=4326)
              for n in names]
    grid = {"scale": [TOPOLOGY_GRID, TOPOLOGY_GRID], "translate": [60.0, 30.0]}
    topo = topojson.Topology(frames, object_name=names, prequantize=grid, toposimplify=False)

    arc_tol: dict[int, float] = {}
    for name in names:
        keys = layers[name][1]
        for geometry in topo.output["objects"][name]["geometries"]:
            fid = int(geometry["properties"]["fid"])
            tol = TOLERANCES[keys[fid]]
            for arc in _arc_ids(geometry):
                arc_tol[arc] = min(arc_tol.get(arc, tol), tol)

    simplified = {tol: topo.toposimplify(epsilon=tol) for tol in sorted(set(arc_tol.values()))}
    result = topo.toposimplify(epsilon=max(arc_tol.values()))
    arcs = list(result.output["arcs"])
    for arc, tol in arc_tol.items():
        arcs[arc] = simplified[tol].output["arcs"][arc]
    result.output["arcs"] = arcs

    out: dict[str, list] = {}
    for name in names:
        gdf = result.to_gdf(object_name=name)
        geoms: list[Any] = [None] * len(layers[name][0])
        for fid, geom in zip(gdf["fid"], gdf.geometry):
            geoms[int(fid)] = geom
        out[name] = geoms
    return out


# --------------------------------------------------------------------------- build


def _country_names(admin0: gpd.GeoDataFrame) -> dict[str, str]:
    return {str(r["ISO_A3"]): str(r["NAME"]) for _, r in admin0.iterrows()}


def _region_rows(admin1: gpd.GeoDataFrame) -> list[dict]:
    rows = []
    for _, r in admin1.iterrows():
        name = _text(r["name"])
        short = SHORT_NAMES.get(name, re.sub(r"\s+Region$", "", name))
        rows.append({
            "name": name,
            "short_name": short,
            "name_alt": join_alt(_text(r["name_alt"]).split("|")),
            "country": _text(r["country"]),
            "iso_a3": _text(r["iso_a3"]),
            "iso_3166_2": _text(r["iso_3166_2"]),
            "emphasis": _text(r["iso_3166_2"]) in EMPHASIS_ISO,
        })
    return rows


def _district_rows(tjk: gpd.GeoDataFrame, afg: gpd.GeoDataFrame) -> list[dict]:
    rows = []
    for _, r in tjk.iterrows():
        source = _text(r["name"])
        current_raw = _text(r["name_current"]) or source
        match = re.fullmatch(r"(.*?)\s*\((.*)\)", current_raw)
        notes: list[str] = []
        if match:
            current_raw = match.group(1)
            if match.group(2).lower() == "city":
                notes.append(f"Now administered as the city of {match.group(1)}.")
        name = re.sub(r"\s+District$", "", current_raw)
        source_short = re.sub(r"\s+District$", "", source)
        alt_names, alt_notes = split_alt(r["name_alt"])
        if source_short != name:
            notes.append(f"Renamed; the 2017 OSM source calls it {source}.")
        notes += alt_notes
        if source in DISTRICT_NOTES:
            notes.append(DISTRICT_NOTES[source])
        rows.append({
            "name": name,
            "name_source": source,
            "name_alt": join_alt([source_short] + alt_names, exclude=[name]),
            "name_note": " ".join(notes),
            "region": _text(r["adm1_name"]),
            "country": _text(r["country"]),
            "iso_a3": _text(r["iso_a3"]),
        })
    for _, r in afg.iterrows():
        source = _text(r["name"])
        alt_names, alt_notes = split_alt(r["name_alt"])
        notes = [DISTRICT_NOTES[source]] if source in DISTRICT_NOTES else alt_notes
        rows.append({
            "name": source,
            "name_source": source,
            "name_alt": join_alt(alt_names, exclude=[source]),
            "name_note": " ".join(notes),
            "region": _text(r["adm1_name"]),
            "country": _text(r["country"]),
            "iso_a3": _text(r["iso_a3"]),
        })
    return rows


def _locate(points: list[Any], polys: list[Any], rows: list[dict], prefer_iso: list[str | None]) -> list[int | None]:
    """Index of the polygon containing each point; overlaps resolved by ``prefer_iso`` then TJK."""
    tree = shapely.STRtree(polys)
    out: list[int | None] = []
    for pt, iso in zip(points, prefer_iso):
        hits = sorted(int(i) for i in tree.query(pt, predicate="intersects"))
        if not hits:
            out.append(None)
            continue
        hits.sort(key=lambda i: (rows[i]["iso_a3"] != iso, rows[i]["iso_a3"] != "TJK", i))
        out.append(hits[0])
    return out


def _places(source_dir: Path, countries: dict[str, str], regions: list[tuple[dict, Any]],
            districts: list[tuple[dict, Any]]) -> list[dict]:
    gn = read_source(source_dir, "populated_places_geonames.geojson")
    ne = read_source(source_dir, "populated_places_ne10m.geojson")
    key = read_source(source_dir, "key_places.geojson")
    key_ids = {int(i) for i in key["geonames_id"]}
    ne_by_id: dict[int, list[str]] = {}
    for _, r in ne.iterrows():
        gid = r["GEONAMEID"]
        if gid is not None and not (isinstance(gid, float) and math.isnan(gid)) and gid > 0:
            ne_by_id[int(gid)] = [_text(r["NAME"]), _text(r["NAMEASCII"]), _text(r["NAME_EN"])] + _text(r["NAMEALT"]).split("|")

    gn = gn.copy()
    gn["gid"] = [int(g) if g == g and g is not None else None for g in gn["geonames_id"]]
    pts = list(gn.geometry)
    reg_rows = [r for r, _ in regions]
    dis_rows = [r for r, _ in districts]
    reg_idx = _locate(pts, [g for _, g in regions], reg_rows, list(gn["country_iso3"]))
    dis_idx = _locate(pts, [g for _, g in districts], dis_rows, list(gn["country_iso3"]))

    chosen = []
    for i, r in gn.iterrows():
        iso = _text(r["country_iso3"])
        d = dis_idx[i]
        in_scope = (
            iso == "TJK"
            or (iso == "AFG" and d is not None and dis_rows[d]["iso_a3"] == "AFG"
                and dis_rows[d]["region"] in BORDER_PROVINCES)
            or r["gid"] in NATIONAL_CAPITALS
            or r["gid"] in key_ids
        )
        if in_scope:
            chosen.append(i)

    # district centres: a place named like its district, else the only / most populous place in it
    by_district: dict[int, list[int]] = {}
    for i in chosen:
        d = dis_idx[i]
        if d is not None and dis_rows[d]["iso_a3"] == gn.at[i, "country_iso3"]:
            by_district.setdefault(d, []).append(i)
    centres: set[int] = set()
    for d, members in by_district.items():
        row = dis_rows[d]
        keys = {fold(n) for n in [row["name"], row["name_source"].removesuffix(" District")] + row["name_alt"].split("|") if n}
        named = [i for i in members if fold(ascii_name(gn.at[i, "name"])) in keys]
        if named:
            centres.update(named)
            continue
        if len(members) == 1:
            centres.add(members[0])
            continue
        pops = sorted(((gn.at[i, "population"] or 0), i) for i in members)
        if pops[-1][0] > 0 and pops[-1][0] > pops[-2][0]:
            centres.add(pops[-1][1])

    features = []
    for i in chosen:
        r = gn.loc[i]
        gid = r["gid"]
        iso = _text(r["country_iso3"])
        name = _text(r["name"])
        pop_raw = r["population"]
        population = int(pop_raw) if pop_raw == pop_raw and pop_raw and pop_raw > 0 else None
        d = dis_idx[i]
        district = dis_rows[d]["name"] if d is not None and dis_rows[d]["iso_a3"] == iso else ""
        g = reg_idx[i]
        region = reg_rows[g]["name"] if g is not None and reg_rows[g]["iso_a3"] == iso else _text(r["admin1_name"])
        if gid in NATIONAL_CAPITALS or gid in REGION_CAPITALS or (population or 0) >= LARGE_TOWN_POPULATION:
            min_zoom = 6
        elif gid in key_ids or i in centres:
            min_zoom = 8
        else:
            min_zoom = 10
        alts = [ascii_name(name)] + PLACE_NAME_ALT.get(gid, "").split("|") + ne_by_id.get(gid, [])
        props = {
            "name": name,
            "name_alt": join_alt(alts, exclude=[name]),
            "country": countries.get(iso, iso),
            "region": region,
            "district": district,
            "population": population,
            "min_zoom": min_zoom,
            "source": _text(r["source"]),
            "geonames_id": gid,
        }
        features.append(_feature(props, geometry_json(r.geometry, DECIMALS_LINE)))
    features.sort(key=lambda f: (f["properties"]["country"], fold(f["properties"]["name"]),
                                 f["properties"]["geonames_id"] or 0))
    return features


def _road(border: Any, key: gpd.GeoDataFrame) -> dict:
    """The Kalai-Khumb–Vanch–Roshan road traced along the border line."""
    towns = {int(r["geonames_id"]): (r.geometry, ascii_name(_text(r["name"]))) for _, r in key.iterrows()}
    (q_pt, q_name), (v_pt, v_name), (r_pt, r_name) = (towns[t] for t in ROAD_TOWNS)
    dq, dv, dr = (border.project(p) for p in (q_pt, v_pt, r_pt))
    junction = border.interpolate(dv)
    first = substring(border, dq, dv)   # Qalaikhumb -> Vanj junction (reversed if dq > dv)
    second = substring(border, dv, dr)  # Vanj junction -> Rushon
    coords = (
        [q_pt.coords[0]] + list(first.coords) + [v_pt.coords[0], junction.coords[0]]
        + list(second.coords) + [r_pt.coords[0]]
    )
    line = LineString(coords)
    spur_km = geodesic_km(LineString([junction, v_pt]))
    props = {
        "site_id": "SITE-ROAD-KVR",
        "name": "Kalai-Khumb–Vanch–Roshan road (approximate route)",
        "method": (
            "Traced along the OSM-derived Afghanistan–Tajikistan border line (the Panj) between the points "
            f"nearest {q_name} and {r_name}, joined to the GeoNames town points, with a straight out-and-back "
            f"spur of {spur_km:.0f} km from the river to {v_name} town; the real road lies on the Tajik bank "
            "within about a kilometre of this line (the Vanj spur is cruder)."
        ),
        "source": (
            "afg_tjk_border_osm.geojson (geoBoundaries TJK ADM0, OpenStreetMap 2017) and GeoNames town points "
            f"({q_name} {ROAD_TOWNS[0]}, {v_name} {ROAD_TOWNS[1]}, {r_name} {ROAD_TOWNS[2]}; CC BY 4.0)"
        ),
        "license": f"{ODBL} (derived from OpenStreetMap)",
    }
    return _feature(props, geometry_json(line, DECIMALS_LINE), fid="SITE-ROAD-KVR")


def _attribution() -> dict:
    credits = [
        {"layer": "regions, districts",
         "text": "Administrative boundaries courtesy of geoBoundaries.org (Runfola et al. 2020, PLoS ONE 15(4): e0231866)",
         "license": "CC BY 4.0", "short": "geoBoundaries.org (CC BY 4.0)", "url": "https://www.geoboundaries.org"},
        {"layer": "regions and districts of Tajikistan, border, roads",
         "text": "© OpenStreetMap contributors (Tajik boundaries and the Afghanistan–Tajikistan border, via geoBoundaries)",
         "license": "ODbL 1.0", "short": "© OpenStreetMap contributors (ODbL)",
         "url": "https://www.openstreetmap.org/copyright"},
        {"layer": "regions and districts of Afghanistan",
         "text": "Afghan districts: AIMS (Afghanistan Information Management Services) / Esri Disaster Response Program",
         "license": "Public domain (per geoBoundaries)", "short": "AIMS / Esri (public domain)", "url": ""},
        {"layer": "countries, rivers",
         "text": "Made with Natural Earth: free vector and raster map data @ naturalearthdata.com",
         "license": "Public domain", "short": "Natural Earth", "url": "https://www.naturalearthdata.com"},
        {"layer": "places, roads",
         "text": "Place names and town positions: GeoNames (geonames.org)",
         "license": "CC BY 4.0", "short": "GeoNames (CC BY 4.0)", "url": "https://www.geonames.org"},
    ]
    return {
        "credits": credits,
        "odbl_notice": (
            "The layers derived from OpenStreetMap (Tajik regions and districts, border, roads) are released under "
            "the Open Database License (ODbL 1.0): https://opendatacommons.org/licenses/odbl/1-0/. "
            "Any public derived database must also be released under ODbL."
        ),
        "attribution_text": "Map data: " + " · ".join(c["short"] for c in credits),
    }


def build(source_dir: Path = GEODATA_SOURCE_DIR, out_dir: Path = GEODATA_DIR) -> dict:
    """Build all layers from ``source_dir`` into ``out_dir``; return a report.

    The report has ``layers`` ({name: {"features", "bytes"}}), ``total_bytes``,
    ``tolerances`` and ``conformed_districts`` (Tajik districts changed by more
    than 0.5 km2 when fitted to their regions).
    """
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    admin0 = read_source(source_dir, "admin0_ne10m.geojson")
    admin1 = read_source(source_dir, "admin1_tjk_afg.geojson")
    adm2_tjk = read_source(source_dir, "admin2_tjk.geojson")
    adm2_afg = read_source(source_dir, "admin2_afg.geojson")
    border_src = read_source(source_dir, "afg_tjk_border_osm.geojson")
    rivers_src = read_source(source_dir, "rivers_ne10m.geojson")
    key = read_source(source_dir, "key_places.geojson")
    countries = _country_names(admin0)

    # ---- attributes, sorted
    region_rows = _region_rows(admin1)
    region_geoms = list(admin1.geometry)
    r_order = sorted(range(len(region_rows)), key=lambda i: (region_rows[i]["country"], region_rows[i]["name"]))
    region_rows = [region_rows[i] for i in r_order]
    region_geoms = [polygonal(region_geoms[i]) for i in r_order]

    tjk_regions = {_text(r["name"]): g for r, g in zip(admin1.to_dict("records"), admin1.geometry) if r["iso_a3"] == "TJK"}
    tjk_geoms, conform_log = conform_districts(adm2_tjk, tjk_regions)
    district_rows = _district_rows(adm2_tjk, adm2_afg)
    district_geoms = tjk_geoms + [polygonal(g) for g in adm2_afg.geometry]
    d_order = sorted(range(len(district_rows)),
                     key=lambda i: (district_rows[i]["country"], district_rows[i]["region"], district_rows[i]["name"]))
    district_rows = [district_rows[i] for i in d_order]
    district_geoms = [district_geoms[i] for i in d_order]

    country_rows = [{"name": _text(r["NAME"]), "iso_a3": _text(r["ISO_A3"]), "focus": bool(r["focus_country"])}
                    for _, r in admin0.iterrows()]
    country_geoms = list(admin0.geometry)
    c_order = sorted(range(len(country_rows)), key=lambda i: country_rows[i]["name"])
    country_rows = [country_rows[i] for i in c_order]
    country_geoms = [polygonal(country_geoms[i]) for i in c_order]

    border_geom = border_src.geometry.iloc[0]
    border_row = border_src.iloc[0]

    # ---- one topology: countries + regions + districts + border
    focus_regions = {r["name"] for r in region_rows if r["iso_a3"] == "TJK" or r["name"] in BORDER_PROVINCES}
    layers = {
        "countries": (gpd.GeoDataFrame(geometry=country_geoms, crs=4326), ["countries"] * len(country_geoms)),
        "regions": (gpd.GeoDataFrame(geometry=region_geoms, crs=4326),
                    ["districts" if r["name"] in focus_regions else "regions_other" for r in region_rows]),
        "districts": (gpd.GeoDataFrame(geometry=district_geoms, crs=4326), ["districts"] * len(district_geoms)),
        "border": (gpd.GeoDataFrame(geometry=[border_geom], crs=4326), ["border"]),
    }
    simple = topology_simplify(layers)

    def polygon_features(rows: list[dict], geoms: list[Any]) -> list[dict]:
        feats = []
        for row, geom in zip(rows, geoms):
            geom = rounded_geometry(polygonal(geom), DECIMALS_POLYGON)
            if geom.is_empty:
                raise ValueError(f"geometry of {row['name']} collapsed in simplification")
            feats.append(_feature(dict(row), geometry_json(geom, DECIMALS_POLYGON)))
        return feats

    out: dict[str, list[dict]] = {
        "countries": polygon_features(country_rows, simple["countries"]),
        "regions": polygon_features(region_rows, simple["regions"]),
        "districts": polygon_features(district_rows, simple["districts"]),
    }

    border_simple = shapely.line_merge(simple["border"][0])
    if border_simple.geom_type != "LineString":
        raise ValueError("border did not simplify to a single LineString")
    border_simple = rounded_geometry(border_simple, DECIMALS_LINE)
    out["border"] = [_feature({
        "name": "Afghanistan–Tajikistan border",
        "source": _text(border_row["source"]),
        "license": _text(border_row["license"]) or ODBL,
        "length_km": round(geodesic_km(border_geom), 1),
    }, geometry_json(border_simple, DECIMALS_LINE))]

    # ---- rivers: one feature per river
    rivers: dict[str, dict] = {}
    for _, r in rivers_src.iterrows():
        name = _text(r["name_clean"]) or " ".join(_text(r["name"]).split())
        entry = rivers.setdefault(name, {"geoms": [], "alt": _text(r["name_alt_curated"]), "rank": []})
        entry["geoms"].append(r.geometry)
        entry["rank"].append(int(r["scalerank"]))
    out["rivers"] = []
    for name in sorted(rivers):
        entry = rivers[name]
        geom = shapely.line_merge(shapely.union_all(entry["geoms"]))
        geom = shapely.simplify(geom, TOLERANCES["rivers"], preserve_topology=True)
        geom = rounded_geometry(geom, DECIMALS_RIVER)
        out["rivers"].append(_feature({
            "name": name,
            "name_alt": join_alt(entry["alt"].split("|"), exclude=[name]),
            "scalerank": min(entry["rank"]),
        }, geometry_json(geom, DECIMALS_RIVER)))

    # ---- places and road, located on the built polygons
    def shapes(feats: list[dict]) -> list[tuple[dict, Any]]:
        return [(f["properties"], shape(f["geometry"])) for f in feats]

    out["places"] = _places(source_dir, countries, shapes(out["regions"]), shapes(out["districts"]))
    out["roads"] = [_road(border_simple, key)]

    # ---- write
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"layers": {}, "tolerances": dict(TOLERANCES), "conformed_districts": conform_log}
    for name in LAYER_NAMES:
        text = feature_collection_text(name, out[name])
        size = _write_if_changed(out_dir / f"{name}.geojson", text)
        report["layers"][name] = {"features": len(out[name]), "bytes": size}
    attribution = json.dumps(_attribution(), ensure_ascii=False, indent=1) + "\n"
    _write_if_changed(out_dir / "attribution.json", attribution)
    report["total_bytes"] = sum(v["bytes"] for v in report["layers"].values())
    return report


def _write_if_changed(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    if not (path.exists() and path.read_bytes() == data):
        write_atomically(path, data)
    return len(data)


def refresh_sources(from_dir: Path, source_dir: Path = GEODATA_SOURCE_DIR) -> list[str]:
    """Copy the raw layers the build uses (and SOURCES.md) unchanged into ``source_dir``."""
    source_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in SOURCE_FILES:
        src, dst = Path(from_dir) / name, source_dir / name
        if not (dst.exists() and filecmp.cmp(src, dst, shallow=False)):
            shutil.copyfile(src, dst)
            copied.append(name)
    return copied


# --------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the build-geodata options."""
    parser.add_argument("--source-dir", type=Path, default=GEODATA_SOURCE_DIR,
                        help="raw layers (default: geodata/source/)")
    parser.add_argument("--out-dir", type=Path, default=GEODATA_DIR, help="output directory (default: geodata/)")
    parser.add_argument("--refresh-sources", type=Path, metavar="DIR",
                        help="first copy the raw layers and SOURCES.md unchanged from DIR into --source-dir")
    parser.add_argument("--check", action="store_true",
                        help="build into a temporary directory and fail if --out-dir differs (nothing is written)")


def run(args: argparse.Namespace) -> int:
    """Run the build; print a per-layer report. Returns the exit status."""
    if args.refresh_sources:
        copied = refresh_sources(args.refresh_sources, args.source_dir)
        print(f"copied {len(copied)} source file(s) into {args.source_dir}")
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            report = build(args.source_dir, Path(tmp))
            stale = [n for n in [*(f"{l}.geojson" for l in LAYER_NAMES), "attribution.json"]
                     if not (args.out_dir / n).exists()
                     or (args.out_dir / n).read_bytes() != (Path(tmp) / n).read_bytes()]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        print("geodata is up to date")
        return 0
    report = build(args.source_dir, args.out_dir)
    for name, info in report["layers"].items():
        print(f"{name:<10} {info['features']:>5} features {info['bytes']:>9,} bytes")
    total = report["total_bytes"]
    print(f"{'total':<10} {'':>5}          {total:>9,} bytes (budget {SIZE_BUDGET_BYTES:,})")
    for item in report["conformed_districts"]:
        print(f"  conformed to its region: {item['district']} ({item['changed_km2']} km2 changed)")
    if total > SIZE_BUDGET_BYTES:
        print("size budget exceeded", file=sys.stderr)
        return 1
    return 0
