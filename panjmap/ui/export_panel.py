"""Download buttons for the current view: PNG, standalone HTML, playback video, PDF briefing,
data files, permalink.

Each file is made only when its button is clicked (a download callable), from
the same view state the map shows, by the same functions the CLI uses.
"""

from __future__ import annotations

import io
import logging
from urllib.parse import quote
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from panjmap import export, playback_video, snapshot
from panjmap.data import Dataset
from panjmap.layers import CURATED_KEY, MapLayer, capped_notice, curated_layer, visible_layers
from panjmap.state import ViewState
from panjmap.store.export import exported
from panjmap.ui.text import md

LOG = logging.getLogger(__name__)
FAILURES_KEY = "panj_export_failures"
PANEL_KEY = "panj_export_panel"
T = TypeVar("T")


def _reported(label: str, make: Callable[[], T]) -> Callable[[], T]:
    """``make``, recording a failure for the panel to show: Streamlit runs it in another thread
    after the click and only says "Failed to generate file for download" under the button."""
    failures: dict[str, str] = st.session_state.setdefault(FAILURES_KEY, {})

    def run() -> T:
        try:
            return make()
        except Exception as exc:
            LOG.exception("export %s failed", label)
            failures[label] = type(exc).__name__  # the details (paths, commands) stay in the server log
            raise
    return run


def _imported(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...]) -> list[export.Imported]:
    """The imported layers the view shows, as every export includes them: name and filtered records."""
    return [(layer.label, layer.filtered(view)) for layer in visible_layers(view, dataset, imports)
            if layer.key != CURATED_KEY]


def _png(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...], size: str) -> Callable[[], bytes]:
    def make() -> bytes:
        meta = export.metadata(view, dataset, curated_layer(dataset).filtered(view), imported=_imported(view, dataset, imports))
        return snapshot.render_png(view, dataset, meta, imports, size=size).data
    return make


def _html(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...]) -> Callable[[], str]:
    def make() -> str:
        meta = export.metadata(view, dataset, curated_layer(dataset).filtered(view), imported=_imported(view, dataset, imports))
        return snapshot.standalone_html(view, dataset, meta, imports)
    return make


def _video(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...], fmt: str) -> Callable[[], bytes]:
    """The view's playback (its step, default frame rate, slide size), as the CLI makes it."""
    def make() -> bytes:
        return playback_video.make_video(view, dataset, imports, fmt=fmt, step=view.step).data
    return make


def _briefing(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...]) -> Callable[[], bytes]:
    def make() -> bytes:
        # Imported on click: the briefing brings altair (~0.35 s), which the map page's
        # first run (a server's first visitor) would otherwise pay for.
        from panjmap import briefing

        return briefing.render_pdf(view, dataset, imports).data
    return make


def _data(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...], kind: str) -> Callable[[], bytes]:
    """The data file: every record the filters select, a stored layer's past the map's cap too, read
    in chunks and written (the CSV ZIP compressed) as they come. The finished file is held in memory
    once, for the download button."""
    def make() -> bytes:
        records = curated_layer(dataset).filtered(view)
        layers = [layer for layer in visible_layers(view, dataset, imports) if layer.key != CURATED_KEY]
        out = io.BytesIO()
        with exported(view, layers) as imported:
            meta = export.metadata(view, dataset, records, imported=imported)
            if kind == "csv":
                chunks = export.bundle_parts(records, dataset, meta, view.file_stem(), imported)
            else:
                chunks = (part.encode("utf-8") for part in export.parts(kind, records, dataset, meta, imported))
            for chunk in chunks:
                out.write(chunk)
        return out.getvalue()
    return make


# GeoJSON and KML take ~1.6 and ~2.7 kB per record and are made in the server's memory for the
# download button: past this many records (a few hundred MB) the panel offers the CSV ZIP (~50 bytes
# per record, compressed as it is written) and the command line, which streams to a file.
MAX_TEXT_FILE_RECORDS = 100_000


def _too_large(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...]) -> str:
    """Why the panel does not make GeoJSON or KML of this view ("" if it does)."""
    records = sum(layer.matching(view) for layer in visible_layers(view, dataset, imports))
    if records <= MAX_TEXT_FILE_RECORDS:
        return ""
    return (f"{records:,} records are too many to make as one file in the server's memory: download the "
            "CSV ZIP, or have the file written on the server with `python -m panjmap export --format "
            "geojson --query 'PERMALINK' -o FILE` (the permalink below).")


