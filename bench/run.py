"""Performance benchmark: import, filter, map build/render, bytes, first paint, memory.

    python -m bench.run [--sizes 1000,10000,100000] [--repeat N] [--out docs/benchmarks.json]
                        [--markdown docs/benchmarks.md] [--quick]

For deterministic synthetic ACLED-shaped files (fixed seed; every actor, place
and note invented) it runs the app's real code paths and measures, per size:

* import: ``panjmap.importers.import_file`` on the CSV bytes + ``panjmap.layers.imported_layer``;
* one filter change (date window + event types) and the "all records" view:
  ``MapLayer.filtered``, the incident feature group (``incident_layer``) and its
  JS string as streamlit-folium makes it (``_get_feature_group_string``), the
  base map rebuilt and re-rendered as ``st_folium`` does on every rerun, and the
  JSON component arguments Streamlit sends (what travels per rerun);
* the same filter change through the real map page (``pages/map.py``) in
  Streamlit's AppTest, with the component payload it produced;
* time to first paint of the standalone map (``panjmap.snapshot.standalone_html``)
  in headless Debian Chromium, every http(s) request blocked, and a check that
  sampled records are really painted on top at their screen positions;
* peak memory of import + filter + build (RSS in a child process; tracemalloc);
* the naive way beside it: one ``folium.Marker`` per event in a ``MarkerCluster``.

It also measures a filter change on the curated seed data, prints a table,
writes the JSON results and regenerates the results section of docs/benchmarks.md
between its markers. Numbers are medians of ``--repeat`` runs on a shared,
noisy machine; see docs/benchmarks.md for the method.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from panjmap.data import located
from panjmap.schema import ACLED_COLUMNS, EVENT_TYPES

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------
# Synthetic ACLED-shaped data
# ---------------------------------------------------------------------------

SEED = 20251126
LON_RANGE = (66.0, 76.0)
LAT_RANGE = (34.0, 40.5)
FIRST_DAY = dt.date(2018, 1, 1)
LAST_DAY = dt.date(2025, 10, 31)
N_PLACES = 300

# (country, ISO 3166 numeric, ISO3, admin1 names used there)
COUNTRIES: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "Tajikistan": (762, "TJK", ("Khatlon", "Gorno-Badakhshan", "Districts of Republican Subordination", "Sughd")),
    "Afghanistan": (4, "AFG", ("Badakhshan", "Takhar", "Kunduz", "Balkh", "Baghlan", "Nuristan", "Kunar")),
    "Pakistan": (586, "PAK", ("Khyber Pakhtunkhwa", "Gilgit-Baltistan", "Chitral")),
    "Uzbekistan": (860, "UZB", ("Surxondaryo", "Qashqadaryo")),
    "Kyrgyzstan": (417, "KGZ", ("Osh", "Batken")),
    "China": (156, "CHN", ("Xinjiang",)),
}
TYPE_WEIGHTS: dict[str, float] = {
    "Battles": 0.30, "Explosions/Remote violence": 0.20, "Violence against civilians": 0.20,
    "Protests": 0.12, "Riots": 0.05, "Strategic developments": 0.13,
}
DISORDER: dict[str, str] = {
    "Battles": "Political violence", "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence", "Riots": "Political violence",
    "Protests": "Demonstrations", "Strategic developments": "Strategic developments",
}
# (actor name, inter code text)
ACTORS: tuple[tuple[str, str], ...] = (
    ("Military Forces of Nordland (2019-)", "State forces"),
    ("Police Forces of Nordland (2019-)", "State forces"),
    ("Border Guards of Sudland (2021-)", "State forces"),
    ("Military Forces of Sudland (2021-)", "State forces"),
    ("Invented Front", "Rebel group"),
    ("Mountain Liberation Movement", "Rebel group"),
    ("Unidentified Armed Group (Nordland)", "Political militia"),
    ("Unidentified Armed Group (Sudland)", "Political militia"),
    ("Valley Clan Militia", "Identity militia"),
    ("Smugglers (Sudland)", "Political militia"),
    ("Rioters (Nordland)", "Rioters"),
    ("Protesters (Nordland)", "Protesters"),
    ("Protesters (Sudland)", "Protesters"),
    ("Civilians (Nordland)", "Civilians"),
    ("Civilians (Sudland)", "Civilians"),
    ("Civilians (Farland)", "Civilians"),
)
SOURCES: tuple[str, ...] = ("Invented Wire", "Border Courier", "Valley Herald; Invented Wire", "Mountain Radio",
                            "Local partner data", "Twitter-like feed")
SCALES: tuple[str, ...] = ("National", "Subnational", "Regional", "Local partner-National", "International")
SYLLABLES: tuple[str, ...] = ("kal", "dar", "shor", "ab", "pan", "jol", "kish", "rud", "ba", "zan", "gul",
                              "mir", "qal", "ash", "tep", "yor", "khan", "sar", "dun", "vak")


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        parts = rng.choice(SYLLABLES, size=int(rng.integers(2, 4)))
        name = "".join(parts).capitalize()
        if rng.random() < 0.2:
            name += rng.choice([" Bala", " Payon", "-e Nau", " Kuhna"])
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _country(lon: float, lat: float) -> str:
    """A rough split of the box into the countries it touches (only labels; not geography)."""
    if lon >= 74.5 and lat >= 36.0:
        return "China"
    if lat < 36.8 and lon >= 71.5:
        return "Pakistan"
    if lat >= 39.6:
        return "Kyrgyzstan" if lon >= 70.0 else "Uzbekistan"
    if lat >= 37.2 and lon >= 67.8:
        return "Tajikistan"
    if lat >= 37.2:
        return "Uzbekistan"
    return "Afghanistan"


def acled_rows(n: int, seed: int = SEED) -> list[list[object]]:
    """``n`` invented ACLED rows (current export columns, in ACLED's order)."""
    rng = np.random.default_rng(seed)
    places = _place_names(rng, N_PLACES)
    place_lon = rng.uniform(*LON_RANGE, N_PLACES)
    place_lat = rng.uniform(*LAT_RANGE, N_PLACES)
    place_country = [_country(x, y) for x, y in zip(place_lon, place_lat)]
    place_admin1 = [str(rng.choice(COUNTRIES[c][2])) for c in place_country]
    place_admin2 = [f"{places[i]} District" for i in range(N_PLACES)]
    weights = 1.0 / np.arange(1, N_PLACES + 1) ** 0.8  # a few hot spots, a long tail
    place = rng.choice(N_PLACES, size=n, p=weights / weights.sum())

    gp = rng.choice([1, 2, 3], size=n, p=[0.7, 0.25, 0.05])
    jitter = np.where(gp == 1, 0.04, 0.0)  # exact events scatter around the place; others sit on it
    lon = np.clip(place_lon[place] + rng.normal(0, 1, n) * jitter, *LON_RANGE)
    lat = np.clip(place_lat[place] + rng.normal(0, 1, n) * jitter, *LAT_RANGE)
    days = rng.integers(0, (LAST_DAY - FIRST_DAY).days + 1, size=n)
    tp = rng.choice([1, 2, 3], size=n, p=[0.8, 0.15, 0.05])
    type_names = list(TYPE_WEIGHTS)
    etype = rng.choice(len(type_names), size=n, p=list(TYPE_WEIGHTS.values()))
    fat = rng.geometric(0.45, size=n) - 1
    a1 = rng.integers(0, 10, size=n)  # armed actors first
    a2 = rng.integers(0, len(ACTORS), size=n)
    assoc = rng.random(n)
    src = rng.integers(0, len(SOURCES), size=n)
    scale = rng.integers(0, len(SCALES), size=n)
    sub = rng.integers(0, 8, size=n)
    order = np.argsort(days, kind="stable")  # ACLED exports are sorted by date

    rows: list[list[object]] = []
    for k, i in enumerate(order.tolist()):
        p = int(place[i])
        country = place_country[p]
        iso, iso3, _ = COUNTRIES[country]
        date = FIRST_DAY + dt.timedelta(days=int(days[i]))
        kind = type_names[int(etype[i])]
        subs = EVENT_TYPES[kind]
        sub_type = subs[int(sub[i]) % len(subs)]
        if kind == "Protests":
            actor1, inter1 = ACTORS[11 + int(a1[i]) % 2]
            actor2, inter2 = ("", "") if assoc[i] < 0.7 else ACTORS[1]
            deaths = 0
        elif kind == "Riots":
            actor1, inter1 = ACTORS[10]
            actor2, inter2 = ACTORS[13 + int(a2[i]) % 3]
            deaths = int(fat[i]) // 3
        else:
            actor1, inter1 = ACTORS[int(a1[i])]
            actor2, inter2 = ACTORS[int(a2[i])] if kind != "Violence against civilians" else ACTORS[13 + int(a2[i]) % 3]
            deaths = int(fat[i])
        assoc1 = "Valley Clan Militia; Civilians (Nordland)" if assoc[i] > 0.93 else ""
        place_name = places[p]
        notes = (
            f'On {date:%d %B %Y}, {sub_type.lower()} near {place_name}, {place_admin1[p]}; '
            f'a resident said "they came at night, with trucks". {deaths} reported killed.'
        )
        if tp[i] == 2:
            notes = "Week of " + notes
        rows.append([
            f"{iso3}{10000 + k}", date.isoformat(), date.year, int(tp[i]), DISORDER[kind], kind, sub_type,
            actor1, assoc1, inter1, actor2, "", inter2,
            f"{inter1}-{inter2}" if inter2 else f"{inter1} only",
            "Civilian targeting" if kind == "Violence against civilians" else "",
            iso, "Caucasus and Central Asia" if country in ("Tajikistan", "Uzbekistan", "Kyrgyzstan") else "South Asia",
            country, place_admin1[p], place_admin2[p], "", place_name,
            f"{lat[i]:.4f}", f"{lon[i]:.4f}", int(gp[i]), SOURCES[int(src[i])], SCALES[int(scale[i])], notes,
            deaths, "crowd size=no report" if kind == "Protests" else "",
            1700000000 + int(days[i]) * 86400 % 90000000,
        ])
    return rows


def acled_csv(n: int, seed: int = SEED) -> bytes:
    """The rows as an ACLED CSV file (UTF-8, header, csv-module quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    writer.writerows(acled_rows(n, seed))
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------

FILTER_FROM = dt.date(2020, 1, 1)  # window 2020-01-01 .. end of data
FILTER_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")
SEED_FROM = dt.date(2025, 1, 1)
SEED_TYPES = FILTER_TYPES
MAP_KEY = "panj_map"  # the key the map page gives st_folium
NAIVE_PAINT_CAP_S = 120.0
PAINT_TIMEOUT_S = 60.0

TARGETS = {
    "seed_server_s": 0.2,
    "server_100k_s": 1.5,
    "bytes_100k": 5_000_000,
    "first_paint_100k_s": 3.0,
    "naive_ratio_10k": 10.0,
}


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float, list[float]]:
    """Run ``fn`` ``repeat`` times (gc collected before each): last result, median seconds, all seconds."""
    times: list[float] = []
    result: Any = None
    for _ in range(max(1, repeat)):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, _median(times), times


def scenario_states(layers: tuple[str, ...]) -> dict[str, Any]:
    from panjmap.state import ViewState

    return {
        "filter": ViewState(date_from=FILTER_FROM, event_types=FILTER_TYPES, layers=layers),
        "all": ViewState(layers=layers),
    }


# ---------------------------------------------------------------------------
# What st_folium does on the Python side, step by step (streamlit-folium 0.27.4)
# ---------------------------------------------------------------------------


def st_folium_payload(base: Any, groups: list[Any]) -> dict[str, Any]:
    """The component arguments ``st_folium(base, key=MAP_KEY, feature_group_to_add=groups)`` sends.

    Mirrors streamlit_folium.st_folium: render the map, cut out html/header/script,
    then one JS string per feature group; Streamlit json.dumps all arguments into
    the element it sends on every rerun whose arguments changed.
    """
    import branca
    import folium.elements
    from streamlit_folium import (
        _get_feature_group_string,
        _get_header,
        _get_html,
        _get_map_string,
        generate_js_hash,
        get_full_id,
    )

    t0 = time.perf_counter()
    base.get_root().render()
    base.render()
    html = _get_html(base)
    header = _get_header(base)
    script = _get_map_string(base)
    m_id = get_full_id(base)
    t1 = time.perf_counter()
    fg = "".join(_get_feature_group_string(g, map=base, idx=i) for i, g in enumerate(groups))
    t2 = time.perf_counter()

    def walk(el: Any):  # type: ignore[no-untyped-def]
        if isinstance(el, branca.colormap.ColorMap) or isinstance(el, folium.elements.JSCSSMixin):
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    css = list(dict.fromkeys(h for el in walk(base) for _, h in getattr(el, "default_css", [])))
    js = list(dict.fromkeys(s for el in walk(base) for _, s in getattr(el, "default_js", [])))
    key = generate_js_hash(script, MAP_KEY, False)
    args = {
        "script": script, "header": header, "html": html, "id": m_id, "key": key, "height": 640, "width": None,
        "returned_objects": ["last_object_clicked_tooltip", "last_object_clicked_count", "center", "zoom"],
        "default": {}, "zoom": 7, "center": [37.9, 70.4], "feature_group": fg, "return_on_hover": False,
        "layer_control": None, "pixelated": False, "css_links": css, "js_links": js, "wrap_longitude": False,
    }
    encoded = json.dumps(args)  # what Streamlit does with component args (ensure_ascii=True)
    t3 = time.perf_counter()
    return {
        "script": script, "header": header, "html": html, "feature_group": fg, "key": key,
        "json_bytes": len(encoded.encode("utf-8")),
        "base_render_s": t1 - t0, "groups_render_s": t2 - t1, "encode_s": t3 - t2,
    }


def map_rerun(state: Any, dataset: Any, imports: tuple[Any, ...]) -> dict[str, Any]:
    """One rerun of the map area as panjmap/ui/map_panel.py does it, without Streamlit."""
    from panjmap import query
    from panjmap.layers import visible_layers
    from panjmap.mapview.base import build_base_map

    t0 = time.perf_counter()
    layers = visible_layers(state, dataset, imports)
    filtered = {layer.key: layer.filtered(state) for layer in layers}
    for layer in layers:
        query.summarize(filtered[layer.key], len(layer.records.records))
    t1 = time.perf_counter()
    import_labels = tuple((layer.label, layer.color) for layer in layers if layer.color)
    base = build_base_map(state, dataset.sites, center=state.center, zoom=state.zoom,
                          import_labels=import_labels, legend_in_map=False)
    t2 = time.perf_counter()
    groups = [layer.feature_group(state, filtered[layer.key]) for layer in layers]
    t3 = time.perf_counter()
    payload = st_folium_payload(base, groups)
    t4 = time.perf_counter()
    payload.update(filter_summary_s=t1 - t0, base_build_s=t2 - t1, groups_build_s=t3 - t2, st_folium_s=t4 - t3,
                   total_s=t4 - t0, shown={k: len(v) for k, v in filtered.items()})
    return payload


# ---------------------------------------------------------------------------
# The naive way: one folium.Marker per event in a MarkerCluster
# ---------------------------------------------------------------------------


def naive_group(records: Any, label: str) -> Any:
    import folium
    from folium.plugins import MarkerCluster

    group = folium.FeatureGroup(name=label)
    cluster = MarkerCluster().add_to(group)
    for rid, loc, etype, date, fat, geom in zip(
        records["event_id_cnty"], records["location"], records["event_type"], records["event_date"],
        records["fatalities"], records.geometry,
    ):
        tip = f"<b>{loc}</b><br>{date:%Y-%m-%d}<br>{etype} · {fat} killed<br>ID: {rid}"
        folium.Marker([geom.y, geom.x], tooltip=tip).add_to(cluster)
    return group


def _markercluster_assets() -> tuple[str, str]:
    import xstatic.pkg.leaflet_markercluster as xs

    base = Path(xs.BASE_DIR)
    js = (base / "leaflet.markercluster.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = (base / "MarkerCluster.css").read_text(encoding="utf-8") + (base / "MarkerCluster.Default.css").read_text(
        encoding="utf-8")
    return js, css


def naive_page(state: Any, dataset: Any, records: Any, label: str) -> str:
    """The standalone page with the naive layer in place of the imported incident layer."""
    import folium

    from panjmap import assets
    from panjmap.layers import visible_layers
    from panjmap.mapview.base import build_base_map

    m = build_base_map(state, dataset.sites)
    for layer in visible_layers(state, dataset, ()):
        layer.feature_group(state).add_to(m)
    naive_group(records, label).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    page = m.get_root().render()
    js, css = _markercluster_assets()
    page = re.sub(r'<script src="https://[^"]*markercluster[^"]*"></script>', lambda _: f"<script>{js}</script>", page)
    page = re.sub(r'<link rel="stylesheet" href="https://[^"]*MarkerCluster\.css"/>', lambda _: f"<style>{css}</style>",
                  page)
    page = re.sub(r'<link rel="stylesheet" href="https://[^"]*MarkerCluster\.Default\.css"/>', "", page)
    return assets.inline_assets(page)


# ---------------------------------------------------------------------------
# First paint in headless Chromium
# ---------------------------------------------------------------------------

PAINT_FLAG = """<script>
window.__benchScriptsDone = performance.now();
requestAnimationFrame(function () { requestAnimationFrame(function () { window.__benchPainted = performance.now(); }); });
</script>"""
# After the flag: timings, and whether sampled records are visible where they should be.
VISIBLE_JS = """samples => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const box = map.getContainer().getBoundingClientRect(), size = map.getSize();
  let inView = 0, paintedCanvas = 0, iconsAt = 0;
  for (const [lat, lon] of samples) {
    const p = map.latLngToContainerPoint([lat, lon]);
    if (p.x < 1 || p.y < 1 || p.x > size.x - 1 || p.y > size.y - 1) continue;
    inView++;
    const x = box.left + p.x, y = box.top + p.y, el = document.elementFromPoint(x, y);
    if (!el) continue;
    if (el.closest('.panj-incident')) { iconsAt++; continue; }
    if (el.tagName === 'CANVAS') {
      const r = el.getBoundingClientRect(), k = el.width / r.width;
      const px = el.getContext('2d').getImageData(Math.floor((x - r.left) * k), Math.floor((y - r.top) * k), 1, 1).data;
      if (px[3] > 0) paintedCanvas++;
    }
  }
  return {painted: window.__benchPainted, scripts: window.__benchScriptsDone,
    dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    in_view: inView, painted_canvas: paintedCanvas, icons_at: iconsAt,
    clusters: document.querySelectorAll('.marker-cluster, .leaflet-marker-icon').length,
    heap: (performance.memory || {}).usedJSHeapSize || null};
}"""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def with_paint_flag(page: str) -> str:
    """Add the flag script after every map script: it runs once the layers were added,
    and two animation frames later Leaflet's (rAF-batched) canvas/SVG drawing has happened."""
    head, sep, tail = page.rpartition("</html>")
    return head + PAINT_FLAG + sep + tail if sep else page + PAINT_FLAG


