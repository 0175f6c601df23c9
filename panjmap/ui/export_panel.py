"""Download buttons for the current view: PNG, standalone HTML, data files, permalink.

Each file is made only when its button is clicked (a download callable), from
the same view state the map shows, by the same functions the CLI uses.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from panjmap import export, snapshot
from panjmap.data import Dataset
from panjmap.layers import CURATED_KEY, MapLayer, curated_layer, visible_layers
from panjmap.state import ViewState
from panjmap.ui.text import md


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


def _data(view: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...], kind: str) -> Callable[[], str | bytes]:
    def make() -> str | bytes:
        records = curated_layer(dataset).filtered(view)
        imported = _imported(view, dataset, imports)
        meta = export.metadata(view, dataset, records, imported=imported)
        if kind == "csv":
            return export.csv_bundle(records, dataset, meta, view.file_stem(), imported)
        return export.render(kind, records, dataset, meta, imported)
    return make


def render_export_panel(view: ViewState, dataset: Dataset, imports: list[MapLayer]) -> None:
    extra = tuple(imports)
    stem = view.file_stem()
    with st.expander("Export this view: snapshot, standalone map, data, permalink", expanded=False):
        st.caption(f"Everything below reflects: {md(view.describe())}. Files are made when you click.")
        row = st.columns(3)
        row[0].download_button("PNG for a slide (1600×900)", _png(view, dataset, extra, "slide"),
                               file_name=f"{stem}.png", mime="image/png", on_click="ignore", key="dl_png_slide")
        row[1].download_button("PNG for print (A4, 300 dpi)", _png(view, dataset, extra, "print"),
                               file_name=f"{stem}_print.png", mime="image/png", on_click="ignore", key="dl_png_print")
        row[2].download_button("Standalone HTML map", _html(view, dataset, extra),
                               file_name=f"{stem}.html", mime="text/html", on_click="ignore", key="dl_html")
        row = st.columns(3)
        for col, (kind, label, ext, mime) in zip(row, (
            ("geojson", "GeoJSON", "geojson", export.MEDIA_TYPES["geojson"]),
            ("csv", "CSV, ACLED order (ZIP with claims, sites, metadata)", "zip", "application/zip"),
            ("kml", "KML (Google Earth)", "kml", export.MEDIA_TYPES["kml"]),
        )):
            col.download_button(label, _data(view, dataset, extra, kind), file_name=f"{stem}.{ext}", mime=mime,
                                on_click="ignore", key=f"dl_{kind}")
        base = (st.context.url or "").split("?")[0]
        st.markdown("Permalink to exactly this view:")
        st.code(f"{base}?{view.query_string()}" if view.query_string() else base, language=None)
        st.caption("PNG snapshots are drawn by headless Chromium when it is installed, otherwise by a "
                   "matplotlib renderer; the image says which. Data exports include sources and verbatim quotes, and "
                   "the imported layers shown on the map (the CSV ZIP as one file each); every file's "
                   "metadata says what it holds.")
