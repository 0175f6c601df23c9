"""Server-side template injection (issue 17, point 1): no user text is ever run as a template.

branca renders each folium element's output a second time as a Jinja template, so a
layer name like ``{{lipsum.__globals__.os.mkdir(...)}}`` once ran on the server. Here
a corpus of Jinja payloads (expressions, statements, comments, whitespace control, a
raw-block break-out, a syntax error, one split across two fields) is put in every string
a user controls: the layer name, the file name, every text column of ACLED, UCDP and
GeoJSON imports, and URL parameters (``ViewState.from_query``). Each payload is then
rendered by every renderer: the interactive map as streamlit-folium sends it to the
browser, the standalone HTML, both PNG renderers, the GeoJSON/CSV/KML exports and the
pages (AppTest).

The canary is a side effect: a payload that ran would create a directory in a
temporary folder, set an attribute on the ``os`` module or an environment variable.
None may appear, and the payload must read literally where it is shown (layer list,
title box, popups in Chromium; exports; page text).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit_folium
from playwright.sync_api import Browser
from streamlit.testing.v1 import AppTest

from panjmap import export, snapshot, timeline
from panjmap.data import load_dataset
from panjmap.importers import import_file
from panjmap.layers import MapLayer, curated_layer, imported_layer, visible_layers
from panjmap.mapview.base import build_base_map
from panjmap.mapview.elements import js_json
from panjmap.mapview.incidents import selection_group
from panjmap.paths import ROOT
from panjmap.state import DEFAULT_LAYERS, ViewState
from panjmap.ui.page import IMPORTS_KEY
from panjmap.ui.text import md
from tests import hostile as H
from tests import importer_fixtures as F

ATTRIBUTE = "panj_ssti_canary"  # set on the os module by a payload that ran
ENV = "PANJ_SSTI_CANARY"  # set in the environment by a payload that ran
DIR_ENV = "PANJ_SSTI_DIR"  # where a payload that ran makes its directory (payloads hold no quotes, see below)
KML = {"k": "http://www.opengis.net/kml/2.2"}


def payloads(canary: Path) -> dict[str, tuple[str, str]]:
    """Payload class -> (first half, second half); the payload is their concatenation.

    Only the "split" class has two halves that are harmless alone: they are placed in
    neighbouring fields (and list values) so that text joined on the server would run.
    The payloads hold no quotes (names come from ``dict(name=1)|first``, the folder from
    the environment): folium's ``tojson`` writes a quote as \\u0027, which Jinja cannot
    parse, so a quoted payload only crashes the render (the "syntax_error" class) instead of running.
    """
    os_ = "lipsum.__globals__.os"

    def mkdir(name: str) -> str:
        return f"{os_}.mkdir({os_}.path.join({os_}.environ.{DIR_ENV}, dict({name}=1)|first))"

    whole = {
        "expression": "{{" + mkdir("expression") + "}}",
        "whitespace": "{{- " + mkdir("whitespace") + " -}}",
        "statement": "{% set x = " + mkdir("statement") + " %}",
        "statement_whitespace": "{%- if " + mkdir("statement_whitespace") + " -%}{%- endif -%}",
        "comment_and_attribute": "{# hidden #}{{ lipsum.__globals__.__builtins__.setattr("
                                 f"{os_}, dict({ATTRIBUTE}=1)|first, 1) }}}}",
        "environment": "{{ cycler.__init__.__globals__.os.environ.update(" + ENV + "=dict(ran=1)|first) }}",
        "raw_breakout": "{% endraw %}{{ " + mkdir("raw_breakout") + " }}{% raw %}",
        "arithmetic": "{{7*7}} {{ 7*'7' }}",
        "syntax_error": "{% if %}{{ unclosed {# open {{ '" + str(canary) + "' }}",
    }
    out = {name: (text, "") for name, text in whole.items()}
    out["split"] = ("split {", "{" + mkdir("split") + "}}")
    return out


def no_trace(canary: Path) -> None:
    assert sorted(os.listdir(canary)) == [], "a template payload ran: it created a directory"
    assert not hasattr(os, ATTRIBUTE), "a template payload ran: it set an attribute on the os module"
    assert ENV not in os.environ, "a template payload ran: it changed the environment"


@pytest.fixture(scope="module")
def canary() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ssti"))
    os.environ[DIR_ENV] = str(path)
    yield path
    os.environ.pop(DIR_ENV, None)
    shutil.rmtree(path)
    # Undo what a payload did (on a broken build), so no other test inherits it.
    if hasattr(os, ATTRIBUTE):
        delattr(os, ATTRIBUTE)
    os.environ.pop(ENV, None)


@pytest.fixture(autouse=True)
def clean_canary(canary: Path) -> None:
    """Each test starts with no trace, so each one reports only what its own renderer ran."""
    for child in canary.iterdir():
        shutil.rmtree(child)
    if hasattr(os, ATTRIBUTE):
        delattr(os, ATTRIBUTE)
    os.environ.pop(ENV, None)


# --------------------------------------------------------------------------
# The payloads in every user-controlled string


def _fields(names: tuple[str, ...], halves: tuple[str, str]) -> dict[str, str]:
    """Each field holds the payload, or (split class) its halves alternate across neighbouring fields."""
    return {name: halves[i % 2] if halves[1] else halves[0] for i, name in enumerate(names)}


def payload_layers(name: str, halves: tuple[str, str], index: int) -> list[MapLayer]:
    """The payload as layer name and in every text column of ACLED, UCDP and GeoJSON files, and as file name."""
    text = "".join(halves)
    layer_name = halves[0] if halves[1] else text  # split: the name ends in "{", the fields carry the rest
    acled = F.acled_row(1, **_fields(H.ACLED_TEXT_FIELDS, halves), latitude=37.1 + 0.05 * index, longitude=68.5)
    ucdp = F.ucdp_row(1, **_fields(H.UCDP_TEXT_FIELDS, halves), latitude=37.1 + 0.05 * index, longitude=68.7)
    geo = F.point(68.9, 37.1 + 0.05 * index, fid=text, **_fields(H.ACLED_TEXT_FIELDS, halves),
                  event_date="2025-11-26", fatalities=1, geo_precision=1, time_precision=1)
    results = [
        import_file(F.acled_csv([acled]), f"{text}.csv", dataset_name=layer_name),
        import_file(F.ucdp_csv([ucdp]), f"{text}.csv", dataset_name=f"{layer_name} (UCDP)"),
        import_file(F.geojson_bytes([geo]), f"{text}.geojson", dataset_name=f"{layer_name} (GeoJSON)"),
        # the file name gives the layer name; the id is the payload too (the GeoJSON's as well)
        import_file(F.acled_csv([dict(acled, event_id_cnty=halves[1] or text)]), f"{name}/{text}.csv"),
    ]
    return [imported_layer(r.dataset_name, r.records, 4 * index + k) for k, r in enumerate(results)]


def url_state(halves: tuple[str, str], layers: list[MapLayer]) -> ViewState:
    """A view from URL parameters that carry the payload in every free-text parameter."""
    text = "".join(halves)
    values = [halves[0], halves[1]] if halves[1] else [text]
    params: dict[str, Any] = {
        "actors": values, "event_types": values, "nationalities": values, "regions": values, "text": text,
        "selected": f"{layers[0].key}/TJK1",  # the record of the ACLED layer (URL values are cut at 200)
        "layers": [*DEFAULT_LAYERS, *(layer.key for layer in layers)],
    }
    state, errors = ViewState.from_query(params)
    assert errors == [] and state.text == text and state.selected == params["selected"]
    return state


@pytest.fixture(scope="module")
def corpus(canary: Path) -> dict[str, tuple[str, list[MapLayer], ViewState]]:
    """Payload class -> (payload, its imported layers, a URL view carrying it)."""
    out = {}
    for index, (name, halves) in enumerate(payloads(canary).items()):
        layers = payload_layers(name, halves, index)
        out[name] = ("".join(halves), layers, url_state(halves, layers))
    no_trace(canary)  # importing alone runs nothing
    return out


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def shown(state: ViewState) -> ViewState:
    """The URL view without its filters (so the payload records are on the map), keeping layers and selection."""
    return ViewState(layers=state.layers, selected=state.selected)


def test_the_corpus_reaches_every_field(corpus, canary: Path) -> None:
    halves = payloads(canary)
    for name, (text, layers, state) in corpus.items():
        parts = {part for part in halves[name] if part}
        acled, ucdp, geo, _ = (layer.records.records for layer in layers)
        for records in (acled, geo):
            original = json.loads(records["original"].iloc[0])
            assert {original[field] for field in H.ACLED_TEXT_FIELDS} == parts, name
            assert {records[field].iloc[0] for field in ("location", "actor1", "notes", "source")} <= parts, name
        original = json.loads(ucdp["original"].iloc[0])
        assert {original[field] for field in H.UCDP_TEXT_FIELDS} == parts, name
        assert layers[0].label == (text if len(parts) == 1 else halves[name][0])
        assert "{" not in layers[3].label  # a file name gives a layer name of letters, digits, "_", "." and "-"
        assert state.text == text and set(state.actors) == parts


# --------------------------------------------------------------------------
# The renderers


def test_standalone_html_runs_no_payload(corpus, dataset, canary: Path) -> None:
    """One standalone HTML per payload class: layer list, title box, popups, selection, legend."""
    for name, (text, layers, state) in corpus.items():
        meta = export.metadata(state, dataset, curated_layer(dataset).filtered(state),
                               imported=[(layer.label, layer.filtered(shown(state))) for layer in layers])
        page = snapshot.standalone_html(shown(state), dataset, meta, tuple(layers))
        no_trace(canary)
        for layer in layers:
            assert js_json(layer.label) in page, name  # the name reached the page as data, unevaluated


def test_folium_and_branca_elements_never_receive_user_text(corpus, dataset, canary: Path) -> None:
    """The rule behind the fix: of the map's elements, only ours (which pass text through js_json) hold names.

    Every folium/branca element of a rendered standalone map has its macros rendered once more
    here; none may output any payload, whole or half, in any form.
    """
    layers = tuple(layer for _, found, _ in corpus.values() for layer in found)
    state = ViewState(layers=DEFAULT_LAYERS + tuple(layer.key for layer in layers))
    meta = export.metadata(state, dataset, curated_layer(dataset).filtered(state))
    m = snapshot.standalone_map(state, dataset, meta, layers)
    m.get_root().render()
    texts = {part for halves in payloads(canary).values() for part in halves if len(part) > 8}

    def elements(node) -> Iterator:
        yield node
        for child in node._children.values():
            yield from elements(child)

    checked = 0
    for element in elements(m):
        if not type(element).__module__.startswith(("folium", "branca")):
            continue
        for macro in ("header", "html", "script"):
            render = element._template.module.__dict__.get(macro)
            if render is not None:
                out = render(element, {})
                assert not any(text in out for text in texts), (type(element).__name__, macro)
                checked += 1
    assert checked > 10
    no_trace(canary)


def test_interactive_map_as_streamlit_folium_sends_it(corpus, dataset, canary: Path, monkeypatch) -> None:
    """The home page's map path (map_panel): base map + layer groups through st_folium itself."""
    sent: list[dict] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.append(kwargs) or {})
    for name, (text, layers, state) in corpus.items():
        view = shown(state)
        layers_shown = visible_layers(view, dataset, tuple(layers))
        base = build_base_map(view, dataset.sites, import_labels=tuple((l.label, l.color) for l in layers_shown if l.color),
                              legend_in_map=False)
        groups = [layer.feature_group(view) for layer in layers_shown] + [selection_group(view.selected)]
        streamlit_folium.st_folium(base, key="map", feature_group_to_add=groups, center=view.center, zoom=view.zoom,
                                   returned_objects=["center"])
        no_trace(canary)
        script = sent[-1]["script"] + sent[-1]["feature_group"]
        for layer in layers:
            assert js_json(layer.label) in script, name