def render_export_panel(view: ViewState, dataset: Dataset, imports: list[MapLayer]) -> None:
    extra = tuple(imports)
    stem = view.file_stem()
    failures: dict[str, str] = st.session_state.setdefault(FAILURES_KEY, {})
    for label, reason in list(failures.items()):
        st.error(f"Export failed, nothing was downloaded: {md(label)} ({md(reason)}; details in the server log). "
                 "Try again, or choose another format.")
    failures.clear()
    # Lazy: its ~20 elements (9 download buttons) are made only while it is open. Sent closed on
    # every rerun they were ~7% of the server's CPU per action (docs/benchmarks.md, "CPU per action").
    panel = st.expander("Export this view: snapshot, standalone map, data, permalink", expanded=False,
                        key=PANEL_KEY, on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.caption(f"Everything below reflects: {md(view.describe())}. Files are made when you click.")
        for layer in visible_layers(view, dataset, extra):
            notice = capped_notice(layer, view, len(layer.filtered(view)))
            if notice:
                st.caption(f"{md(layer.label)}: the PNG, HTML, video and PDF show what the map shows; the GeoJSON, "
                           f"CSV and KML hold all {layer.matching(view):,} matching records. {notice}")
        row = st.columns(3)
        row[0].download_button("PNG for a slide (1600×900)", _reported("PNG for a slide", _png(view, dataset, extra, "slide")),
                               file_name=f"{stem}.png", mime="image/png", on_click="ignore", key="dl_png_slide")
        row[1].download_button("PNG for print (A4, 300 dpi)", _reported("PNG for print", _png(view, dataset, extra, "print")),
                               file_name=f"{stem}_print.png", mime="image/png", on_click="ignore", key="dl_png_print")
        row[2].download_button("Standalone HTML map", _reported("standalone HTML map", _html(view, dataset, extra)),
                               file_name=f"{stem}.html", mime="text/html", on_click="ignore", key="dl_html")
        row = st.columns(3)
        too_long = playback_video.too_long(view, dataset, extra)
        row[0].download_button(f"Video (MP4), one frame per {view.step}", _video(view, dataset, extra, "mp4"),
                               file_name=f"{stem}_{view.step}ly.mp4", mime=playback_video.MEDIA_TYPES["mp4"], on_click="ignore",
                               key="dl_mp4", disabled=bool(too_long), help=too_long or None)
        row[1].download_button(f"GIF for messaging, one frame per {view.step}", _video(view, dataset, extra, "gif"),
                               file_name=f"{stem}_{view.step}ly.gif", mime=playback_video.MEDIA_TYPES["gif"], on_click="ignore",
                               key="dl_gif", disabled=bool(too_long), help=too_long or None)
        no_chromium = "" if snapshot.find_chromium() else "The PDF is printed by Chromium, which is not installed here."
        row[2].download_button("Briefing (PDF)", _briefing(view, dataset, extra),
                               file_name=f"{view.file_stem('briefing')}.pdf", mime="application/pdf",
                               on_click="ignore", key="dl_pdf", disabled=bool(no_chromium), help=no_chromium or None)
        row = st.columns(3)
        too_large = _too_large(view, dataset, extra)
        for col, (kind, label, ext, mime) in zip(row, (
            ("geojson", "GeoJSON", "geojson", export.MEDIA_TYPES["geojson"]),
            ("csv", "CSV, ACLED order (ZIP with claims, sites, metadata)", "zip", "application/zip"),
            ("kml", "KML (Google Earth)", "kml", export.MEDIA_TYPES["kml"]),
        )):
            refused = too_large if kind != "csv" else ""
            col.download_button(label, _reported(label, _data(view, dataset, extra, kind)), file_name=f"{stem}.{ext}", mime=mime,
                                on_click="ignore", key=f"dl_{kind}", disabled=bool(refused), help=refused or None)
        base = (st.context.url or "").split("?")[0]
        # A link, not st.code: st.code makes the browser load and compile Streamlit's 1.6 MB
        # syntax highlighter on every page load, which delayed the map's first paint by
        # ~0.5-1.5 s (docs/benchmarks.md, "First paint in the real app").
        link = quote(f"{base}?{view.query_string()}" if view.query_string() else base, safe=":/?&=%#+,;@")
        st.markdown(f"Permalink to exactly this view: [{md(link)}]({link})" if link else
                    "Permalink to exactly this view: the page's address.")
        st.caption("PNG snapshots and videos are drawn by headless Chromium when it is installed, otherwise by a "
                   "matplotlib renderer; the image says which. The video plays the window step by step (the Step "
                   "setting in the sidebar) and holds the last frame; the PDF briefing needs Chromium. "
                   "Data exports and the briefing include sources and verbatim quotes, and the imported layers shown "
                   "on the map (the CSV ZIP as one file each): the data files every record the filters select, "
                   "the pictures, video and PDF what the map draws; every file's metadata says what it holds. "
                   "A large layer's data file is made in the server's memory before it downloads: "
                   "the CSV ZIP, compressed, is the smallest.")
