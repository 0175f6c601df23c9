"""Data page: the records as a searchable, sortable table, and the import of other datasets."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from panjmap import export, geodata
from panjmap.importers import FORMATS, ImportRejected, import_file
from panjmap.importers.limits import MAX_IMPORT_BYTES, MAX_UPLOAD_MB, mb
from panjmap.layers import curated_layer, imported_layer
from panjmap.schema import INCIDENT_COLUMNS
from panjmap.ui.page import IMPORTS_KEY, PageContext
from panjmap.ui.state_sync import save_view
from panjmap.ui.text import md

MAX_IMPORTS = 5
LOG = logging.getLogger(__name__)


def _table(records: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(records[list(INCIDENT_COLUMNS)])
    for col in ("event_date", "end_date"):
        table[col] = pd.to_datetime(table[col]).dt.date
    return table


def render(ctx: PageContext) -> None:
    st.title("Data")
    curated = curated_layer(ctx.dataset).filtered(ctx.view)
    st.subheader(f"Curated records ({len(curated)} of {len(ctx.dataset.incidents)} in the current filters)")
    st.caption("Click a column header to sort; use the table's search icon to search. Every record cites "
               "its sources on the map's detail panel and in the exports.")
    st.dataframe(_table(curated), hide_index=True, width="stretch", height=420)
    meta = export.metadata(ctx.view, ctx.dataset, curated)
    st.download_button("Download these records (CSV in ACLED column order, with claims, sites and metadata; ZIP)",
                       lambda: export.csv_bundle(curated, ctx.dataset, meta, ctx.view.file_stem()),
                       file_name=f"{ctx.view.file_stem()}.zip", mime="application/zip", on_click="ignore")

    for layer in ctx.imports:
        rows = layer.filtered(ctx.view)
        with st.expander(f"Imported: {md(layer.label)} ({len(rows)} of {len(layer.records.records)} in the current filters)"):
            st.dataframe(_table(rows), hide_index=True, width="stretch", height=300)
            if st.button(f"Remove {md(layer.label)}", key=f"remove_{layer.key}"):
                imports = dict(st.session_state.get(IMPORTS_KEY, {}))
                imports.pop(layer.key, None)
                st.session_state[IMPORTS_KEY] = imports
                save_view(ctx.view.replace(layers=tuple(k for k in ctx.view.layers if k != layer.key)))
                st.rerun()

    st.subheader("Import a dataset")
    st.caption(f"ACLED CSV (current or older export), UCDP GED CSV (incl. HDX files), or GeoJSON points with a date. "
               f"Up to {mb(MAX_IMPORT_BYTES)} ({MAX_IMPORT_BYTES:,} bytes). Imports stay in this browser session only, show as "
               f"their own map layer and never change the curated records.")
    with st.form("import_form", clear_on_submit=False):
        # the widget's own limit, in the same (decimal) megabytes as MAX_IMPORT_BYTES
        upload = st.file_uploader("File", type=["csv", "geojson", "json", "txt"], max_upload_size=MAX_UPLOAD_MB)
        fmt = st.selectbox("Format", FORMATS, help="auto detects the format from the file's header")
        name = st.text_input("Layer name (optional)", max_chars=60)
        submitted = st.form_submit_button("Import")
    if submitted:
        _import(ctx, upload, fmt, name.strip())
    report = st.session_state.get("panj_last_import_report")
    if report:
        st.code(report, language=None)

    st.subheader("Data credits and licences")
    st.dataframe(pd.DataFrame(geodata.attribution()), hide_index=True, width="stretch")
    st.caption(geodata.odbl_notice())
    st.caption("Curated records: drawn from the three seed articles in seeds/, each quoted verbatim with its "
               "file. Imported datasets keep their own terms (ACLED's forbid redistributing its raw data).")


def _import(ctx: PageContext, upload, fmt: str, name: str) -> None:
    if upload is None:
        st.error("Choose a file first.")
        return
    imports = dict(st.session_state.get(IMPORTS_KEY, {}))
    if len(imports) >= MAX_IMPORTS:
        st.error(f"At most {MAX_IMPORTS} imported layers per session: remove one first.")
        return
    if upload.size > MAX_IMPORT_BYTES:
        st.error(f"Nothing was imported. {md(upload.name)} is {upload.size:,} bytes ({mb(upload.size)}); "
                 f"the limit is {MAX_IMPORT_BYTES:,} bytes ({mb(MAX_IMPORT_BYTES)}).")
        return
    try:
        result = import_file(upload.getvalue(), upload.name, fmt=fmt, dataset_name=name or None)
    except ImportRejected as exc:
        st.error(f"Nothing was imported. {md(exc.message)}")
        return
    except Exception as exc:  # an importer bug must not leave a traceback on the page or half an import
        LOG.exception("import of %r failed", upload.name)
        st.error(f"Nothing was imported. The importer failed on this file ({type(exc).__name__}); "
                 "the server log has the details.")
        return
    layer = imported_layer(result.dataset_name, result.records, len(imports))
    if layer.key in imports:
        st.error(f"A layer named {md(repr(result.dataset_name))} is already imported: choose another name or remove it.")
        return
    imports[layer.key] = layer
    st.session_state[IMPORTS_KEY] = imports
    st.session_state["panj_last_import_report"] = result.summary()
    save_view(ctx.view.replace(layers=ctx.view.layers + (layer.key,)))
    st.rerun()