class Browser:
    """Debian's Chromium through Playwright (never ``playwright install``), all http(s) blocked."""

    def __init__(self, executable: str = "/usr/bin/chromium") -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        self.version = self.browser.version
        self.blocked: list[str] = []

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()

    def first_paint(self, page_html: str, workdir: Path, name: str, expect: str, timeout_s: float,
                    samples: list[list[float]] | None = None) -> dict[str, Any]:
        """Seconds from navigation start until the incident layer is drawn; None when over ``timeout_s``.

        After the flag it checks the layer is really visible: ``expect`` "canvas" or
        "icons" means that at the screen position of some of ``samples`` ([lat, lon]
        of shown records) the topmost element is a canvas with a painted pixel there,
        or a .panj-incident icon; "cluster" means MarkerCluster icons exist.
        """
        path = workdir / f"{name}.html"
        path.write_text(with_paint_flag(page_html), encoding="utf-8")
        context = self.browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.route("**/*", lambda route: (self.blocked.append(route.request.url), route.abort())
                   if route.request.url.startswith(("http:", "https:")) else route.continue_())
        page.set_default_timeout(timeout_s * 1000)
        try:
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_function("() => window.__benchPainted !== undefined", timeout=timeout_s * 1000, polling=50)
            out = page.evaluate(VISIBLE_JS, samples or [])
        except Exception as exc:  # Playwright TimeoutError: over the cap
            if "Timeout" not in type(exc).__name__ and "Timeout" not in str(exc):
                raise
            return {"first_paint_s": None, "timed_out_after_s": timeout_s, "page_bytes": path.stat().st_size}
        finally:
            context.close()
        seen = out["clusters"] if expect == "cluster" else (out["painted_canvas"] if expect == "canvas" else out["icons_at"])
        if not seen:
            raise RuntimeError(f"{name}: the layer is not visible ({expect}): {out}")
        return {"first_paint_s": out["painted"] / 1000, "scripts_done_s": out["scripts"] / 1000,
                "dom_content_loaded_s": out["dcl"] / 1000, "js_heap_mb": (out["heap"] or 0) / 1e6,
                "page_bytes": path.stat().st_size, "samples_visible": f"{seen}/{out['in_view']}"}


