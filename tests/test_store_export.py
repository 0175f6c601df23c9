"""The data exports of a stored layer hold every record the view's filters select, read in chunks.

A capped view draws ``MAX_SHOWN`` records (set to 7 here, read 3 event ids at a time); its GeoJSON,
CSV bundle and KML, from the panel and from the command line, hold what the same dataset
loaded whole in memory exports, with the same metadata. A failure midway leaves no file
(command line) and is reported (panel); text from the data is escaped as ever.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import streamlit as st

from panjmap import cli, export
from panjmap import layers as layers_module
from panjmap.data import store_dataset
from panjmap.importers import import_file
from panjmap.layers import imported_layer
from panjmap.state import DEFAULT_LAYERS, ViewState
from panjmap.store import imports, open_store
from panjmap.store import export as store_export
from panjmap.store import layers as stored
from panjmap.ui import export_panel
from tests.importer_fixtures import acled_csv, acled_row
from tests.test_store_layers import NAME, pair  # noqa: F401 (a fixture)
from tests.test_store_query import STATES

KML = {"k": "http://www.opengis.net/kml/2.2"}
CHUNK = 3
# Views of the 60 events that match more than 7 (a date window, a type, an actor, a text).
CAPPED = [STATES[i] for i in (0, 1, 2, 3, 11)]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Views capped at 7 records, exports read 3 event ids at a time; -> the size of each chunk read."""
    monkeypatch.setattr(layers_module, "MAX_SHOWN", 7)
    monkeypatch.setattr(stored, "MAX_SHOWN", 7)
    monkeypatch.setattr(store_export, "CHUNK_ROWS", CHUNK)
    sizes: list[int] = []

    def counted(*args, **kwargs):
        found = imports.select_records(*args, **kwargs)
        sizes.append(len(found))
        return found
    monkeypatch.setattr(store_export, "select_records", counted)
    return sizes


def _view(layer: stored.StoredLayer, state: ViewState) -> ViewState:
    return state.replace(layers=(*DEFAULT_LAYERS, layer.key))


def _imported_features(data: bytes) -> list[dict]:
    return [f for f in json.loads(data)["features"] if f["properties"]["record_type"] == "imported incident"]


@pytest.mark.parametrize("state", CAPPED, ids=[s.query_string() or "all" for s in CAPPED])
def test_a_capped_view_exports_every_matching_record(pair, store_url: str, reads: list[int], state: ViewState) -> None:  # noqa: F811
    layer, memory = pair
    view = _view(layer, state)
    everything = memory.filtered(view)
    assert len(layer.filtered(view)) == 7 < len(everything) == layer.matching(view)  # the map is capped
    dataset = store_dataset(open_store(store_url))
    made = {kind: [export_panel._data(view, dataset, (each,), kind)() for each in (layer, memory)]
            for kind in ("geojson", "csv", "kml")}
    # Read in chunks of at most CHUNK rows, every matching record once per file.
    assert len(reads) > 3 and max(reads) <= CHUNK and sum(reads) == 3 * len(everything)

    stored_geojson, memory_geojson = (json.loads(data) for data in made["geojson"])
    features = _imported_features(made["geojson"][0])
    assert [f["id"] for f in features] == list(everything["event_id_cnty"])
    assert features == _imported_features(made["geojson"][1])
    for key in ("count", "located", "contents", "layers"):
        assert stored_geojson["metadata"][key] == memory_geojson["metadata"][key]
    assert stored_geojson["metadata"]["layers"][1] == {"name": NAME, "records": len(everything), "located": len(everything)}

    stem = view.file_stem()
    bundles = [zipfile.ZipFile(io.BytesIO(data)) for data in made["csv"]]
    assert bundles[0].namelist() == bundles[1].namelist()
    for name in bundles[0].namelist():
        if name.endswith("_metadata.json"):
            left, right = (json.loads(b.read(name)) for b in bundles)
            assert left.pop("generated") and right.pop("generated")
            assert left == right
        else:
            assert bundles[0].read(name) == bundles[1].read(name), name
    assert bundles[0].read(f"{stem}_imported-1.csv").count(b"\nTJK") == len(everything)

    folders = [ET.fromstring(data).find(f"k:Document/k:Folder[k:name='Imported: {NAME}']", KML) for data in made["kml"]]
    assert [ET.tostring(f) for f in folders[0]] == [ET.tostring(f) for f in folders[1]]
    assert len(folders[0].findall("k:Placemark", KML)) == len(everything)


