"""The map area of the home page: live count, map, detail panel, playback.

It runs as a Streamlit fragment: map clicks, pans and playback steps rerun
only this part. The base map is built at the session's first view so its
content (and so streamlit-folium's component identity) never changes with
filters, and rendered once per process (map_component); filtered incidents
travel as ``feature_group_to_add`` and the view is passed as
``center``/``zoom`` (map-engineering-notes.md §2). Playback moves
the window's end date one step per run; the map keeps its pan and zoom.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from pathlib import Path

import streamlit as st

from panjmap import query, record_text
from panjmap.data import Dataset
from panjmap.layers import CURATED_KEY, Bounds, MapLayer, shown_summary, visible_layers
from panjmap.mapview.elements import LEGEND_CSS, js_json
from panjmap.mapview.incidents import selection_group
from panjmap.mapview.legend import legend_html
from panjmap.records import describe_precision, find_record, selection_from_tooltip
from panjmap.state import ViewState
from panjmap.ui.detail import render_detail
from panjmap.ui.export_panel import render_export_panel
from panjmap.ui.map_component import cached_base, map_component
from panjmap.ui.sidebar import PLAYING_KEY, Options
from panjmap.ui.state_sync import current_view, save_view
from panjmap.ui.text import md

MOUNT_VIEW_KEY = "panj_mount_view"
PLAY_CURSOR_KEY = "panj_play_cursor"
CLICK_COUNT_KEY = "panj_click_count"
MAP_KEY = "panj_map"  # st_folium keeps the map's latest report under its key
MAP_APPLIED_KEY = "panj_map_applied"
RECORDS_ANCHOR = "records"  # the sidebar's skip link jumps here, just before the map
DETAIL_KEY = "panj_detail"  # the detail column's container (class st-key-panj_detail)
PLAY_SECONDS = 1.2
MAP_HEIGHT = 640


def _playback_view(view: ViewState, opts: Options) -> ViewState:
    """While playing: the view with its window ending at the next playback step."""
    start = view.date_from or opts.first_day
    end = view.date_to or opts.last_day
    steps = query.playback_dates(start, end, view.step)
    cursor: dt.date | None = st.session_state.get(PLAY_CURSOR_KEY)
    later = [d for d in steps if cursor is None or d > cursor]
    if not later:  # finished: stop, show the whole window again
        st.session_state[PLAYING_KEY] = False
        st.session_state.pop(PLAY_CURSOR_KEY, None)
        st.rerun()
    st.session_state[PLAY_CURSOR_KEY] = later[0]
    return view.replace(date_from=start, date_to=later[0])


def _apply_map_output(view: ViewState, out: dict | None, keys: tuple[str, ...] = ()) -> ViewState:
    if not out:
        return view
    if out.get("center") and out.get("zoom"):
        lat, lon, zoom = out["center"]["lat"], out["center"]["lng"], int(out["zoom"])
        # Leaflet reports the requested view back slightly rounded (it depends on the
        # map's pixel size); under two pixels is not a move and must not touch the URL.
        two_pixels = 2 * 360 / (256 * 2**zoom)
        if zoom != view.zoom or abs(lat - view.center[0]) > two_pixels or abs(lon - view.center[1]) > two_pixels:
            view = view.replace(center=(round(lat, 4), round(lon, 4)), zoom=zoom, bbox=None)
    count = out.get("last_object_clicked_count")
    if count and count != st.session_state.get(CLICK_COUNT_KEY):
        st.session_state[CLICK_COUNT_KEY] = count
        selected = selection_from_tooltip(out.get("last_object_clicked_tooltip"), keys)
        if selected:
            view = view.replace(selected=selected)
    return view


def map_bounds(out: dict | None) -> Bounds | None:
    """The extent the map reported (west, south, east, north), within the world; None before it has."""
    corners = (out or {}).get("bounds") or {}
    try:
        south_west, north_east = corners["_southWest"], corners["_northEast"]
        west, south = max(float(south_west["lng"]), -180.0), max(float(south_west["lat"]), -90.0)
        east, north = min(float(north_east["lng"]), 180.0), min(float(north_east["lat"]), 90.0)
    except (KeyError, TypeError, ValueError):
        return None
    return (west, south, east, north) if west < east and south < north else None


_INLINE_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def _svg_as_img(html: str) -> str:
    """st.html's sanitizer drops inline <svg> (the legend lost its symbols): send them as SVG images."""
    def img(match: re.Match[str]) -> str:
        svg = match.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        return f'<img class="sw" alt="" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'
    return _INLINE_SVG.sub(img, html)


def _announcement(selected: str, dataset: Dataset, imports: list[MapLayer]) -> str:
    """What a screen reader says when a record is selected: id, place, date, type."""
    found = find_record(selected, dataset, imports) if selected else None
    if found is None:
        return ""
    _, record = found
    when, _ = describe_precision(record)
    place = record_text.place_title(record) or "location not reported"  # as the detail panel titles it
    return f"Details of {record['event_id_cnty']}: {place}, {when}, {record['event_type']}."


