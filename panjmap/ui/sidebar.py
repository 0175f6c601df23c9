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
from panjmap.layers import LayerSummary, MapLayer, summary_dates
from panjmap.mapview.base import LAYER_LABELS, ONLINE_BASEMAPS
from panjmap.schema import EVENT_TYPES
from panjmap.state import ALL_LAYERS, IMPORT_LAYER_PREFIX, MAX_MIN_FATALITIES, SIDES, ViewState
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
    actors: list[str]  # canonical names (panjmap.actors)
    nationalities: list[str]
    regions: list[str]
    border_counts: dict[str, int]  # records per actor among border records
    all_counts: dict[str, int]  # records per actor with wider context included
    context_records: int  # records marked as wider context
    max_fatalities: int | None = None  # the most killed in any one record; None when no count is known

    def actor_label(self, actor: str, context: bool) -> str:
        """"Islamic State Khorasan Province (ISKP) (6)": the canonical name and its records in scope."""
        count = (self.all_counts if context else self.border_counts).get(actor, 0)
        return f"{actor} ({count})"


# Options by the identities of the layers' summaries: each layer keeps its own summary
# (in-memory layers per table, held weakly; stored ones per dataset revision), so the
# options of the same layers are one object across reruns and sessions.
_OPTIONS_CACHE: ByteBoundedCache[Options] = ByteBoundedCache(max_bytes=64 * 1024**2)


def options_for(layers: list[MapLayer]) -> Options:
    summaries = [layer.summary() for layer in layers]
    return _OPTIONS_CACHE.get_or_make(None, lambda: _options(summaries), owners=summaries)


def _options(summaries: list[LayerSummary]) -> Options:
    first, last = summary_dates(summaries)
    known = [s.max_fatalities for s in summaries if s.max_fatalities is not None]
    return Options(
        first, last,
        query.actor_options(name for s in summaries for name in s.all_counts),
        sorted(set().union(*(s.nationalities for s in summaries))),
        sorted(set().union(*(s.regions for s in summaries))),
        _added([s.border_counts for s in summaries]),
        _added([s.all_counts for s in summaries]),
        sum(s.context_records for s in summaries),
        max(known) if known else None,
    )