def test_exports_hold_the_payloads_as_text(corpus, dataset, canary: Path) -> None:
    for name, (text, layers, state) in corpus.items():
        view = shown(state)
        records = curated_layer(dataset).filtered(state)  # none match the payload filters: the imports are the test
        imported = [(layer.label, layer.filtered(view)) for layer in layers]
        meta = export.metadata(state, dataset, records, imported=imported)
        geojson = json.loads(export.render("geojson", records, dataset, meta, imported))
        kml = ET.fromstring(export.render("kml", records, dataset, meta, imported))
        bundle = zipfile.ZipFile(io.BytesIO(export.csv_bundle(records, dataset, meta, "x", imported)))
        no_trace(canary)
        labels = [layer.label for layer in layers]
        assert [l["name"] for l in geojson["metadata"]["layers"][1:]] == labels
        assert {f["properties"]["layer"] for f in geojson["features"] if "layer" in f["properties"]} == set(labels)
        location = layers[0].records.records["location"].iloc[0]  # the payload, or a half of it (split)
        geo_feature = next(f for f in geojson["features"] if f["properties"].get("layer") == labels[2])
        assert geo_feature["id"] == text and geo_feature["properties"]["location"] == location
        folders = [f.findtext("k:name", namespaces=KML) for f in kml.iterfind(".//k:Folder", KML)]
        assert folders[2:] == [f"Imported: {label}" for label in labels]
        files = json.loads(bundle.read("x_metadata.json"))["imported_files"]
        assert list(files.values()) == labels
        rows = list(csv.DictReader(io.StringIO(bundle.read(next(iter(files))).decode())))
        assert rows[0]["location"] == location and rows[0]["sources"] == labels[0]
        marks = [m for m in kml.iterfind(".//k:Placemark", KML) if m.get("id") == text]
        assert marks and all(m.findtext("k:name", namespaces=KML).startswith(text + ": ") for m in marks)