def sample_points(records: Any, k: int = 60) -> list[list[float]]:
    """[lat, lon] of up to ``k`` located records, spread through the table."""
    mapped = located(records)
    step = max(1, len(mapped) // k)
    geometry = mapped.geometry.iloc[::step][:k]
    return [[float(g.y), float(g.x)] for g in geometry]


def paint(browser: Browser, page_html: str, workdir: Path, name: str, expect: str, repeat: int,
          timeout_s: float = PAINT_TIMEOUT_S, samples: list[list[float]] | None = None) -> dict[str, Any]:
    runs = [browser.first_paint(page_html, workdir, name, expect, timeout_s, samples) for _ in range(max(1, repeat))]
    done = [r["first_paint_s"] for r in runs if r["first_paint_s"] is not None]
    if len(done) < len(runs):
        return runs[-1]
    out = dict(runs[-1])
    for key in ("first_paint_s", "scripts_done_s", "dom_content_loaded_s"):
        out[key] = _median([r[key] for r in runs])
    out["first_paint_runs_s"] = [round(r["first_paint_s"], 3) for r in runs]
    return out


# ---------------------------------------------------------------------------
# The real map page in Streamlit's AppTest
# ---------------------------------------------------------------------------


def _component_args(at: Any) -> dict[str, Any]:
    def walk(node: Any):  # type: ignore[no-untyped-def]
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child)

    comps = [n for n in walk(at._tree) if getattr(n, "type", "") == "component_instance"
             and n.proto.component_name.endswith("st_folium")]
    if len(comps) != 1:
        raise RuntimeError(f"expected one st_folium element on the map page, found {len(comps)}")
    raw = comps[0].proto.json_args
    return {"bytes": len(raw.encode("utf-8")), "args": json.loads(raw)}


