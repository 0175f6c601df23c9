"""Tests for the geodata build (panjmap.geodata_build) and loader (panjmap.geodata).

The build runs twice into temporary directories from geodata/source/ (no
network); the loader tests read that fresh output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point

from panjmap import geodata, geodata_build
from panjmap.paths import GEODATA_DIR, GEODATA_SOURCE_DIR

OUTPUT_FILES = [f"{name}.geojson" for name in geodata.LAYER_NAMES] + ["attribution.json"]
EQUAL_AREA = 6933  # EPSG:6933, for km2
UTM_42N = 32642    # metres along the Panj

PROPERTIES = {
    "countries": ["name", "iso_a3", "focus"],
    "regions": ["name", "short_name", "name_alt", "country", "iso_a3", "iso_3166_2", "emphasis"],
    "districts": ["name", "name_source", "name_alt", "name_note", "region", "country", "iso_a3"],
    "border": ["name", "source", "license", "length_km"],
    "rivers": ["name", "name_alt", "scalerank"],
    "places": ["name", "name_alt", "country", "region", "district", "population", "min_zoom", "source",
               "geonames_id"],
    "roads": ["site_id", "name", "method", "source", "license"],
}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("geodata_a")
    report = geodata_build.build(GEODATA_SOURCE_DIR, out)
    return out, report


@pytest.fixture(scope="session")
def built_again(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("geodata_b")
    geodata_build.build(GEODATA_SOURCE_DIR, out)
    return out


@pytest.fixture()
def layers(built: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point panjmap.geodata at the fresh build."""
    monkeypatch.setattr(geodata, "GEODATA_DIR", built[0])
    return built[0]


def _fc(directory: Path, name: str) -> dict:
    return json.loads((directory / f"{name}.geojson").read_text(encoding="utf-8"))


def _km2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(EQUAL_AREA).area.iloc[0]) / 1e6


def coverage_problems(districts: gpd.GeoDataFrame, regions: gpd.GeoDataFrame,
                      max_km2: float = 0.1) -> list[str]:
    """Gaps, overlaps or holes between the districts of each region (empty list = clean)."""
    problems = []
    for _, region in regions.iterrows():
        sub = districts[districts["region"] == region["name"]]
        if sub.empty:
            continue
        union = shapely.union_all(sub.geometry.values)
        gap = _km2(region.geometry.difference(union))
        overlap = float(gpd.GeoSeries(sub.geometry.values, crs=4326).to_crs(EQUAL_AREA).area.sum()) / 1e6 - _km2(union)
        allowed_holes = region.geometry.interiors if region.geometry.geom_type == "Polygon" else []
        holes = [h for p in shapely.get_parts(union) for h in p.interiors
                 if _km2(shapely.Polygon(h)) > max_km2
                 and not any(shapely.Polygon(h).equals_exact(shapely.Polygon(a), 1e-4) for a in allowed_holes)]
        # Dushanbe city is a region of its own inside RRS: its hole is expected
        holes = [h for h in holes if not regions[regions["name"] == "Dushanbe"].geometry.iloc[0]
                 .buffer(0.001).contains(shapely.Polygon(h))]
        if gap > max_km2:
            problems.append(f"{region['name']}: {gap:.2f} km2 of the region has no district")
        if overlap > max_km2:
            problems.append(f"{region['name']}: districts overlap by {overlap:.2f} km2")
        if holes:
            problems.append(f"{region['name']}: {len(holes)} hole(s) between districts")
    return problems


# --------------------------------------------------------------------------- build


def test_build_is_deterministic(built: tuple[Path, dict], built_again: Path) -> None:
    for name in OUTPUT_FILES:
        assert (built[0] / name).read_bytes() == (built_again / name).read_bytes(), name


def test_committed_output_matches_build(built: tuple[Path, dict]) -> None:
    stale = [n for n in OUTPUT_FILES
             if not (GEODATA_DIR / n).exists() or (GEODATA_DIR / n).read_bytes() != (built[0] / n).read_bytes()]
    assert not stale, f"geodata/ is out of date, run `python -m panjmap build-geodata`: {stale}"


