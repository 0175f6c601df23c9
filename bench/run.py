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
  in headless Debian Chromium, every http(s) request blocked;
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
