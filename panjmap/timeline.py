"""The chronology chart: one mark per record, violence and responses in separate lanes.

Exact dates are points; imprecise ones are drawn as spans from the first to
the last possible day, so a month-precision record reads as a month, not a
day. Imported datasets join as daily totals in lanes of their own, so a
100k-event import stays a light chart. Built as an Altair spec (pure, testable);
the page adds the brush that sets the map's time window.

The x axis opens on the shared time window (the whole record when none is
set) and zooms with the mouse wheel (shift-drag pans). Records that would
overlap at that scale are stacked in rows within their lane, so a dense
period (25 records in Nov-Dec 2025) stays readable. Counts no source gives are
"not reported" in the tooltip and size the mark as 0 (never shown as a number).
"""

from __future__ import annotations

import altair as alt
import geopandas as gpd
import pandas as pd

from panjmap.layers import MapLayer
from panjmap.mapview import style
from panjmap.record_text import NOT_REPORTED, killed_text, injured_text, place_title
from panjmap.schema import VIOLENT_EVENT_TYPES
from panjmap.state import ViewState

VIOLENCE_LANE = "Violent incidents"
RESPONSE_LANE = "Political and diplomatic responses"
BRUSH = "window"
ZOOM = "zoom"
ROW_PX = 18  # height of one stacked row within a lane
MARK_DAYS_PER_WIDTH = 1 / 70  # a point covers ~1/70 of the visible span (width ~1000 px, mark ~14 px)
DENSE_DAYS = 61  # the "densest period" preset: two months


