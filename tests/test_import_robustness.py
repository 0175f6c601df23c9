"""Malformed and costly import files (issue 17 points 2-5): a specific message, nothing imported.

Unit level (import_file), the ``convert`` CLI, the Data page through AppTest, and one
browser test clicking two points of a single-line GeoJSON without ids. Every file is
synthetic and made here.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import panjmap.importers.geojson_points as geojson_points
from panjmap.importers import ImportRejected, import_file, limits, textfile
from panjmap.paths import ROOT
from panjmap.state import ViewState
from tests.importer_fixtures import acled_csv, acled_row

POINT = {"type": "Point", "coordinates": [68.75, 37.25]}


def feature(n: int = 1, geometry: Any = POINT, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry,
            "properties": {"event_date": "2025-11-26", "location": f"Place {n}", **props}}


def collection(*features: Any, **members: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", **members, "features": list(features)}).encode()


def rejected(data: bytes, filename: str = "f.geojson") -> str:
    with pytest.raises(ImportRejected) as info:
        import_file(data, filename)
    return info.value.message


# --------------------------------------------------------------------------
# Point 2: malformed GeoJSON


DEEP = b'{"type": "FeatureCollection", "features": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"

MALFORMED: dict[str, tuple[bytes, str]] = {
    "nested 10,000 deep": (DEEP, "The JSON is nested 10,001 levels deep"),
    "geometry a string": (collection(feature(1), feature(2), feature(3, geometry="POINT (68 37)")),
                          "feature 3: geometry must be an object or null, got a string."),
    "properties a list": (collection({"type": "Feature", "geometry": POINT, "properties": [1, 2]}),
                          "feature 1 (line 1): properties must be an object or null, got an array."),
    "crs a string": (collection(feature(), crs="EPSG:4326"), "The top-level 'crs' must be an object"),
    "crs properties a string": (collection(feature(), crs={"type": "name", "properties": "EPSG:4326"}),
                                "The 'crs' member's 'properties' must be an object, got a string."),
    "type a number": (collection({**feature(), "type": 1}), "feature 1 (line 1): 'type' must be 'Feature', got a number."),
    "top-level type a number": (json.dumps({"type": 7, "features": []}).encode(),
                                "The top-level 'type' must be the string 'FeatureCollection', got a number."),
    "coordinates strings": (collection(feature(geometry={"type": "Point", "coordinates": ["68.75", "37.25"]})),
                            "the Point's longitude must be a number, got a string."),
    "coordinates a string": (collection(feature(geometry={"type": "Point", "coordinates": "68.75,37.25"})),
                             "Point coordinates must be an array [longitude, latitude], got a string."),
    "boolean coordinate": (collection(feature(geometry={"type": "Point", "coordinates": [True, 37.25]})),
                           "the Point's longitude must be a number, got a boolean."),
    "geometry type an array": (collection(feature(geometry={"type": ["Point"], "coordinates": [1, 2]})),
                               "the geometry's 'type' must be a string, got an array."),
    "null feature": (collection(None, feature()), "feature 1: a feature must be an object, got null."),
    "features null": (b'{"type": "FeatureCollection", "features": null}',
                      "The FeatureCollection's 'features' member must be an array, got null."),
    "id an object": (collection({**feature(), "id": {"a": 1}}), "id must be a string or a number, got an object."),
    "duplicate keys": (b'{"type": "FeatureCollection", "features": [], "features": '
                       + json.dumps([feature()]).encode() + b"}",
                       "The key 'features' appears twice in one JSON object"),
    "array at top level": (json.dumps([feature()]).encode(), "The file is a JSON array; expected a GeoJSON FeatureCollection"),
    "not JSON": (b'{"type": "FeatureCollection", "features": [}', "Not valid JSON: line 1, column 44: Expecting value"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_geojson_gets_a_specific_message(case: str) -> None:
    data, message = MALFORMED[case]
    assert message in rejected(data)


def test_tolerated_structures_import() -> None:
    """A BOM, a single Feature, null properties and numbers where text is expected are fine."""
    assert len(import_file(b"\xef\xbb\xbf" + collection(feature()), "bom.geojson").records) == 1
    single = import_file(json.dumps(feature()).encode(), "one.geojson")
    assert len(single.records) == 1 and "the file is a single Feature, not a FeatureCollection" in single.warnings
    nulls = import_file(collection({"type": "Feature", "geometry": POINT, "properties": None},
                                   feature(2), feature(3)), "nulls.geojson")
    assert len(nulls.records) == 2 and nulls.skipped == [(1, "missing event_date")]
    numbers = import_file(collection(feature(1, location=12345, notes=True), feature(2)), "n.geojson")
    assert list(numbers.records["location"]) == ["12345", "Place 2"]


@pytest.mark.parametrize("case", ["nested 10,000 deep", "geometry a string", "properties a list", "crs a string"])
def test_cli_refuses_malformed_geojson_with_the_message_and_writes_nothing(case: str, tmp_path: Path, capsys) -> None:
    from panjmap.cli import main

    data, message = MALFORMED[case]
    src, out = tmp_path / "bad.geojson", tmp_path / "out.geojson"
    src.write_bytes(data)
    assert main(["convert", str(src), "--to", "geojson", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.geojson was not imported: " in err and message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.geojson"]


# --------------------------------------------------------------------------
# Point 3: counts, ids


HUGE = ("1e19", "9223372036854775808", "1e308")


def test_huge_fatalities_are_refused_per_row_never_wrapped() -> None:
    rows = [acled_row(n, fatalities=value) for n, value in enumerate(HUGE, start=1)]
    rows += [acled_row(n, fatalities=2) for n in range(4, 8)]
    result = import_file(acled_csv(rows), "a.csv")
    assert list(result.records["event_id_cnty"]) == ["TJK4", "TJK5", "TJK6", "TJK7"]
    assert [reason for _, reason in result.skipped] == [
        f"fatalities '{value}' is larger than 1,000,000, not a plausible count" for value in HUGE
    ]
    assert (result.records["fatalities"] >= 0).all()


def test_huge_fatalities_in_geojson_numbers() -> None:
    data = b'{"type":"FeatureCollection","features":[' + b",".join(
        b'{"type":"Feature","geometry":{"type":"Point","coordinates":[68.75,37.25]},'
        b'"properties":{"event_date":"2025-11-26","fatalities":' + value + b"}}"
        for value in (b"1e19", b"9223372036854775808", b"1e308", b"9" * 5000, b"3", b"4", b"5", b"6", b"7")
    ) + b"]}"
    result = import_file(data, "big.geojson")
    assert sorted(result.records["fatalities"].tolist()) == [3, 4, 5, 6, 7]
    assert [line for line, _ in result.skipped] == [1, 2, 3, 4]
    assert all("not a plausible count" in reason for _, reason in result.skipped)
    assert "(5,000 characters)" in result.skipped[3][1]


def test_cli_never_writes_negative_fatalities(tmp_path: Path, capsys) -> None:
    from panjmap.cli import main

    src, out = tmp_path / "a.csv", tmp_path / "out.csv"
    src.write_bytes(acled_csv([acled_row(1, fatalities="9223372036854775808")]
                              + [acled_row(n, fatalities=n) for n in range(2, 5)]))
    assert main(["convert", str(src), "--to", "csv", "-o", str(out)]) == 0
    assert "line 2: fatalities '9223372036854775808' is larger than 1,000,000" in capsys.readouterr().err
    lines = out.read_text().splitlines()
    assert len(lines) == 4 and "-9223372036854775808" not in out.read_text()


def test_single_line_geojson_without_ids_gets_one_id_per_feature() -> None:
    data = collection(*(feature(n) for n in range(1, 6)))
    assert data.count(b"\n") == 0
    result = import_file(data, "oneline.geojson")
    assert list(result.records["event_id_cnty"]) == [f"oneline-F{n}" for n in range(1, 6)]
    assert result.mapped["event_id_cnty"] == "generated as 'oneline-F<feature>' (no id in the file)"


def test_min_fatalities_in_the_url_is_bounded_with_our_message() -> None:
    for value in ("9" * 5000, "100001", "-1", "1e3", "٥"):
        state, errors = ViewState.from_query({"min_fatalities": value})
        assert state.min_fatalities == 0
        assert errors == ["Ignored URL parameter 'min_fatalities': must be a whole number from 0 to 100,000"]
    assert ViewState.from_query({"min_fatalities": "100000"})[0].min_fatalities == 100_000


def test_map_page_warns_about_a_minimum_above_every_record_and_a_5000_digit_minimum() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["min_fatalities"] = "500"
    at.run()
    assert not at.exception, at.exception
    assert any("No record has 500 or more fatalities (the most in any record is 70)" in w.value
               for w in at.sidebar.warning), [w.value for w in at.sidebar.warning]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["min_fatalities"] = "9" * 5000
    at.run()
    assert not at.exception, at.exception
    shown = " ".join(re.sub(r"\\(.)", r"\1", w.value) for w in at.warning)
    assert "Ignored URL parameter 'min_fatalities': must be a whole number from 0 to 100,000" in shown
    assert "int_max_str_digits" not in shown and "9999" not in shown


def _failing_export_script() -> None:
    """The export panel after one of its downloads failed in Streamlit's download thread."""
    import streamlit as st

    from panjmap.data import load_dataset
    from panjmap.state import ViewState
    from panjmap.ui import export_panel

    if "clicked" not in st.session_state:
        st.session_state["clicked"] = True

        def broken() -> bytes:
            raise FileExistsError("[Errno 17] File exists: '/srv/secret/path'")

        try:
            export_panel._reported("PNG for a slide", broken)()
        except FileExistsError:
            pass  # Streamlit catches it and says "Failed to generate file for download" under the button
    export_panel.render_export_panel(ViewState(), load_dataset(), [])


