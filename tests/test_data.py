"""``panjmap.data.load_dataset``: typed GeoDataFrames from the seeds, cached, and DataError on bad files.

Expected values are read from the CSVs with the csv module and from
geodata/roads.geojson with json/shapely, independently of the loader.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, shape

from panjmap import data
from panjmap.data import DataError, load_dataset
from panjmap.paths import GEODATA_DIR, SEEDS_DIR
from panjmap.schema import CLAIM_COLUMNS, EVIDENCE_COLUMNS, INCIDENT_COLUMNS, SITE_COLUMNS


def rows(table: str, seeds: Path = SEEDS_DIR) -> list[dict[str, str]]:
    with open(seeds / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def rewrite(seeds: Path, table: str, change) -> None:
    with open(seeds / f"{table}.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, records = reader.fieldnames, list(reader)
    change(records)
    with open(seeds / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


@pytest.fixture(scope="module")
def dataset() -> data.Dataset:
    return load_dataset()


def test_frames_are_geodataframes_in_wgs84(dataset: data.Dataset) -> None:
    for frame in (dataset.incidents, dataset.claims, dataset.sites):
        assert isinstance(frame, gpd.GeoDataFrame)
        assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert isinstance(dataset.evidence, pd.DataFrame) and isinstance(dataset.sources, pd.DataFrame)


def test_every_record_and_column_is_loaded(dataset: data.Dataset) -> None:
    incidents = rows("incidents")
    assert list(dataset.incidents["event_id_cnty"]) == [r["event_id_cnty"] for r in incidents]
    assert list(dataset.incidents.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)
    assert list(dataset.claims["claim_id"]) == [r["claim_id"] for r in rows("claims")]
    assert set(CLAIM_COLUMNS) <= set(dataset.claims.columns)
    assert list(dataset.sites["site_id"]) == [r["site_id"] for r in rows("sites")]
    assert set(SITE_COLUMNS) <= set(dataset.sites.columns)
    assert len(dataset.evidence) == len(rows("evidence"))
    assert set(EVIDENCE_COLUMNS) <= set(dataset.evidence.columns)
    assert list(dataset.sources["source_file"]) == [r["source_file"] for r in rows("sources")]


def test_incident_columns_are_typed(dataset: data.Dataset) -> None:
    inc = dataset.incidents
    for col in ("event_date", "end_date"):
        assert pd.api.types.is_datetime64_dtype(inc[col].dtype), inc[col].dtype
    for col in ("year", "time_precision", "iso", "timestamp"):
        assert inc[col].dtype == "int64", (col, inc[col].dtype)
    assert inc["fatalities"].dtype == "Int64"  # empty = not reported, never 0
    assert inc["injuries"].dtype == "Int64"
    assert inc["geo_precision"].dtype == "Int64"
    assert str(inc["latitude"].dtype) == "Float64" and str(inc["longitude"].dtype) == "Float64"

    for rec, raw in zip(inc.itertuples(), rows("incidents")):
        assert rec.event_date == pd.Timestamp(raw["event_date"])
        assert rec.end_date == pd.Timestamp(raw["end_date"])
        # Empty means "not reported": missing, never 0.
        if raw["fatalities"]:
            assert rec.fatalities == int(raw["fatalities"])
        else:
            assert pd.isna(rec.fatalities)
        if raw["injuries"]:
            assert rec.injuries == int(raw["injuries"])
        else:
            assert pd.isna(rec.injuries)
        if raw["geo_precision"]:
            assert rec.geo_precision == int(raw["geo_precision"])
        else:
            assert pd.isna(rec.geo_precision)
    # The seeds hold both cases, so the checks above test something.
    assert inc["injuries"].isna().any() and inc["injuries"].notna().any()
    assert inc["geo_precision"].isna().any() and inc["geo_precision"].notna().any()


def test_geometry_is_the_stated_point_or_empty(dataset: data.Dataset) -> None:
    raw = {r["event_id_cnty"]: r for r in rows("incidents")}
    located = [rid for rid, r in raw.items() if r["latitude"]]
    assert 0 < len(located) < len(raw)
    for rid, geom in zip(dataset.incidents["event_id_cnty"], dataset.incidents.geometry):
        if raw[rid]["latitude"]:
            assert isinstance(geom, Point)
            assert (geom.x, geom.y) == (float(raw[rid]["longitude"]), float(raw[rid]["latitude"]))
        else:
            assert geom is None or geom.is_empty, rid
    assert int((~dataset.incidents.geometry.isna()).sum()) == len(located)


def test_road_site_is_the_line_from_roads_geojson(dataset: data.Dataset) -> None:
    site_rows = {r["site_id"]: r for r in rows("sites")}
    road = next(sid for sid, r in site_rows.items() if r["geometry_ref"])
    layer_file, _, feature_id = site_rows[road]["geometry_ref"].partition("#")
    features = json.loads((GEODATA_DIR / layer_file).read_text(encoding="utf-8"))["features"]
    expected = shape(next(f for f in features if f["properties"].get("site_id") == feature_id)["geometry"])
    assert isinstance(expected, LineString)

    sites = dataset.sites.set_index("site_id")
    geom = sites.loc[road, "geometry"]
    assert geom.geom_type == "LineString"
    assert geom.equals_exact(expected, 1e-9)
    for sid, r in site_rows.items():
        if sid == road:
            continue
        geom = sites.loc[sid, "geometry"]
        if r["latitude"]:
            assert geom.geom_type == "Point" and (geom.x, geom.y) == (float(r["longitude"]), float(r["latitude"]))
        else:
            assert geom is None or geom.is_empty


def test_claims_carry_their_incident_geometry(dataset: data.Dataset) -> None:
    raw = {r["event_id_cnty"]: r for r in rows("incidents")}
    seen_located = seen_unlocated = False
    for claim_id, incident_id, geom in zip(dataset.claims["claim_id"], dataset.claims["incident_id"], dataset.claims.geometry):
        inc = raw[incident_id]
        if inc["latitude"]:
            seen_located = True
            assert geom is not None and (geom.x, geom.y) == (float(inc["longitude"]), float(inc["latitude"])), claim_id
        else:
            seen_unlocated = True
            assert geom is None or geom.is_empty, claim_id
    assert seen_located and seen_unlocated


def test_evidence_for_and_claims_for(dataset: data.Dataset) -> None:
    evidence = rows("evidence")
    claims = rows("claims")
    for rid in [r["event_id_cnty"] for r in rows("incidents")] + [r["site_id"] for r in rows("sites")]:
        got = dataset.evidence_for(rid)
        assert list(got["quote"]) == [e["quote"] for e in evidence if e["record_id"] == rid]
        assert list(got["source_file"]) == [e["source_file"] for e in evidence if e["record_id"] == rid]
        assert list(dataset.claims_for(rid)["claim_id"]) == [c["claim_id"] for c in claims if c["incident_id"] == rid]
    assert len(dataset.evidence_for("PNJ999")) == 0 and len(dataset.claims_for("PNJ999")) == 0


def test_version_is_a_hash_of_the_tables(dataset: data.Dataset) -> None:
    digest = hashlib.sha256()
    for name in ("incidents", "claims", "sites", "evidence", "sources"):
        digest.update((SEEDS_DIR / f"{name}.csv").read_bytes())
    assert dataset.version == digest.hexdigest()[:12]


def test_loading_is_cached_until_a_file_changes(seeds_copy: Path) -> None:
    first = load_dataset(seeds_copy)
    assert load_dataset(seeds_copy) is first
    assert load_dataset(str(seeds_copy)) is first  # same folder, any spelling

    # Touching a file (same bytes, new modification time) reloads.
    path = seeds_copy / "claims.csv"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    touched = load_dataset(seeds_copy)
    assert touched is not first
    assert touched.version == first.version
    assert load_dataset(seeds_copy) is touched

    # A real edit is seen, and changes the version.
    def edit(records: list[dict[str, str]]) -> None:
        next(r for r in records if r["event_id_cnty"] == "PNJ019")["fatalities"] = "4"

    rewrite(seeds_copy, "incidents", edit)
    stat = (seeds_copy / "incidents.csv").stat()
    os.utime(seeds_copy / "incidents.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
    edited = load_dataset(seeds_copy)
    assert edited is not touched and edited.version != first.version
    assert edited.incidents.set_index("event_id_cnty").loc["PNJ019", "fatalities"] == 4
    assert first.incidents.set_index("event_id_cnty").loc["PNJ019", "fatalities"] != 4


def test_read_tables_keeps_text_and_line_numbers(seeds_copy: Path) -> None:
    tables = data.read_tables(seeds_copy)
    incidents = tables["incidents"]
    assert list(incidents.columns) == list(INCIDENT_COLUMNS) + ["_line"]
    assert list(incidents["_line"]) == list(range(2, len(incidents) + 2))
    raw = rows("incidents", seeds_copy)
    assert list(incidents["injuries"]) == [r["injuries"] for r in raw]  # "" stays "", not NaN
    assert list(incidents["fatalities"]) == [r["fatalities"] for r in raw]


def test_non_number_raises_data_error(seeds_copy: Path) -> None:
    rewrite(seeds_copy, "incidents",
            lambda records: next(r for r in records if r["event_id_cnty"] == "PNJ019").update(fatalities="three"))
    with pytest.raises(DataError, match="python -m panjmap validate"):
        load_dataset(seeds_copy)


def test_bad_date_raises_data_error(seeds_copy: Path) -> None:
    rewrite(seeds_copy, "incidents",
            lambda records: next(r for r in records if r["event_id_cnty"] == "PNJ019").update(end_date="20251126"))
    with pytest.raises(DataError):
        load_dataset(seeds_copy)


def test_unclosed_quote_raises_data_error(seeds_copy: Path) -> None:
    with open(seeds_copy / "incidents.csv", "a", encoding="utf-8") as fh:
        fh.write('PNJ099,"2025-12-31\n')
    with pytest.raises(DataError, match="do not load"):
        load_dataset(seeds_copy)


def test_not_utf8_raises_data_error(seeds_copy: Path) -> None:
    path = seeds_copy / "sources.csv"
    path.write_bytes(path.read_bytes() + b"\xff\xfe,x\n")
    with pytest.raises(DataError):
        load_dataset(seeds_copy)


def test_missing_column_raises_data_error_naming_it(seeds_copy: Path) -> None:
    path = seeds_copy / "sites.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [f for f in reader.fieldnames if f != "notes"]
        records = [{f: r[f] for f in fields} for r in reader]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    with pytest.raises(DataError, match="sites.csv: missing columns notes"):
        load_dataset(seeds_copy)


def test_unresolvable_geometry_ref_raises_data_error(seeds_copy: Path) -> None:
    rewrite(seeds_copy, "sites",
            lambda records: next(r for r in records if r["geometry_ref"]).update(geometry_ref="roads.geojson#NOPE"))
    with pytest.raises(DataError, match="NOPE"):
        load_dataset(seeds_copy)
