"""Data page: the records as a searchable, sortable table, and the import of other datasets."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from panjmap import export, geodata, identity
from panjmap.importers import FORMATS, ImportRejected
from panjmap.importers.limits import MAX_IMPORT_BYTES, MAX_UPLOAD_MB, mb
from panjmap.layers import MapLayer, capped_notice, curated_layer, import_key
from panjmap.record_text import count_column, several_mask
from panjmap.schema import INCIDENT_COLUMNS
from panjmap.store import StoreError, open_store
from panjmap.store.imports import deletion_ids, import_dataset, remove_dataset
from panjmap.store.layers import stored_layers
from panjmap.ui.page import PageContext
from panjmap.ui.state_sync import save_view
from panjmap.ui.text import md

NEW_DATASET = "(a new dataset)"
CONFIRM_KEY = "panj_confirm_remove"  # the layer whose removal awaits confirmation
REPORT_KEY = "panj_last_import_report"
LOG = logging.getLogger(__name__)


def _table(records: pd.DataFrame) -> pd.DataFrame:
    """The records for display: a count no source gives reads "not reported", never blank or 0."""
    table = pd.DataFrame(records[list(INCIDENT_COLUMNS)])
    for col in ("event_date", "end_date"):
        table[col] = pd.to_datetime(table[col]).dt.date
    table["fatalities"] = count_column(table["fatalities"], several_mask(table))
    table["injuries"] = count_column(table["injuries"])
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
        with st.expander(f"Imported: {md(layer.label)} ({layer.matching(ctx.view)} of {layer.total()} in the current filters)"):
            notice = capped_notice(layer, ctx.view, len(rows))
            if notice:
                st.info(notice)
            st.dataframe(_table(rows), hide_index=True, width="stretch", height=300)
            _remove_controls(ctx, layer)

    st.subheader("Import a dataset")
    st.caption(f"ACLED CSV (current or older export), UCDP GED CSV (incl. HDX files), or GeoJSON points with a date. "
               f"Up to {mb(MAX_IMPORT_BYTES)} ({MAX_IMPORT_BYTES:,} bytes). Imports are kept in the shared store: "
               f"every user of this app sees them, after a reload or a restart too. Each shows as its own map "
               f"layer and never changes the curated records.")
    existing = [layer.label for layer in stored_layers()]
    with st.form("import_form", clear_on_submit=False):
        # the widget's own limit, in the same (decimal) megabytes as MAX_IMPORT_BYTES
        upload = st.file_uploader("File", type=["csv", "geojson", "json", "txt"], max_upload_size=MAX_UPLOAD_MB)
        fmt = st.selectbox("Format", FORMATS, help="auto detects the format from the file's header")
        name = st.text_input("Layer name (optional)", max_chars=60)
        target = st.selectbox("Import into", [NEW_DATASET, *existing],
                              help="Choose an imported ACLED dataset to update it with a newer export: an event "
                                   "with a newer timestamp replaces the stored one, new events are added.")
        full = st.checkbox("The file is a full re-export: remove stored events that are not in it")
        deletions = st.file_uploader("ACLED deleted-events file (optional, when updating)", type=["csv"])
        submitted = st.form_submit_button("Import")
    if submitted:
        _import(ctx, upload, fmt, name.strip(), None if target == NEW_DATASET else target, full, deletions)
    report = st.session_state.get(REPORT_KEY)
    if report:
        st.code(report, language=None)

    st.subheader("Data credits and licences")
    st.dataframe(pd.DataFrame(geodata.attribution()), hide_index=True, width="stretch")
    st.caption(geodata.odbl_notice())
    st.caption("Curated records: drawn from the three seed articles in seeds/, each quoted verbatim with its "
               "file. Imported datasets keep their own terms (ACLED's forbid redistributing its raw data).")


def _remove_controls(ctx: PageContext, layer: MapLayer) -> None:
    """Remove a stored dataset, after the user confirms (it is gone for every user)."""
    if st.session_state.get(CONFIRM_KEY) != layer.key:
        if not st.button(f"Remove {md(layer.label)}", key=f"remove_{layer.key}"):
            return
        st.session_state[CONFIRM_KEY] = layer.key
    st.warning(f"Remove the dataset {md(layer.label)} and its {layer.total()} events from the store, "
               "for every user? This cannot be undone (re-import the file to get it back).")
    yes, no = st.columns(2)
    if yes.button("Yes, remove it", key=f"confirm_remove_{layer.key}", type="primary"):
        st.session_state.pop(CONFIRM_KEY, None)
        try:
            identity.require(identity.current(), "remove-import")
            remove_dataset(open_store(), layer.label)
        except (StoreError, identity.PermissionDenied) as exc:
            st.error(md(str(exc)))
            return
        save_view(ctx.view.replace(layers=tuple(k for k in ctx.view.layers if k != layer.key)))
        st.rerun()
    if no.button("Cancel", key=f"cancel_remove_{layer.key}"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


def _import(ctx: PageContext, upload, fmt: str, name: str, target: str | None, full: bool, deletions) -> None:
    if upload is None:
        st.error("Choose a file first.")
        return
    if upload.size > MAX_IMPORT_BYTES:
        st.error(f"Nothing was imported. {md(upload.name)} is {upload.size:,} bytes ({mb(upload.size)}); "
                 f"the limit is {MAX_IMPORT_BYTES:,} bytes ({mb(MAX_IMPORT_BYTES)}).")
        return
    if target is None and (full or deletions is not None):
        st.error("A full re-export or a deletions file updates an imported dataset: choose it under 'Import into'.")
        return
    try:
        identity.require(identity.current(), "import")
    except identity.PermissionDenied as exc:
        st.error(f"Nothing was imported. {md(str(exc))}")
        return
    try:
        removed_ids = deletion_ids(deletions) if deletions is not None else []
        upload.seek(0)
        with st.spinner(f"Importing {md(upload.name)} into the store…"):
            report = import_dataset(open_store(), upload, upload.name, fmt=fmt, name=target or name or None,
                                    update=target is not None, full=full, deletions=removed_ids)
    except ImportRejected as exc:
        st.error(f"Nothing was imported. {md(exc.message)}")
        return
    except StoreError as exc:
        st.error(f"Nothing was imported. {md(str(exc))}")
        return
    except Exception as exc:  # an importer bug must not leave a traceback on the page or half an import
        LOG.exception("import of %r failed", upload.name)
        st.error(f"Nothing was imported. The importer failed on this file ({type(exc).__name__}); "
                 "the server log has the details.")
        return
    st.session_state[REPORT_KEY] = report.summary()
    key = import_key(report.dataset)
    if key not in ctx.view.layers:
        save_view(ctx.view.replace(layers=ctx.view.layers + (key,)))
    st.rerun()