def test_a_failed_export_is_reported_on_the_page_without_server_details() -> None:
    at = AppTest.from_function(_failing_export_script, default_timeout=60).run()
    assert not at.exception, at.exception
    shown = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]
    assert shown == ["Export failed, nothing was downloaded: PNG for a slide (FileExistsError; details in the "
                     "server log). Try again, or choose another format."]
    assert not at.run().error  # said once


# --------------------------------------------------------------------------
# Point 4: what one import may cost, refused before parsing


def test_too_many_columns_is_refused_before_parsing() -> None:
    header = ",".join([*acled_row(1)] + [f"x{i}" for i in range(600)])
    message = rejected((header + "\n").encode(), "wide.csv")
    assert message.startswith("The header has 631 columns; an import may have at most 500")


def test_a_single_line_of_delimiters_is_refused_by_its_columns() -> None:
    assert rejected(b"a," * 100_000, "line.csv").startswith("The header has 100,001 columns")


def test_too_many_values_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    import panjmap.importers.csvtable as csvtable

    monkeypatch.setattr(csvtable, "MAX_VALUES", 1000)
    monkeypatch.setattr(geojson_points, "MAX_VALUES", 1000)
    csv_message = rejected(acled_csv([acled_row(n) for n in range(1, 40)]), "many.csv")
    assert csv_message.startswith("The file has about 1,2") and "an import may have at most 1,000" in csv_message
    json_message = rejected(collection(*(feature(n) for n in range(200))), "many.geojson")
    assert json_message.startswith("The file holds about") and "at most 1,000" in json_message