def test_the_command_line_exports_every_matching_record(pair, store_url: str, reads: list[int],  # noqa: F811
                                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    layer, memory = pair
    monkeypatch.setenv("PANJ_DATABASE_URL", store_url)
    view = _view(layer, ViewState(event_types=("Battles", "Protests")))
    everything = memory.filtered(view)
    args = ["--event-type", "Battles", "--event-type", "Protests", "--layer", NAME]
    assert cli.main(["export", "--format", "geojson", *args, "-o", str(tmp_path / "out.geojson")]) == 0
    data = json.loads((tmp_path / "out.geojson").read_text(encoding="utf-8"))
    assert [f["id"] for f in data["features"] if f["properties"]["record_type"] == "imported incident"] == list(
        everything["event_id_cnty"])
    assert data["metadata"]["layers"][1] == {"name": NAME, "records": 40, "located": 40}
    assert data["metadata"]["query"] == view.query_string()  # the permalink shows the layer too

    assert cli.main(["export", "--format", "csv", "--query", view.query_string(), "-o", str(tmp_path / "out.zip")]) == 0
    bundle = zipfile.ZipFile(tmp_path / "out.zip")
    assert bundle.read("out_imported-1.csv") == "".join(export.csv_parts(everything, None)).encode("utf-8")
    assert json.loads(bundle.read("out_metadata.json"))["imported_files"] == {"out_imported-1.csv": NAME}
    assert len(reads) > 2 and max(reads) <= CHUNK and sum(reads) == 2 * len(everything)


def test_the_command_line_refuses_what_it_cannot_write(pair, store_url: str, monkeypatch, tmp_path: Path, capsys) -> None:  # noqa: F811
    monkeypatch.setenv("PANJ_DATABASE_URL", store_url)
    out = tmp_path / "out"
    assert cli.main(["export", "--format", "csv", "--layer", NAME, "-o", str(out / "out.csv")]) == 2
    assert "give -o FILE.zip" in capsys.readouterr().err
    assert cli.main(["export", "--layer", "Nothing here", "-o", str(out / "out.geojson")]) == 2
    assert f"no imported dataset named 'Nothing here' in the store (it has: {NAME!r})" in capsys.readouterr().err
    assert not out.exists()


class ReadFailed(RuntimeError):
    pass


@pytest.fixture
def failing(reads: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The store fails on the third chunk read."""
    counted = store_export.select_records

    def failing_read(*args, **kwargs):
        if len(reads) == 2:
            raise ReadFailed("the store went away")
        return counted(*args, **kwargs)
    monkeypatch.setattr(store_export, "select_records", failing_read)


@pytest.mark.parametrize("fmt, name", [("geojson", "out.geojson"), ("kml", "out.kml"), ("csv", "out.zip")])
def test_a_failure_midway_leaves_no_file(pair, store_url: str, failing, monkeypatch, tmp_path: Path,  # noqa: F811
                                          fmt: str, name: str) -> None:
    monkeypatch.setenv("PANJ_DATABASE_URL", store_url)
    out = tmp_path / "out"
    with pytest.raises(ReadFailed):
        cli.main(["export", "--format", fmt, "--layer", NAME, "-o", str(out / name)])
    assert list(out.iterdir()) == []  # nor a temporary file


def test_a_failure_midway_is_reported_by_the_panel(pair, store_url: str, failing) -> None:  # noqa: F811
    layer, _ = pair
    view = _view(layer, ViewState())
    dataset = store_dataset(open_store(store_url))
    with pytest.raises(ReadFailed):
        export_panel._reported("GeoJSON", export_panel._data(view, dataset, (layer,), "geojson"))()
    assert st.session_state[export_panel.FAILURES_KEY] == {"GeoJSON": "ReadFailed"}


HOSTILE = 'Shots at "post" <b>&amp;</b> ]]> =SUM(A1) \x01 \u2028 done'


def test_text_from_the_data_is_escaped_in_chunked_exports(store_url: str, reads: list[int]) -> None:
    rows = [acled_row(n, notes=f"{HOSTILE} {n}", location=f"<Village> & {n}") for n in range(1, 11)]
    store = open_store(store_url)
    imports.import_dataset(store, io.BytesIO(acled_csv(rows)), "hostile.csv", name="Hostile <i>")
    (layer,) = stored.stored_layers(store)
    memory = imported_layer(layer.label, import_file(acled_csv(rows), "hostile.csv", dataset_name="Hostile <i>").records, 0)
    view = _view(layer, ViewState())
    dataset = store_dataset(store)
    assert len(layer.filtered(view)) == 7
    kml, geojson, memory_kml = (export_panel._data(view, dataset, (each,), kind)()
                                for each, kind in ((layer, "kml"), (layer, "geojson"), (memory, "kml")))
    folder = ET.fromstring(kml).find("k:Document/k:Folder[k:name='Imported: Hostile <i>']", KML)
    notes = [mark.find("k:ExtendedData/k:Data[@name='notes']/k:value", KML).text for mark in folder.findall("k:Placemark", KML)]
    written = list(memory.records.records["notes"])
    assert "<b>&amp;</b> ]]>" in written[0] and len(written) == 10
    assert notes == [text.replace("\x01", "\ufffd") for text in written]  # XML cannot carry U+0001
    assert [f["properties"]["notes"] for f in _imported_features(geojson)] == written
    assert kml.split(b"<Folder><name>Imported")[1] == memory_kml.split(b"<Folder><name>Imported")[1]
