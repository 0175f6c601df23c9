"""Data exports (GeoJSON, CSV, KML): they parse back to the filtered records, carry provenance and
metadata, are safe in spreadsheets and XML, and the CLI writes exactly what ``export.render`` does.

Expected records are computed from the seed CSVs with the csv module; the
files are read back with geopandas/pyogrio (GDAL) and xml.etree.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from panjmap import cli, export
from panjmap.data import load_dataset
from panjmap.layers import curated_layer
from panjmap.paths import GEODATA_DIR, ROOT, SEEDS_DIR
from panjmap.schema import ACLED_COLUMNS, CLAIM_COLUMNS, INCIDENT_COLUMNS, UNKNOWN_ACTOR
from panjmap.state import ViewState

KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
D = dt.date

STATE = ViewState(date_from=D(2025, 8, 1), date_to=D(2025, 12, 31),
                  event_types=("Battles", "Violence against civilians", "Explosions/Remote violence"), context=True)
NOW = dt.datetime(2026, 1, 5, 9, 30, 15, tzinfo=dt.timezone.utc)


def rows(table: str, seeds: Path = SEEDS_DIR) -> list[dict[str, str]]:
    with open(seeds / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


INCIDENTS = {r["event_id_cnty"]: r for r in rows("incidents")}
EVIDENCE = rows("evidence")
CLAIMS = rows("claims")


def expected_ids(state: ViewState) -> list[str]:
    """The incidents ``STATE`` shows, from the CSV: span meets the window, type in the list."""
    return [rid for rid, r in INCIDENTS.items()
            if r["end_date"] >= state.date_from.isoformat() and r["event_date"] <= state.date_to.isoformat()
            and r["event_type"] in state.event_types]


EXPECTED = expected_ids(STATE)
LOCATED = [rid for rid in EXPECTED if INCIDENTS[rid]["latitude"]]


def count_text(value) -> str:
    """A count as read back from a file: "" when missing (None, NaN, ""), else the whole number."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return ""
    return str(int(float(value)))


def unlocated(geom) -> bool:
    return geom is None or (isinstance(geom, float) and geom != geom) or geom.is_empty


def evidence_of(rid: str) -> list[dict[str, str]]:
    return [e for e in EVIDENCE if e["record_id"] == rid]


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


@pytest.fixture(scope="module")
def records(dataset):
    return curated_layer(dataset).filtered(STATE)


@pytest.fixture(scope="module")
def meta(dataset, records):
    return export.metadata(STATE, dataset, records, now=NOW)


@pytest.fixture(scope="module")
def files(tmp_path_factory, dataset, records, meta) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    out = {}
    for fmt in export.FORMATS:
        path = folder / f"{STATE.file_stem()}.{fmt}"
        path.write_text(export.render(fmt, records, dataset, meta), encoding="utf-8")
        out[fmt] = path
    return out


def test_the_state_mixes_located_and_unlocated_records() -> None:
    # Otherwise the checks below would not cover both kinds.
    assert LOCATED and set(EXPECTED) - set(LOCATED)


def test_filtered_records_are_the_expected_ones(records) -> None:
    assert list(records["event_id_cnty"]) == EXPECTED


# --------------------------------------------------------------------------- GeoJSON


def test_geojson_parses_back(files) -> None:
    frame = gpd.read_file(files["geojson"])
    assert frame.crs.to_epsg() == 4326
    incidents = frame[frame["record_type"] == "incident"]
    assert list(incidents["event_id_cnty"]) == EXPECTED
    for _, rec in incidents.iterrows():
        raw = INCIDENTS[rec["event_id_cnty"]]
        assert pd.Timestamp(rec["event_date"]).date().isoformat() == raw["event_date"]
        assert pd.Timestamp(rec["end_date"]).date().isoformat() == raw["end_date"]
        assert count_text(rec["fatalities"]) == raw["fatalities"]  # empty stays empty: not reported, not 0
        if raw["latitude"]:
            assert (rec.geometry.x, rec.geometry.y) == (float(raw["longitude"]), float(raw["latitude"]))
        else:
            assert unlocated(rec.geometry)
    # Sites the shown incidents refer to come along, as sites.
    sites = frame[frame["record_type"] == "site"]
    assert set(sites["site_id"]) == {INCIDENTS[rid]["site_id"] for rid in EXPECTED} - {""}


