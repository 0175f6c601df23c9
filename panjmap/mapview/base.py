"""The base map: vector geography from geodata/, the project sites, controls.

Its content depends only on the visible layers and the basemap, never on the
filters, so in the app it stays byte-identical while filters change and
streamlit-folium does not remount it (see map-engineering-notes.md §2).
"""

from __future__ import annotations

import functools
import html

import folium
import geopandas as gpd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from panjmap import assets, geodata
from panjmap.data import located
from panjmap.mapview import style
from panjmap.mapview.elements import GeoLayer, Helpers, MapControls, PlaceLabels, SiteLayer, js_json, map_background
from panjmap.mapview.legend import legend_html
from panjmap.state import ViewState

# Optional online base layers. Off by default: the vector geography is the base.
ONLINE_BASEMAPS: dict[str, tuple[str, str, str]] = {
    "osm": (
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors (ODbL)",
    ),
    "topo": (
        "OpenTopoMap",
        "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors, SRTM | style © OpenTopoMap (CC-BY-SA)",
    ),
    "satellite": (
        "Esri World Imagery",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Imagery © Esri, Maxar, Earthstar Geographics",
    ),
}

LAYER_LABELS: dict[str, str] = {
    "countries": "Countries",
    "regions": "Regions (Khatlon, GBAO, Badakhshan emphasised)",
    "districts": "Districts",
    "rivers": "Rivers",
    "border": "Afghanistan–Tajikistan border (Panj)",
    "places": "Place names",
    "sites": "Chinese project sites and border posts",
    "incidents": "Incidents (curated from the seed articles)",
}

@functools.lru_cache(maxsize=None)
def _geojson(name: str, columns: tuple[str, ...]) -> str:
    """A geodata layer as script-safe GeoJSON text, with only the properties the map uses.

    Serialised once per process: every rerun of every session reuses the string.
    """
    layer = geodata.load_layer(name)
    return js_json(layer[list(columns) + ["geometry"]].__geo_interface__)


@functools.lru_cache(maxsize=None)
def _geojson_url(name: str, columns: tuple[str, ...]) -> str:
    return assets.publish(f"geo-{name}", _geojson(name, columns))


def _style(style: dict) -> str:
    """A path style for PANJ.geoLayer (a {by, yes, no} dict styles by a true/false property)."""
    return js_json(style)


def _geo_group(m: folium.Map, served: bool, name: str, columns: tuple[str, ...], style_js: str) -> None:
    group = folium.FeatureGroup(name=LAYER_LABELS[name])
    payload = js_json({"url": _geojson_url(name, columns)}) if served else _geojson(name, columns)
    GeoLayer(payload, style_js, "name").add_to(group)
    group.add_to(m)


def _geography(m: folium.Map, layers: tuple[str, ...], over_tiles: bool, served: bool) -> None:
    """Vector geography; over an online basemap the fills turn translucent so the tiles show.
    ``served``: the map loads each layer's GeoJSON from the app's static files instead of
    carrying it (see build_base_map)."""
    fill = 0.25 if over_tiles else 1.0
    if "countries" in layers:
        _geo_group(m, served, "countries", ("name",), _style(
            {"color": "#8A8A8A", "weight": 1, "fillColor": style.COUNTRY_FILL, "fillOpacity": 0 if over_tiles else 1}))
    if "regions" in layers:
        emphasis = {"color": "#7A5C1E", "weight": 1.6, "fillColor": style.EMPHASIS_FILL, "fillOpacity": 0.9 * fill}
        muted = {"color": "#B0B0B0", "weight": 0.8, "fillColor": style.MUTED_FILL, "fillOpacity": 0.6 * fill}
        _geo_group(m, served, "regions", ("name", "emphasis"), _style({"by": "emphasis", "yes": emphasis, "no": muted}))
    if "districts" in layers:
        _geo_group(m, served, "districts", ("name",), _style(
            {"color": "#9C8B6E", "weight": 0.6, "dashArray": "3 3", "fillOpacity": 0}))
    if "rivers" in layers:
        _geo_group(m, served, "rivers", ("name",), _style({"color": style.RIVER_COLOR, "weight": 1.6, "opacity": 0.9}))
    if "border" in layers:
        _geo_group(m, served, "border", ("name",), _style(
            {"color": style.BORDER_COLOR, "weight": 3.2, "opacity": 0.95, "dashArray": "10 4"}))


# Regions named on the map up to this zoom (beyond it the place names take over).
REGION_LABEL_MAX_ZOOM = 9


def _label_point(geometry: BaseGeometry) -> Point:
    """The point of the largest part farthest from its edges (Badakhshan's main body, not the Wakhan)."""
    part = max(getattr(geometry, "geoms", [geometry]), key=lambda p: p.area)
    return polylabel(part, tolerance=0.01)


