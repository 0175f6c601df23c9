"""The sidebar shared by every page: time window, playback, filters, layers.

Widgets are seeded from the view state whenever the state changed elsewhere
(another page, the timeline, playback, a URL), then read back into a new view
state. So one filter set on any page holds on all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from panjmap import query
from panjmap.layers import MapLayer
from panjmap.mapview.base import LAYER_LABELS, ONLINE_BASEMAPS
from panjmap.schema import EVENT_TYPES
from panjmap.state import ALL_LAYERS, SIDES, ViewState
from panjmap.ui.state_sync import save_view

SYNCED_KEY = "panj_widgets_synced_to"
PLAYING_KEY = "panj_playing"
PREFIX = "sb_"

BASEMAP_LABELS = {"offline": "Offline vector map (no network)", **{k: v[0] + " (online)" for k, v in ONLINE_BASEMAPS.items()}}
SIDE_LABELS = {"Tajikistan": "Tajik side", "Afghanistan": "Afghan side"}


@dataclass(frozen=True)
class Options:
    first_day: dt.date
    last_day: dt.date
    actors: list[str]
    nationalities: list[str]
    regions: list[str]


def options_for(layers: list[MapLayer]) -> Options:
    sets = [layer.records for layer in layers]
    first, last = query.date_bounds(sets)
    regions = sorted({r for rs in sets for r in rs.records["admin1"] if r})
    return Options(first, last, query.actor_options(sets), query.nationality_options(sets), regions)


def _widget_values(view: ViewState, opts: Options, imports: list[MapLayer]) -> dict[str, object]:
    window = (
        max(view.date_from or opts.first_day, opts.first_day),
        min(view.date_to or opts.last_day, opts.last_day),
    )
    values: dict[str, object] = {
        "window": window if window[0] <= window[1] else (opts.first_day, opts.last_day),
        "step": view.step,
        "actors": [a for a in view.actors if a in opts.actors],
        "event_types": [t for t in view.event_types if t in EVENT_TYPES],
        "nationalities": [n for n in view.nationalities if n in opts.nationalities],
        "sides": list(view.sides),
        "regions": [r for r in view.regions if r in opts.regions],
        "min_fatalities": view.min_fatalities,
        "text": view.text,
        "basemap": view.basemap,
    }
    for name in ALL_LAYERS:
        values[f"layer_{name}"] = name in view.layers
    for layer in imports:
        values[f"layer_{layer.key}"] = layer.key in view.layers
    return values


def _seed_widgets(view: ViewState, opts: Options, imports: list[MapLayer]) -> None:
    if st.session_state.get(SYNCED_KEY) == (view, opts, tuple(l.key for l in imports)):
        return
    for name, value in _widget_values(view, opts, imports).items():
        st.session_state[PREFIX + name] = value


def render_sidebar(view: ViewState, opts: Options, imports: list[MapLayer]) -> ViewState:
    """Draw the sidebar and return the view state its widgets now describe."""
    _seed_widgets(view, opts, imports)
    sb = st.sidebar
    sb.header("Time")
    window = sb.slider("Date window", min_value=opts.first_day, max_value=opts.last_day,
                       key=PREFIX + "window", format="YYYY-MM-DD")
    play_col, step_col = sb.columns([1, 1])
    play_col.toggle("▶ Play", key=PLAYING_KEY, help="Step through time; events appear as the date advances.")
    step = step_col.radio("Step", ["week", "month"], key=PREFIX + "step", horizontal=True, label_visibility="collapsed")

    sb.header("Filters")
    actors = sb.multiselect("Actor (involved, attributed or suspected)", opts.actors, key=PREFIX + "actors")
    event_types = sb.multiselect("Event type", list(EVENT_TYPES), key=PREFIX + "event_types")
    nationalities = sb.multiselect("Victims' nationality", opts.nationalities, key=PREFIX + "nationalities")
    sides = sb.multiselect("Country side", list(SIDES), format_func=SIDE_LABELS.get, key=PREFIX + "sides")
    regions = sb.multiselect("Region", opts.regions, key=PREFIX + "regions")
    min_fatalities = sb.number_input("Minimum fatalities", min_value=0, max_value=100_000, step=1, key=PREFIX + "min_fatalities")
    text = sb.text_input("Search location, notes and quotes", key=PREFIX + "text", max_chars=200)

    sb.header("Layers")
    layers = [name for name in ALL_LAYERS if sb.checkbox(LAYER_LABELS[name], key=f"{PREFIX}layer_{name}")]
    layers += [layer.key for layer in imports if sb.checkbox(f"Imported: {layer.label}", key=f"{PREFIX}layer_{layer.key}")]
    basemap = sb.selectbox("Basemap", list(BASEMAP_LABELS), format_func=BASEMAP_LABELS.get, key=PREFIX + "basemap")
    if sb.button("Reset filters and layers"):
        save_view(ViewState(center=view.center, zoom=view.zoom))
        st.rerun()

    start, end = window
    new = view.replace(
        date_from=None if start == opts.first_day else start,
        date_to=None if end == opts.last_day else end,
        step=step,
        actors=tuple(actors),
        event_types=tuple(event_types),
        nationalities=tuple(nationalities),
        sides=tuple(sides),
        regions=tuple(regions),
        min_fatalities=int(min_fatalities),
        text=text,
        layers=tuple(layers),
        basemap=basemap,
    )
    st.session_state[SYNCED_KEY] = (new, opts, tuple(l.key for l in imports))
    return new