def test_source_files_present() -> None:
    for name in geodata_build.SOURCE_FILES:
        assert (GEODATA_SOURCE_DIR / name).is_file(), name
    shared = Path("/work/shared/geodata-src")
    if shared.is_dir():  # copies must be unchanged
        for name in geodata_build.SOURCE_FILES:
            assert (GEODATA_SOURCE_DIR / name).read_bytes() == (shared / name).read_bytes(), name


def test_report_and_feature_counts(built: tuple[Path, dict]) -> None:
    out, report = built
    counts = {name: info["features"] for name, info in report["layers"].items()}
    assert counts["countries"] == 8
    assert counts["regions"] == 28
    assert counts["districts"] == 58 + 67
    assert counts["border"] == 1 and counts["roads"] == 1
    assert counts["places"] >= 100
    for name, info in report["layers"].items():
        assert info["bytes"] == (out / f"{name}.geojson").stat().st_size
        assert len(_fc(out, name)["features"]) == info["features"]


def test_total_size_within_budget(built: tuple[Path, dict]) -> None:
    total = sum((built[0] / f"{name}.geojson").stat().st_size for name in geodata.LAYER_NAMES)
    assert total <= 600_000, f"{total} bytes"
    assert built[1]["total_bytes"] == total


def test_coordinates_rounded(built: tuple[Path, dict]) -> None:
    pattern = re.compile(r"\d\.(\d{6,})")
    for name in geodata.LAYER_NAMES:
        geometry_text = json.dumps([f["geometry"] for f in _fc(built[0], name)["features"]])
        assert not pattern.search(geometry_text), f"{name} has coordinates with more than 5 decimals"


def test_cli_check_passes_on_committed_output() -> None:
    parser = argparse.ArgumentParser()
    geodata_build.add_arguments(parser)
    assert geodata_build.run(parser.parse_args(["--check"])) == 0


# --------------------------------------------------------------------------- layers


@pytest.mark.parametrize("name", geodata.LAYER_NAMES)
def test_layer_geometry_valid_and_properties(layers: Path, name: str) -> None:
    gdf = geodata.load_layer(name)
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) > 0
    assert gdf.geometry.notna().all() and not gdf.geometry.is_empty.any()
    invalid = gdf[~gdf.is_valid]
    assert invalid.empty, list(invalid.get("name", invalid.index))
    for feature in _fc(layers, name)["features"]:
        assert list(feature["properties"]) == PROPERTIES[name]
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 62 <= minx and maxx <= 79 and 31 <= miny and maxy <= 43


def test_emphasis_exactly_three_regions(layers: Path) -> None:
    regions = geodata.load_layer("regions")
    assert set(regions.loc[regions["emphasis"], "name"]) == {
        "Khatlon Region", "Gorno-Badakhshan Autonomous Region", "Badakhshan"}
    short = dict(zip(regions["name"], regions["short_name"]))
    assert short["Khatlon Region"] == "Khatlon"
    assert short["Gorno-Badakhshan Autonomous Region"] == "GBAO"
    assert short["Badakhshan"] == "Badakhshan"


def test_district_names(layers: Path) -> None:
    districts = geodata.load_layer("districts")
    by_source = districts.set_index("name_source")
    assert by_source.loc["Shuro-obod District", "name"] == "Shamsiddin Shohin"
    assert by_source.loc["Qumsangir District", "name"] == "Jayhun"
    assert by_source.loc["Darvoz District", "name"] == "Darvoz"
    assert by_source.loc["Darwazbala", "name"] == "Darwazbala"
    tjk = districts[districts["iso_a3"] == "TJK"]
    assert not tjk["name"].str.endswith(" District").any()
    assert set(districts["region"]) <= set(geodata.load_layer("regions")["name"])
    for source in ("Darwaz", "Darwazbala"):
        note = by_source.loc[source, "name_note"]
        assert "Nusay" in note and "Maimay" in note
    alt = dict(zip(districts["name"], districts["name_alt"].str.split("|")))
    assert {"Shuroobod", "Shuro-obod", "Shurobod"} <= set(alt["Shamsiddin Shohin"])
    assert {"Darvaz", "Darwaz"} <= set(alt["Darvoz"])
    assert "Vanch" in alt["Vanj"] and "Roshan" in alt["Rushon"]
    assert {"Maymay", "Maimay"} <= set(alt["Darwazbala"]) and "Nusay" in alt["Darwaz"]