def test_geojson_carries_sources_quotes_and_claims_for_every_incident(files) -> None:
    collection = json.loads(files["geojson"].read_text(encoding="utf-8"))
    incidents = [f for f in collection["features"] if f["properties"]["record_type"] == "incident"]
    assert [f["id"] for f in incidents] == EXPECTED
    for feature in incidents:
        props = feature["properties"]
        rid = props["event_id_cnty"]
        ev = evidence_of(rid)
        assert ev, rid
        assert props["sources"] == sorted({e["source_file"] for e in ev})
        assert props["quotes"] == [{"source_file": e["source_file"], "quote": e["quote"]} for e in ev]
        assert props["claims"] == [{c: cl[c] for c in CLAIM_COLUMNS} for cl in CLAIMS if cl["incident_id"] == rid]
        # every schema column, as stored (coordinates as numbers)
        text_columns = [c for c in INCIDENT_COLUMNS if c not in ("latitude", "longitude")]
        assert {c: props[c] for c in text_columns} == {c: INCIDENTS[rid][c] for c in text_columns}
        for c in ("latitude", "longitude"):
            assert (float(props[c]) if props[c] else None) == (float(INCIDENTS[rid][c]) if INCIDENTS[rid][c] else None)


def data_version() -> str:
    digest = hashlib.sha256()
    for name in ("incidents", "claims", "sites", "evidence", "sources"):
        digest.update((SEEDS_DIR / f"{name}.csv").read_bytes())
    return digest.hexdigest()[:12]


def test_geojson_metadata(files) -> None:
    metadata = json.loads(files["geojson"].read_text(encoding="utf-8"))["metadata"]
    assert metadata["filters"] == STATE.describe()
    assert "2025-08-01 to 2025-12-31" in metadata["filters"]
    assert "Event types: Battles, Violence against civilians, Explosions/Remote violence" in metadata["filters"]
    assert ViewState.from_query(parse_qs(metadata["query"])) == (STATE, [])  # the permalink query
    assert metadata["data_version"] == data_version()
    assert metadata["generated"] == "2026-01-05T09:30:15+00:00"
    assert metadata["count"] == len(EXPECTED)
    for source in rows("sources"):
        assert any(entry.startswith(source["source_file"] + ": " + source["title"]) for entry in metadata["sources"])
    attribution = json.loads((GEODATA_DIR / "attribution.json").read_text(encoding="utf-8"))["attribution_text"]
    assert metadata["attribution"] == attribution


def test_generated_time_defaults_to_now_in_utc(dataset, records) -> None:
    meta = export.metadata(STATE, dataset, records)
    stamp = dt.datetime.fromisoformat(meta.generated)
    assert stamp.utcoffset() == dt.timedelta(0) and stamp.microsecond == 0


# --------------------------------------------------------------------------- CSV


