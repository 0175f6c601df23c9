"""The pure-Python PNG renderer (geopandas + matplotlib), used when no Chromium is present.

It draws the same features as the interactive map, with the same symbols:
geography from geodata/, project sites, and every visible incident layer.
"""

from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
import pandas as pd  # noqa: E402

from panjmap import geodata  # noqa: E402
from panjmap.data import Dataset, located  # noqa: E402
from panjmap.export import Metadata  # noqa: E402
from panjmap.layers import MapLayer, visible_layers  # noqa: E402
from panjmap.mapview import style  # noqa: E402
from panjmap.mapview.base import place_labels  # noqa: E402
from panjmap.snapshot import sources_line  # noqa: E402
from panjmap.state import ViewState  # noqa: E402

MPL_MARKERS = {"circle": "o", "diamond": "D", "triangle": "^", "square": "s", "pentagon": "p"}


def view_extent(state: ViewState, width_px: int, height_px: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the view: the bbox, or what Leaflet shows at center/zoom."""
    if state.bbox:
        return state.bbox
    lat, lon = state.center
    deg_per_px = 360 / (256 * 2 ** state.zoom)
    half_w = width_px * deg_per_px / 2
    # Web Mercator: latitude span shrinks by cos(lat)
    half_h = height_px * deg_per_px * math.cos(math.radians(lat)) / 2
    return lon - half_w, lat - half_h, lon + half_w, lat + half_h


def _scale_bar(ax, extent: tuple[float, float, float, float]) -> None:
    west, south, east, north = extent
    lat = (south + north) / 2
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    span_km = (east - west) * km_per_deg
    bar_km = next(k for k in (1000, 500, 200, 100, 50, 20, 10, 5, 2, 1) if k <= span_km / 4)
    x0, y0 = west + (east - west) * 0.03, south + (north - south) * 0.05
    ax.plot([x0, x0 + bar_km / km_per_deg], [y0, y0], color="black", linewidth=3, zorder=20)
    ax.text(x0, y0 + (north - south) * 0.012, f"{bar_km} km", fontsize=9, zorder=20)


def _draw_labels(fig, ax, zoom: int, extent: tuple[float, float, float, float]) -> None:
    """Region and place names as on the map: in rank order, each dropped where it would overlap
    one already drawn (mapview/js/place_labels.js)."""
    west, south, east, north = extent
    renderer = fig.canvas.get_renderer()
    kept = []
    for label in place_labels():
        x, y = label["lon"], label["lat"]
        shown = label["min_zoom"] <= zoom <= label.get("max_zoom", zoom)
        if not (shown and west <= x <= east and south <= y <= north):
            continue
        if label.get("region"):
            artists = [ax.text(x, y, label["name"].upper(), ha="center", va="center", fontsize=10, style="italic", parse_math=False,
                               fontweight="bold", color="#5A4414", zorder=7)]
        else:
            artists = [ax.plot(x, y, "o", color="white", markeredgecolor="#333", markersize=3, zorder=8)[0],
                       ax.annotate(label["name"], (x, y), xytext=(4, 0), textcoords="offset points", fontsize=8, zorder=8,
                                   parse_math=False,
                                   va="center", bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.7, "lw": 0})]
        boxes = [a.get_window_extent(renderer) for a in artists]
        if any(b.overlaps(k) for b in boxes for k in kept):
            for a in artists:
                a.remove()
        else:
            kept.extend(boxes)


# Records whose points are this close (in output pixels) are one symbol with a count, as on the map.
NEAR_PX = 2


def _draw_records(ax, state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...],
                  extent: tuple[float, float, float, float], size: tuple[int, int]) -> None:
    """Every visible record at its point; records sharing a point as one count badge there; the
    selected record ringed and labelled."""
    west, south, east, north = extent
    per_px = ((east - west) / size[0], (north - south) / size[1])
    groups: dict[tuple[int, int], list[tuple[MapLayer, pd.Series]]] = {}
    for layer in visible_layers(state, dataset, imports):
        for _, rec in located(layer.filtered(state)).iterrows():
            cell = (round(rec.geometry.x / per_px[0] / NEAR_PX), round(rec.geometry.y / per_px[1] / NEAR_PX))
            groups.setdefault(cell, []).append((layer, rec))
    selected = None
    for members in groups.values():
        x, y = members[0][1].geometry.x, members[0][1].geometry.y
        for layer, rec in members:
            if state.selected == f"{layer.key}/{rec['event_id_cnty']}":
                selected = (rec, x, y, len(members) > 1)
        if len(members) > 1:
            ax.plot(x, y, "o", markersize=17, markerfacecolor="white", markeredgecolor="#222", markeredgewidth=2.2, zorder=13)
            ax.annotate(str(len(members)), (x, y), ha="center", va="center", fontsize=9, fontweight="bold", zorder=14)
            continue
        layer, rec = members[0]
        symbol = style.symbol_for(rec["event_type"])
        color = layer.color or symbol.color
        hollow = pd.notna(rec["geo_precision"]) and int(rec["geo_precision"]) >= 2
        injuries = 0 if pd.isna(rec["injuries"]) else rec["injuries"]
        radius = style.marker_radius(rec["fatalities"], injuries)
        ax.plot(x, y, MPL_MARKERS[symbol.shape], markersize=radius * 1.5,
                markerfacecolor="none" if hollow else color, markeredgecolor=color if hollow else "white",
                markeredgewidth=2 if hollow else 1, zorder=12)
    if selected is not None:
        rec, x, y, grouped = selected
        ax.plot(x, y, "o", markersize=30, markerfacecolor="none", markeredgecolor="#111", markeredgewidth=3, zorder=15)
        when = pd.Timestamp(rec["event_date"]).date().isoformat()
        label = f"Selected: {rec['event_id_cnty']}, {rec['location'] or 'location not reported'}, {when}, {rec['event_type']}"
        ax.annotate(label + (" (in the group at this point)" if grouped else ""), (x, y), xytext=(18, 18),
                    textcoords="offset points", fontsize=9, zorder=16, parse_math=False, arrowprops={"arrowstyle": "-", "color": "#111"},
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#111", "lw": 1})


def render_static_png(state: ViewState, dataset: Dataset, meta: Metadata, imports: tuple[MapLayer, ...],
                      size: tuple[int, int, int], renderer_note: str = "Rendered by matplotlib") -> bytes:
    width, height, scale = size
    dpi = 100 * scale
    extent = view_extent(state, width, height)
    west, south, east, north = extent
    fig = plt.figure(figsize=(width / 100, height / 100), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_facecolor(style.NO_DATA_BACKGROUND)
    fig.patch.set_facecolor(style.NO_DATA_BACKGROUND)
    layers = state.layers
    if "countries" in layers:
        geodata.load_layer("countries").plot(ax=ax, color=style.COUNTRY_FILL, edgecolor="#8A8A8A", linewidth=0.6)
    if "regions" in layers:
        regions = geodata.load_layer("regions")
        regions[~regions["emphasis"]].plot(ax=ax, color=style.MUTED_FILL, edgecolor="#B0B0B0", linewidth=0.5)
        regions[regions["emphasis"]].plot(ax=ax, color=style.EMPHASIS_FILL, edgecolor="#7A5C1E", linewidth=1)
    if "districts" in layers:
        geodata.load_layer("districts").boundary.plot(ax=ax, color="#9C8B6E", linewidth=0.4, linestyle="--")
    if "rivers" in layers:
        geodata.load_layer("rivers").plot(ax=ax, color=style.RIVER_COLOR, linewidth=1.2)
    if "border" in layers:
        geodata.load_layer("border").plot(ax=ax, color=style.BORDER_COLOR, linewidth=2.4, linestyle=(0, (6, 2)))
    if "sites" in layers:
        sites = located(dataset.sites)
        lines = sites[sites.geom_type != "Point"]
        if len(lines):
            lines.plot(ax=ax, color=style.ROAD_COLOR, linewidth=4, alpha=0.8, zorder=9)
        points = sites[sites.geom_type == "Point"]
        if len(points):
            points.plot(ax=ax, marker="s", color=style.SITE_COLOR, markersize=40, zorder=9)
    _draw_records(ax, state, dataset, imports, extent, (width, height))
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    if "places" in layers:  # measured in pixels: after the view is fixed
        ax.apply_aspect()
        _draw_labels(fig, ax, state.zoom, extent)
    ax.set_axis_off()
    _scale_bar(ax, extent)
    handles = [Line2D([], [], marker=MPL_MARKERS[s.shape], linestyle="", color=s.color, markersize=9, label=s.label)
               for s in {s.label: s for s in style.EVENT_SYMBOLS.values()}.values()]  # Riots and Protests share one
    handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markeredgecolor="#555",
                          markeredgewidth=2, markersize=9, label="Hollow: approximate location"))
    if "sites" in layers:
        handles.append(Line2D([], [], marker="s", linestyle="", color=style.SITE_COLOR, markersize=8, label="Chinese project site / border post"))
        handles.append(Line2D([], [], color=style.ROAD_COLOR, linewidth=4, label="Kalai-Khumb–Vanch–Roshan road"))
    handles.append(Line2D([], [], color=style.BORDER_COLOR, linewidth=2.4, linestyle=(0, (6, 2)), label="Afghanistan–Tajikistan border"))
    if "regions" in layers:
        handles.append(Line2D([], [], marker="s", linestyle="", markerfacecolor=style.EMPHASIS_FILL,
                              markeredgecolor="#7A5C1E", markersize=10, label="Khatlon, GBAO, Badakhshan"))
    legend = ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.1), fontsize=8, framealpha=0.95)
    legend.set_zorder(30)  # above place labels
    # parse_math=False: text from data or the URL is drawn as written, never parsed as mathtext ("$...$").
    fig.text(0.99, 0.985, f"{meta.title}\n{meta.filters}\n{meta.contents} · data {meta.data_version} · "
             f"generated {meta.generated}\n{renderer_note}", parse_math=False, wrap=True,
             ha="right", va="top", fontsize=9, bbox={"fc": "white", "alpha": 0.92, "lw": 0})
    fig.text(0.99, 0.03, sources_line(state, dataset, imports), ha="right", va="bottom", fontsize=8, color="#111",
             parse_math=False, bbox={"fc": "white", "alpha": 0.9, "lw": 0})
    fig.text(0.99, 0.005, meta.attribution, ha="right", va="bottom", fontsize=6.5, color="#333", parse_math=False,
             bbox={"fc": "white", "alpha": 0.8, "lw": 0})
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    plt.close(fig)
    return out.getvalue()
