"""The home page's map as streamlit-folium's component, its base map rendered once per process.

``st_folium`` renders the whole folium figure on every rerun (the base map's
geography, labels, sites and controls: ~340 KB of script from thousands of
template calls) although on the map page only the feature groups change. Here
the base map's share of the component's arguments is rendered once per base
map (visible layers, basemap, the mount view, the curated records' version)
and shared by every session and rerun; each rerun renders only its feature
groups. The geography is not in the script at all but served as static files
(``build_base_map(served_geography=True)``). The arguments are the ones
``st_folium`` itself sends (tests/test_map_component.py compares them), so
streamlit-folium's front end sees the same component identity and keeps the
mounted map.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable

import folium
import folium.elements
import geopandas as gpd
import streamlit as st
import streamlit_folium
from streamlit_folium import generate_js_hash

from panjmap.cache import ByteBoundedCache
from panjmap.mapview.base import build_base_map
from panjmap.mapview.incidents import LayerGroup
from panjmap.state import ViewState

# What the component can report, in st_folium's order (its initial report lists those asked for).
RETURNABLE = ("last_clicked", "last_object_clicked", "last_object_clicked_count", "last_object_clicked_tooltip",
              "last_object_clicked_popup", "all_drawings", "last_active_drawing", "bounds", "zoom",
              "last_circle_radius", "last_circle_polygon", "selected_layers", "selected_tags", "last_geocoder_result")

# Base maps kept per process: each ~0.35 MB of text; one per distinct mount view and layer set.
BASE_CACHE_SIZE = 16


@dataclass(frozen=True)
class RenderedBase:
    """What streamlit-folium sends for a base map: its script, header, html and asset links."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    defaults: dict[str, Any]


def _links(m: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The CSS and JS links streamlit-folium's front end loads (its ``walk``, for our elements)."""
    css: list[str] = []
    js: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, folium.elements.JSCSSMixin):
            css.extend(href for _, href in element.default_css)
            js.extend(src for _, src in element.default_js)
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def render_base(m: folium.Map) -> RenderedBase:
    """Render ``m`` as st_folium does (it consumes the map: its element ids are rewritten)."""
    m.get_root().render()
    m.render()
    (south, west), (north, east) = m.get_bounds()
    bounds = {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}
    html = streamlit_folium._get_html(m)
    header = streamlit_folium._get_header(m)
    css, js = _links(m)  # before the script: _get_map_string rewrites the element tree's ids
    script = streamlit_folium._get_map_string(m)
    map_id = streamlit_folium.get_full_id(m)  # after the script, as st_folium: "map_div"
    return RenderedBase(script, header, html, map_id, css, js, {"bounds": bounds, "zoom": m.options.get("zoom")})


_cache: OrderedDict[tuple, RenderedBase] = OrderedDict()
_lock = threading.Lock()


def cached_base(view: ViewState, sites: gpd.GeoDataFrame, version: str,
                center: tuple[float, float], zoom: int) -> RenderedBase:
    """The app's base map for ``view`` (layers, basemap) mounted at ``center``/``zoom``, rendered
    once per process; ``version`` identifies ``sites`` (the curated records' content hash)."""
    key = (view.layers, view.basemap, tuple(center), zoom, version)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    # Built outside the lock: two sessions may build the same map at once; both results are equal.
    rendered = render_base(build_base_map(view, sites, center=center, zoom=zoom, legend_in_map=False,
                                          served_geography=True))
    with _lock:
        _cache[key] = rendered
        while len(_cache) > BASE_CACHE_SIZE:
            _cache.popitem(last=False)
    return rendered


# Rendered feature-group scripts by the groups' script_key (mapview.incidents.LayerGroup) and
# position: the groups of one view (filters, selection) are rendered once, not on every rerun
# of every session (folium compiles templates for each group: ~2 ms per rerun on the seed data).
_GROUP_SCRIPTS: ByteBoundedCache[str] = ByteBoundedCache(max_bytes=64 * 1024**2)


def feature_groups_script(groups: list[folium.FeatureGroup]) -> str:
    """The feature groups' script as st_folium makes it (``feature_group_to_add``)."""
    return "".join(_group_script(group, idx) for idx, group in enumerate(groups))


def _group_script(group: folium.FeatureGroup, idx: int) -> str:
    if not isinstance(group, LayerGroup):
        return _render_group(group, idx)
    owners, rest = group.script_key
    return _GROUP_SCRIPTS.get_or_make((rest, idx), lambda: _render_group(group, idx), owners=owners)


def _render_group(group: folium.FeatureGroup, idx: int) -> str:
    host = folium.Map(tiles=None)  # a parent to render into; its name becomes map_div
    return streamlit_folium._get_feature_group_string(group, map=host, idx=idx)


@functools.lru_cache(maxsize=BASE_CACHE_SIZE)
def _identity(script: str, key: str) -> str:
    """streamlit-folium's component key: a hash of the map's script (a regex pass over it)."""
    return generate_js_hash(script, key, False)


def map_component(base: RenderedBase, groups: list[folium.FeatureGroup], key: str, height: int,
                  center: tuple[float, float], zoom: int, returned_objects: Iterable[str]) -> Any:
    """``st_folium(map, key=key, height=height, use_container_width=True, feature_group_to_add=groups,
    center=center, zoom=zoom, returned_objects=returned_objects)`` for a cached base map."""
    returned = list(returned_objects)
    defaults = {name: base.defaults.get(name) for name in RETURNABLE if name in returned}
    hash_key = _identity(base.script, key)

    def changed() -> None:  # as st_folium: the map's latest report under ``key``
        st.session_state[key] = st.session_state.get(hash_key, {})

    return streamlit_folium._component_func(
        script=base.script, header=base.header, html=base.html, id=base.map_id, key=hash_key,
        height=height, width=None, returned_objects=returned, default=defaults, zoom=zoom, center=center,
        feature_group=feature_groups_script(groups), return_on_hover=False, layer_control=None,
        pixelated=False, css_links=list(base.css_links), js_links=list(base.js_links), on_change=changed,
        wrap_longitude=False,
    )