def chronology(records: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per curated record with what the chart shows."""
    frame = pd.DataFrame({
        "id": records["event_id_cnty"].astype(str),
        "start": pd.to_datetime(records["event_date"]),
        "end": pd.to_datetime(records["end_date"]) + pd.Timedelta(hours=23, minutes=59),
        "type": records["event_type"].astype(str),
        "sub_type": records["sub_event_type"].astype(str),
        "location": [place_title(row) for _, row in records.iterrows()],
        # In words: "3 killed", "killed: not reported", "killed: several, no number".
        "killed": [killed_text(row) for _, row in records.iterrows()],
        "injured": [injured_text(row) for _, row in records.iterrows()],
        "time_precision": pd.to_numeric(records["time_precision"], errors="coerce").fillna(1).astype(int),
    })
    # Mark size only: a count no source gives adds nothing (the tooltip says "not reported").
    frame["casualties"] = (pd.to_numeric(records["fatalities"], errors="coerce").fillna(0)
                           + pd.to_numeric(records["injuries"], errors="coerce").fillna(0)).astype(int).to_numpy()
    frame["lane"] = [VIOLENCE_LANE if t in VIOLENT_EVENT_TYPES else RESPONSE_LANE for t in frame["type"]]
    frame["exact"] = (frame["end"] - frame["start"]) < pd.Timedelta(days=1)
    frame["summary"] = records["notes"].fillna("").astype(str).str.slice(0, 160)
    return frame.sort_values("start").reset_index(drop=True)


def daily_totals(layer: MapLayer, state: ViewState) -> pd.DataFrame:
    """An imported layer as events and fatalities per day, over every record ``state`` selects."""
    grouped = layer.daily_counts(state).copy()  # a stored layer's counts are shared by every session
    grouped["killed_text"] = [
        f"{int(k)}" if not u else f"at least {int(k)}; {int(u)} with no number" if k else NOT_REPORTED
        for k, u in zip(grouped["killed"], grouped["no_number"])
    ]
    grouped["lane"] = f"Imported: {layer.label}"
    return grouped


def domain(frame: pd.DataFrame, state: ViewState) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The x-axis span the chart opens on: the shared time window, else the records' span."""
    first = frame["start"].min() if len(frame) else pd.Timestamp("2025-01-01")
    last = frame["end"].max() if len(frame) else pd.Timestamp("2025-12-31")
    start = pd.Timestamp(state.date_from) if state.date_from else first
    end = pd.Timestamp(state.date_to) + pd.Timedelta(hours=23, minutes=59) if state.date_to else last
    return start.floor("D"), end


def stack_rows(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """A row number per record so that no two marks of a lane overlap at this x span.

    Greedy interval packing: a record occupies its span, or at least the width of
    a point mark in days at this scale, and takes the lowest free row of its lane.
    """
    min_days = max((end - start).days * MARK_DAYS_PER_WIDTH, 0.5)
    rows = pd.Series(0, index=frame.index, dtype=int)
    for _, lane in frame.groupby("lane", sort=False):
        row_ends: list[pd.Timestamp] = []
        for idx, rec in lane.sort_values(["start", "id"]).iterrows():
            occupied_to = max(rec["end"], rec["start"] + pd.Timedelta(days=min_days))
            row = next((n for n, until in enumerate(row_ends) if until < rec["start"]), len(row_ends))
            if row == len(row_ends):
                row_ends.append(occupied_to)
            else:
                row_ends[row] = occupied_to
            rows[idx] = row
    return rows


def densest_period(frame: pd.DataFrame, days: int = DENSE_DAYS) -> tuple[pd.Timestamp, pd.Timestamp, int] | None:
    """The ``days``-long window, starting on a month's first day, holding the most records."""
    if frame.empty:
        return None
    months = pd.date_range(frame["start"].min().to_period("M").to_timestamp(), frame["start"].max(), freq="MS")
    best = None
    for first in months:
        last = (first + pd.DateOffset(months=round(days / 30.5))) - pd.Timedelta(days=1)
        count = int(((frame["start"] <= last) & (frame["end"] >= first)).sum())
        if best is None or count > best[2]:
            best = (first, last, count)
    return best


def _type_scale() -> alt.Scale:
    names = list(style.EVENT_SYMBOLS)
    return alt.Scale(domain=names, range=[style.EVENT_SYMBOLS[n].color for n in names])


def chart(frame: pd.DataFrame, imported: list[pd.DataFrame], state: ViewState, width: int | str = "container") -> alt.Chart:
    """The layered chart: spans, points, imported daily ticks, and the current window shaded.

    Opens on ``domain(frame, state)``; the wheel zooms it (param ZOOM, bound to the
    x scale), shift-drag pans, a plain drag brushes a new window (param BRUSH).
    """
    start, end = domain(frame, state)
    frame = frame.assign(row=stack_rows(frame, start, end)) if len(frame) else frame.assign(row=0)
    lanes = [VIOLENCE_LANE, RESPONSE_LANE] + [f["lane"].iloc[0] for f in imported if len(f)]
    rows = int(frame["row"].max()) + 1 if len(frame) else 1
    # One band per lane, tall enough for its stacked rows; yOffset places a record in its row.
    y = alt.Y("lane:N", title=None, sort=lanes, axis=alt.Axis(labelLimit=260), scale=alt.Scale(paddingInner=0.15))
    y_offset = alt.YOffset("row:O", scale=alt.Scale(domain=list(range(rows))))
    x_scale = alt.Scale(domain=[start.isoformat(), end.isoformat()])
    tooltip = [
        alt.Tooltip("id:N", title="ID"), alt.Tooltip("type:N"), alt.Tooltip("sub_type:N", title="sub-type"),
        alt.Tooltip("start:T", title="from", format="%Y-%m-%d"), alt.Tooltip("end:T", title="to", format="%Y-%m-%d"),
        alt.Tooltip("location:N", title="place"), alt.Tooltip("killed:N"), alt.Tooltip("injured:N"),
        alt.Tooltip("summary:N"),
    ]
    brush = alt.selection_interval(name=BRUSH, encodings=["x"], on="[mousedown[!event.shiftKey], window:mouseup] > window:mousemove!")
    zoom = alt.selection_interval(name=ZOOM, bind="scales", encodings=["x"], zoom="wheel!",
                                  translate="[mousedown[event.shiftKey], window:mouseup] > window:mousemove!")
    color = alt.Color("type:N", title="Event type", scale=_type_scale(), legend=alt.Legend(orient="bottom", columns=3))
    base = alt.Chart(frame)
    spans = base.transform_filter("!datum.exact").mark_bar(height=8, opacity=0.35, cornerRadius=3, clip=True).encode(
        x=alt.X("start:T", title=None, scale=x_scale), x2="end:T", y=y, yOffset=y_offset, color=color, tooltip=tooltip,
    )
    points = base.mark_point(filled=True, opacity=0.9, stroke="white", strokeWidth=0.8, clip=True).encode(
        x=alt.X("start:T", title=None, scale=x_scale), y=y, yOffset=y_offset, color=color, tooltip=tooltip,
        size=alt.Size("casualties:Q", title="Killed + injured (reported)", scale=alt.Scale(range=[70, 380]),
                      legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("type:N", legend=None, scale=alt.Scale(
            domain=list(style.EVENT_SYMBOLS),
            range=[{"diamond": "diamond", "triangle": "triangle-up", "square": "square", "pentagon": "cross"}.get(s.shape, "circle")
                   for s in style.EVENT_SYMBOLS.values()])),
    ).add_params(brush, zoom)
    layers: list[alt.Chart] = [spans, points]
    for totals in imported:
        if len(totals):
            layers.append(alt.Chart(totals).mark_tick(thickness=2, opacity=0.7, color="#3B3B98", clip=True).encode(
                x=alt.X("day:T", scale=x_scale), y=y,
                tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "events:Q", alt.Tooltip("killed_text:N", title="killed")],
            ))
    if state.date_from or state.date_to:
        window = pd.DataFrame({"from": [pd.Timestamp(state.date_from or frame["start"].min())],
                               "to": [pd.Timestamp(state.date_to or frame["end"].max())]})
        layers.insert(0, alt.Chart(window).mark_rect(color="#F2D16B", opacity=0.25, clip=True).encode(x="from:T", x2="to:T"))
    return alt.layer(*layers).properties(width=width, height=60 + len(lanes) * max(60, ROW_PX * rows))


def window_from_selection(selection: dict | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The brushed date range from st.altair_chart's selection state, if any."""
    if not selection:
        return None
    brushed = (selection.get("selection") or {}).get(BRUSH) or {}
    values = brushed.get("start") or next(iter(brushed.values()), None)
    if not values or len(values) != 2:
        return None
    start, end = (pd.to_datetime(v, unit="ms") if isinstance(v, (int, float)) else pd.to_datetime(v) for v in values)
    return (min(start, end), max(start, end))