def _added(counts: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for each in counts:
        for name, count in each.items():
            total[name] = total.get(name, 0) + count
    return total


def _widget_values(view: ViewState, opts: Options, imports: list[MapLayer]) -> dict[str, object]:
    window = (
        max(view.date_from or opts.first_day, opts.first_day),
        min(view.date_to or opts.last_day, opts.last_day),
    )
    values: dict[str, object] = {
        "window": window if window[0] <= window[1] else (opts.first_day, opts.last_day),
        "step": view.step,
        "actors": [a for a in query.canonical_actors(view.actors) if a in opts.actors],
        "event_types": [t for t in view.event_types if t in EVENT_TYPES],
        "nationalities": [n for n in view.nationalities if n in opts.nationalities],
        "sides": list(view.sides),
        "regions": [r for r in view.regions if r in opts.regions],
        "min_fatalities": view.min_fatalities,
        "text": view.text,
        "context": view.context,
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
    layers += missing_imports(view, imports)  # kept (and announced) until re-imported or dismissed
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
        context=bool(get("context")),
        layers=tuple(layers),
        basemap=get("basemap"),
    )


def _on_change(opts: Options, imports: list[MapLayer]) -> None:
    """Widget callback: runs before the rerun, so the view state is current when the page draws."""
    save_view(_view_from_widgets(current_view(), opts, imports))


def missing_imports(view: ViewState, imports: list[MapLayer]) -> list[str]:
    """Imported layers the view (e.g. a reloaded or shared URL) names but this session does not hold."""
    held = {layer.key for layer in imports}
    return [key for key in view.layers if key.startswith(IMPORT_LAYER_PREFIX) and key not in held]


def _forget_missing(imports: list[MapLayer]) -> None:
    view = current_view()
    missing = set(missing_imports(view, imports))
    save_view(view.replace(layers=tuple(k for k in view.layers if k not in missing)))


def render_missing_imports_notice(view: ViewState, imports: list[MapLayer]) -> None:
    """Say which imported layers the link names but this session lacks, and how to bring them back.

    Imports live only in the browser session that made them (until they persist), so a
    reload or a shared link keeps the layer's name in the URL but not its records.
    """
    missing = missing_imports(view, imports)
    if not missing:
        return
    names = ", ".join(f"“{md(key[len(IMPORT_LAYER_PREFIX):])}”" for key in missing)
    st.warning(
        f"**Imported layer not loaded: {names}.** This link names {'it' if len(missing) == 1 else 'them'}, but "
        "imports live only in the browser session that made them and are gone after a reload or in a shared "
        "link, so the map shows nothing for "
        f"{'it' if len(missing) == 1 else 'them'}. To bring {'it' if len(missing) == 1 else 'them'} back, import "
        "the same file again on the **Data and import** page with the same layer name."
    )
    st.button("Dismiss: drop the missing layer from this view", key="forget_missing_imports",
              on_click=_forget_missing, args=(imports,))


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
    # Keyboard users: past the filters, straight to the map's records (anchor in map_panel).
    sb.html('<a href="#records">Skip the filters: go to the records</a>')
    sb.header("Time")
    sb.slider("Date window", min_value=opts.first_day, max_value=opts.last_day,
              key=PREFIX + "window", format="YYYY-MM-DD", **change)
    play_col, step_col = sb.columns([1, 1])
    play_col.toggle("▶ Play", key=PLAYING_KEY, help="Step through time; events appear as the date advances.")
    step_col.radio("Step", ["week", "month"], key=PREFIX + "step", horizontal=True, label_visibility="collapsed", **change)

    sb.header("Filters")
    sb.toggle(f"Include wider context ({opts.context_records} records)", key=PREFIX + "context",
              help="Records marked as wider context (events away from the Panj border, background, general "
                   "diplomacy) are left out of the map, the totals and the timeline unless this is on.", **change)
    # "contains" filtering and no bulk "Select N matches" entry: typing "ISKP" leaves one option
    # (its label holds the short name), so Enter selects it. Streamlit's default fuzzy filter matches
    # "ISKP" as a subsequence of several names and Enter then picks "Select 3 matches".
    sb.multiselect("Actor (involved, attributed or suspected)", opts.actors, key=PREFIX + "actors",
                   format_func=lambda actor: opts.actor_label(actor, view.context),
                   filter_mode="contains", select_all=False,
                   help="One entry per actor, whatever name a source or dataset uses (e.g. ISKP, IS-K, "
                        "ИГИЛ-Хорасан); the number is its records in the current scope.", **change)
    sb.multiselect("Event type", list(EVENT_TYPES), key=PREFIX + "event_types", **change)
    sb.multiselect("Victims' nationality", opts.nationalities, key=PREFIX + "nationalities", **change)
    sb.multiselect("Country side", list(SIDES), format_func=SIDE_LABELS.get, key=PREFIX + "sides", **change)
    sb.multiselect("Region", opts.regions, key=PREFIX + "regions", **change)
    # Above 0, a record whose sources give no number of dead is left out: it is not known to reach it.
    sb.number_input("Minimum fatalities", min_value=0, max_value=MAX_MIN_FATALITIES, step=1,
                    key=PREFIX + "min_fatalities", **change)
    if view.min_fatalities and view.min_fatalities > (opts.max_fatalities or 0):
        most = "no record has a known count" if opts.max_fatalities is None else \
            f"the most in any record is {opts.max_fatalities:,}"
        sb.warning(f"No record has {view.min_fatalities:,} or more fatalities ({most}), so the map shows none. "
                   "Lower the minimum to see records.")
    sb.text_input("Search location, notes and quotes", key=PREFIX + "text", max_chars=200, **change)

    sb.header("Layers")
    for name in ALL_LAYERS:
        sb.checkbox(LAYER_LABELS[name], key=f"{PREFIX}layer_{name}", **change)
    for layer in imports:
        sb.checkbox(f"Imported: {md(layer.label)}", key=f"{PREFIX}layer_{layer.key}", **change)
    sb.selectbox("Basemap", list(BASEMAP_LABELS), format_func=BASEMAP_LABELS.get, key=PREFIX + "basemap", **change)
    sb.button("Reset filters and layers", on_click=_on_reset)
    render_missing_imports_notice(current_view(), imports)
    return current_view()
