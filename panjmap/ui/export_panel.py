"""Download buttons for the current view: PNG, standalone HTML, data files, permalink.

Each file is made only when its button is clicked (a download callable), from
the same view state the map shows, by the same functions the CLI uses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from panjmap import export, snapshot
from panjmap.data import Dataset
from panjmap.layers import MapLayer, curated_layer
from panjmap.state import ViewState
from panjmap.ui.text import md

LOG = logging.getLogger(__name__)
FAILURES_KEY = "panj_export_failures"
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


def _png(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...], size: str) -> Callable[[], bytes]:
    def make() -> bytes:
        meta = export.metadata(view, dataset, curated_layer(dataset).filtered(view))
        return snapshot.render_png(view, dataset, meta, imports, size=size).data
    return make


def _html(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...]) -> Callable[[], str]:
    def make() -> str:
        meta = export.metadata(view, dataset, curated_layer(dataset).filtered(view))
        return snapshot.standalone_html(view, dataset, meta, imports)
    return make


def _data(view: ViewState, dataset: Dataset, kind: str) -> Callable[[], str | bytes]:
    def make() -> str | bytes:
        records = curated_layer(dataset).filtered(view)
        meta = export.metadata(view, dataset, records)
        if kind == "csv":
            return export.csv_bundle(records, dataset, meta, view.file_stem())
        return export.render(kind, records, dataset, meta)
    return make


def render_export_panel(view: ViewState, dataset: Dataset, imports: list[MapLayer]) -> None:
    extra = tuple(imports)
    stem = view.file_stem()
    failures: dict[str, str] = st.session_state.setdefault(FAILURES_KEY, {})
    for label, reason in list(failures.items()):
        st.error(f"Export failed, nothing was downloaded: {md(label)} ({md(reason)}; details in the server log). "
                 "Try again, or choose another format.")
    failures.clear()
    with st.expander("Export this view: snapshot, standalone map, data, permalink", expanded=False):
        st.caption(f"Everything below reflects: {md(view.describe())}. Files are made when you click.")
        row = st.columns(3)
        row[0].download_button("PNG for a slide (1600×900)", _reported("PNG for a slide", _png(view, dataset, extra, "slide")),
                               file_name=f"{stem}.png", mime="image/png", on_click="ignore", key="dl_png_slide")
        row[1].download_button("PNG for print (A4, 300 dpi)", _reported("PNG for print", _png(view, dataset, extra, "print")),
                               file_name=f"{stem}_print.png", mime="image/png", on_click="ignore", key="dl_png_print")
        row[2].download_button("Standalone HTML map", _reported("standalone HTML map", _html(view, dataset, extra)),
                               file_name=f"{stem}.html", mime="text/html", on_click="ignore", key="dl_html")
        row = st.columns(3)
        for col, (kind, label, ext, mime) in zip(row, (
            ("geojson", "GeoJSON", "geojson", export.MEDIA_TYPES["geojson"]),
            ("csv", "CSV, ACLED order (ZIP with claims, sites, metadata)", "zip", "application/zip"),
            ("kml", "KML (Google Earth)", "kml", export.MEDIA_TYPES["kml"]),
        )):
            col.download_button(label, _reported(label, _data(view, dataset, kind)), file_name=f"{stem}.{ext}", mime=mime,
                                on_click="ignore", key=f"dl_{kind}")
        base = (st.context.url or "").split("?")[0]
        st.markdown("Permalink to exactly this view:")
        st.code(f"{base}?{view.query_string()}" if view.query_string() else base, language=None)
        st.caption("PNG snapshots are drawn by headless Chromium when it is installed, otherwise by a "
                   "matplotlib renderer; the image says which. Data exports include sources and verbatim quotes.")