def test_matplotlib_png_draws_the_payloads_as_text(corpus, dataset, canary: Path) -> None:
    """The fallback renderer, once for the whole corpus (every layer, every URL payload in its filters)."""
    layers = tuple(layer for _, found, _ in corpus.values() for layer in found)
    texts = [text for text, _, _ in corpus.values()]
    state = ViewState(layers=DEFAULT_LAYERS + tuple(layer.key for layer in layers))
    meta = export.metadata(ViewState(actors=tuple(texts), text=texts[0]), dataset,
                           curated_layer(dataset).filtered(state),
                           imported=[(layer.label, layer.filtered(state)) for layer in layers])
    png = snapshot.render_png(state, dataset, meta, layers, renderer="matplotlib")
    assert png.renderer == "matplotlib" and png.data.startswith(b"\x89PNG")
    no_trace(canary)


def test_chromium_png_and_what_the_browser_shows(corpus, dataset, canary: Path, browser: Browser, artifacts: Path) -> None:
    """The whole corpus in one page: Chromium's PNG, then the names as a reader sees them."""
    layers = tuple(layer for _, found, _ in corpus.values() for layer in found)
    texts = [text for text, _, _ in corpus.values()]
    state = ViewState(layers=DEFAULT_LAYERS + tuple(layer.key for layer in layers))
    url = ViewState(actors=tuple(texts), text=texts[0])
    meta = export.metadata(url, dataset, curated_layer(dataset).filtered(url),
                           imported=[(layer.label, layer.filtered(state)) for layer in layers])
    png = snapshot.render_png(state, dataset, meta, layers, renderer="chromium")
    assert png.renderer == "chromium"
    no_trace(canary)

    page_html = snapshot.standalone_html(state, dataset, meta, layers)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.route("**/*", lambda route: route.abort() if route.request.url.startswith(("http:", "https:"))
                   else route.continue_())
        page.set_content(page_html, wait_until="load")
        page.wait_for_selector(".panj-incident:not(.panj-grouped), .panj-count", timeout=30_000)  # a symbol or a count
        names = page.locator(".leaflet-control-layers-overlays label").all_text_contents()
        shown_names = [n.strip() for n in names]
        for layer in layers:
            assert layer.label in shown_names, layer.label  # literally, not evaluated ("49") or dropped
        title = page.locator(".panj-title").text_content()
        for text in texts:
            assert text in title
        popups = page.evaluate(
            """() => Object.entries(window.PANJ.layers).map(([key, layer]) => {
                 const div = document.createElement("div"); div.innerHTML = layer.popup(0);
                 return [key, div.textContent]; })"""
        )
        by_key = dict(popups)
        for layer in layers:
            location = layer.records.records["location"].iloc[0]
            assert location in by_key[layer.key] and layer.label in by_key[layer.key], layer.label
        page.locator(".leaflet-control-layers").hover()
        page.screenshot(path=str(artifacts / "template-injection-layers.png"))
    finally:
        page.close()
    no_trace(canary)