def app_reruns(imports: list[Any], date_from: dt.date, types: tuple[str, ...], repeat: int) -> dict[str, Any]:
    """Filter changes through pages/map.py (sidebar widgets -> full script rerun), timed.

    Each round: clear the filters (the "all" view, timed too), then set the date
    window and event types (the filter change). Returns medians, the component
    payload of each and whether the base map script (st_folium's identity) held.
    """
    from streamlit.testing.v1 import AppTest

    from panjmap.ui.page import IMPORTS_KEY
    from panjmap.ui.sidebar import PREFIX

    at = AppTest.from_file(str(ROOT / "pages" / "map.py"), default_timeout=900)
    if imports:
        at.session_state[IMPORTS_KEY] = {layer.key: layer for layer in imports}

    def run() -> float:
        start = time.perf_counter()
        at.run()
        took = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"map page raised: {[e.value for e in at.exception]}")
        return took

    first = run()
    for layer in imports:
        at.checkbox(key=f"{PREFIX}layer_{layer.key}").check()
        run()
    lo, hi = at.slider(key=f"{PREFIX}window").value  # no filters yet: the whole data range
    filter_times, all_times, filter_bytes, all_bytes, keys, scripts = [], [], [], [], set(), set()
    for _ in range(max(1, repeat)):
        at.slider(key=f"{PREFIX}window").set_value((lo, hi))
        at.multiselect(key=f"{PREFIX}event_types").set_value([])
        all_times.append(run())
        comp = _component_args(at)
        all_bytes.append(comp["bytes"])
        keys.add(comp["args"]["key"])
        scripts.add(comp["args"]["script"])
        at.slider(key=f"{PREFIX}window").set_value((max(date_from, lo), hi))
        at.multiselect(key=f"{PREFIX}event_types").set_value(list(types))
        filter_times.append(run())
        comp = _component_args(at)
        filter_bytes.append(comp["bytes"])
        keys.add(comp["args"]["key"])
        scripts.add(comp["args"]["script"])
    counts = [m.value for m in at.markdown if m.value.startswith("**")]
    return {
        "first_run_s": first,
        "filter_s": _median(filter_times), "filter_runs_s": [round(t, 3) for t in filter_times],
        "all_s": _median(all_times), "all_runs_s": [round(t, 3) for t in all_times],
        "filter_payload_bytes": filter_bytes[-1], "all_payload_bytes": all_bytes[-1],
        "component_key_stable": len(keys) == 1, "base_script_identical": len(scripts) == 1,
        "counts_after_filter": counts,
    }