def test_limits_are_one_set_of_constants() -> None:
    assert limits.MAX_IMPORT_BYTES == limits.MAX_UPLOAD_MB * 1000 * 1000
    assert geojson_points.MAX_JSON_DEPTH == limits.MAX_JSON_DEPTH


# --------------------------------------------------------------------------
# Point 5


def test_upload_limit_is_one_number_in_one_unit() -> None:
    """config.toml, the widget's limit and the app's byte limit agree (Streamlit's browser counts
    maxUploadSize in units of 1000 * 1000 bytes, except on Windows)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB
    assert limits.MAX_IMPORT_BYTES == 500_000_000
    # The size check every path runs first (the file itself is not built: it would be 500 MB).
    with pytest.raises(ImportRejected, match=r"is 500,000,001 bytes \(500\.000001 MB\); the import limit is "
                                             r"500,000,000 bytes \(500 MB\)"):
        textfile.check_size(500_000_001, limits.MAX_IMPORT_BYTES)


def test_field_over_the_csv_limit_says_so() -> None:
    data = acled_csv([acled_row(1)]) + b"TJK2," + b"x" * 200_000 + b"\n"
    message = rejected(data, "long.csv")
    assert message.startswith(f"Line 3: a field is longer than {limits.MAX_FIELD_CHARS:,} characters")
    assert "never closed" not in message


def test_unclosed_quote_is_still_named_as_such() -> None:
    data = acled_csv([acled_row(1)]) + b'TJK2,"' + b"x" * 200_000 + b"\n"
    assert rejected(data, "q.csv").startswith("Line 3: a quoted field starting on or after this line is never closed")


@pytest.mark.parametrize("value", ["3.7e-400", "1e-320"])
def test_underflowing_coordinates_are_refused_per_row(value: str) -> None:
    rows = [acled_row(1, latitude=value), acled_row(2, longitude=value)] + [acled_row(n) for n in range(3, 7)]
    result = import_file(acled_csv(rows), "tiny.csv")
    assert list(result.records["event_id_cnty"]) == ["TJK3", "TJK4", "TJK5", "TJK6"]
    assert [r.split(" is ")[0] for _, r in result.skipped] == [f"latitude '{value}'", f"longitude '{value}'"]
    assert all("too close to 0 to be a coordinate" in r for _, r in result.skipped)
    data = b'{"type":"FeatureCollection","features":[' + b",".join(
        b'{"type":"Feature","geometry":{"type":"Point","coordinates":[68.75,' + lat.encode() + b']},'
        b'"properties":{"event_date":"2025-11-26"}}' for lat in (value, "37.2", "37.3")) + b"]}"
    geo = import_file(data, "tiny.geojson")
    assert len(geo.records) == 2 and geo.skipped == [
        (1, f"latitude '{value}' is too close to 0 to be a coordinate (beyond a float's precision)")]


def test_impossible_time_of_day_is_refused_per_row() -> None:
    rows = [acled_row(1, event_date="2025-11-26T99:99"), acled_row(2, event_date="2025-11-26T23:59"), acled_row(3)]
    result = import_file(acled_csv(rows), "t.csv")
    assert list(result.records["event_id_cnty"]) == ["TJK2", "TJK3"]
    assert result.skipped == [(2, "event_date '2025-11-26T99:99' has an impossible time of day")]


@pytest.mark.parametrize("codec,name", [("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")])
def test_utf16_without_bom_is_named(codec: str, name: str) -> None:
    data = acled_csv([acled_row(1)]).decode().encode(codec)
    assert rejected(data, "u.csv").startswith(f"The file looks like {name} text without a byte-order mark")


# --------------------------------------------------------------------------
# The Data page (AppTest)


def data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    return at


def _import_script() -> None:
    """The Data page's import step on an uploaded file held in session state (AppTest cannot submit
    this app's form: its click never reaches the form's submit button)."""
    import io
    from types import SimpleNamespace

    import streamlit as st

    from panjmap.state import ViewState
    from panjmap.ui import data_page

    if "upload" not in st.session_state:  # the rerun after a successful import
        return
    name, data = st.session_state.pop("upload")
    upload = io.BytesIO(data)
    upload.name, upload.size = name, len(data)
    data_page._import(SimpleNamespace(view=ViewState()), upload, "auto", "", None, False, None)


def import_on_page(filename: str, data: bytes, at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_function(_import_script, default_timeout=60)
    at.session_state["upload"] = (filename, data)
    return at.run()


def test_data_page_caption_and_widget_limit_match_the_byte_limit() -> None:
    at = data_page()
    assert at.file_uploader[0].proto.max_upload_size_mb == limits.MAX_UPLOAD_MB
    assert any(f"Up to {limits.mb(limits.MAX_IMPORT_BYTES)} ({limits.MAX_IMPORT_BYTES:,} bytes)." in c.value for c in at.caption)


@pytest.mark.parametrize("filename,data,message", [
    ("deep.geojson", DEEP, "The JSON is nested 10,001 levels deep"),
    ("geom.geojson", MALFORMED["geometry a string"][0], "feature 3: geometry must be an object or null, got a string."),
    ("crs.geojson", MALFORMED["crs a string"][0], "The top-level"),
], ids=["deep", "geometry", "crs"])
def test_data_page_shows_the_message_and_adds_nothing(filename: str, data: bytes, message: str,
                                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from panjmap.store import dispose_all, open_store
    from panjmap.store.imports import list_datasets

    monkeypatch.setenv("PANJ_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")

    def stored() -> list[str]:
        with open_store().reading() as conn:
            return [d.name for d in list_datasets(conn)]

    at = import_on_page(filename, data)
    assert not at.exception, at.exception
    shown = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # Markdown escapes removed
    assert len(shown) == 1 and shown[0].startswith("Nothing was imported.") and message in shown[0]
    assert stored() == []  # nothing was added
    ok = import_on_page("fine.geojson", collection(feature(1), feature(2)), at)  # the same session imports afterwards
    assert not ok.exception and not ok.error
    assert stored() == ["fine"]
    dispose_all()


# --------------------------------------------------------------------------
# Browser: two points of a single-line GeoJSON without ids open their own details


def test_single_line_geojson_points_open_their_own_details(browser, app_url: str) -> None:
    from playwright.sync_api import expect

    from tests.test_hostile import WAIT_MS, go, map_frame, new_tab, pick_marker, settle, upload as upload_file

    places = {"oneline-F1": ("Alpha ford", [68.75, 37.25]), "oneline-F2": ("Bravo bridge", [69.6, 37.6]),
              "oneline-F3": ("Charlie post", [70.3, 37.95])}
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": coords},
         "properties": {"event_date": "2025-11-26", "location": name, "fatalities": n}}
        for n, (name, coords) in enumerate(places.values())]}).encode()
    assert b"\n" not in data and b'"id"' not in data
    tab = new_tab(browser)
    page = tab.page
    try:
        page.goto(app_url + "/", timeout=WAIT_MS)
        expect(page.locator("h1", has_text="Panj border incidents")).to_be_visible(timeout=WAIT_MS)
        settle(page)
        go(tab, "Data and import", "Data")
        imported = page.locator("[data-testid='stExpander'] summary", has_text="Imported:")
        stored = imported.count()  # imports are shared: other tests' may be in the store
        upload_file(tab, data, "oneline.geojson")
        expect(page.locator("[data-testid='stExpander'] summary", has_text="Imported: oneline")).to_have_count(
            1, timeout=WAIT_MS)
        for filename, bad, message in (("deep.geojson", DEEP, "The JSON is nested 10,001 levels deep"),
                                       ("geom.geojson", MALFORMED["geometry a string"][0],
                                        "feature 3: geometry must be an object or null, got a string.")):
            upload_file(tab, bad, filename, "bad")
            error = page.locator("[data-testid='stAlertContentError']")
            expect(error).to_have_count(1, timeout=WAIT_MS)
            assert error.inner_text().startswith("Nothing was imported.") and message in error.inner_text()
            tab.check(f"bad upload {filename}")
            expect(imported).to_have_count(stored + 1)
        go(tab, "Border map", "Panj border incidents")
        frame = map_frame(page)
        for rid in ("oneline-F1", "oneline-F2"):
            frame.evaluate("() => window.map.closePopup()")
            marker = pick_marker(frame, rid)
            marker.click(timeout=WAIT_MS)
            heading = page.locator("[data-testid='stHeading']", has_text=rid)
            expect(heading).to_have_count(1, timeout=WAIT_MS)
            settle(page)
            assert heading.inner_text().strip() == f"{rid}: {places[rid][0]}"
            tab.check(f"detail {rid}")
    finally:
        page.context.close()


def test_convert_quotes_a_cell_with_a_bare_carriage_return(tmp_path: Path) -> None:
    import subprocess
    import sys

    source = tmp_path / "cr.geojson"
    source.write_bytes(collection(feature(1, location="Alpha\rBravo")))
    out = tmp_path / "cr.csv"
    done = subprocess.run([sys.executable, "-m", "panjmap", "convert", str(source), "--to", "csv", "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    import pandas as pd

    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(table) == 1 and table["location"].tolist() == ["Alpha\rBravo"]
