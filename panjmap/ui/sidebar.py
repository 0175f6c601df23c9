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
from panjmap.cache import ByteBoundedCache
from panjmap.layers import MapLayer
from panjmap.mapview.base import LAYER_LABELS, ONLINE_BASEMAPS
from panjmap.schema import EVENT_TYPES
from panjmap.state import ALL_LAYERS, SIDES, ViewState
from panjmap.ui.state_sync import current_view, save_view
from panjmap.ui.text import md

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


# Options of the layers' record tables, by table identity: the tables are made once (the
# curated dataset is cached with its claims, imported ones live in the session) but
# options_for runs on every rerun, and walking every record's actors takes ~0.3 s at 100k
# records. The cache holds the tables only weakly: an entry goes when a session's import
# does (an entry that kept its tables alive held every closed session's imports, issue 17).
_OPTIONS_CACHE: ByteBoundedCache[Options] = ByteBoundedCache(max_bytes=64 * 1024**2)


def options_for(layers: list[MapLayer]) -> Options:
    tables = [layer.records.records for layer in layers]  # a layer's actors follow from its table
    cached = _OPTIONS_CACHE.get_for(tables)
    if cached is not None:
        return cached
    sets = [layer.records for layer in layers]
    first, last = query.date_bounds(sets)
    regions = sorted({r for rs in sets for r in rs.records["admin1"] if r})
    options = Options(first, last, query.actor_options(sets), query.nationality_options(sets), regions)
    _OPTIONS_CACHE.put_for(tables, options)
    return options


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


def _view_from_widgets(view: ViewState, opts: Options, imports: list[MapLayer]) -> ViewState:
    """The view state the widgets now describe (read from their session keys)."""
    get = lambda name: st.session_state[PREFIX + name]  # noqa: E731
    start, end = get("window")
    layers = [name for name in ALL_LAYERS if get(f"layer_{name}")]
    layers += [layer.key for layer in imports if get(f"layer_{layer.key}")]
    return view.replace(
        date_from=None if start == opts.first_day else start,
        date_to=None if end == opts.last_day else end,
        step=get("step"),
        actors=tuple(get("actors")),
        event_types=tuple(get("event_types")),
        nationalities=tuple(get("nationalities")),
        sides=tuple(get("sides")),
        regions=tuple(get("regions")),
        min_fatalities=int(get("min_fatalities")),
        text=get("text"),
        layers=tuple(layers),
        basemap=get("basemap"),
    )


def _on_change(opts: Options, imports: list[MapLayer]) -> None:
    """Widget callback: runs before the rerun, so the view state is current when the page draws."""
    save_view(_view_from_widgets(current_view(), opts, imports))


def _on_reset() -> None:
    view = current_view()
    save_view(ViewState(center=view.center, zoom=view.zoom))


def render_sidebar(view: ViewState, opts: Options, imports: list[MapLayer]) -> ViewState:
    """Draw the sidebar from the view state; widget changes update the state via callbacks.

    The widgets are seeded from the state on every run (Streamlit drops widget
    state on page switches), so the state, never a widget, is the truth.
    """
    for name, value in _widget_values(view, opts, imports).items():
        st.session_state[PREFIX + name] = value
    change = {"on_change": _on_change, "args": (opts, imports)}
    sb = st.sidebar
    sb.header("Time")
    sb.slider("Date window", min_value=opts.first_day, max_value=opts.last_day,
              key=PREFIX + "window", format="YYYY-MM-DD", **change)
    play_col, step_col = sb.columns([1, 1])
    play_col.toggle("▶ Play", key=PLAYING_KEY, help="Step through time; events appear as the date advances.")
    step_col.radio("Step", ["week", "month"], key=PREFIX + "step", horizontal=True, label_visibility="collapsed", **change)

    sb.header("Filters")
    sb.multiselect("Actor (involved, attributed or suspected)", opts.actors, key=PREFIX + "actors", **change)
    sb.multiselect("Event type", list(EVENT_TYPES), key=PREFIX + "event_types", **change)
    sb.multiselect("Victims' nationality", opts.nationalities, key=PREFIX + "nationalities", **change)
    sb.multiselect("Country side", list(SIDES), format_func=SIDE_LABELS.get, key=PREFIX + "sides", **change)
    sb.multiselect("Region", opts.regions, key=PREFIX + "regions", **change)
    sb.number_input("Minimum fatalities", min_value=0, max_value=100_000, step=1, key=PREFIX + "min_fatalities", **change)
    sb.text_input("Search location, notes and quotes", key=PREFIX + "text", max_chars=200, **change)

    sb.header("Layers")
    for name in ALL_LAYERS:
        sb.checkbox(LAYER_LABELS[name], key=f"{PREFIX}layer_{name}", **change)
    for layer in imports:
        sb.checkbox(f"Imported: {md(layer.label)}", key=f"{PREFIX}layer_{layer.key}", **change)
    sb.selectbox("Basemap", list(BASEMAP_LABELS), format_func=BASEMAP_LABELS.get, key=PREFIX + "basemap", **change)
    sb.button("Reset filters and layers", on_click=_on_reset)
    return current_view()