# ---------------------------------------------------------------------------
# Peak memory, in a child process so the RSS peak is this workload's own
# ---------------------------------------------------------------------------


def memory_child(csv_path: str) -> dict[str, Any]:
    import psutil
    from streamlit_folium import _get_feature_group_string

    from panjmap.data import load_dataset
    from panjmap.importers import import_file
    from panjmap.layers import imported_layer
    from panjmap.mapview.base import build_base_map
    from panjmap.mapview.incidents import incident_layer
    from panjmap.state import DEFAULT_LAYERS

    data = Path(csv_path).read_bytes()
    dataset = load_dataset()
    build_base_map(scenario_states(DEFAULT_LAYERS)["all"], dataset.sites)  # geodata caches warm

    def work() -> int:
        result = import_file(data, Path(csv_path).name)
        layer = imported_layer(result.dataset_name, result.records, 0)
        state = scenario_states(DEFAULT_LAYERS + (layer.key,))["filter"]
        records = layer.filtered(state)
        group = incident_layer(records, key=layer.key, label=layer.label, color=layer.color)
        base = build_base_map(state, dataset.sites)
        return len(_get_feature_group_string(group, base))

    gc.collect()
    rss0 = psutil.Process().memory_info().rss
    work()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    gc.collect()
    tracemalloc.start()
    work()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rss_peak_delta_mb": round(max(0, peak_rss - rss0) / 1e6, 1),
            "tracemalloc_peak_mb": round(traced_peak / 1e6, 1),
            "rss_baseline_mb": round(rss0 / 1e6, 1)}


