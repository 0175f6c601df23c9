"""The chronology chart: one mark per record, violence and responses in separate lanes.

Exact dates are points; imprecise ones are drawn as spans from the first to
the last possible day, so a month-precision record reads as a month, not a
day. Imported datasets join as daily totals in lanes of their own, so a
100k-event import stays a light chart. Built as an Altair spec (pure, testable);
the page adds the brush that sets the map's time window.
"""

from __future__ import annotations

import altair as alt
import geopandas as gpd
import pandas as pd

from panjmap.layers import MapLayer
from panjmap.mapview import style
from panjmap.schema import VIOLENT_EVENT_TYPES
from panjmap.state import ViewState

VIOLENCE_LANE = "Violent incidents"
RESPONSE_LANE = "Political and diplomatic responses"
BRUSH = "window"


def chronology(records: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per curated record with what the chart shows."""
    frame = pd.DataFrame({
        "id": records["event_id_cnty"].astype(str),
        "start": pd.to_datetime(records["event_date"]),
        "end": pd.to_datetime(records["end_date"]) + pd.Timedelta(hours=23, minutes=59),
        "type": records["event_type"].astype(str),
        "sub_type": records["sub_event_type"].astype(str),
        "location": records["location"].fillna("").astype(str).replace("", "(not reported)"),
        "killed": pd.to_numeric(records["fatalities"], errors="coerce").fillna(0).astype(int),
        "injured": pd.to_numeric(records["injuries"], errors="coerce").fillna(0).astype(int),
        "time_precision": pd.to_numeric(records["time_precision"], errors="coerce").fillna(1).astype(int),
    })
    frame["casualties"] = frame["killed"] + frame["injured"]
    frame["lane"] = [VIOLENCE_LANE if t in VIOLENT_EVENT_TYPES else RESPONSE_LANE for t in frame["type"]]
    frame["exact"] = (frame["end"] - frame["start"]) < pd.Timedelta(days=1)
    frame["summary"] = records["notes"].fillna("").astype(str).str.slice(0, 160)
    return frame.sort_values("start").reset_index(drop=True)


def daily_totals(layer: MapLayer, records: gpd.GeoDataFrame) -> pd.DataFrame:
    """An imported layer as events and fatalities per day."""
    day = pd.to_datetime(records["event_date"]).dt.floor("D")
    grouped = pd.DataFrame({"day": day, "killed": pd.to_numeric(records["fatalities"], errors="coerce").fillna(0)})
    grouped = grouped.groupby("day").agg(events=("killed", "size"), killed=("killed", "sum")).reset_index()
    grouped["lane"] = f"Imported: {layer.label}"
    return grouped


def _type_scale() -> alt.Scale:
    names = list(style.EVENT_SYMBOLS)
    return alt.Scale(domain=names, range=[style.EVENT_SYMBOLS[n].color for n in names])


def chart(frame: pd.DataFrame, imported: list[pd.DataFrame], state: ViewState, width: int | str = "container") -> alt.Chart:
    """The layered chart: spans, points, imported daily ticks, and the current window shaded."""
    lanes = [VIOLENCE_LANE, RESPONSE_LANE] + [f["lane"].iloc[0] for f in imported if len(f)]
    y = alt.Y("lane:N", title=None, sort=lanes, axis=alt.Axis(labelLimit=260))
    x_scale = alt.Scale(padding=10)
    tooltip = [
        alt.Tooltip("id:N", title="ID"), alt.Tooltip("type:N"), alt.Tooltip("sub_type:N", title="sub-type"),
        alt.Tooltip("start:T", title="from", format="%Y-%m-%d"), alt.Tooltip("end:T", title="to", format="%Y-%m-%d"),
        alt.Tooltip("location:N"), alt.Tooltip("killed:Q"), alt.Tooltip("injured:Q"), alt.Tooltip("summary:N"),
    ]
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    color = alt.Color("type:N", title="Event type", scale=_type_scale(), legend=alt.Legend(orient="bottom", columns=3))
    base = alt.Chart(frame)
    spans = base.transform_filter("!datum.exact").mark_bar(height=10, opacity=0.35, cornerRadius=3).encode(
        x=alt.X("start:T", title=None, scale=x_scale), x2="end:T", y=y, color=color, tooltip=tooltip,
    )
    points = base.mark_point(filled=True, opacity=0.9, stroke="white", strokeWidth=0.8).encode(
        x=alt.X("start:T", title=None, scale=x_scale), y=y, color=color, tooltip=tooltip,
        size=alt.Size("casualties:Q", title="Killed + injured", scale=alt.Scale(range=[40, 700]), legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("type:N", legend=None, scale=alt.Scale(
            domain=list(style.EVENT_SYMBOLS),
            range=[{"diamond": "diamond", "triangle": "triangle-up", "square": "square", "pentagon": "cross"}.get(s.shape, "circle")
                   for s in style.EVENT_SYMBOLS.values()])),
    ).add_params(brush)
    layers: list[alt.Chart] = [spans, points]
    for totals in imported:
        if len(totals):
            layers.append(alt.Chart(totals).mark_tick(thickness=2, opacity=0.7, color="#3B3B98").encode(
                x=alt.X("day:T", scale=x_scale), y=y,
                tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "events:Q", "killed:Q"],
            ))
    if state.date_from or state.date_to:
        window = pd.DataFrame({"from": [pd.Timestamp(state.date_from or frame["start"].min())],
                               "to": [pd.Timestamp(state.date_to or frame["end"].max())]})
        layers.insert(0, alt.Chart(window).mark_rect(color="#F2D16B", opacity=0.25).encode(x="from:T", x2="to:T"))
    return alt.layer(*layers).properties(width=width, height=120 + 70 * len(lanes))


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
