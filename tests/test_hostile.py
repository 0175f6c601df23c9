"""Hostile input: strings that try to run, to format or to break things, everywhere data goes.

Unit level: every string of tests/hostile.py survives the importers unchanged,
lands in the GeoJSON/CSV/KML exports intact (CSV formulas neutralised, KML
well-formed), and reaches the standalone HTML map only as escaped data.

Browser level (the real app, fully offline): a hostile ACLED file is uploaded
through the data page's form under a hostile layer name; then the map (tooltip,
popup, detail panel), the timeline, the data tables, the attribution and sources
pages are visited. After every step, in every frame: no dialog opened, no
element the payloads would inject exists, ``window.__pwned`` is unset, no
traceback; and the hostile text reads literally where it is shown. Bad uploads
and malformed URLs give clear messages and change nothing. The curated seeds
are byte-for-byte unchanged at the end.

Screenshots: test-artifacts/hostile-*.png.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from panjmap import export, snapshot
from panjmap.data import load_dataset
from panjmap.importers import ImportRejected, import_file
from panjmap.layers import imported_layer
from panjmap.mapview.elements import js_json
from panjmap.paths import SEEDS_DIR
from panjmap.state import DEFAULT_CENTER, DEFAULT_ZOOM, GEOGRAPHY_LAYERS, ViewState
from tests import hostile as H
from tests.offline import cut_off
from tests.uploading import choose_import_file
from tests import settling

KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
WAIT_MS = 45_000
# The imported layer's name, typed into the form: markup, Markdown, LaTeX, a directive and URL metacharacters.
LAYER_NAME = "<img src=x onerror=alert(1)> [x](y) $a$ :red[b]/~&=?#"
CODE_FIELDS = ("inter1", "inter2", "interaction")  # code columns: outer whitespace is normalised
ROWS = H.acled_rows()
N = len(ROWS)
INC = pd.read_csv(SEEDS_DIR / "incidents.csv", dtype=str, keep_default_na=False, encoding="utf-8")
# Curated records drawn in the default view (border scope; wider context is a toggle away).
CURATED_LOCATED = int(((INC["latitude"] != "") & (INC["longitude"] != "") & (INC["scope"] == "border")).sum())
CURATED_TOTAL = len(INC)
CURATED_BORDER = int((INC["scope"] == "border").sum())  # the default view's records


def seeds_digest() -> dict[str, str]:
    return {str(p.relative_to(SEEDS_DIR)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(SEEDS_DIR.rglob("*")) if p.is_file()}


SEEDS_BEFORE = seeds_digest()  # taken when this module is collected, before any test runs


def expected(row: dict, field: str) -> str:
    value = str(row[field])
    return value.strip() if field in CODE_FIELDS else value


def norm(text: str) -> str:
    """Text as a browser shows it: CR as LF (HTML parsing), runs of whitespace as one space."""
    return " ".join(text.replace("\r\n", "\n").replace("\r", "\n").split())


def row_with(field: str, value: str) -> int:
    return next(i for i, row in enumerate(ROWS) if row[field] == value)


# --------------------------------------------------------------------------
# Unit level: importers


def test_the_corpus_reaches_every_text_field() -> None:
    """Each hostile string sits in each ACLED text field of some row (so the tests below see every pairing)."""
    for field_name in H.ACLED_TEXT_FIELDS:
        assert {row[field_name] for row in ROWS} == set(H.HOSTILE), field_name
    assert sum(H.safe_id(s) for s in H.HOSTILE) >= 20  # most strings are also record ids


def test_acled_import_keeps_every_hostile_string_unchanged() -> None:
    result = import_file(H.acled_csv(), "hostile.csv")
    records = result.records
    assert result.source_format == "acled-current" and len(records) == N and result.skipped == []
    for i, row in enumerate(ROWS):
        rec = records.iloc[i]
        assert rec["event_id_cnty"] == H.record_id(i)
        for field_name in H.ACLED_TEXT_FIELDS:
            assert rec[field_name] == expected(row, field_name), (i, field_name)
        original = json.loads(rec["original"])
        assert {k: original[k] for k in H.ACLED_TEXT_FIELDS} == {k: row[k] for k in H.ACLED_TEXT_FIELDS}
        assert (rec["latitude"], rec["longitude"]) == H.position(i)
    values = set(records[list(H.ACLED_TEXT_FIELDS)].to_numpy().ravel())
    assert set(H.HOSTILE) - set(map(str.strip, H.HOSTILE)) == {H.TAB_LED}  # the only string with outer space
    assert set(H.HOSTILE) <= values | {H.TAB_LED}
    assert H.TAB_LED in set(records["location"])


def test_geojson_import_keeps_every_hostile_string_unchanged() -> None:
    result = import_file(H.geojson_bytes(), "hostile.geojson")
    assert result.source_format == "geojson" and len(result.records) == N and result.skipped == []
    for i, row in enumerate(ROWS):
        rec = result.records.iloc[i]
        assert rec["event_id_cnty"] == H.record_id(i)
        for field_name in H.ACLED_TEXT_FIELDS:
            assert rec[field_name] == str(row[field_name]), (i, field_name)


def test_ucdp_import_keeps_every_hostile_string_unchanged() -> None:
    result = import_file(H.ucdp_csv(), "hostile_ged.csv")
    assert result.source_format == "ucdp-ged" and len(result.records) == N and result.skipped == []
    ours = {"actor1": "side_a", "actor2": "side_b", "admin1": "adm_1", "admin2": "adm_2", "region": "region",
            "source": "source_article", "location": "where_coordinates", "notes": "source_headline"}
    for i, row in enumerate(H.ucdp_rows()):
        rec = result.records.iloc[i]
        assert rec["event_id_cnty"] == f"UCDP-{5000 + i}"
        for our, theirs in ours.items():
            assert rec[our] == row[theirs], (i, our)
        original = json.loads(rec["original"])
        assert {k: original[k] for k in H.UCDP_TEXT_FIELDS} == {k: row[k] for k in H.UCDP_TEXT_FIELDS}


# --------------------------------------------------------------------------
# Unit level: exports and the standalone HTML map


@pytest.fixture(scope="module")
def hostile_layer():
    result = import_file(H.acled_csv(), "hostile.csv", dataset_name=LAYER_NAME)
    return imported_layer(result.dataset_name, result.records, 0)


def neutralised(value: str) -> str:
    """What a CSV cell must hold: formulas (OWASP CSV injection starters) get a leading apostrophe."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def xml_kept(value: str) -> str:
    """XML 1.0 cannot hold C0 controls other than tab/LF/CR: they become U+FFFD; the rest is kept."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", value)


def test_exports_keep_hostile_text_and_neutralise_formulas(hostile_layer) -> None:
    dataset = load_dataset()
    records = hostile_layer.records.records
    meta = export.metadata(ViewState(text=H.SCRIPT, actors=(H.HYPERLINK,)), dataset, records)

    doc = json.loads(export.render("geojson", records, dataset, meta))
    incidents = [f for f in doc["features"] if f["properties"]["record_type"] == "incident"]
    assert len(incidents) == N
    for row, feature in zip(ROWS, incidents):
        assert feature["properties"]["event_id_cnty"] == feature["id"] == row["event_id_cnty"]
        for field_name in H.ACLED_TEXT_FIELDS:
            assert feature["properties"][field_name] == expected(row, field_name), field_name
    assert doc["metadata"]["filters"].count(H.SCRIPT) == 1

    table = list(csv.reader(io.StringIO(export.render("csv", records, dataset, meta), newline="")))
    header, body = table[0], table[1:]
    assert len(body) == N, "a field with a bare CR split a CSV row"
    for row, cells in zip(ROWS, body):
        got = dict(zip(header, cells))
        assert got["event_id_cnty"] == neutralised(row["event_id_cnty"])
        for field_name in H.ACLED_TEXT_FIELDS:
            assert got[field_name] == neutralised(expected(row, field_name)), field_name
    formula_cells = [c for cells in body for c in cells if c.lstrip("'") in H.FORMULAS]
    assert formula_cells and all(c.startswith("'") for c in formula_cells)
    for text in (H.SCRIPT, H.PERSIAN, H.RTL, H.ZERO_WIDTH, H.CONTROLS, H.EMOJI, H.LONG, H.LATEX):
        assert any(text in cells for cells in body), text  # intact, not neutralised or trimmed

    kml = export.render("kml", records, dataset, meta)
    root = ET.fromstring(kml.encode("utf-8"))  # raises if any string broke the XML
    marks = root.findall(".//k:Folder/k:Placemark", KML_NS)
    assert len(marks) == N
    for row, mark in zip(ROWS, marks):
        data = {d.get("name"): d.findtext("k:value", default="", namespaces=KML_NS)
                for d in mark.findall("k:ExtendedData/k:Data", KML_NS)}
        for field_name in H.ACLED_TEXT_FIELDS:
            assert data[field_name] == xml_kept(expected(row, field_name)), field_name
        assert mark.findtext("k:name", namespaces=KML_NS) == xml_kept(f"{row['event_id_cnty']}: {row['location']}")
        assert mark.findtext("k:description", namespaces=KML_NS).startswith(xml_kept(row["notes"]))
    assert H.SCRIPT in root.findtext("k:Document/k:description", namespaces=KML_NS)


class _Markup(HTMLParser):
    """The element structure of a page (script and style contents are data to the parser)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.handlers: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[(tag, tuple(sorted(name for name, _ in attrs)))] += 1
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def _markup(page: str) -> _Markup:
    parser = _Markup()
    parser.feed(page)
    parser.close()
    return parser