def place_labels() -> list[dict]:
    """Labels in rank order, highest first: the emphasised regions (short names, at a point
    inside each), then places by min_zoom (larger towns first) and population."""
    regions = geodata.load_layer("regions")
    rows = [
        {"name": row["short_name"] or row["name"], "lat": round(point.y, 5), "lon": round(point.x, 5),
         "min_zoom": 0, "max_zoom": REGION_LABEL_MAX_ZOOM, "region": True}
        for _, row in regions[regions["emphasis"]].iterrows()
        for point in [_label_point(row.geometry)]
    ]
    places = geodata.load_layer("places").copy()
    places["_pop"] = places["population"].fillna(0)
    places = places.sort_values(["min_zoom", "_pop", "name"], ascending=[True, False, True], kind="stable")
    rows += [
        {"name": row["name"], "lat": round(row.geometry.y, 5), "lon": round(row.geometry.x, 5),
         "min_zoom": int(row["min_zoom"]), "capital": int(row["min_zoom"]) <= 6}
        for _, row in places.iterrows()
    ]
    return rows


def _places(m: folium.Map) -> None:
    group = folium.FeatureGroup(name=LAYER_LABELS["places"])
    PlaceLabels(place_labels(), m.get_name()).add_to(group)
    group.add_to(m)


SITE_ICONS: dict[str, str] = {
    # site_type -> inline SVG (our own drawing): pick-axe square for mines, flag for posts
    "border post": '<svg width="16" height="16" viewBox="0 0 16 16"><path d="M3 15V1h1v1h9l-2 3 2 3H4v7z" fill="#1B1B1B" stroke="#fff" stroke-width=".8"/></svg>',
    "default": '<svg width="16" height="16" viewBox="0 0 16 16"><rect x="1.5" y="1.5" width="13" height="13" fill="#1B1B1B" stroke="#fff" stroke-width="1.2"/><path d="M4 12l8-8M5 4c2-1 5-1 7 1" stroke="#FFD23F" stroke-width="1.6" fill="none"/></svg>',
}


def site_features(sites: gpd.GeoDataFrame) -> dict:
    frame = located(sites)[["site_id", "name", "site_type", "location", "geo_precision", "geometry"]].copy()
    frame["geo_precision"] = frame["geo_precision"].astype("Int64").astype(str).replace("<NA>", "")
    frame["label"] = [
        f"{n} ({t})" + ("" if p in ("", "1") else " · approximate location")
        for n, t, p in zip(frame["name"], frame["site_type"], frame["geo_precision"])
    ]
    return frame.__geo_interface__


def _sites(m: folium.Map, sites: gpd.GeoDataFrame) -> None:
    """The road as a line (our GeoLayer) and the sites as named, grouped symbols (SiteLayer):
    site names are data, so folium's own GeoJson never sees them."""
    group = folium.FeatureGroup(name=LAYER_LABELS["sites"])
    data = site_features(sites)
    lines = [{"type": "Feature", "geometry": f["geometry"], "properties": {"label": f["properties"]["label"]}}
             for f in data["features"] if f["geometry"]["type"] != "Point"]
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    if lines:
        GeoLayer(js_json({"type": "FeatureCollection", "features": lines}),
                 _style({"color": style.ROAD_COLOR, "weight": 5, "opacity": 0.8}), "label").add_to(group)
    if points:
        SiteLayer(points, SITE_ICONS).add_to(group)
    group.add_to(m)


@functools.lru_cache(maxsize=1)
def border_bounds() -> tuple[float, float, float, float]:
    """(south, west, north, east) of the Afghanistan–Tajikistan border: what "reset view" shows."""
    west, south, east, north = geodata.load_layer("border").total_bounds
    return (round(float(south), 4), round(float(west), 4), round(float(north), 4), round(float(east), 4))


def attribution_html(extra: tuple[str, ...] = ()) -> str:
    parts = [geodata.attribution_text(), *extra]
    return " | ".join(html.escape(p) for p in parts if p)


def build_base_map(
    state: ViewState,
    sites: gpd.GeoDataFrame,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    import_labels: tuple[tuple[str, str], ...] = (),
    legend_in_map: bool = True,
    served_geography: bool = False,
) -> folium.Map:
    """The map without incidents. ``center``/``zoom`` default to the state's view.

    The app shows the legend beside the map (in the map it would hide markers);
    standalone exports have no page around them, so they carry it in the map.
    With ``served_geography`` (the app) the geography (~270 KB) is not in the map's
    script but a static file the map reads, so it is not sent again with every
    rerun's component message and the browser keeps it in its cache; standalone
    exports carry it.
    """
    assets.configure_folium()
    m = folium.Map(
        location=list(center or state.center),
        zoom_start=zoom or state.zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        min_zoom=3,
        max_zoom=14,
        zoom_control=True,
    )
    Helpers().add_to(m)
    m.get_root().header.add_child(map_background(style.NO_DATA_BACKGROUND))
    online = ONLINE_BASEMAPS.get(state.basemap)
    if online:
        name, url, attr = online
        folium.TileLayer(tiles=url, attr=html.escape(attr), name=name, max_zoom=17).add_to(m)
    _geography(m, state.layers, over_tiles=online is not None, served=served_geography)
    if "places" in state.layers:
        _places(m)
    if "sites" in state.layers:
        _sites(m, sites)
    legend = legend_html(state.layers, import_labels) if legend_in_map else ""
    MapControls(legend, attribution_html(), home=border_bounds()).add_to(m)
    return m