def measure_memory(csv_bytes: bytes, n: int, workdir: Path) -> dict[str, Any]:
    path = workdir / f"synthetic_acled_{n}.csv"
    path.write_bytes(csv_bytes)
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--_memory", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode:
        raise RuntimeError(f"memory child failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def layer_costs(layer: Any, state: Any, dataset: Any, repeat: int) -> dict[str, Any]:
    """Filter, build and render (as streamlit-folium does) one layer for one state."""
    from streamlit_folium import _get_feature_group_string

    from panjmap.mapview.base import build_base_map
    from panjmap.mapview.incidents import ICON_LIMIT, incident_layer

    records, filter_s, _ = timed(lambda: layer.filtered(state), repeat)
    build = lambda: incident_layer(records, key=layer.key, label=layer.label, color=layer.color)  # noqa: E731
    _, build_s, _ = timed(build, repeat)
    render_times, js = [], ""
    for _ in range(max(1, repeat)):
        group, base = build(), build_base_map(state, dataset.sites)
        gc.collect()
        start = time.perf_counter()
        js = _get_feature_group_string(group, base)
        render_times.append(time.perf_counter() - start)
    shown = len(located(records))
    return {"shown": shown, "mode": "icons" if shown <= ICON_LIMIT else "canvas", "filter_s": filter_s,
            "layer_build_s": build_s, "layer_render_s": _median(render_times),
            "layer_s": filter_s + build_s + _median(render_times), "layer_js_bytes": len(js.encode("utf-8")),
            "layer_json_bytes": len(json.dumps(js)) - 2, "records": records}


def rerun_costs(state: Any, dataset: Any, imports: tuple[Any, ...], repeat: int) -> dict[str, Any]:
    """The map area's whole rerun (mirror of map_panel), medians per step."""
    runs = []
    for _ in range(max(1, repeat)):
        gc.collect()
        cpu0 = time.process_time()
        run = map_rerun(state, dataset, imports)
        run["cpu_s"] = time.process_time() - cpu0
        runs.append(run)
    med = {k: _median([r[k] for r in runs]) for k in ("total_s", "cpu_s", "filter_summary_s", "base_build_s",
                                                      "groups_build_s", "st_folium_s", "base_render_s",
                                                      "groups_render_s", "encode_s")}
    last = runs[-1]
    return {
        "server_s": med["total_s"], "server_cpu_s": med["cpu_s"], "server_runs_s": [round(r["total_s"], 3) for r in runs],
        "filter_summary_s": med["filter_summary_s"], "base_build_s": med["base_build_s"],
        "base_render_s": med["base_render_s"], "groups_build_s": med["groups_build_s"],
        "groups_render_s": med["groups_render_s"], "encode_s": med["encode_s"],
        "payload_bytes": last["json_bytes"], "groups_js_bytes": len(last["feature_group"].encode("utf-8")),
        "base_script_bytes": sum(len(last[k].encode("utf-8")) for k in ("script", "header", "html")),
        "_script": last["script"], "_key": last["key"],
    }


def standalone_page(state: Any, dataset: Any, imports: tuple[Any, ...]) -> str:
    from panjmap import export, snapshot
    from panjmap.layers import curated_layer

    # As the app's export panel does it: metadata of the filtered curated records.
    meta = export.metadata(state, dataset, curated_layer(dataset).filtered(state),
                           now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    return snapshot.standalone_html(state, dataset, meta, imports)


def measure_seed(dataset: Any, browser: Browser, workdir: Path, repeat: int) -> dict[str, Any]:
    from panjmap.layers import curated_layer
    from panjmap.state import ViewState

    state = ViewState(date_from=SEED_FROM, event_types=SEED_TYPES)
    layer = curated_layer(dataset)
    out = layer_costs(layer, state, dataset, repeat)
    samples = sample_points(out.pop("records"))
    rerun = rerun_costs(state, dataset, (), repeat)
    rerun_all = rerun_costs(ViewState(), dataset, (), 1)
    out.update({k: v for k, v in rerun.items() if not k.startswith("_")})
    out["base_identical_across_filter_changes"] = rerun["_script"] == rerun_all["_script"]
    app = app_reruns([], SEED_FROM, SEED_TYPES, repeat)
    out.update(app_rerun_s=app["filter_s"], app_rerun_runs_s=app["filter_runs_s"], app_first_run_s=app["first_run_s"],
               app_payload_bytes=app["filter_payload_bytes"], app_component_key_stable=app["component_key_stable"],
               app_base_script_identical=app["base_script_identical"], app_counts=app["counts_after_filter"])
    fp = paint(browser, standalone_page(state, dataset, ()), workdir, "seed_filter", "icons", repeat, samples=samples)
    out.update({k: v for k, v in fp.items()})
    out["records_total"] = len(dataset.incidents)
    return out


def measure_size(n: int, dataset: Any, browser: Browser, workdir: Path, repeat: int, quick: bool,
                 log: Callable[[str], None]) -> dict[str, Any]:
    from panjmap.importers import import_file
    from panjmap.layers import imported_layer
    from panjmap.state import DEFAULT_LAYERS
    from streamlit_folium import _get_feature_group_string

    from panjmap.mapview.base import build_base_map

    out: dict[str, Any] = {"events": n}
    data = acled_csv(n)
    out["csv_bytes"] = len(data)
    name = f"synthetic_acled_{n}.csv"
    import_times, index_times = [], []
    layer = None
    for _ in range(max(1, repeat)):
        result = layer = None
        gc.collect()
        start = time.perf_counter()
        result = import_file(data, name)
        mid = time.perf_counter()
        layer = imported_layer(result.dataset_name, result.records, 0)
        end = time.perf_counter()
        import_times.append(mid - start)
        index_times.append(end - mid)
    assert layer is not None and result is not None
    if len(result.records) != n or result.skipped:
        raise RuntimeError(f"import kept {len(result.records)} of {n} rows; skipped {result.skipped[:3]}")
    out.update(import_file_s=_median(import_times), layer_index_s=_median(index_times),
               import_s=_median([a + b for a, b in zip(import_times, index_times)]),
               import_runs_s=[round(a + b, 3) for a, b in zip(import_times, index_times)])
    log(f"  import {out['import_s']:.2f} s")

    layers = DEFAULT_LAYERS + (layer.key,)
    states = scenario_states(layers)
    scripts, keys = set(), set()
    for scen, state in states.items():
        costs = layer_costs(layer, state, dataset, repeat)
        records = costs.pop("records")
        rerun = rerun_costs(state, dataset, (layer,), repeat)
        scripts.add(rerun.pop("_script"))
        keys.add(rerun.pop("_key"))
        costs.update(rerun)
        expect = "icons" if costs["mode"] == "icons" else "canvas"
        fp = paint(browser, standalone_page(state, dataset, (layer,)), workdir, f"ours_{n}_{scen}", expect, repeat,
                   samples=sample_points(records))
        costs.update(fp)
        out[scen] = costs
        log(f"  {scen}: shown {costs['shown']} server {costs['server_s']:.3f} s, "
            f"payload {costs['payload_bytes'] / 1e6:.2f} MB, first paint {costs['first_paint_s']:.2f} s")
        if scen == "filter":
            filtered_records = records
    out["base"] = {"script_bytes": out["filter"]["base_script_bytes"],
                   "identical_across_filter_changes": len(scripts) == 1, "component_key_stable": len(keys) == 1}

    app = app_reruns([layer], FILTER_FROM, FILTER_TYPES, repeat)
    out["filter"].update(app_rerun_s=app["filter_s"], app_rerun_runs_s=app["filter_runs_s"],
                         app_payload_bytes=app["filter_payload_bytes"])
    out["all"].update(app_rerun_s=app["all_s"], app_rerun_runs_s=app["all_runs_s"],
                      app_payload_bytes=app["all_payload_bytes"])
    out["app"] = {"first_run_s": app["first_run_s"], "component_key_stable": app["component_key_stable"],
                  "base_script_identical": app["base_script_identical"], "counts": app["counts_after_filter"]}
    log(f"  app rerun: filter {app['filter_s']:.2f} s, all {app['all_s']:.2f} s")

    # The naive way, on the same filtered records.
    records = located(filtered_records)
    naive_repeat = 1 if len(records) > 20_000 else repeat
    ours = out["filter"]
    group, build_s, _ = timed(lambda: naive_group(records, layer.label), naive_repeat)
    render_times, js = [], ""
    for i in range(naive_repeat):
        if i:
            group = naive_group(records, layer.label)
        base = build_base_map(states["filter"], dataset.sites)
        gc.collect()
        start = time.perf_counter()
        js = _get_feature_group_string(group, base)
        render_times.append(time.perf_counter() - start)
    render_s = _median(render_times)
    naive: dict[str, Any] = {"shown": len(records), "build_s": build_s, "render_s": render_s,
                             "layer_s": ours["filter_s"] + build_s + render_s, "layer_js_bytes": len(js.encode("utf-8"))}
    # The same rerun payload with the naive group in place of ours (JSON-escaped, as Streamlit sends it).
    naive["payload_bytes"] = ours["payload_bytes"] - ours["layer_json_bytes"] + len(json.dumps(js)) - 2
    del group, js
    log(f"  naive: build+render {build_s + render_s:.2f} s, {naive['layer_js_bytes'] / 1e6:.2f} MB")
    paint_it = len(records) <= 10_000 or not quick
    if paint_it:
        cap = NAIVE_PAINT_CAP_S
        page = naive_page(states["filter"], dataset, records, layer.label)
        fp = paint(browser, page, workdir, f"naive_{n}_filter", "cluster", 1 if len(records) > 2000 else repeat,
                   timeout_s=cap)
        naive.update(first_paint_s=fp["first_paint_s"], page_bytes=fp["page_bytes"], first_paint_cap_s=cap)
        del page
    else:
        naive.update(first_paint_s=None, first_paint_skipped="--quick: naive first paint only up to 10k points")
    naive["ratio_layer_s"] = naive["layer_s"] / ours["layer_s"]
    naive["ratio_payload_bytes"] = naive["payload_bytes"] / ours["payload_bytes"]
    naive["ratio_layer_js_bytes"] = naive["layer_js_bytes"] / ours["layer_js_bytes"]
    naive["ratio_first_paint"] = (naive["first_paint_s"] / ours["first_paint_s"]) if naive["first_paint_s"] else None
    out["naive"] = naive
    log(f"  naive first paint {naive.get('first_paint_s')}")

    out["memory"] = measure_memory(data, n, workdir)
    log(f"  memory {out['memory']}")
    return out


# ---------------------------------------------------------------------------
# Machine, verdicts, output
# ---------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in ("streamlit", "streamlit-folium", "folium", "branca", "pandas", "geopandas", "shapely", "numpy",
                 "pyarrow", "playwright", "xstatic-leaflet", "xstatic-leaflet-markercluster", "psutil"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info(browser_version: str) -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    return {
        "nproc": os.cpu_count(), "ram_gib": round(mem_kb / 1024 / 1024, 1), "cpu_model": cpu,
        "python": platform.python_version(), "platform": platform.platform(), "chromium": browser_version,
        "libraries": _versions(), "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: measured value, limit, pass/fail (or not measured)."""
    out: list[dict[str, Any]] = []
    sizes = results["sizes"]

    def add(target: str, value: float | None, limit: float, better: str, unit: str, note: str = "") -> None:
        ok = None if value is None else (value < limit if better == "below" else value >= limit)
        out.append({"target": target, "value": value, "limit": limit, "better": better, "unit": unit,
                    "pass": ok, "note": note})

    seed = results.get("seed")
    add("Seed data (38 curated): filter change, server-side", seed and seed["server_s"], TARGETS["seed_server_s"],
        "below", "s", "map-area rerun: filter + layers + base map + st_folium's Python work")
    big = sizes.get("100000")
    for scen, label in (("filter", "filter change"), ("all", "all records shown")):
        s = big and big[scen]
        add(f"100k events, {label}: server-side", s and s["server_s"], TARGETS["server_100k_s"], "below", "s",
            "map-area rerun (as for the seed row)")
        add(f"100k events, {label}: bytes sent per rerun", s and s["payload_bytes"], TARGETS["bytes_100k"],
            "below", "B", "st_folium component arguments as Streamlit JSON-encodes them")
        add(f"100k events, {label}: first paint", s and s["first_paint_s"], TARGETS["first_paint_100k_s"],
            "below", "s", "headless Chromium, standalone page")
    mid = sizes.get("10000")
    add("10k events: faster than naive MarkerCluster (filter+build+render)",
        mid and mid["naive"]["ratio_layer_s"], TARGETS["naive_ratio_10k"], "above", "x")
    return out


def _fmt_s(v: float | None) -> str:
    return "—" if v is None else (f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s")


def _fmt_b(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v / 1e6:.2f} MB" if v >= 1e5 else f"{v / 1e3:.0f} kB"


def _fmt_x(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}x" if v >= 10 else f"{v:.1f}x"


def tables(results: dict[str, Any]) -> str:
    """The results as Markdown tables (also printed)."""
    m = results["machine"]
    lines = [
        f"Run {results['generated']} · commit {m['git_commit']}{' (+ uncommitted changes)' if m['git_dirty'] else ''}"
        f" · repeat {results['config']['repeat']} (medians){' · --quick' if results['config']['quick'] else ''}"
        f" · load average {results['load_before']} before, {results['load_after']} after",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Python {m['python']}, "
        f"Chromium {m['chromium']}; " + ", ".join(f"{k} {v}" for k, v in m["libraries"].items()),
        "",
        "### Per filter change",
        "",
        "| data | view | shown | mode | filter | layer build + render | map rerun (server) | its CPU time "
        "| full page rerun (AppTest) | layer JS | sent per rerun | first paint |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    seed = results.get("seed")
    if seed:
        lines.append(
            f"| seed ({seed['records_total']} curated) | filter | {seed['shown']} | {seed['mode']} | {_fmt_s(seed['filter_s'])} "
            f"| {_fmt_s(seed['layer_build_s'] + seed['layer_render_s'])} | **{_fmt_s(seed['server_s'])}** "
            f"| {_fmt_s(seed['server_cpu_s'])} | {_fmt_s(seed['app_rerun_s'])} | {_fmt_b(seed['layer_js_bytes'])} | {_fmt_b(seed['payload_bytes'])} "
            f"| {_fmt_s(seed['first_paint_s'])} |")
    for n, r in results["sizes"].items():
        for scen in ("filter", "all"):
            s = r[scen]
            lines.append(
                f"| {int(n):,} events | {scen} | {s['shown']:,} | {s['mode']} | {_fmt_s(s['filter_s'])} "
                f"| {_fmt_s(s['layer_build_s'] + s['layer_render_s'])} | **{_fmt_s(s['server_s'])}** "
                f"| {_fmt_s(s['server_cpu_s'])} | {_fmt_s(s['app_rerun_s'])} | {_fmt_b(s['layer_js_bytes'])} | **{_fmt_b(s['payload_bytes'])}** "
                f"| **{_fmt_s(s['first_paint_s'])}** |")
    lines += [
        "",
        "### Once per import / per session, and memory",
        "",
        "| data | CSV | import (import_file + imported_layer) | base map build / render | base map script "
        "| base identical across filter changes | peak RSS increase | tracemalloc peak |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    if seed:
        lines.append(f"| seed | — | — | {_fmt_s(seed['base_build_s'])} / {_fmt_s(seed['base_render_s'])} "
                     f"| {_fmt_b(seed['base_script_bytes'])} | {'yes' if seed['base_identical_across_filter_changes'] and seed['app_component_key_stable'] else 'NO'} | — | — |")
    for n, r in results["sizes"].items():
        s, b, mem = r["filter"], r["base"], r["memory"]
        stable = b["identical_across_filter_changes"] and b["component_key_stable"] and r["app"]["component_key_stable"]
        lines.append(
            f"| {int(n):,} events | {_fmt_b(r['csv_bytes'])} | {_fmt_s(r['import_s'])} "
            f"({_fmt_s(r['import_file_s'])} + {_fmt_s(r['layer_index_s'])}) "
            f"| {_fmt_s(s['base_build_s'])} / {_fmt_s(s['base_render_s'])} | {_fmt_b(b['script_bytes'])} "
            f"| {'yes' if stable else 'NO'} | {mem['rss_peak_delta_mb']:.0f} MB | {mem['tracemalloc_peak_mb']:.0f} MB |")
    lines += [
        "",
        "### Against the naive way (one folium.Marker per event in a MarkerCluster), same filter change",
        "",
        "| data | shown | naive build + render | ours (filter + build + render) | ratio | naive sent per rerun "
        "| ours | ratio | naive first paint | ours | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in results["sizes"].items():
        nv, s = r["naive"], r["filter"]
        if nv.get("first_paint_s") is not None:
            naive_paint = _fmt_s(nv["first_paint_s"])
        elif nv.get("first_paint_cap_s"):  # tried, and over the cap
            naive_paint = f"> {nv['first_paint_cap_s']:.0f} s (cap)"
        else:
            naive_paint = "not run (--quick)"
        ratio_paint = _fmt_x(nv["ratio_first_paint"]) if nv.get("ratio_first_paint") else (
            f"> {nv['first_paint_cap_s'] / s['first_paint_s']:.0f}x" if nv.get("first_paint_cap_s") else "—")
        lines.append(
            f"| {int(n):,} events | {nv['shown']:,} | {_fmt_s(nv['build_s'] + nv['render_s'])} | {_fmt_s(s['layer_s'])} "
            f"| **{_fmt_x(nv['ratio_layer_s'])}** | {_fmt_b(nv['payload_bytes'])} | {_fmt_b(s['payload_bytes'])} "
            f"| {_fmt_x(nv['ratio_payload_bytes'])} | {naive_paint} | {_fmt_s(s['first_paint_s'])} | {ratio_paint} |")
    lines += ["", "### Targets", "", "| target | measured | limit | result |", "|---|---:|---:|---|"]
    for v in results["verdicts"]:
        fmt = {"s": _fmt_s, "B": _fmt_b, "x": _fmt_x}[v["unit"]]
        limit = ("< " if v["better"] == "below" else "≥ ") + fmt(v["limit"])
        result = "not measured" if v["pass"] is None else ("**pass**" if v["pass"] else "**MISS**")
        lines.append(f"| {v['target']} | {fmt(v['value'])} | {limit} | {result} |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"


def write_markdown(path: Path, body: str) -> None:
    """Replace the text between the markers (kept); create the file or the markers if missing."""
    block = f"{BEGIN}\n<!-- generated by `python -m bench.run`; edit outside the markers -->\n\n{body}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Results\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not k.startswith("_") and k != "records"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated event counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.json")
    parser.add_argument("--markdown", type=Path, default=None,
                        help="Markdown file whose results section to regenerate (default docs/benchmarks.md; "
                             "with --quick none unless given)")
    parser.add_argument("--quick", action="store_true", help="one run per timing; naive first paint only up to 10k")
    parser.add_argument("--chromium", default=os.environ.get("PANJ_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--_memory", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._memory:
        print(json.dumps(memory_child(args._memory)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    repeat = 1 if args.quick else max(1, args.repeat)
    markdown = args.markdown if args.markdown else (None if args.quick else ROOT / "docs" / "benchmarks.md")

    from panjmap import assets
    from panjmap.data import load_dataset

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    assets.ensure_static()
    dataset = load_dataset()
    results: dict[str, Any] = {
        "generated": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "config": {"sizes": sizes, "repeat": repeat, "quick": args.quick, "seed": SEED,
                   "filter_change": {"date_from": FILTER_FROM.isoformat(), "event_types": list(FILTER_TYPES)},
                   "seed_filter_change": {"date_from": SEED_FROM.isoformat(), "event_types": list(SEED_TYPES)},
                   "naive_first_paint_cap_s": NAIVE_PAINT_CAP_S},
        "targets": TARGETS, "load_before": _load(), "sizes": {},
    }
    browser = Browser(args.chromium)
    try:
        results["machine"] = machine_info(browser.version)
        with tempfile.TemporaryDirectory(prefix="panj-bench-") as tmp:
            workdir = Path(tmp)
            log("seed data")
            results["seed"] = measure_seed(dataset, browser, workdir, repeat)
            for n in sizes:
                log(f"{n} events")
                results["sizes"][str(n)] = measure_size(n, dataset, browser, workdir, repeat, args.quick, log)
                gc.collect()
        if browser.blocked:
            raise RuntimeError(f"pages tried the network: {sorted(set(browser.blocked))[:5]}")
    finally:
        browser.close()
    results["load_after"] = _load()
    results["verdicts"] = verdicts(results)
    results = _clean(results)
    body = tables(results)
    print(body)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if markdown:
        write_markdown(markdown, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