# Hidden from sight, not from screen readers: the live region announces each new selection.
_LIVE_REGION = ('<div role="status" aria-live="polite" style="position:absolute;width:1px;height:1px;'
                'overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap">{}</div>')

_SHOW_DETAILS_JS = (Path(__file__).parent / "js" / "show_details.js").read_text(encoding="utf-8")


def _show_details_script(selected: str) -> str:
    """A script, for ``st.html``, that runs show_details.js in the app's page for ``selected``
    ("" when nothing is selected), defining it on the page's first selection."""
    source, selector, selection = map(js_json, (_SHOW_DETAILS_JS, f".st-key-{DETAIL_KEY}", selected))
    # Block-scoped: every such script shares the page's global scope.
    return (f"<script>\nif (!window.panjShowDetails) {{ const s = document.createElement('script');"
            f" s.textContent = {source}; document.head.appendChild(s); }}\n"
            f"window.panjShowDetails({selector}, {selection});\n</script>")


def render_map_area(dataset: Dataset, imports: list[MapLayer], opts: Options, entered: bool) -> None:
    """The map area; ``entered``: this run came from another page (so the map mounts anew)."""
    if entered:
        # The base map's own view stays fixed while the map lives, so its HTML (and so the
        # component) never changes with panning. A new mount starts at the session's view,
        # and the last report of the map that was left behind is not news.
        view = current_view()
        st.session_state[MOUNT_VIEW_KEY] = (view.center, view.zoom)
        st.session_state.pop(MAP_KEY, None)
        st.session_state.pop(MAP_APPLIED_KEY, None)
    playing = bool(st.session_state.get(PLAYING_KEY))
    layer_keys = (CURATED_KEY, *(layer.key for layer in imports))  # to read a clicked marker's tooltip
    if not playing:
        st.session_state.pop(PLAY_CURSOR_KEY, None)

    @st.fragment(run_every=PLAY_SECONDS if playing else None)
    def area() -> None:
        view = current_view()
        # Fold the map's latest report into the view *before* passing center/zoom
        # back: a stale center makes the map jump back, report, jump... for ever.
        reported = st.session_state.get(MAP_KEY)
        if reported and reported != st.session_state.get(MAP_APPLIED_KEY):
            st.session_state[MAP_APPLIED_KEY] = reported
            latest = _apply_map_output(view, reported, layer_keys)
            if latest != view:
                save_view(latest)
                view = latest
        shown = _playback_view(view, opts) if st.session_state.get(PLAYING_KEY) else view
        layers = visible_layers(shown, dataset, tuple(imports))
        # A capped layer draws what matches in the map's view, as the map last reported it.
        drawn = {layer.key: layer.drawn(shown, map_bounds(st.session_state.get(MAP_KEY))) for layer in layers}
        filtered = {key: records for key, (records, _) in drawn.items()}
        mount_center, mount_zoom = st.session_state.setdefault(MOUNT_VIEW_KEY, (view.center, view.zoom))
        import_labels = tuple((l.label, l.color) for l in layers if l.color)
        base = cached_base(shown, dataset.sites, dataset.version, center=mount_center, zoom=mount_zoom)
        groups = [layer.feature_group(shown, filtered[layer.key]) for layer in layers]  # filter once per rerun
        groups.append(selection_group(view.selected))

        map_col, detail_col = st.columns([13, 7], gap="medium")
        with map_col:
            for layer in layers:
                summary = shown_summary(filtered[layer.key], layer.total())
                st.markdown(f"**{md(layer.label)}:** {summary.sentence()}")
                notice = drawn[layer.key][1]
                if notice:
                    st.info(notice)
            if st.session_state.get(PLAYING_KEY):
                st.caption(f"Playing: window {shown.date_from} to {shown.date_to}")
            # st.html, not st.markdown(unsafe_allow_html=True) (also below and in the sidebar): on the
            # map page that alone made the browser load Streamlit's 188 KB rehype-raw chunk.
            st.html(f'<span id="{RECORDS_ANCHOR}" tabindex="-1"></span>')
            out = map_component(
                base,
                groups,
                key=MAP_KEY,
                height=MAP_HEIGHT,
                center=view.center,
                zoom=view.zoom,
                returned_objects=["last_object_clicked_tooltip", "last_object_clicked_count", "center", "zoom",
                                  "bounds"],
            )
        new_view = _apply_map_output(view, out, layer_keys)
        if new_view != view:
            save_view(new_view)
        with map_col:
            render_export_panel(new_view, dataset, imports)
        with detail_col, st.container(key=DETAIL_KEY):
            st.html(_LIVE_REGION.format(html.escape(_announcement(new_view.selected, dataset, imports))))
            with st.expander("Legend", expanded=not new_view.selected):
                st.html(LEGEND_CSS + f'<div class="panj-legend">{_svg_as_img(legend_html(view.layers, import_labels))}</div>')
            changed = render_detail(new_view.selected, dataset, imports)
            # In the page, not in a frame: st.html runs it when its text changes, i.e. once per selection.
            st.html(_show_details_script(new_view.selected or ""), unsafe_allow_javascript=True)
        if changed is not None:
            save_view(new_view.replace(selected=changed))
            st.rerun(scope="fragment")

    area()
