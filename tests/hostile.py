"""A corpus of hostile strings, and writers of import files full of them.

Every text field of every row carries one of the strings (rotated, so each
string lands in each field once), so a test can check any surface the data
reaches: the importer, the exports, the standalone HTML, the map's tooltips
and popups, the detail panel, the tables and the sidebar options.

All rows are invented and lie in the Panj region (Tajik side, Khatlon), dated
November 2025, spread on a grid so each marker can be reached on the map.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from panjmap.schema import ACLED_COLUMNS

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
PWNED = "<img src=x onerror=window.__pwned=1>"
PWNED_SVG = "'><svg/onload=window.__pwned=2>"
JS_URL = "javascript:alert(1)"
MD_LINK = "[click](javascript:alert(1))"
UNCLOSED = "<b><i>unclosed"
CLOSERS = "</textarea></title></script>"
ENTITIES = "&lt;script&gt;alert(1)&lt;/script&gt; &amp;"
JINJA = "{{7*7}}"
TEMPLATE = "${7*7}"
PRINTF = "%s%n%x"
PYFORMAT = "{0.__class__}"
HYPERLINK = '=HYPERLINK("http://x","y")'
PLUS_FORMULA = "+SUM(1)"
MINUS_FORMULA = "-2+3"
AT_FORMULA = "@cmd"
TAB_LED = "\tTAB-led cell"
LONG = ("Long hostile text <b>bold?</b> $x$ :red[y] — " * 300)[:10_000]
RTL = "\u202eexe.txt\u202c after an RLO override"
PERSIAN = "حمله در مرز پنج، ولسوالی شهربزرگ — مرکز"
ZERO_WIDTH = "zero\u200bwidth\u200djoiner"
CONTROLS = "tab\there\rcarriage\x0bvtab\x1b[31mansi\x1b[0m end"
LATEX = "$\\alpha$"
DIRECTIVE = ":red[x]"
EMOJI = "💥🇹🇯👨‍👩‍👧 :material/home: :smile:"
MARKDOWN = "**bold** _it_ `code` # hash > quote - item"
QUOTES = "quote' \"double\" \\back\\slash; DROP TABLE incidents;--"

HOSTILE: tuple[str, ...] = (
    SCRIPT, IMG, SVG, PWNED, PWNED_SVG, JS_URL, MD_LINK, UNCLOSED, CLOSERS, ENTITIES, JINJA, TEMPLATE,
    PRINTF, PYFORMAT, HYPERLINK, PLUS_FORMULA, MINUS_FORMULA, AT_FORMULA, TAB_LED, LONG, RTL, PERSIAN,
    ZERO_WIDTH, CONTROLS, LATEX, DIRECTIVE, EMOJI, MARKDOWN, QUOTES,
)
assert len(set(HOSTILE)) == len(HOSTILE) and len(LONG) == 10_000

# What a spreadsheet would run as a formula (OWASP "CSV injection"): these must be neutralised.
FORMULAS: tuple[str, ...] = (HYPERLINK, PLUS_FORMULA, MINUS_FORMULA, AT_FORMULA, TAB_LED)
# Strings that would run code if they ever reached HTML unescaped.
MARKUP: tuple[str, ...] = (SCRIPT, IMG, SVG, PWNED, PWNED_SVG, UNCLOSED, CLOSERS)

# Every free-text column of an ACLED export (numbers, dates and coordinates excluded).
ACLED_TEXT_FIELDS: tuple[str, ...] = (
    "disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
    "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "region", "country", "admin1",
    "admin2", "admin3", "location", "source", "source_scale", "notes", "tags",
)
# UCDP GED: a compact but recognisable header (id, dates, coordinates, counts + text columns).
UCDP_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "type_of_violence", "conflict_name", "dyad_name", "side_a",
    "side_b", "source_article", "source_office", "source_headline", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "country", "region", "date_prec",
    "date_start", "date_end", "best", "high", "low",
)
UCDP_TEXT_FIELDS: tuple[str, ...] = (
    "relid", "conflict_name", "dyad_name", "side_a", "side_b", "source_article", "source_office",
    "source_headline", "where_coordinates", "where_description", "adm_1", "adm_2", "region",
)
GRID_COLUMNS = 7


def string_for(row: int, field: int) -> str:
    """The hostile string in row ``row``, text field number ``field``: each string visits every field."""
    return HOSTILE[(row + field) % len(HOSTILE)]


def safe_id(text: str) -> bool:
    """Usable as a record id as written: short, no control characters, no outer spaces."""
    return len(text) <= 120 and text == text.strip() and not any(ord(ch) < 32 for ch in text)


def record_id(row: int) -> str:
    """Row ``row``'s id: the hostile string itself where it makes a sensible id."""
    text = HOSTILE[row % len(HOSTILE)]
    return text if safe_id(text) else f"HOSTILE-{row:02d}"


