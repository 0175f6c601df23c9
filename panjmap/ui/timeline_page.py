"""Timeline page: the chronology chart; brushing a period sets the map's time window."""

from __future__ import annotations

import streamlit as st

from panjmap import timeline
from panjmap.layers import curated_layer, visible_layers
from panjmap.ui.page import PageContext
from panjmap.ui.state_sync import save_view


def render(ctx: PageContext) -> None:
    st.title("Timeline")
    # The chart holds every date (zoom out to brush a new window anywhere) and
    # opens on the current window. All other filters apply, scope included.
    all_dates = ctx.view.replace(date_from=None, date_to=None)
    curated = curated_layer(ctx.dataset).filtered(all_dates)
    frame = timeline.chronology(curated)
    imported = []
    for layer in visible_layers(all_dates, ctx.dataset, tuple(ctx.imports)):
        if layer.color:
            imported.append(timeline.daily_totals(layer, all_dates))  # every record, counted by the layer
    scope = "border incidents and wider context" if ctx.view.context else "border incidents only (wider context: sidebar toggle)"
    st.caption(f"Showing {scope}. Points are exactly dated records; bars span records dated only to a week or month "
               "(from the first to the last possible day); records that would overlap are stacked in rows. "
               "The chart opens on the time window; scroll over it to zoom, shift-drag to pan, and drag "
               "across it to set the time window used by the map and every page.")
    if frame.empty and not imported:
        st.info("No records match the current filters.")
        return
    _window_presets(ctx, frame)
    event = st.altair_chart(timeline.chart(frame, imported, ctx.view), width="stretch",
                            on_select="rerun", selection_mode=[timeline.BRUSH], key="timeline_chart")
    window = timeline.window_from_selection(event)
    if window:
        start, end = (max(ts.date(), ctx.options.first_day) for ts in window)
        end = min(end, ctx.options.last_day)
        new = ctx.view.replace(date_from=start, date_to=end)
        if new != ctx.view:
            save_view(new)
            st.rerun()
    st.subheader("Chronology")
    in_window = curated_layer(ctx.dataset).filtered(ctx.view)
    rows = timeline.chronology(in_window)
    table = rows[["id", "start", "end", "lane", "type", "sub_type", "location", "killed", "injured", "summary"]].copy()
    table = table.rename(columns={"location": "place"})
    table["start"] = table["start"].dt.date
    table["end"] = table["end"].dt.date
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"summary": st.column_config.TextColumn(width="large")})
    st.caption(f"{len(table)} curated records in the window {ctx.view.date_from or ctx.options.first_day} "
               f"to {ctx.view.date_to or ctx.options.last_day}.")


def _window_presets(ctx: PageContext, frame) -> None:
    """One click to the densest two months, or back to the whole record (both set the shared window)."""
    dense = timeline.densest_period(frame)
    left, right = st.columns([3, 2])
    if dense and left.button(f"Zoom to the densest period: {dense[0]:%b %Y} – {dense[1]:%b %Y} ({dense[2]} records)", width="content",
                             key="timeline_dense"):
        start, end = max(dense[0].date(), ctx.options.first_day), min(dense[1].date(), ctx.options.last_day)
        save_view(ctx.view.replace(date_from=start, date_to=end))
        st.rerun()
    if (ctx.view.date_from or ctx.view.date_to) and right.button("Show the whole record (clear the window)",
                                                                  key="timeline_all", width="content"):
        save_view(ctx.view.replace(date_from=None, date_to=None))
        st.rerun()