def test_timeline_spec_keeps_names_out_of_vega_expressions(corpus, canary: Path) -> None:
    """Vega expressions (filter, calculate, test, expr, signal) never carry user text; names are data values."""
    found = [layer for _, layers, _ in corpus.values() for layer in layers]
    texts = {text for text, _, _ in corpus.values()} | {layer.label for layer in found}
    totals = [timeline.daily_totals(layer, ViewState(context=True)) for layer in found]
    frame = timeline.chronology(found[0].records.records)
    spec = timeline.chart(frame, totals, ViewState()).to_dict()

    def expressions(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("filter", "calculate", "test", "expr", "signal", "update") and isinstance(value, str):
                    yield value
                yield from expressions(value)
        elif isinstance(node, list):
            for item in node:
                yield from expressions(item)

    for expression in expressions(spec):
        assert not any(text in expression for text in texts), expression
    no_trace(canary)


def test_pages_run_no_payload(corpus, canary: Path) -> None:
    """Every page with the whole corpus imported and a payload in every URL parameter."""
    layers = [layer for _, found, _ in corpus.values() for layer in found]
    text, _, state = corpus["expression"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[IMPORTS_KEY] = {layer.key: layer for layer in layers}
    every_layer = state.replace(layers=DEFAULT_LAYERS + tuple(layer.key for layer in layers))
    for key, value in every_layer.to_query().items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    no_trace(canary)
    page_text = "\n".join(m.value for m in at.markdown)
    for layer in layers:
        assert md(layer.label) in page_text, layer.label  # each layer's summary line names it literally
    for page in ("timeline", "attribution", "data", "sources"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        no_trace(canary)
        if page == "data":
            expanders = "\n".join(e.label for e in at.expander)
            assert all(md(layer.label) in expanders for layer in layers)
