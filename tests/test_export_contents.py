"""Every export says what it holds, and holds the imported layers the map shows (issue 17, point 5).

The HTML and PNG draw the visible imported layers; the GeoJSON, CSV and KML made
from the same view now hold them too, and every file's metadata lists its layers
with their counts. A hidden imported layer is in none of them; the command line
has no imported layers and says so.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from html import unescape

import pytest
from PIL import Image

from panjmap import export, snapshot
from panjmap.data import load_dataset
from panjmap.importers import import_file
from panjmap.layers import curated_layer, imported_layer
from panjmap.state import DEFAULT_LAYERS, ViewState
from panjmap.ui import export_panel
from tests import importer_fixtures as F

KML = {"k": "http://www.opengis.net/kml/2.2"}
SHOWN, HIDDEN = "Shown field reports", "Hidden field reports"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


@pytest.fixture(scope="module")
def imports():
    """Two imported layers: three records shown on the map, two in a layer the view hides."""
    shown = import_file(F.acled_csv([F.acled_row(n, location=f"Shown village {n}") for n in range(1, 4)]),
                        "shown.csv", dataset_name=SHOWN)
    hidden = import_file(F.acled_csv([F.acled_row(n, location=f"Hidden village {n}") for n in range(1, 3)]),
                         "hidden.csv", dataset_name=HIDDEN)
    return (imported_layer(SHOWN, shown.records, 0), imported_layer(HIDDEN, hidden.records, 1))


@pytest.fixture(scope="module")
def view(imports) -> ViewState:
    return ViewState(layers=DEFAULT_LAYERS + (imports[0].key,))


def expected_contents(dataset, view: ViewState) -> str:
    curated = curated_layer(dataset).filtered(view)
    located = int(curated.geometry.notna().sum() - curated.geometry.is_empty.sum())
    return (f"{len(curated)} curated incidents (seed articles), {located} on the map; "
            f"imported layer '{SHOWN}': 3 records, 3 on the map")


def test_geojson_holds_the_shown_imported_layer_and_says_so(dataset, imports, view) -> None:
    data = json.loads(export_panel._data(view, dataset, imports, "geojson")())
    meta = data["metadata"]
    assert meta["contents"] == expected_contents(dataset, view)
    assert [(l["name"], l["records"]) for l in meta["layers"]] == [
        (export.CURATED_NAME, len(curated_layer(dataset).filtered(view))), (SHOWN, 3)]
    imported = [f for f in data["features"] if f["properties"]["record_type"] == "imported incident"]
    assert sorted(f["properties"]["location"] for f in imported) == [f"Shown village {n}" for n in range(1, 4)]
    assert {f["properties"]["layer"] for f in imported} == {SHOWN}
    assert "Hidden" not in json.dumps(data)


def test_kml_has_a_folder_for_the_shown_imported_layer(dataset, imports, view) -> None:
    kml = ET.fromstring(export_panel._data(view, dataset, imports, "kml")())
    folders = {f.findtext("k:name", namespaces=KML): f for f in kml.iterfind(".//k:Folder", KML)}
    assert set(folders) == {"Incidents", "Project sites", f"Imported: {SHOWN}"}
    names = [m.findtext("k:name", namespaces=KML) for m in folders[f"Imported: {SHOWN}"].iterfind("k:Placemark", KML)]
    assert names == [f"TJK{n}: Shown village {n}" for n in range(1, 4)]
    assert expected_contents(dataset, view) in kml.findtext("k:Document/k:description", namespaces=KML)


def test_csv_zip_holds_one_file_per_shown_imported_layer(dataset, imports, view) -> None:
    bundle = zipfile.ZipFile(io.BytesIO(export_panel._data(view, dataset, imports, "csv")()))
    stem = view.file_stem()
    assert sorted(bundle.namelist()) == sorted(f"{stem}{suffix}" for suffix in (
        ".csv", "_claims.csv", "_sites.csv", "_imported-1.csv", "_metadata.json"))
    meta = json.loads(bundle.read(f"{stem}_metadata.json"))
    assert meta["imported_files"] == {f"{stem}_imported-1.csv": SHOWN}
    assert meta["contents"] == expected_contents(dataset, view)
    rows = list(csv.DictReader(io.StringIO(bundle.read(f"{stem}_imported-1.csv").decode())))
    assert [r["location"] for r in rows] == [f"Shown village {n}" for n in range(1, 4)]
    assert {r["sources"] for r in rows} == {SHOWN}


def test_html_and_png_say_what_they_draw(dataset, imports, view) -> None:
    page = export_panel._html(view, dataset, imports)()
    meta = json.loads(unescape(re.search(r'<meta name="panj-metadata" content="([^"]*)"', page).group(1)))
    assert meta["contents"] == expected_contents(dataset, view)
    title_meta = export.metadata(view, dataset, curated_layer(dataset).filtered(view),
                                 imported=export_panel._imported(view, dataset, imports))
    png = snapshot.render_png(view, dataset, title_meta, imports, renderer="matplotlib")
    assert Image.open(io.BytesIO(png.data)).text["panj:contents"] == expected_contents(dataset, view)


def test_an_export_without_imported_layers_says_so(dataset) -> None:
    """Without imported layers (the command line without --layer, the Data page's table download),
    the metadata says the file holds the curated incidents only."""
    records = curated_layer(dataset).filtered(ViewState())
    meta = export.metadata(ViewState(), dataset, records)
    assert meta.contents.endswith("; no imported layers")
    assert [l["name"] for l in meta.layers] == [export.CURATED_NAME]