def test_csv_header_starts_with_acled_columns(files) -> None:
    header = next(csv.reader(io.StringIO(files["csv"].read_text(encoding="utf-8"))))
    assert tuple(header[: len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    assert header == list(INCIDENT_COLUMNS) + list(export.READING_COLUMNS) + ["sources", "quotes"]


def test_csv_parses_back_with_gdal(files) -> None:
    frame = gpd.read_file(files["csv"], X_POSSIBLE_NAMES="longitude", Y_POSSIBLE_NAMES="latitude")
    assert list(frame["event_id_cnty"]) == EXPECTED
    for _, rec in frame.iterrows():
        raw = INCIDENTS[rec["event_id_cnty"]]
        assert str(rec["event_date"])[:10] == raw["event_date"]
        # ACLED's convention in ACLED's column: 0 where no number is reported (the metadata says so).
        assert int(rec["fatalities"]) == int(raw["fatalities"] or 0)
        if raw["latitude"]:
            assert rec.geometry.x == pytest.approx(float(raw["longitude"]), abs=1e-9)
            assert rec.geometry.y == pytest.approx(float(raw["latitude"]), abs=1e-9)
        else:
            assert unlocated(rec.geometry)


def test_csv_carries_sources_and_quotes_for_every_incident(files) -> None:
    table = list(csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8"))))
    assert [r["event_id_cnty"] for r in table] == EXPECTED
    for row in table:
        ev = evidence_of(row["event_id_cnty"])
        assert row["sources"] == "; ".join(sorted({e["source_file"] for e in ev}))
        for e in ev:
            assert f"{e['source_file']}: {e['quote']}" in row["quotes"]


def test_csv_metadata_sidecar(meta) -> None:
    # The CSV stays plain ACLED-shaped; its metadata is the JSON sidecar.
    sidecar = json.loads(export.metadata_json(meta))
    assert sidecar["filters"] == STATE.describe()
    assert sidecar["data_version"] == data_version()
    assert sidecar["generated"] == "2026-01-05T09:30:15+00:00"
    assert len(sidecar["sources"]) == len(rows("sources"))


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("=1+1", "'=1+1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-", "'-"),
    ("-70.04865", "-70.04865"),
    ("+3", "+3"),
    ("-1e5", "-1e5"),
    ("0", "0"),
    ("37.84137", "37.84137"),
    ("Tajikistan", "Tajikistan"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_safe_cell(cell: str, safe: str) -> None:
    assert export.safe_cell(cell) == safe


# --------------------------------------------------------------------------- KML


def test_kml_driver_available() -> None:
    drivers = pyogrio.list_drivers()
    assert "LIBKML" in drivers or "KML" in drivers


def test_kml_parses_back_with_gdal(files) -> None:
    drivers = pyogrio.list_drivers()
    driver = "LIBKML" if "LIBKML" in drivers else "KML"
    layers = [name for name, _ in pyogrio.list_layers(files["kml"])]
    assert "Incidents" in layers
    frame = gpd.read_file(files["kml"], layer="Incidents", driver=driver)
    ids = list(frame["event_id_cnty"]) if "event_id_cnty" in frame else [n.split(":")[0] for n in frame["Name"]]
    assert ids == LOCATED
    for rid, geom, row in zip(ids, frame.geometry, frame.itertuples()):
        raw = INCIDENTS[rid]
        assert geom.x == pytest.approx(float(raw["longitude"]), abs=1e-5)
        assert geom.y == pytest.approx(float(raw["latitude"]), abs=1e-5)
        if "fatalities" in frame:
            assert count_text(getattr(row, "fatalities")) == raw["fatalities"]
            assert str(getattr(row, "event_date"))[:10] == raw["event_date"]


def _kml(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def _placemarks(root: ET.Element, folder: str) -> list[ET.Element]:
    for f in root.iterfind(".//k:Folder", KML_NS):
        if f.findtext("k:name", namespaces=KML_NS) == folder:
            return f.findall("k:Placemark", KML_NS)
    raise AssertionError(f"no folder {folder}")


def _data(placemark: ET.Element) -> dict[str, str]:
    return {d.get("name"): d.findtext("k:value", default="", namespaces=KML_NS)
            for d in placemark.iterfind("k:ExtendedData/k:Data", KML_NS)}


def test_kml_one_placemark_per_located_incident(files) -> None:
    root = _kml(files["kml"])
    marks = _placemarks(root, "Incidents")
    assert [m.get("id") for m in marks] == LOCATED
    for mark in marks:
        fields = _data(mark)
        rid = mark.get("id")
        raw = INCIDENTS[rid]
        assert fields["event_date"] == raw["event_date"] and fields["fatalities"] == raw["fatalities"]
        assert mark.findtext("k:TimeSpan/k:begin", namespaces=KML_NS) == raw["event_date"]
        assert mark.findtext("k:TimeSpan/k:end", namespaces=KML_NS) == raw["end_date"]
        lon, lat = mark.findtext("k:Point/k:coordinates", namespaces=KML_NS).split(",")
        assert (float(lon), float(lat)) == (float(raw["longitude"]), float(raw["latitude"]))
        # provenance for every incident
        ev = evidence_of(rid)
        assert fields["sources"] == "; ".join(sorted({e["source_file"] for e in ev}))
        description = mark.findtext("k:description", namespaces=KML_NS)
        assert description.startswith(raw["notes"])
        for e in ev:
            assert e["quote"] in description
    sites = _placemarks(root, "Project sites")
    assert {_data(s)["site_id"] for s in sites} == {INCIDENTS[rid]["site_id"] for rid in EXPECTED} - {""}
    road = [s for s in sites if s.find("k:LineString", KML_NS) is not None]
    assert [_data(s)["geometry_ref"] for s in road] == [r["geometry_ref"] for r in rows("sites")
                                                       if r["geometry_ref"] and r["site_id"] in {_data(s)["site_id"] for s in sites}]


def test_kml_document_metadata(files) -> None:
    root = _kml(files["kml"])
    description = root.findtext("k:Document/k:description", namespaces=KML_NS)
    assert STATE.describe() in description
    assert f"Data version {data_version()}" in description
    assert "generated 2026-01-05T09:30:15+00:00" in description
    for source in rows("sources"):
        assert source["source_file"] in description
    attribution = json.loads((GEODATA_DIR / "attribution.json").read_text(encoding="utf-8"))["attribution_text"]
    assert attribution in description


# --------------------------------------------------------------------------- hostile text in a record

HOSTILE_NOTES = '<script>alert("x")</script> & "double" \'single\' ]]> <![CDATA[ x ]]>'
HOSTILE_LOCATION = 'Shŭrobod <b>&amp;</b> "camp"'


def _rewrite(seeds: Path, table: str, rid: str, **changes: str) -> None:
    with open(seeds / f"{table}.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, records = reader.fieldnames, list(reader)
    for r in records:
        if r["event_id_cnty"] == rid:
            r.update(changes)
    with open(seeds / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


@pytest.fixture
def hostile(seeds_copy: Path):
    located = next(rid for rid, r in INCIDENTS.items() if r["latitude"])
    _rewrite(seeds_copy, "incidents", located, notes=HOSTILE_NOTES, location=HOSTILE_LOCATION,
             tags="=HYPERLINK(\"http://evil\",\"click\")", assoc_actor_1="@SUM(1+1)*cmd|' /C calc'!A0",
             admin3="-2+3")
    dataset = load_dataset(seeds_copy)
    state = ViewState(context=True)
    records = curated_layer(dataset).filtered(state)
    return located, dataset, records, export.metadata(state, dataset, records, now=NOW)


def test_kml_text_is_xml_escaped(hostile) -> None:
    rid, dataset, records, meta = hostile
    text = export.to_kml(records, dataset, meta)
    assert "<script>" not in text and "<b>" not in text
    root = ET.fromstring(text.encode("utf-8"))  # well-formed
    mark = next(m for m in _placemarks(root, "Incidents") if m.get("id") == rid)
    assert mark.findtext("k:name", namespaces=KML_NS) == f"{rid}: {HOSTILE_LOCATION}"
    assert mark.findtext("k:description", namespaces=KML_NS).startswith(HOSTILE_NOTES + "\n\n")
    fields = _data(mark)
    assert fields["notes"] == HOSTILE_NOTES and fields["location"] == HOSTILE_LOCATION


def test_kml_with_hostile_text_reads_with_gdal(hostile, tmp_path: Path) -> None:
    rid, dataset, records, meta = hostile
    path = tmp_path / "hostile.kml"
    path.write_text(export.to_kml(records, dataset, meta), encoding="utf-8")
    drivers = pyogrio.list_drivers()
    frame = gpd.read_file(path, layer="Incidents", driver="LIBKML" if "LIBKML" in drivers else "KML")
    assert len(frame) == sum(1 for r in INCIDENTS.values() if r["latitude"])
    if "notes" in frame:
        assert frame.set_index("event_id_cnty").loc[rid, "notes"] == HOSTILE_NOTES


def test_csv_neutralises_formulas_but_not_numbers(hostile) -> None:
    rid, dataset, records, meta = hostile
    table = list(csv.DictReader(io.StringIO(export.to_csv(records, dataset))))
    row = next(r for r in table if r["event_id_cnty"] == rid)
    assert row["tags"] == "'=HYPERLINK(\"http://evil\",\"click\")"
    assert row["assoc_actor_1"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["admin3"] == "'-2+3"
    assert row["notes"] == HOSTILE_NOTES  # not a formula: unchanged
    assert row["latitude"] == INCIDENTS[rid]["latitude"] and row["fatalities"] == (INCIDENTS[rid]["fatalities"] or "0")
    # No cell of the whole file starts a formula.
    for r in table:
        for value in r.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")) or _is_number(value)
            assert not value.startswith("-") or _is_number(value)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def test_geojson_keeps_text_verbatim(hostile) -> None:
    rid, dataset, records, meta = hostile
    collection = json.loads(export.to_geojson(records, dataset, meta))
    props = next(f["properties"] for f in collection["features"] if f["id"] == rid)
    assert props["notes"] == HOSTILE_NOTES and props["tags"].startswith("=HYPERLINK")


# --------------------------------------------------------------------------- the command line

CLI_ACTOR = UNKNOWN_ACTOR
CLI_STATE = ViewState(date_from=D(2025, 11, 1), date_to=D(2025, 12, 31), actors=(CLI_ACTOR,),
                      event_types=("Battles", "Explosions/Remote violence"))
CLI_ARGS = ["--from", "2025-11-01", "--to", "2025-12-31", "--actor", CLI_ACTOR,
            "--event-type", "Battles", "--event-type", "Explosions/Remote violence"]


def _run_export(fmt: str, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "panjmap", "export", "--format", fmt, *CLI_ARGS, "-o", str(output)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    paths = {fmt: folder / f"{CLI_STATE.file_stem()}.{fmt}" for fmt in export.FORMATS}
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip(paths, pool.map(lambda fmt: _run_export(fmt, paths[fmt]), paths)))
    for fmt, result in results.items():
        assert result.returncode == 0, result.stderr
        assert f"incidents written to {paths[fmt]}" in result.stderr
    return paths


def _generated(fmt: str, data: bytes) -> dt.datetime | None:
    text = data.decode("utf-8")
    if fmt == "geojson":
        return dt.datetime.fromisoformat(json.loads(text)["metadata"]["generated"])
    if fmt == "kml":
        return dt.datetime.fromisoformat(re.search(r"generated (\S+?)\.\n", text).group(1))
    return None  # the CSV carries no time


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_cli_writes_the_same_bytes_as_render(cli_files, dataset, fmt: str) -> None:
    data = cli_files[fmt].read_bytes()
    records = curated_layer(dataset).filtered(CLI_STATE)
    assert len(records) > 0
    meta = export.metadata(CLI_STATE, dataset, records, now=_generated(fmt, data))
    assert data == export.render(fmt, records, dataset, meta).encode("utf-8")


def test_cli_state_matches_the_csv(cli_files) -> None:
    # "Unknown / unclaimed": no group claimed it, or an actor (named or attributed) is unidentified.
    def unknown(r: dict[str, str]) -> bool:
        names = [n.strip() for col in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2") for n in r[col].split(";")]
        names += [c["actor"] for c in CLAIMS if c["incident_id"] == r["event_id_cnty"]]
        return r["claim_status"] == "unclaimed" or any(n.startswith("Unidentified") for n in names)

    want = [rid for rid, r in INCIDENTS.items()
            if r["end_date"] >= "2025-11-01" and r["event_date"] <= "2025-12-31"
            and r["event_type"] in CLI_STATE.event_types and unknown(r)]
    assert want
    table = list(csv.DictReader(io.StringIO(cli_files["csv"].read_text(encoding="utf-8"))))
    assert [r["event_id_cnty"] for r in table] == want


def test_cli_rejects_a_bad_date(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["export", "--from", "2025-13-01"])
    assert exit_info.value.code == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_cli_rejects_a_backwards_window() -> None:
    with pytest.raises(SystemExit, match="--from is after --to"):
        cli.main(["export", "--from", "2025-12-31", "--to", "2025-11-01"])


def test_cli_without_output_writes_to_stdout(capsys, dataset) -> None:
    assert cli.main(["export", "--format", "csv", *CLI_ARGS]) == 0
    records = curated_layer(dataset).filtered(CLI_STATE)
    assert capsys.readouterr().out == export.to_csv(records, dataset)


def test_file_stem_names_the_export() -> None:
    assert STATE.file_stem() == ("panj-incidents_2025-08-01_2025-12-31_type-battles+violence-against-civilians"
                                 "+explosions-remote-violence_with-context")
    assert CLI_STATE.file_stem() == ("panj-incidents_2025-11-01_2025-12-31_actor-unknown-unclaimed"
                                     "_type-battles+explosions-remote-violence")
    assert CLI_STATE.file_stem("sites").startswith("panj-sites_2025-11-01_2025-12-31_")


def test_unknown_format_is_refused(dataset, records, meta) -> None:
    with pytest.raises(ValueError, match="unknown export format 'shp'"):
        export.render("shp", records, dataset, meta)


def test_claims_and_sites_csv(dataset, records) -> None:
    claims = list(csv.DictReader(io.StringIO(export.claims_csv(records, dataset))))
    assert [c["claim_id"] for c in claims] == [c["claim_id"] for c in CLAIMS if c["incident_id"] in EXPECTED]
    assert all(c["quote"] for c in claims)
    sites = list(csv.DictReader(io.StringIO(export.sites_csv(records, dataset))))
    assert {s["site_id"] for s in sites} == {INCIDENTS[rid]["site_id"] for rid in EXPECTED} - {""}
