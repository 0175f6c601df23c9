"""Importers: ACLED (current, legacy), UCDP GED (49, 42, HDX), GeoJSON, and bad files.

Every input is synthetic and written by the tests (tests/importer_fixtures.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import panjmap.importers as importers
from panjmap.importers import MAX_IMPORT_BYTES, ImportRejected, ImportResult, import_file, values
from panjmap.schema import ACLED_COLUMNS, INCIDENT_COLUMNS
from tests.importer_fixtures import (
    ACLED_LEGACY_COLUMNS,
    UCDP_42_COLUMNS,
    acled_csv,
    acled_legacy_row,
    acled_row,
    csv_bytes,
    geojson_bytes,
    hdx_csv,
    point,
    ucdp_csv,
    ucdp_row,
)

ROOT = Path(__file__).resolve().parent.parent
RESULT_COLUMNS = list(INCIDENT_COLUMNS) + ["fatalities_low", "fatalities_high", "dataset", "original"]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(values, "today", lambda: dt.date(2026, 11, 21))


def rejected(data: bytes, filename: str = "f.csv", **kwargs: object) -> str:
    with pytest.raises(ImportRejected) as info:
        import_file(data, filename, **kwargs)  # type: ignore[arg-type]
    assert info.value.message == str(info.value)
    return info.value.message


def by_id(result: ImportResult) -> dict[str, dict]:
    return {row["event_id_cnty"]: row for row in result.records.to_dict("records")}


# --- ACLED -----------------------------------------------------------------


def test_acled_current_maps_every_column_and_keeps_the_original_row() -> None:
    rows = [
        acled_row(1, event_date="2025-11-26"),
        acled_row(2, event_date="26 November 2025", notes='Shots, "many" fired,\nthen silence', fatalities=3),
        acled_row(3, event_date="9-May-20", latitude="37.5", longitude="69.0"),
    ]
    result = import_file(acled_csv(rows), "acled_tjk_2025.csv")

    assert result.source_format == "acled-current"
    assert result.dataset_name == "acled_tjk_2025"
    assert result.rows_read == 3 and result.skipped == []
    records = result.records
    assert list(records.columns) == RESULT_COLUMNS + ["geometry"]
    assert records.crs.to_epsg() == 4326
    got = by_id(result)
    assert [got[f"TJK{n}"]["event_date"] for n in (1, 2, 3)] == ["2025-11-26", "2025-11-26", "2020-05-09"]
    assert got["TJK3"]["end_date"] == "2020-05-09" and got["TJK3"]["year"] == 2020
    assert got["TJK2"]["notes"] == 'Shots, "many" fired,\nthen silence'
    assert got["TJK2"]["fatalities"] == 3
    assert pd.isna(got["TJK2"]["fatalities_low"]) and pd.isna(got["TJK2"]["fatalities_high"])
    assert got["TJK1"]["inter1"] == "Political militia"
    assert (got["TJK3"]["geometry"].x, got["TJK3"]["geometry"].y) == (69.0, 37.5)
    assert set(records["dataset"]) == {"acled_tjk_2025"}
    original = json.loads(got["TJK2"]["original"])
    assert list(original) == list(ACLED_COLUMNS)
    assert original["event_date"] == "26 November 2025" and original["fatalities"] == "3"
    assert result.mapped["event_date"] == "event_date"
    assert "event_date" in result.mapped["end_date"]


def test_crlf_and_bom_give_the_same_records_as_lf() -> None:
    rows = [acled_row(1, notes="line one\r\nline two, with comma"), acled_row(2)]
    plain = import_file(acled_csv(rows), "a.csv")
    windows = import_file(acled_csv(rows, newline="\r\n", bom=True), "a.csv")
    assert windows.skipped == [] and len(windows.records) == 2
    assert list(json.loads(windows.records["original"][0]))[0] == "event_id_cnty"  # no BOM in the name
    assert windows.records["notes"][0] == "line one\nline two, with comma"
    cols = [c for c in RESULT_COLUMNS if c != "original"]
    pd.testing.assert_frame_equal(pd.DataFrame(plain.records[cols]), pd.DataFrame(windows.records[cols]))


def test_acled_legacy_export_converts_numeric_inter_codes() -> None:
    rows = [acled_legacy_row(1), acled_legacy_row(2, inter1=1, inter2=0, interaction=10, actor2="")]
    result = import_file(csv_bytes(ACLED_LEGACY_COLUMNS, rows), "old.csv")
    assert result.source_format == "acled-legacy"
    got = by_id(result)
    assert (got["TJK1"]["inter1"], got["TJK1"]["inter2"]) == ("Political militia", "Civilians")
    assert got["TJK1"]["interaction"] == "Political militia-Civilians"
    assert (got["TJK2"]["inter1"], got["TJK2"]["inter2"], got["TJK2"]["interaction"]) == (
        "State forces", "", "State forces only",
    )
    assert got["TJK1"]["disorder_type"] == ""
    assert json.loads(got["TJK1"]["original"])["data_id"] == "9001"
    assert json.loads(got["TJK1"]["original"])["iso3"] == "TJK"
    assert "converted" in result.mapped["inter1"]
    assert any("left empty: disorder_type, civilian_targeting, tags" in w for w in result.warnings)


def test_two_digit_years_follow_the_current_century_rule() -> None:
    rows = [acled_row(1, event_date="9-May-20"), acled_row(2, event_date="1-Jan-26"),
            acled_row(3, event_date="1-Jan-27"), acled_row(4, event_date="09-Dec-99")]
    got = by_id(import_file(acled_csv(rows), "a.csv"))
    assert [got[f"TJK{n}"]["event_date"] for n in range(1, 5)] == [
        "2020-05-09", "2026-01-01", "1927-01-01", "1999-12-09",
    ]


def test_slash_dates_use_the_order_the_file_proves() -> None:
    rows = [acled_row(1, event_date="26/11/2025"), acled_row(2, event_date="03/04/2025")]
    got = by_id(import_file(acled_csv(rows), "a.csv"))
    assert got["TJK2"]["event_date"] == "2025-04-03"  # day first, because 26 cannot be a month


def test_ambiguous_slash_date_is_skipped_with_its_line() -> None:
    rows = [acled_row(1), acled_row(2), acled_row(3, event_date="03/04/2025")]
    result = import_file(acled_csv(rows), "a.csv")
    assert result.skipped == [
        (4, "event_date '03/04/2025' is ambiguous: day/month order cannot be told from this file")
    ]


def test_bad_dates_are_skipped_with_line_numbers_after_multiline_notes() -> None:
    rows = [
        acled_row(1, notes="first\nsecond\nthird"),  # lines 2-4
        acled_row(2, event_date="sometime in May"),  # line 5
        acled_row(3, event_date="31 February 2025"),  # line 6
        acled_row(4), acled_row(5), acled_row(6),
    ]
    result = import_file(acled_csv(rows), "a.csv")
    assert result.skipped == [
        (5, "event_date 'sometime in May' is not a recognised date "
            "(e.g. 2025-11-26, 26 November 2025 or 9-May-20)"),
        (6, "event_date '31 February 2025' is not a real calendar date"),
    ]
    assert len(result.records) == 4
    summary = result.summary()
    assert "Imported 4 of 6 rows as ACLED (current 31-column export)" in summary
    assert "line 5: event_date 'sometime in May' is not a recognised date" in summary


def test_coordinate_problems_are_skipped_and_swaps_are_not_fixed() -> None:
    rows = [acled_row(n) for n in range(1, 7)] + [
        acled_row(7, latitude="", longitude=""),
        acled_row(8, latitude=95.5, longitude=200),
        acled_row(9, latitude=120.5, longitude=30.0, country="Elsewhere"),
        acled_row(10, latitude=68.75, longitude=37.25),  # Tajikistan point with lat/lon swapped
        acled_row(11, latitude="north", longitude=68.0),
    ]
    result = import_file(acled_csv(rows), "a.csv")
    reasons = dict(result.skipped)
    assert reasons[8] == "missing latitude and longitude"
    assert reasons[9] == "latitude 95.5 is outside -90..90"
    assert reasons[10] == "latitude/longitude look swapped (latitude=120.5, longitude=30)"
    assert reasons[11] == (
        "latitude/longitude look swapped (latitude=68.75, longitude=37.25: outside Tajikistan, inside it when swapped)"
    )
    assert reasons[12] == "latitude 'north' is not a number"
    assert len(result.records) == 6
    assert 68.75 not in set(result.records["latitude"])  # nothing was silently swapped


def test_point_far_outside_its_country_is_kept_with_a_warning() -> None:
    rows = [acled_row(1), acled_row(2, latitude=51.5, longitude=-0.1)]  # "Tajikistan" in London
    result = import_file(acled_csv(rows), "a.csv")
    assert len(result.records) == 2
    assert any("outside the named country" in w and w.endswith("(line 3)") for w in result.warnings)


def test_duplicate_ids_and_ragged_rows_are_skipped() -> None:
    data = acled_csv([acled_row(1), acled_row(2), acled_row(1, location="again"), acled_row(4)])
    data += b"TJK5,2025-11-26,only,three\n"
    result = import_file(data, "a.csv")
    assert result.skipped == [
        (4, "duplicate event id 'TJK1' (first on line 2)"),
        (6, "has 4 fields but the header has 31"),
    ]
    assert list(result.records["event_id_cnty"]) == ["TJK1", "TJK2", "TJK4"]


def test_more_than_half_bad_rows_rejects_the_whole_file() -> None:
    rows = [acled_row(1), acled_row(2, latitude=68.75, longitude=37.25),
            acled_row(3, latitude=68.75, longitude=37.25), acled_row(4, event_date="never")]
    message = rejected(acled_csv(rows))
    assert message.startswith("3 of 4 rows could not be used (more than half), so nothing was imported")
    assert "2 x latitude/longitude look swapped (first on line 3)" in message


def test_exactly_half_bad_rows_is_still_imported() -> None:
    rows = [acled_row(1), acled_row(2, event_date="never")]
    assert len(import_file(acled_csv(rows), "a.csv").records) == 1


# --- whole-file rejections --------------------------------------------------


def test_header_missing_required_columns_is_named() -> None:
    columns = [c for c in ACLED_COLUMNS if c not in ("event_type", "event_date")]
    message = rejected(csv_bytes(columns, [acled_row(1)]))
    assert message == (
        "Header not recognised as an ACLED export: line 1 is missing the required columns "
        "event_date, event_type (required: event_id_cnty, event_date, event_type, latitude, longitude)."
    )


def test_unrelated_header_is_not_recognised() -> None:
    message = rejected(b"Name,Phone,Email\nA,1,a@b\n")
    assert message.startswith("Header not recognised: line 1 has the columns Name, Phone, Email")
    assert "An ACLED export needs event_id_cnty, event_date, event_type, latitude, longitude (none present)" in message


def test_no_coordinate_columns() -> None:
    columns = [c for c in ACLED_COLUMNS if c not in ("latitude", "longitude")]
    message = rejected(csv_bytes(columns, [acled_row(1)]))
    assert message.startswith("No coordinates: the header on line 1 has no latitude or longitude column")


def test_empty_coordinates_everywhere() -> None:
    message = rejected(acled_csv([acled_row(n, latitude="", longitude="") for n in (1, 2)]))
    assert message.startswith("No coordinates: latitude and longitude are empty in all 2 rows")


def test_header_only() -> None:
    assert rejected(acled_csv([])) == "The file has a header but no data rows."


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", "The file is empty."), (b" \r\n\n", "The file contains only whitespace.")],
)
def test_empty_files(data: bytes, expected: str) -> None:
    assert rejected(data) == expected


def test_binary_junk() -> None:
    message = rejected(b"event_id_cnty\n\x89\x13\x00\xffjunk")
    assert message.startswith("The file is binary data, not text: NUL byte at byte offset 16 (line 2)")
    assert "ZIP archive" in rejected(b"PK\x03\x04\x14\x00\x00\x00rest", "data.xlsx")


def test_wrong_encoding_names_offset_and_line() -> None:
    data = acled_csv([acled_row(1), acled_row(2, location="Dushanbé")], encoding="cp1252")
    offset = data.index("é".encode("cp1252"))
    message = rejected(data)
    assert message.startswith(f"The file is not UTF-8 text: byte 0xE9 at byte offset {offset} (line 3)")
    assert "Windows-1252" in message


def test_over_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_IMPORT_BYTES == 500_000_000  # decimal MB, as Streamlit's upload widget counts
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 100)
    data = acled_csv([acled_row(1)])
    assert rejected(data) == (
        f"The file is {len(data):,} bytes ({len(data) / 1e6:g} MB); the import limit is 100 bytes "
        f"(0.0001 MB). Split or filter it before importing."
    )


def test_unclosed_quote_rejects_instead_of_swallowing_rows() -> None:
    data = acled_csv([acled_row(1), acled_row(2)]) + b'TJK3,2025-11-26,"never closed\n' + acled_csv(
        [acled_row(4), acled_row(5)]
    ).split(b"\n", 1)[1]
    message = rejected(data)
    assert message.startswith("Line 4: a quoted field starting on or after this line is never closed")


def test_broken_quoting_in_one_row_skips_only_that_row() -> None:
    good = acled_csv([acled_row(n) for n in (1, 2, 4, 5)]).split(b"\n")
    broken = acled_csv([acled_row(3)]).split(b"\n")[1].replace(b"TJK3,2025-11-26", b'TJK3,"2025-11-26"x', 1)
    data = b"\n".join(good[:3] + [broken] + good[3:])
    result = import_file(data, "a.csv")
    assert result.skipped == [(4, "broken CSV quoting (',' expected after '\"')")]
    assert list(result.records["event_id_cnty"]) == ["TJK1", "TJK2", "TJK4", "TJK5"]


def test_excel_sep_line_is_honoured_and_lines_still_count_from_the_top() -> None:
    body = acled_csv([acled_row(1), acled_row(2, event_date="never"), acled_row(3)]).decode()
    rows = list(csv.reader(io.StringIO(body)))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    result = import_file(b"sep=;\n" + out.getvalue().encode(), "a.csv")
    assert [line for line, _ in result.skipped] == [4]
    assert len(result.records) == 2


def test_explicit_format_that_does_not_match() -> None:
    data = acled_csv([acled_row(1)])
    assert rejected(data, fmt="ucdp").startswith(
        "Header not recognised as a UCDP GED file: line 1 is missing the required columns id, "
        "type_of_violence, date_start, best"
    )
    assert rejected(data, fmt="geojson").startswith("Expected GeoJSON (a JSON object starting with '{')")
    assert rejected(geojson_bytes([]), fmt="acled").startswith("Expected a CSV file (an ACLED export)")


def test_semicolon_separated_re_save_is_read_with_a_warning() -> None:
    data = csv_bytes(ACLED_COLUMNS, [acled_row(1, latitude="37,25")]).decode()
    rows = list(csv.reader(io.StringIO(data)))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    result = import_file(out.getvalue().encode(), "a.csv")
    assert result.records["latitude"][0] == 37.25
    assert any("separated by ';'" in w for w in result.warnings)
    assert any("decimal comma" in w for w in result.warnings)


# --- UCDP GED ----------------------------------------------------------------


def test_ucdp_49_columns_mapping() -> None:
    rows = [
        ucdp_row(1),
        ucdp_row(2, type_of_violence=1, side_a="Government of Tajikistan", side_b="Invented rebels",
                 date_prec=3, where_prec=4, date_start="2025-11-20", date_end="2025-11-26",
                 best=5, low=4, high=9, where_coordinates="", where_description="border area"),
        ucdp_row(3, type_of_violence=2, date_prec=5, where_prec=7,
                 date_start="2024-01-01", date_end="2024-12-31"),
        ucdp_row(4, date_prec=2, where_prec=2),
        ucdp_row(5, date_prec=4, where_prec=3),
        ucdp_row(6, where_prec=5),
        ucdp_row(7, where_prec=6),
    ]
    result = import_file(ucdp_csv(rows), "ged251.csv")
    assert result.source_format == "ucdp-ged" and result.skipped == []
    got = by_id(result)
    one, two, three = got["UCDP-101"], got["UCDP-102"], got["UCDP-103"]
    assert (one["event_date"], one["end_date"]) == ("2025-11-26", "2025-11-26")
    assert (one["event_type"], one["sub_event_type"]) == ("Violence against civilians", "Attack")
    assert one["civilian_targeting"] == "Civilian targeting"
    assert (one["actor1"], one["actor2"]) == ("Invented group", "Civilians")
    assert (one["location"], one["admin1"], one["admin2"]) == ("Village X", "Khatlon province", "Test district")
    assert one["source"] == 'Invented Wire, 2025-11-27, "Attack, near the river"\nsecond line'
    assert one["notes"] == "Attack near the river"
    assert (two["event_type"], two["sub_event_type"]) == ("Battles", "Armed clash")
    assert (two["event_date"], two["end_date"], two["location"]) == ("2025-11-20", "2025-11-26", "border area")
    assert (two["fatalities"], two["fatalities_low"], two["fatalities_high"]) == (5, 4, 9)
    assert three["event_type"] == "Battles" and three["civilian_targeting"] == ""
    time_prec = {k: got[f"UCDP-10{k}"]["time_precision"] for k in range(1, 6)}
    assert time_prec == {1: 1, 2: 2, 3: 3, 4: 2, 5: 3}
    geo_prec = {k: got[f"UCDP-10{k}"]["geo_precision"] for k in range(1, 8)}
    assert geo_prec == {1: 1, 2: 3, 3: 3, 4: 2, 5: 2, 6: 3, 7: 3}
    assert json.loads(three["original"])["where_prec"] == "7"
    assert len(json.loads(three["original"])) == 49
    assert any("date_prec 5" in w and "(1 row: line 6)" in w for w in result.warnings)  # rows span 2 lines
    assert result.mapped["fatalities"] == "best" and result.mapped["event_date"] == "date_start"


def test_ucdp_42_columns() -> None:
    result = import_file(ucdp_csv([ucdp_row(1), ucdp_row(2)], UCDP_42_COLUMNS), "ged191.csv")
    assert result.source_format == "ucdp-ged"
    assert list(result.records["location"]) == ["Village X", "Village X"]
    assert result.mapped["location"] == "where_coordinates"
    assert len(json.loads(result.records["original"][0])) == 42


def test_ucdp_hdx_skips_the_hxl_row_and_keeps_line_numbers() -> None:
    rows = [ucdp_row(1), ucdp_row(2, type_of_violence=4), ucdp_row(3), ucdp_row(4)]
    result = import_file(hdx_csv(rows), "conflict_data_tjk.csv")
    assert result.source_format == "ucdp-ged-hdx"
    # header on line 1, HXL on line 2, row 1 spans lines 3-4 (newline in source_article)
    assert result.skipped == [(5, "type_of_violence '4' is not 1, 2 or 3")]
    assert "skipped the HXL hashtag row on line 2" in result.warnings
    assert json.loads(result.records["original"][0])["iso3"] == "TJK"
    assert len(result.records) == 3


def test_ucdp_end_before_start_is_skipped() -> None:
    rows = [ucdp_row(1), ucdp_row(2), ucdp_row(3, date_end="2025-11-01")]
    result = import_file(ucdp_csv(rows), "g.csv")
    assert result.skipped == [(6, "date_end is before date_start")]  # each row spans 2 lines


# --- GeoJSON -----------------------------------------------------------------


def test_geojson_points_with_a_date_property() -> None:
    features = [
        point(68.75, 37.25, fid="A1", date="2025-11-26", fatalities=2, actor1="Invented group",
              country="Tajikistan", colour="red"),
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
         "properties": {"date": "2025-11-26"}},
        point(69.0, 37.5, fid="A3", date="26 November 2025", extra={"nested": True}),
    ]
    data = geojson_bytes(features)
    result = import_file(data, "points.geojson")
    assert result.source_format == "geojson"
    assert result.mapped["event_date"] == "properties.date"
    assert "event dates taken from the property 'date'" in result.warnings
    starts = [n for n, text in enumerate(data.decode().splitlines(), start=1) if text == "    {"]
    assert len(starts) == 3 and starts[0] > 2
    line = starts[1]  # where the second feature starts
    assert result.skipped == [(line, "geometry is LineString; only Point features can be imported")]
    got = by_id(result)
    assert set(got) == {"A1", "A3"}
    assert (got["A1"]["fatalities"], got["A1"]["actor1"]) == (2, "Invented group")
    assert json.loads(got["A1"]["original"]) == {
        "id": "A1", "date": "2025-11-26", "fatalities": 2, "actor1": "Invented group",
        "country": "Tajikistan", "colour": "red",
    }
    assert json.loads(got["A3"]["original"])["extra"] == {"nested": True}
    assert got["A3"]["event_date"] == "2025-11-26"


def test_geojson_without_a_date_property() -> None:
    message = rejected(geojson_bytes([point(68.0, 37.0, name="x")]), "p.geojson")
    assert message.startswith("No date property: the features have none of event_date, date, date_start")
    assert message.endswith("(found properties: name).")


def test_geojson_invalid_json_and_foreign_crs() -> None:
    assert rejected(b'{"type": "FeatureCollection",\n "features": [}', "p.geojson").startswith(
        "Not valid JSON: line 2, column 15"
    )
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    assert "EPSG:4326" in rejected(geojson_bytes([point(7.6e6, 4.4e6, date="2025-11-26")], crs=crs), "p.geojson")


def test_geojson_with_no_point_features_is_rejected() -> None:
    line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[68, 37], [69, 38]]},
            "properties": {"date": "2025-11-26"}}
    message = rejected(geojson_bytes([line, line], indent=None), "roads.geojson")
    assert message.startswith("2 of 2 features could not be used (more than half)")
    assert "geometry is LineString; only Point features can be imported" in message


def test_single_feature_is_accepted() -> None:
    data = json.dumps(point(68.75, 37.25, date="2025-11-26")).encode()
    result = import_file(data, "one.json")
    assert result.source_format == "geojson" and len(result.records) == 1


# --- CLI -----------------------------------------------------------------------


def run_cli(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from panjmap.cli import main

    code = main(["convert", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_geojson_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "acled.csv"
    src.write_bytes(acled_csv([acled_row(1), acled_row(2, event_date="never"), acled_row(3)]))
    out = tmp_path / "out.geojson"
    code, stdout, stderr = run_cli(str(src), "--to", "geojson", "-o", str(out), capsys=capsys)
    assert code == 0 and stdout == ""
    assert "Imported 2 of 3 rows" in stderr and "line 3: event_date 'never'" in stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["event_id_cnty"] for f in doc["features"]] == ["TJK1", "TJK3"]
    assert doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [68.75, 37.25]}
    assert doc["features"][0]["properties"]["injuries"] is None

    code, stdout, _ = run_cli(str(src), "--to", "csv", capsys=capsys)
    assert code == 0
    header = stdout.splitlines()[0].split(",")
    assert header == RESULT_COLUMNS
    again = import_file(stdout.encode(), "again.csv")  # our own CSV reads back as ACLED
    assert again.source_format == "acled-current" and list(again.records["event_id_cnty"]) == ["TJK1", "TJK3"]
    assert again.records["end_date"][0] == "2025-11-26"
    back = import_file(out.read_bytes(), "again.geojson")
    assert back.mapped["event_date"] == "properties.event_date" and len(back.records) == 2


def test_cli_rejection_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "bad.csv"
    src.write_bytes(b"Name,Phone\nA,1\n")
    out = tmp_path / "out.csv"
    code, stdout, stderr = run_cli(str(src), "--to", "csv", "-o", str(out), capsys=capsys)
    assert code == 2 and stdout == ""
    assert "bad.csv was not imported: Header not recognised: line 1" in stderr
    assert not out.exists() and os.listdir(tmp_path) == ["bad.csv"]

    out.write_text("previous\n")
    code, _, _ = run_cli(str(src), "--from", "acled", "--to", "csv", "-o", str(out), capsys=capsys)
    assert code == 2 and out.read_text() == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["bad.csv", "out.csv"]


def test_cli_size_limit_is_checked_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 10)
    src = tmp_path / "a.csv"
    src.write_bytes(acled_csv([acled_row(1)]))
    code, _, stderr = run_cli(str(src), "--to", "csv", "-o", str(tmp_path / "o.csv"), capsys=capsys)
    assert code == 2 and "the import limit is 10 bytes" in stderr
    assert not (tmp_path / "o.csv").exists()


def test_python_dash_m_convert_subprocess(tmp_path: Path) -> None:
    src = tmp_path / "ged.csv"
    src.write_bytes(ucdp_csv([ucdp_row(1)]))
    proc = subprocess.run(
        [sys.executable, "-m", "panjmap", "convert", str(src), "--from", "ucdp", "--to", "geojson"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["features"][0]["properties"]["event_id_cnty"] == "UCDP-101"
    assert "as UCDP GED into dataset 'ged'" in proc.stderr