@pytest.mark.parametrize(("query", "country", "expected"), [
    ("Shuroobod", None, "Shamsiddin Shohin"),
    ("Shuro-obod", None, "Shamsiddin Shohin"),
    ("Shurobod", None, "Shamsiddin Shohin"),
    ("shamsiddin shohin", None, "Shamsiddin Shohin"),
    ("Darvaz", None, "Darvoz"),
    ("Darwaz", "TJK", "Darvoz"),
    ("Darwaz", "AFG", "Darwaz"),
    ("Vanch", None, "Vanj"),
    ("Roshan", None, "Rushon"),
    ("Maimay", None, "Darwazbala"),
    ("Maymay", None, "Darwazbala"),
    ("Nusay", None, "Darwaz"),
    ("Jaihun", None, "Jayhun"),
])
def test_alternative_spellings_are_searchable(layers: Path, query: str, country: str | None, expected: str) -> None:
    hits = geodata.search_districts(query, country=country)
    assert not hits.empty, query
    assert hits.iloc[0]["name"] == expected


def test_search_finds_both_darwaz(layers: Path) -> None:
    hits = geodata.search_districts("Darwaz")
    assert set(zip(hits["name"], hits["iso_a3"])) == {("Darwaz", "AFG"), ("Darvoz", "TJK")}
    assert geodata.search_districts("no such place").empty


def test_districts_tile_their_regions(layers: Path) -> None:
    districts = geodata.load_layer("districts")
    regions = geodata.load_layer("regions")
    assert coverage_problems(districts, regions) == []
    for iso in ("TJK", "AFG"):  # shared edges are vertex-identical within each country
        assert shapely.coverage_is_valid(districts[districts["iso_a3"] == iso].geometry.values), iso
    khatlon = shapely.union_all(districts[districts["region"] == "Khatlon Region"].geometry.values)
    assert khatlon.geom_type == "Polygon" and len(khatlon.interiors) == 0


def test_gap_check_can_fail(layers: Path) -> None:
    districts = geodata.load_layer("districts")
    regions = geodata.load_layer("regions")
    broken = districts[districts["name"] != "Vose'"]
    assert any("Khatlon" in p and "no district" in p for p in coverage_problems(broken, regions))
    shrunk = districts.copy()
    i = shrunk.index[shrunk["name"] == "Panj"][0]
    shrunk.loc[i, "geometry"] = shrunk.loc[i, "geometry"].buffer(-0.01)
    assert coverage_problems(shrunk, regions)


def test_key_places_in_their_districts(layers: Path) -> None:
    key = gpd.read_file(GEODATA_SOURCE_DIR / "key_places.geojson")
    districts = geodata.load_layer("districts").set_index("name_source")
    places = geodata.load_layer("places").set_index("geonames_id")
    for _, row in key.iterrows():
        polygon = districts.loc[row["district_polygon"], "geometry"]
        assert polygon.contains(row.geometry), row["name"]
        found = geodata.find_district(row.geometry.x, row.geometry.y)
        assert found is not None and found["name_source"] == row["district_polygon"], row["name"]
        place = places.loc[int(row["geonames_id"])]
        assert place["district"] == districts.loc[row["district_polygon"], "name"]
        assert place["min_zoom"] <= 8


def test_places(layers: Path) -> None:
    places = geodata.load_layer("places")
    assert set(places["min_zoom"]) <= {6, 8, 10}
    by_name = places.set_index("name")
    assert by_name.loc["Dushanbe", "min_zoom"] == 6 and by_name.loc["Kabul", "min_zoom"] == 6
    assert by_name.loc["Dushanbe", "region"] == "Dushanbe"
    assert by_name.loc["Qalaikhumb", "district"] == "Darvoz"
    assert "Kalaikhumb" in by_name.loc["Qalaikhumb", "name_alt"].split("|")
    assert set(places["country"]) == {"Tajikistan", "Afghanistan"}
    afg = places[places["country"] == "Afghanistan"]
    assert set(afg["region"]) <= {"Badakhshan", "Takhar", "Kunduz", "Balkh", "Kabul"}
    assert places["geonames_id"].is_unique


