"""The briefing pack (issue 16): an A4 PDF printed by Debian's Chromium whose text (read back with
pypdf) holds every shown record's id, every cited source's title, the window and the quotes,
with numbers no source gives written as "not reported"; printing needs no network; data text is
escaped, never run as a template. Expectations are computed here from the seed CSVs.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from pypdf import PdfReader

from panjmap import briefing, cli, snapshot
from panjmap.data import load_dataset
from panjmap.paths import SEEDS_DIR
from panjmap.state import ViewState
from panjmap.ui import export_panel

PERMALINK = "http://127.0.0.1:8501/?date_from=2025-11-01&date_to=2025-11-30"
WINDOW = "Time window: 2025-11-01 to 2025-11-30"
A4 = (595.3, 841.9)  # points


def rows(table: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def shown() -> list[dict[str, str]]:
    """Border records of the window (the default view leaves wider context out)."""
    return [r for r in rows("incidents") if r["end_date"] >= "2025-11-01" and r["event_date"] <= "2025-11-30"
            and r["scope"] == "border"]


def flat(text: str) -> str:
    """Whitespace as single spaces; a line broken after a hyphen joined again."""
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text)).strip()


EPOCH = "1767225600"  # a fixed generation time, so the page's and the CLI's briefings can be compared


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory, chromium) -> Path:
    path = tmp_path_factory.mktemp("briefing") / "briefing.pdf"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        assert cli.main(["snapshot", "--format", "pdf", "--query", PERMALINK, "-o", str(path)]) == 0
    finally:
        mp.undo()
    return path


@pytest.fixture(scope="module")
def pages(pdf_path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(pdf_path).pages]


def test_the_pdf_is_a4_with_the_overview_first_and_each_section_on_its_own_page(pdf_path, pages) -> None:
    reader = PdfReader(pdf_path)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=1)
    assert len(pages) >= len(briefing.SECTIONS)
    for k, text in enumerate(pages, start=1):
        assert f"page {k} of {len(pages)}" in text
    first = pages[0]
    assert "Panj border incidents: briefing" in first and WINDOW in first
    assert len(reader.pages[0].images) == 1  # the map snapshot
    starts = []
    for heading in briefing.SECTIONS[1:]:
        starts.append(next(k for k, text in enumerate(pages) if text.startswith(heading)))
    assert starts[0] == 1 and starts == sorted(starts) and len(set(starts)) == len(starts)
    # Sources is the last section; its table may run on over further pages (no other heading after it).
    assert briefing.SECTIONS[-1] == "Sources" and pages[starts[-1]].startswith("Sources")
    assert not any(p.startswith(h) for p in pages[starts[-1] + 1:] for h in briefing.SECTIONS)


def test_the_text_holds_every_record_every_cited_source_and_the_window(pages) -> None:
    text = " ".join(pages)
    records = shown()
    assert len(records) == 19  # 22 in the window, 3 of them wider context
    ids = {r["event_id_cnty"] for r in records}
    for rid in ids:
        assert rid in text
    other = {r["event_id_cnty"] for r in rows("incidents")} - ids
    assert not [rid for rid in other if re.search(rf"\b{rid}\b", text)]
    cited = {e["source_file"] for e in rows("evidence") if e["record_id"] in ids}
    cited |= {c["source_file"] for c in rows("claims") if c["incident_id"] in ids}
    titles = {s["source_file"]: s["title"] for s in rows("sources")}
    assert cited
    squashed = re.sub(r"\s+", "", text)  # a table cell breaks lines anywhere, CJK titles have no spaces to break at
    for source_file in cited:
        assert re.sub(r"\s+", "", titles[source_file]) in squashed, titles[source_file]
    assert WINDOW in text
    for quote in [e["quote"] for e in rows("evidence") if e["record_id"] in ids]:
        assert re.sub(r"\s+", "", quote) in squashed, quote[:60]


def test_a_number_no_source_gives_reads_not_reported(pages) -> None:
    text = " ".join(pages)
    details = text[text.index("Records and their quotes"):]
    for record in shown():
        match = re.search(re.escape(record["event_id_cnty"])
                          + r" · .*?killed: (not reported|several, no number|\d+) · injured: (not reported|\d+)",
                          details)
        assert match, record["event_id_cnty"]
        several = "several killed (no number)" in record["tags"]
        assert match.group(1) == (record["fatalities"] or ("several, no number" if several else "not reported"))
        assert match.group(2) == (record["injuries"] or "not reported")


def test_the_page_and_the_cli_give_the_same_briefing(pages, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    view, errors = ViewState.from_query(parse_qs(PERMALINK.split("?", 1)[1]))
    assert not errors
    data = export_panel._briefing(view, load_dataset(), ())()
    assert [flat(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages] == pages
    assert "generated 2026-01-01T00:00:00+00:00" in pages[-1]


def test_printing_needs_no_network(chromium) -> None:
    state = ViewState.from_query({"date_from": "2025-11-26", "date_to": "2025-11-27"})[0]
    pdf = briefing.render_pdf(state, load_dataset())
    assert pdf.blocked == ()
    assert pdf.data.startswith(b"%PDF")
    # the guard is live: a page that reaches out is recorded and cut off
    page = "<html><body><p>x</p><img src='https://tile.openstreetmap.org/1/1/1.png'></body></html>"
    _, blocked = briefing._print(page, chromium, "<span></span>")
    assert blocked == ("https://tile.openstreetmap.org/1/1/1.png",)


def test_data_text_is_escaped_and_never_run_as_a_template() -> None:
    hostile = "<script>alert(1)</script>{{ 7*7 }}{% raw %}"
    state = ViewState(text=hostile)
    page = briefing.briefing_html(state, load_dataset(), map_png=_tiny_png())
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}{% raw %}" in page  # as text, not evaluated


def test_without_chromium_the_cli_says_so_and_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PANJ_CHROMIUM", str(tmp_path / "no-chromium"))
    assert snapshot.find_chromium() is None
    out = tmp_path / "b.pdf"
    assert cli.main(["snapshot", "--format", "pdf", "-o", str(out)]) == 2
    assert not out.exists()


def _tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def test_a_user_downloads_the_video_and_the_briefing_from_the_map_page(app_url, browser, tmp_path) -> None:
    """In the browser, as a user: November 2025 by week, open the export panel, click "Video (MP4)"
    and "Briefing (PDF)"; the files arrive, play / read, and no request left the machine."""
    import imageio_ffmpeg
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    from tests import test_browser as tb
    from tests.offline import cut_off

    context = browser.new_context(viewport={"width": 1400, "height": 1300}, accept_downloads=True)
    s = tb.Session(context.new_page())
    cut_off(context, s.blocked, s.requested)
    s.page.on("pageerror", lambda exc: s.js_errors.append(str(exc)))
    tb.open_app(s, app_url, "?date_from=2025-11-01&date_to=2025-11-30&step=week")
    s.page.get_by_text("Export this view").click()
    tb.settle(s.page)  # the map reports its view once after it paints: a click during that rerun is lost
    files = {}
    for label, name in (("Video (MP4)", "video.mp4"), ("Briefing (PDF)", "briefing.pdf")):
        button = s.page.get_by_role("button", name=re.compile(re.escape(label)))
        expect(button).to_be_visible(timeout=30_000)
        files[name] = tmp_path / name
        for attempt in (1, 2):  # as a user clicks again when nothing came
            try:
                with s.page.expect_download(timeout=120_000) as download:
                    button.click()
                download.value.save_as(files[name])
                break
            except PlaywrightTimeout:
                assert attempt == 1, f"no {label} download after two clicks"
                tb.settle(s.page)
    tb.assert_offline_and_clean(s)
    context.close()
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(files["video.mp4"]))
    assert frames == 5 + 3  # weeks ending 8, 15, 22, 29 and 30 November, then a 3 s hold at 1 fps
    text = flat(" ".join(p.extract_text() for p in PdfReader(files["briefing.pdf"]).pages))
    assert WINDOW in text and "PNJ019" in text