def position(row: int) -> tuple[float, float]:
    """(lat, lon) on a 0.25-degree grid south-west of Shŭrobod, clear of the curated incidents."""
    return 37.0 + 0.25 * (row // GRID_COLUMNS), 68.4 + 0.25 * (row % GRID_COLUMNS)


def event_date(row: int) -> str:
    return f"2025-11-{1 + row % 20:02d}"


def acled_rows(count: int = len(HOSTILE)) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        lat, lon = position(i)
        row: dict[str, Any] = {col: "" for col in ACLED_COLUMNS}
        row.update({field: string_for(i, j) for j, field in enumerate(ACLED_TEXT_FIELDS)})
        row.update(
            event_id_cnty=record_id(i), event_date=event_date(i), year=2025, time_precision=1, iso=762,
            latitude=lat, longitude=lon, geo_precision=1, fatalities=i % 3, timestamp=1764115200,
        )
        rows.append(row)
    return rows


def csv_bytes(columns: tuple[str, ...] | list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    # Quote every field: a bare CR inside a field is only kept in a quoted field (RFC 4180).
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(col, "") for col in columns])
    return buffer.getvalue().encode("utf-8")


def acled_csv(count: int = len(HOSTILE)) -> bytes:
    """A current (31-column) ACLED export with a hostile string in every text field of every row."""
    return csv_bytes(ACLED_COLUMNS, acled_rows(count))


def ucdp_rows(count: int = len(HOSTILE)) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        lat, lon = position(i)
        row: dict[str, Any] = {field: string_for(i, j) for j, field in enumerate(UCDP_TEXT_FIELDS)}
        row.update(
            id=5000 + i, year=2025, active_year=1, type_of_violence=1 + i % 3, where_prec=1,
            latitude=lat, longitude=lon, country="Tajikistan", date_prec=1,
            date_start=f"{event_date(i)} 00:00:00.000", date_end=f"{event_date(i)} 00:00:00.000",
            best=i % 3, high=i % 3 + 1, low=0,
        )
        rows.append(row)
    return rows


def ucdp_csv(count: int = len(HOSTILE)) -> bytes:
    return csv_bytes(UCDP_COLUMNS, ucdp_rows(count))


def geojson_features(count: int = len(HOSTILE)) -> list[dict[str, Any]]:
    features = []
    for row in acled_rows(count):
        props = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
                         "properties": props})
    return features


def geojson_bytes(count: int = len(HOSTILE)) -> bytes:
    """GeoJSON points with ACLED-named properties, hostile strings in every text property."""
    doc = {"type": "FeatureCollection", "features": geojson_features(count)}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def small_acled_csv(tag: str, count: int = 4, lat0: float = 37.3, lon0: float = 68.6) -> bytes:
    """A small clean ACLED file whose locations, actors and ids all carry ``tag`` (for leakage checks)."""
    rows = []
    for i in range(count):
        row: dict[str, Any] = {col: "" for col in ACLED_COLUMNS}
        row.update(
            event_id_cnty=f"{tag}-{i}", event_date=event_date(i), year=2025, time_precision=1,
            disorder_type="Political violence", event_type="Battles", sub_event_type="Armed clash",
            actor1=f"{tag} Actor", inter1="Rebel group", actor2="", inter2="", interaction="Rebel group only",
            iso=762, region="Caucasus and Central Asia", country="Tajikistan", admin1="Khatlon",
            admin2=f"{tag} District", location=f"{tag} Village {i}", latitude=lat0 + 0.2 * i,
            longitude=lon0 + 0.2 * i, geo_precision=1, source=f"{tag} Wire", source_scale="National",
            notes=f"Invented {tag} note {i}.", fatalities=i, timestamp=1764115200,
        )
        rows.append(row)
    return csv_bytes(ACLED_COLUMNS, rows)