def test_find_region_and_district(layers: Path) -> None:
    assert geodata.find_region(70.78902, 38.45373)["short_name"] == "GBAO"       # Qalaikhumb
    assert geodata.find_district(70.04865, 37.84137)["name"] == "Shamsiddin Shohin"
    assert geodata.find_district(70.80413, 38.44350)["name"] == "Darwaz"         # Nusay (AFG)
    assert geodata.find_district(68.77905, 38.53575) is None                    # Dushanbe city
    assert geodata.find_region(68.77905, 38.53575)["name"] == "Dushanbe"
    assert geodata.find_district(60.0, 50.0) is None


def test_border(layers: Path) -> None:
    border = geodata.load_layer("border")
    line = border.geometry.iloc[0]
    assert line.geom_type == "LineString"
    assert 1300 < border["length_km"].iloc[0] < 1400
    assert "ODbL" in border["license"].iloc[0]
    # ends at the CHN and UZB tripoints
    assert Point(line.coords[0]).distance(Point(74.892, 37.231)) < 0.02
    assert Point(line.coords[-1]).distance(Point(67.781, 37.189)) < 0.02


def test_road_follows_border(layers: Path) -> None:
    road = geodata.load_layer("roads")
    assert list(road["site_id"]) == ["SITE-ROAD-KVR"] and road["id"].iloc[0] == "SITE-ROAD-KVR"
    assert "ODbL" in road["license"].iloc[0]
    key = gpd.read_file(GEODATA_SOURCE_DIR / "key_places.geojson").set_index("geonames_id")
    q, v, r = (key.loc[i, "geometry"] for i in (1221559, 1220210, 1220685))
    frames = gpd.GeoDataFrame(geometry=[road.geometry.iloc[0], geodata.load_layer("border").geometry.iloc[0],
                                        q, v, r], crs=4326).to_crs(UTM_42N)
    line, border, q, v, r = frames.geometry
    start, end = Point(line.coords[0]), Point(line.coords[-1])
    assert start.distance(q) < 1000 and end.distance(r) < 1000
    assert min(Point(c).distance(v) for c in line.coords) < 100  # goes through Vanj
    junction = border.interpolate(border.project(v))
    spur = LineString([junction, v])
    for c in line.coords:
        p = Point(c)
        assert p.distance(border) <= 3000 or p.distance(spur) < 50, c
    assert 150_000 < line.length < 300_000


def test_attribution(layers: Path) -> None:
    credits = geodata.attribution()
    assert all(set(c) == {"layer", "text", "license"} for c in credits)
    text = " ".join(c["text"] + " " + c["license"] for c in credits)
    for needle in ("geoBoundaries.org", "CC BY 4.0", "OpenStreetMap", "ODbL", "AIMS", "Esri", "Natural Earth",
                   "GeoNames"):
        assert needle in text, needle
    licences = {c["license"] for c in credits}
    assert any("public domain" in lic.lower() for lic in licences)
    line = geodata.attribution_text()
    assert "\n" not in line and "OpenStreetMap" in line and "<" not in line
    assert "ODbL" in geodata.odbl_notice()


def test_load_layer_cache_follows_mtime(built: tuple[Path, dict], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OUTPUT_FILES:
        (tmp_path / name).write_bytes((built[0] / name).read_bytes())
    monkeypatch.setattr(geodata, "GEODATA_DIR", tmp_path)
    assert geodata.layer_path("roads") == tmp_path / "roads.geojson"
    first = geodata.load_layer("roads")
    first.loc[0, "name"] = "changed by the caller"
    assert geodata.load_layer("roads")["name"].iloc[0] != "changed by the caller"  # callers get copies
    data = _fc(tmp_path, "roads")
    data["features"][0]["properties"]["name"] = "edited"
    (tmp_path / "roads.geojson").write_text(json.dumps(data), encoding="utf-8")
    stat = (tmp_path / "roads.geojson").stat()
    os.utime(tmp_path / "roads.geojson", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert geodata.load_layer("roads")["name"].iloc[0] == "edited"
    with pytest.raises(ValueError):
        geodata.layer_path("nope")
