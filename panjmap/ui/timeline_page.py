"""Timeline page: the chronology chart; brushing a period sets the map's time window."""

from __future__ import annotations

import streamlit as st

from panjmap import timeline
from panjmap.layers import curated_layer, visible_layers
from panjmap.ui.page import PageContext
from panjmap.ui.state_sync import save_view


def render(ctx: PageContext) -> None:
    st.title("Timeline")
    # The chart shows every date (so a new window can be brushed anywhere);
    # the current window is shaded. All other filters apply.
    all_dates = ctx.view.replace(date_from=None, date_to=None)
    curated = curated_layer(ctx.dataset).filtered(all_dates)
    frame = timeline.chronology(curated)
    imported = [timeline.daily_totals(layer, layer.filtered(all_dates))
                for layer in visible_layers(all_dates, ctx.dataset, tuple(ctx.imports)) if layer.color]
    st.caption("Points are exactly dated records; bars span records dated only to a week or month "
               "(from the first to the last possible day). Drag across the chart to set the time window "
               "used by the map and every page; the shaded band is the current window.")
    if frame.empty and not imported:
        st.info("No records match the current filters.")
        return
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
    if ctx.view.date_from or ctx.view.date_to:
        if st.button("Clear the time window"):
            save_view(ctx.view.replace(date_from=None, date_to=None))
            st.rerun()
    st.subheader("Chronology")
    in_window = curated_layer(ctx.dataset).filtered(ctx.view)
    rows = timeline.chronology(in_window)
    table = rows[["id", "start", "end", "lane", "type", "sub_type", "location", "killed", "injured", "summary"]].copy()
    table["start"] = table["start"].dt.date
    table["end"] = table["end"].dt.date
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"summary": st.column_config.TextColumn(width="large")})
    st.caption(f"{len(table)} curated records in the window {ctx.view.date_from or ctx.options.first_day} "
               f"to {ctx.view.date_to or ctx.options.last_day}.")