def test_standalone_html_carries_hostile_text_only_as_escaped_data(hostile_layer, browser: Browser, artifacts: Path) -> None:
    dataset = load_dataset()
    view = ViewState(layers=GEOGRAPHY_LAYERS + (hostile_layer.key,))
    hostile_meta = export.metadata(ViewState(text=H.SCRIPT, actors=(H.IMG, H.CLOSERS)), dataset,
                                   hostile_layer.records.records)
    page = snapshot.standalone_html(view, dataset, hostile_meta, (hostile_layer,))

    # The same map with an equally long harmless layer has exactly the same elements: data added no markup.
    plain = import_file(H.small_acled_csv("Plain", count=N), "plain.csv", dataset_name="Plain")
    plain_layer = imported_layer("Plain", plain.records, 0)
    plain_page = snapshot.standalone_html(ViewState(layers=GEOGRAPHY_LAYERS + (plain_layer.key,)), dataset,
                                          export.metadata(ViewState(text="x"), dataset, plain_layer.records.records),
                                          (plain_layer,))
    markup, plain_markup = _markup(page), _markup(plain_page)
    assert markup.tags == plain_markup.tags
    assert markup.handlers == plain_markup.handlers == []
    for raw in H.MARKUP + ("<img src=x", "<svg onload", "<svg/onload"):
        assert raw not in page, raw  # each "<" of the data is escaped (as \u003c in scripts, &lt; in attributes)
    # every string is in the page as a JSON string inside a script (so "{{7*7}}" was not rendered as 49)
    scripts = "\n".join(markup.scripts)
    for text in H.HOSTILE:
        assert js_json(text) in scripts, text[:40]
    assert js_json(LAYER_NAME) in scripts and js_json(hostile_layer.key) in scripts

    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.route("**/*", lambda route: route.abort() if route.request.url.startswith(("http:", "https:", "ws:"))
                  else route.continue_())
        tab.set_content(page, wait_until="load")
        expect(tab.locator(".panj-incident")).to_have_count(N, timeout=WAIT_MS)
        texts = tab.evaluate(
            """() => { const map = window[Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k))], out = [];
                 map.eachLayer(l => { if (!(l instanceof L.Marker) || !l.getElement() || !l.getElement().matches('.panj-incident')) return;
                   l.openTooltip(); l.fire('click', {latlng: l.getLatLng()});
                   const tip = l.getTooltip().getElement(), pop = map._popup.getElement();
                   out.push({id: l.getElement().querySelector('[data-record]').dataset.record,
                             label: l.getElement().getAttribute('aria-label'),
                             tip: tip.textContent, popup: pop.querySelector('.leaflet-popup-content').textContent});
                   map.closePopup(); l.closeTooltip(); });
                 return out; }"""
        )
        assert sorted(t["id"] for t in texts) == sorted(H.record_id(i) for i in range(N))
        by_id = {t["id"]: t for t in texts}
        for i, row in enumerate(ROWS):
            got = by_id[H.record_id(i)]
            assert norm(row["location"]) in norm(got["tip"]), (i, got["tip"][:200])
            assert norm(got["tip"]).endswith(f"ID: {H.record_id(i)} [{hostile_layer.key}]")
            assert norm(row["actor1"]) in norm(got["popup"]) and norm(LAYER_NAME) in norm(got["popup"])
            assert got["label"].startswith(f"{H.record_id(i)}: ")
        assert norm(tab.locator(".leaflet-control-layers-overlays").text_content()).endswith(norm(LAYER_NAME))
        title = tab.locator(".panj-title").text_content()
        assert H.SCRIPT in title and H.IMG in title and H.CLOSERS in title
        tab.locator(".panj-incident").first.hover()
        tab.screenshot(path=str(artifacts / "hostile-standalone.png"))
        assert dialogs == []
        assert tab.evaluate(INJECTED_JS) == CLEAN
    finally:
        tab.close()


# --------------------------------------------------------------------------
# Unit level: malformed files are refused whole, with a clear reason


def _acled(**values: object) -> bytes:
    """Four hostile rows with ``values`` set in each (the country named, so swaps can be told)."""
    rows = [dict(row, country="Tajikistan", **values) for row in H.acled_rows(4)]
    return H.csv_bytes(list(ROWS[0]), rows)


BAD_FILES = {
    "wrong columns": (b"name,place,when\nx,y,2025-11-01\n", "f.csv", r"Header not recognised: line 1 has the columns name, place, when"),
    "missing required": (b"event_id_cnty,event_date,actor1,disorder_type\nA,2025-11-01,x,y\n", "f.csv",
                         r"missing the required columns? event_type, latitude, longitude"),
    "binary junk": (bytes(range(256)) * 8, "junk.csv", r"binary data, not text: NUL byte at byte offset 0"),
    "zip": (b"PK\x03\x04" + bytes(60), "data.csv", r"ZIP archive"),
    "wrong encoding": ("event_id_cnty,event_date\nA,Qalʼa é\n".encode("utf-8").replace("é".encode(), b"\xe9"),
                       "latin1.csv", r"not UTF-8 text: byte 0xE9 at byte offset \d+ \(line 2\)"),
    "utf-16": ("event_id_cnty,event_date\n".encode("utf-16"), "u16.csv", r"UTF-16 text, not UTF-8"),
    "swapped coordinates": (_acled(latitude=70.0, longitude=37.8), "swapped.csv", r"latitude/longitude look swapped"),
    "out of range": (_acled(latitude=237.8), "range.csv", r"latitude 237.8 is outside -90..90"),
    "unparseable dates": (_acled(event_date="the ides of March"), "dates.csv",
                          r"event_date 'the ides of March' is not a recognised date"),
    "impossible dates": (_acled(event_date="2025-99-01"), "dates.csv", r"event_date '2025-99-01' is not a real calendar date"),
    "hostile dates": (_acled(event_date=H.MD_LINK), "dates.csv", re.escape(f"event_date '{H.MD_LINK}' is not a recognised date")),
    "bad json": (b'{"type": "FeatureCollection", "features": [', "x.geojson", r"Not valid JSON: line 1"),
    "empty": (b"", "empty.csv", r"The file is empty"),
    "header only": (H.csv_bytes(list(ROWS[0]), []), "h.csv", r"header but no data rows"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_malformed_files_are_rejected_with_a_clear_message(case: str) -> None:
    data, name, pattern = BAD_FILES[case]
    with pytest.raises(ImportRejected) as caught:
        import_file(data, name)
    message = caught.value.message
    assert re.search(pattern, message), message
    assert "Traceback" not in message and len(message) < 2000


# --------------------------------------------------------------------------
# Browser level


INJECTED_JS = """() => ({
  img_x: document.querySelectorAll('img[src="x"]').length,
  svg_onload: document.querySelectorAll('svg[onload]').length,
  on_handlers: Array.from(document.querySelectorAll('*')).filter(e =>
      Array.from(e.attributes).some(a => a.name === 'onerror' || a.name === 'onload')).length,
  js_links: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]').length,
  unclosed: Array.from(document.querySelectorAll('b > i')).filter(e => e.textContent.startsWith('unclosed')).length,
  latex: document.querySelectorAll('.katex').length,
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
})"""
CLEAN = {"img_x": 0, "svg_onload": 0, "on_handlers": 0, "js_links": 0, "unclosed": 0, "latex": 0, "pwned": None}


@dataclass
class Tab:
    page: Page
    dialogs: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def check(self, step: str) -> None:
        """Nothing ran, nothing was injected, no traceback, nothing left the machine: in every frame."""
        assert self.dialogs == [], f"{step}: a dialog opened: {self.dialogs}"
        assert self.js_errors == [], f"{step}: uncaught JS errors: {self.js_errors}"
        assert self.blocked == [], f"{step}: requests left the machine: {self.blocked}"
        for frame in self.page.frames:
            if frame.is_detached():
                continue
            try:
                found = frame.evaluate(INJECTED_JS)
            except Exception:  # a frame navigating away mid-check: it is gone, nothing to inspect
                continue
            assert found == CLEAN, f"{step}: injected content in frame {frame.url[:80]}: {found}"
        assert self.page.locator("[data-testid='stException']").count() == 0, \
            f"{step}: traceback: {self.page.locator('[data-testid=stException]').first.inner_text()[:500]}"


def new_tab(browser: Browser) -> Tab:
    context = browser.new_context(viewport={"width": 1400, "height": 1300}, service_workers="block")
    page = context.new_page()
    tab = Tab(page)

    cut_off(context, tab.blocked)
    page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: tab.js_errors.append(f"{exc} | {(exc.stack or '')[:400]}"))
    return tab


# Settled once the script has stayed idle for 1.5 s (the map reports its view late).
settle = functools.partial(settling.settle, timeout_s=40, polls=6, interval_ms=250)


def go(tab: Tab, title: str, heading: str) -> None:
    """Switch page inside the session (a page load would start a new session, without the import)."""
    tab.page.locator("[data-testid='stSidebarNavLink']", has_text=title).click()
    expect(tab.page.locator("h1", has_text=heading)).to_be_visible(timeout=WAIT_MS)
    settle(tab.page)
    expect(tab.page.locator("h1", has_text=heading)).to_be_visible()


def map_frame(page: Page) -> Frame:
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        for frame in page.frames:
            if frame is not page.main_frame and not frame.is_detached():
                try:
                    if frame.query_selector(".leaflet-container"):
                        return frame
                except Exception:
                    continue
        assert time.monotonic() < deadline, "no map frame"
        page.wait_for_timeout(250)


def summaries(page: Page) -> list[str]:
    return sorted(norm(t) for t in page.locator("[data-testid='stMarkdownContainer']").all_inner_texts()
                  if re.search(r": \d+ of \d+ records", t))


def upload(tab: Tab, data: bytes, filename: str, name: str = "") -> None:
    page = tab.page
    choose_import_file(page, {"name": filename, "mimeType": "text/csv", "buffer": data}, WAIT_MS)
    page.get_by_label("Layer name (optional)").fill(name)
    page.get_by_role("button", name="Import", exact=True).click()
    settle(page)


def pick_marker(frame: Frame, record_id: str):
    """The map icon of ``record_id`` (found by its data attribute, so any id works)."""
    found = frame.evaluate(
        """id => { document.querySelectorAll('[data-test-pick]').forEach(e => e.removeAttribute('data-test-pick'));
                   const span = Array.from(document.querySelectorAll('.panj-incident [data-record]')).find(e => e.dataset.record === id);
                   if (!span) return false; span.closest('.panj-incident').setAttribute('data-test-pick', '1'); return true; }""",
        record_id,
    )
    assert found, f"no marker for {record_id!r}"
    return frame.locator("[data-test-pick='1']")


def imported_expanders(page):
    """The Data page's imported datasets (the store's: every session's, shared)."""
    return page.locator("[data-testid='stExpander'] summary", has_text="Imported:")


@pytest.fixture(scope="module")
def hostile(browser: Browser, app_url: str) -> Iterator[Tab]:
    """One session that imported the hostile ACLED file as LAYER_NAME through the upload form."""
    tab = new_tab(browser)
    page = tab.page
    page.goto(app_url + "/", timeout=WAIT_MS)
    expect(page.locator("h1", has_text="Panj border incidents")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    go(tab, "Data and import", "Data")
    stored = imported_expanders(page).count()  # imports are shared: other tests' may be in the store
    upload(tab, H.acled_csv(), "hostile.csv", LAYER_NAME)
    expect(imported_expanders(page)).to_have_count(stored + 1, timeout=WAIT_MS)
    tab.check("import")
    yield tab
    page.context.close()


def test_upload_of_the_hostile_file_reads_literally_on_the_data_page(hostile: Tab, artifacts: Path) -> None:
    page = hostile.page
    report = page.locator("[data-testid='stCode']").last
    expect(report).to_contain_text(f"Imported {N} of {N} rows as ACLED (current 31-column export)")
    expander = imported_expanders(page).last  # the newest import is listed last
    assert norm(f"Imported: {LAYER_NAME} ({N} of {N} in the current filters)") in norm(expander.inner_text())
    checkbox = page.locator("[data-testid='stSidebar'] [data-testid='stCheckbox']", has_text="Imported:").last
    assert norm(checkbox.inner_text()) == norm(f"Imported: {LAYER_NAME}")
    expander.click()
    grid = page.locator("[data-testid='stExpander'] [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    cells = grid.locator("table[role='grid'] td")  # the grid's (visually hidden) accessible table
    expect(cells.first).to_be_attached(timeout=WAIT_MS)
    texts = cells.all_text_contents()
    for i in range(3):  # the first rows' ids are markup
        assert H.record_id(i) in texts, (H.record_id(i), texts[:12])
    expect(page.get_by_role("button", name=f"Remove {LAYER_NAME}")).to_be_visible()
    settle(page)
    page.screenshot(path=str(artifacts / "hostile-data.png"), full_page=True)
    hostile.check("data page")


def test_hostile_markers_tooltips_popups_and_detail_panel(hostile: Tab, artifacts: Path) -> None:
    page = hostile.page
    go(hostile, "Border map", "Panj border incidents")
    assert norm(f"{LAYER_NAME}: {N} of {N} records") in " | ".join(summaries(page))
    frame = map_frame(page)
    expect(frame.locator(".panj-incident")).to_have_count(N + CURATED_LOCATED, timeout=WAIT_MS)
    hostile.check("map")
    key = f"import:{LAYER_NAME}"
    # rows whose location is <script>, LaTeX (its id holds "/"), a Markdown link and :material/ icons
    for n, row_index in enumerate((row_with("location", H.SCRIPT), row_with("location", H.LATEX),
                                   row_with("location", H.MD_LINK), row_with("location", H.EMOJI))):
        row, rid = ROWS[row_index], H.record_id(row_index)
        frame.evaluate("() => window.map.closePopup()")  # the last popup may cover the next marker
        marker = pick_marker(frame, rid)
        marker.hover(timeout=WAIT_MS)
        tip = frame.locator(".leaflet-tooltip:has(.panj-tip)")
        expect(tip).to_have_count(1, timeout=WAIT_MS)
        assert norm(tip.text_content()).startswith(norm(row["location"]))
        assert norm(tip.text_content()).endswith(f"ID: {rid} [{key}]")
        hostile.check(f"tooltip {rid}")
        if n == 0:
            page.screenshot(path=str(artifacts / "hostile-map-tooltip.png"))
        marker.focus()
        marker.press("Enter")  # selects the record, as a click does, and opens its popup
        popup = frame.locator(".leaflet-popup-content").filter(has_text=f"ID: {rid} [")
        expect(popup).to_have_count(1, timeout=WAIT_MS)
        assert norm(row["actor1"]) in norm(popup.text_content()) and norm(LAYER_NAME) in norm(popup.text_content())
        heading = page.locator("[data-testid='stHeading']", has_text=rid)
        expect(heading).to_have_count(1, timeout=WAIT_MS)
        settle(page)
        assert norm(heading.inner_text()) == norm(f"{rid}: {row['location']}")
        column = page.locator("[data-testid='stColumn']").filter(has=heading)
        text = norm(column.inner_text())
        assert norm(f"Actors: {row['actor1']} vs {row['actor2']}") in text
        assert norm(f"Summary: {row['notes']}") in text
        assert norm(f"Imported dataset: {LAYER_NAME}. Original columns kept below.") in text
        hostile.check(f"detail {rid}")
    page.screenshot(path=str(artifacts / "hostile-map-detail.png"), full_page=True)


def test_hostile_search_text_reads_literally_in_the_export_panel(hostile: Tab, hostile_layer) -> None:
    page = hostile.page
    if not page.locator("h1", has_text="Panj border incidents").count():
        go(hostile, "Border map", "Panj border incidents")
    box = page.get_by_label("Search location, notes and quotes")
    box.fill(H.MD_LINK)
    box.press("Enter")
    matching = len(hostile_layer.filtered(ViewState(text=H.MD_LINK)))
    assert 0 < matching < N
    expect(page.locator("[data-testid='stMarkdownContainer']", has_text=f"{N} records").first).to_contain_text(
        f"{matching} of {N} records", timeout=WAIT_MS)
    settle(page)
    page.locator("[data-testid='stExpander'] summary", has_text="Export this view").click()
    caption = page.locator("[data-testid='stCaptionContainer']", has_text="Everything below reflects")
    expect(caption).to_be_visible(timeout=WAIT_MS)
    assert f"Text contains: {H.MD_LINK!r}" in caption.inner_text(), caption.inner_text()
    hostile.check("export panel with a hostile search")
    box.fill("")
    box.press("Enter")
    expect(page.locator("[data-testid='stMarkdownContainer']", has_text=f"{N} records").first).to_contain_text(
        f"{N} of {N} records", timeout=WAIT_MS)
    settle(page)


def test_hostile_timeline_marks_and_tooltips(hostile: Tab, artifacts: Path) -> None:
    page = hostile.page
    go(hostile, "Timeline", "Timeline")
    chart = page.locator(".vega-embed").first
    expect(chart).to_be_visible(timeout=WAIT_MS)
    lanes = chart.locator("g.role-axis-label text").all_text_contents()
    assert any(t.startswith("Imported: <img src=x onerror=alert(1)>") for t in lanes), lanes
    for marks, expected_text in (("g.layer_2_marks path", "events"), ("g.view_1_marks path", "ID")):
        box = chart.locator(marks).first.bounding_box()
        assert box, marks
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tooltip = page.locator("#vg-tooltip-element.visible")
        expect(tooltip).to_contain_text(expected_text, timeout=WAIT_MS)
        hostile.check(f"timeline tooltip over {marks}")
    page.screenshot(path=str(artifacts / "hostile-timeline.png"), full_page=True)


def test_hostile_actor_options_and_the_other_pages(hostile: Tab, artifacts: Path) -> None:
    page = hostile.page
    for title, heading in (("Attribution", "Attribution: who blames whom"), ("Sources", "Sources"),
                           ("Data and import", "Data")):
        go(hostile, title, heading)
        hostile.check(title)
        page.screenshot(path=str(artifacts / f"hostile-{title.split()[0].lower()}.png"), full_page=True)
    # the sidebar's actor options come from the imported actors: plain text in the list
    actors = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']", has_text="Actor")
    actors.locator("input").click()
    actors.locator("input").fill("alert")
    options = page.get_by_role("option")
    expect(options.first).to_be_visible(timeout=WAIT_MS)
    # Each option is the actor's name and its record count: "<name> (1)".
    shown = {norm(re.sub(r" \(\d+\)$", "", t)) for t in options.all_inner_texts()}
    assert {norm(H.SCRIPT), norm(H.IMG), norm(H.SVG), norm(H.MD_LINK)} <= shown, shown
    hostile.check("actor options")
    page.keyboard.press("Escape")


def test_bad_uploads_say_why_and_change_nothing(hostile: Tab) -> None:
    page = hostile.page
    go(hostile, "Border map", "Panj border incidents")
    frame = map_frame(page)
    expect(frame.locator(".panj-incident")).to_have_count(N + CURATED_LOCATED, timeout=WAIT_MS)
    before = (summaries(page), frame.locator(".panj-incident").count())

    go(hostile, "Data and import", "Data")
    bad = [
        (bytes(range(256)) * 8, "junk.csv", "", "Nothing was imported. The file is binary data, not text: NUL byte"),
        (b"name,place,when\nx,y,2025-11-01\n", "wrong.csv", "", "Nothing was imported. Header not recognised"),
        (_acled(event_date=H.MD_LINK), "dates.csv", "", f"event_date '{H.MD_LINK}' is not a recognised date"),
        (_acled(event_date=H.LATEX), "dates2.csv", "", f"event_date '{H.LATEX}' is not a recognised date"),
        (H.acled_csv(), "again.csv", LAYER_NAME, f"A dataset named '{LAYER_NAME}' already exists"),
    ]
    stored = imported_expanders(page).count()
    for data, filename, name, message in bad:
        upload(hostile, data, filename, name)
        error = page.locator("[data-testid='stAlertContentError']")
        expect(error).to_have_count(1, timeout=WAIT_MS)
        assert norm(message) in norm(error.inner_text()), error.inner_text()
        hostile.check(f"bad upload {filename}")
        expect(imported_expanders(page)).to_have_count(stored)

    go(hostile, "Border map", "Panj border incidents")
    frame = map_frame(page)
    expect(frame.locator(".panj-incident")).to_have_count(before[1], timeout=WAIT_MS)
    assert (summaries(page), frame.locator(".panj-incident").count()) == before
    hostile.check("map after bad uploads")


# --------------------------------------------------------------------------
# Malformed URLs


def open_url(tab: Tab, url: str) -> Frame:
    tab.page.goto(url, timeout=WAIT_MS)
    expect(tab.page.locator("h1", has_text="Panj border incidents")).to_be_visible(timeout=WAIT_MS)
    frame = map_frame(tab.page)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=WAIT_MS)
    settle(tab.page)
    return frame


def warnings(page: Page) -> list[str]:
    return page.locator("[data-testid='stAlertContentWarning']").all_inner_texts()


def assert_default_view(tab: Tab, frame: Frame) -> None:
    view = frame.evaluate("() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }")
    assert view[2] == DEFAULT_ZOOM
    assert abs(view[0] - DEFAULT_CENTER[0]) < 0.05 and abs(view[1] - DEFAULT_CENTER[1]) < 0.05, view
    expect(frame.locator(".panj-incident")).to_have_count(CURATED_LOCATED, timeout=WAIT_MS)
    lines = summaries(tab.page)
    assert len(lines) == 1 and lines[0].startswith(
        f"Curated incidents (seed articles): {CURATED_BORDER} of {CURATED_TOTAL} records"), lines


MALFORMED = "?zoom=999&center=nan,nan&date_from=2025-99-01&layers=<script>&actors=%00&bbox=1,2,3"
LONG_QUERY = ("?actors=" + "x" * 5000 + "&selected=incidents/" + "Z" * 5000 + "&zoom=" + "9" * 3000
              + "&center=" + "1," * 2000 + "&regions=" + quote(H.SCRIPT) * 100 + "&foo=" + quote(H.LONG[:3000]))
MARKDOWN_QUERY = ("?date_from=" + quote(H.MD_LINK) + "".join(f"&layers={quote(name)}" for name in (H.LATEX, H.DIRECTIVE, H.SCRIPT))
                  + "&zoom=" + quote(H.EMOJI))
ODD = "?date_from=2030-01-01&date_to=2031-01-01&step=year&basemap=<b>&sides=Mars&min_fatalities=-1&selected=import:x/y"


@pytest.mark.parametrize("query,ignored", [
    (MALFORMED, ["URL parameter 'zoom'", "URL parameter 'center'", "URL parameter 'date_from'", "URL parameter 'layers'",
                 "URL parameter 'bbox'", "filter actors: '\\x00'"]),
    (LONG_QUERY, ["URL parameter 'zoom'", "URL parameter 'center'", "filter actors: 'xxxx", "filter regions: '<script>"]),
    (ODD, ["URL parameter 'step'", "URL parameter 'basemap'", "URL parameter 'sides'", "URL parameter 'min_fatalities'",
           "time window 2030-01-01 to 2031-01-01"]),
    (MARKDOWN_QUERY, [f"URL parameter 'date_from': Invalid isoformat string: '{H.MD_LINK}'",
                      f"URL parameter 'layers': unknown layer(s) {H.LATEX}, {H.DIRECTIVE}, {H.SCRIPT}",
                      f"URL parameter 'zoom': invalid literal for int() with base 10: {H.EMOJI!r}"]),
], ids=["malformed", "very-long", "out-of-range", "markdown"])
def test_malformed_urls_warn_and_show_the_default_view(browser: Browser, app_url: str, artifacts: Path,
                                                         query: str, ignored: list[str]) -> None:
    tab = new_tab(browser)
    try:
        frame = open_url(tab, app_url + "/" + query)
        shown = warnings(tab.page)
        for text in ignored:
            assert any(f"Ignored {text}" in w for w in shown), (text, shown)
        assert len(shown) == len(ignored), shown
        assert all(len(w) < 400 for w in shown), "a warning echoes a whole long parameter"
        assert_default_view(tab, frame)
        tab.check(f"url {query[:40]}")
        if query is MALFORMED:
            tab.page.screenshot(path=str(artifacts / "hostile-url.png"), full_page=True)
    finally:
        tab.page.context.close()


# --------------------------------------------------------------------------


def test_curated_seeds_are_byte_for_byte_unchanged() -> None:
    """Runs last in this module: nothing above (imports, bad uploads, URLs) touched seeds/."""
    assert seeds_digest() == SEEDS_BEFORE
