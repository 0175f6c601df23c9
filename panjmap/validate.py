"""``python -m panjmap validate``: check every curated record and report per record.

Each rule is a function taking the raw text tables (and what it needs besides)
and yielding Problems, so tests can break one rule at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from shapely.geometry import Point

from panjmap import geodata
from panjmap.actors import ACTORS_FILE, KINDS, Actor, ActorDictionary, read_actors
from panjmap.data import DataError, read_tables
from panjmap.paths import SEEDS_DIR
from panjmap.schema import (
    CLAIM_STATUSES,
    CLAIMANT_TYPES,
    DISORDER_TYPES,
    EVENT_TYPES,
    GEO_PRECISION,
    INTER_CODES,
    SCOPES,
    SEVERAL_KILLED_TAG,
    STANCES,
    TIME_PRECISION,
    VIOLENT_EVENT_TYPES,
)

EARLIEST_DATE = dt.date(1997, 1, 1)  # ACLED's first coverage year
# Points on the Panj may fall a little either side of a simplified border.
BORDER_TOLERANCE_DEG = 0.03

ID_COLUMN = {"incidents": "event_id_cnty", "claims": "claim_id", "sites": "site_id", "evidence": "record_id", "sources": "source_file"}

REQUIRED: dict[str, tuple[str, ...]] = {
    "incidents": (
        "event_id_cnty", "event_date", "end_date", "year", "time_precision", "disorder_type",
        "event_type", "sub_event_type", "actor1", "inter1", "country",
        "source", "notes", "timestamp", "scope",
    ),
    "claims": ("claim_id", "incident_id", "actor", "stance", "claimant", "claimant_type", "source_file", "quote"),
    "sites": ("site_id", "name", "site_type", "country"),
    "evidence": ("record_id", "source_file", "quote", "supports"),
    "sources": ("source_file", "title", "sha256"),
}


@dataclass(frozen=True)
class Problem:
    table: str
    record: str
    line: int
    field: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        if not self.line:  # a whole-file problem: the message names the file
            return f"{self.severity.upper()} {self.message}"
        return f"{self.severity.upper()} {self.table}.csv line {self.line} [{self.record}] {self.field}: {self.message}"


def _rows(tables: dict[str, pd.DataFrame], name: str) -> Iterator[tuple[str, pd.Series]]:
    for _, row in tables[name].iterrows():
        yield row[ID_COLUMN[name]] or "?", row


def check_required(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    for name, columns in REQUIRED.items():
        for rid, row in _rows(tables, name):
            for col in columns:
                if not row[col].strip():
                    yield Problem(name, rid, row["_line"], col, "required value is empty")
    # "Unknown stays unknown": a record may lack a place, but a mapped one must name it.
    for name in ("incidents", "sites"):
        for rid, row in _rows(tables, name):
            if row["latitude"] and not row["location"].strip():
                yield Problem(name, rid, row["_line"], "location", "has coordinates but no location name")


def _parse_date(text: str) -> dt.date | None:
    # fromisoformat also takes "20251126" and "2025-W48-3", which the loader rejects.
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _is_int(text: str) -> bool:
    return re.fullmatch(r"-?[0-9]+", text.strip()) is not None  # ASCII digits only ("²" is a digit to isdigit)


def check_types(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    for rid, row in _rows(tables, "incidents"):
        for col in ("year", "time_precision", "iso", "fatalities", "timestamp", "geo_precision", "injuries"):
            if row[col] and not _is_int(row[col]):
                yield Problem("incidents", rid, row["_line"], col, f"not a whole number: {row[col]!r}")
        for col in ("fatalities", "injuries"):
            if _is_int(row[col]) and int(row[col]) < 0:
                yield Problem("incidents", rid, row["_line"], col, "must not be negative")
        for col in ("event_date", "end_date"):
            if row[col] and _parse_date(row[col]) is None:
                yield Problem("incidents", rid, row["_line"], col, f"not a YYYY-MM-DD date: {row[col]!r}")
    for name in ("incidents", "sites"):
        for rid, row in _rows(tables, name):
            yield from _check_coordinates(name, rid, row)


def _check_coordinates(name: str, rid: str, row: pd.Series) -> Iterator[Problem]:
    lat, lon, prec = row["latitude"], row["longitude"], row["geo_precision"]
    present = [bool(lat), bool(lon), bool(prec)]
    if any(present) and not all(present):
        yield Problem(name, rid, row["_line"], "latitude/longitude/geo_precision",
                      "give all three or none (unknown location)")
        return
    if not lat:
        return
    try:
        lat_f, lon_f = float(lat), float(lon)
    except ValueError:
        yield Problem(name, rid, row["_line"], "latitude/longitude", f"not numbers: {lat!r}, {lon!r}")
        return
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        yield Problem(name, rid, row["_line"], "latitude/longitude", f"out of range: {lat_f}, {lon_f}")


def check_codes(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    for rid, row in _rows(tables, "incidents"):
        line = row["_line"]
        if row["event_type"] not in EVENT_TYPES:
            yield Problem("incidents", rid, line, "event_type", f"unknown event type {row['event_type']!r}")
        elif row["sub_event_type"] not in EVENT_TYPES[row["event_type"]]:
            yield Problem("incidents", rid, line, "sub_event_type",
                          f"{row['sub_event_type']!r} is not a sub-event type of {row['event_type']!r}")
        if row["disorder_type"] not in DISORDER_TYPES:
            yield Problem("incidents", rid, line, "disorder_type", f"unknown disorder type {row['disorder_type']!r}")
        for col in ("inter1", "inter2"):
            if row[col] and row[col] not in INTER_CODES:
                yield Problem("incidents", rid, line, col, f"unknown actor type {row[col]!r}")
        if _is_int(row["time_precision"]) and int(row["time_precision"]) not in TIME_PRECISION:
            yield Problem("incidents", rid, line, "time_precision", "must be 1, 2 or 3")
        if row["claim_status"] not in CLAIM_STATUSES:
            yield Problem("incidents", rid, line, "claim_status", "must be empty, 'unclaimed' or 'claimed'")
    for name in ("incidents", "sites"):
        for rid, row in _rows(tables, name):
            if _is_int(row["geo_precision"]) and int(row["geo_precision"]) not in GEO_PRECISION:
                yield Problem(name, rid, row["_line"], "geo_precision", "must be 1, 2 or 3")
    for rid, row in _rows(tables, "claims"):
        if row["stance"] not in STANCES:
            yield Problem("claims", rid, row["_line"], "stance", f"must be one of {', '.join(STANCES)}")
        if row["claimant_type"] not in CLAIMANT_TYPES:
            yield Problem("claims", rid, row["_line"], "claimant_type", f"must be one of {', '.join(CLAIMANT_TYPES)}")


def check_counts(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Unknown is never zero: an empty count means "not reported", so only a violent
    event may leave fatalities empty (a response has none: 0), and "several" is a tag
    on an empty count, never beside a number."""
    for rid, row in _rows(tables, "incidents"):
        line = row["_line"]
        if not row["fatalities"].strip() and row["event_type"] not in VIOLENT_EVENT_TYPES:
            yield Problem("incidents", rid, line, "fatalities", "empty (not reported) on a non-violent record: write 0")
        tags = [tag.strip() for tag in row["tags"].split(";")]
        if SEVERAL_KILLED_TAG in tags and row["fatalities"].strip():
            yield Problem("incidents", rid, line, "tags",
                          f"{SEVERAL_KILLED_TAG!r} needs an empty fatalities cell (a number was given)")


def check_scope_and_places(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """scope from the vocabulary; reported_location only beside stand-in coordinates."""
    for rid, row in _rows(tables, "incidents"):
        line = row["_line"]
        if row["scope"] and row["scope"] not in SCOPES:
            yield Problem("incidents", rid, line, "scope", f"must be one of {', '.join(SCOPES)}")
        reported = row["reported_location"].strip()
        if reported and not row["location"]:
            yield Problem("incidents", rid, line, "reported_location",
                          "given without coordinates: a place with no stand-in goes in notes")
        elif reported and row["geo_precision"] == "1":
            yield Problem("incidents", rid, line, "reported_location",
                          "geo_precision 1 means the coordinates are the place itself, not a stand-in")
        elif reported and reported == row["location"]:
            yield Problem("incidents", rid, line, "reported_location", "equals location: leave it empty")


def check_sources_metadata(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    for rid, row in _rows(tables, "sources"):
        line = row["_line"]
        if row["url"] and not re.fullmatch(r"https?://\S+", row["url"]):
            yield Problem("sources", rid, line, "url", f"not an http(s) URL: {row['url'][:60]!r}")
        if row["language"] and not re.fullmatch(r"[a-z]{2}", row["language"]):
            yield Problem("sources", rid, line, "language", f"not an ISO 639-1 code: {row['language']!r}")


def read_seed_actors(seeds_dir: Path) -> list[Actor] | Problem:
    """The actor dictionary of a seeds folder, or the problem that stops it loading."""
    path = seeds_dir / ACTORS_FILE
    if not path.is_file():
        return Problem("actors", "-", 0, "file", f"{ACTORS_FILE} not found in {seeds_dir}")
    try:
        return read_actors(path)
    except (KeyError, UnicodeDecodeError, ValueError) as exc:
        return Problem("actors", "-", 0, "file", f"{ACTORS_FILE} does not load: {exc}")


def check_actors(tables: dict[str, pd.DataFrame], actors: list[Actor] | Problem) -> Iterator[Problem]:
    """The actor dictionary is well formed, and every actor name in the records resolves through it."""
    if isinstance(actors, Problem):
        yield actors
        return
    dictionary = ActorDictionary(actors)
    for line, actor in enumerate(actors, start=2):
        if not actor.name:
            yield Problem("actors", "?", line, "actor", "required value is empty")
        if actor.kind not in KINDS:
            yield Problem("actors", actor.name, line, "kind", f"must be one of {', '.join(KINDS)}")
        if actor.inter not in INTER_CODES:
            yield Problem("actors", actor.name, line, "inter", f"unknown actor type {actor.inter!r}")
    for conflict in dictionary.conflicts:
        yield Problem("actors", "-", 0, "aliases", f"{ACTORS_FILE}: {conflict}")
    for rid, row in _rows(tables, "incidents"):
        for col in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"):
            for name in filter(None, (n.strip() for n in row[col].split(";"))):
                if dictionary.canonical(name) is None:
                    yield Problem("incidents", rid, row["_line"], col, f"{name!r} is not in {ACTORS_FILE}")
    for rid, row in _rows(tables, "claims"):
        if row["actor"] and dictionary.canonical(row["actor"]) is None:
            yield Problem("claims", rid, row["_line"], "actor", f"{row['actor']!r} is not in {ACTORS_FILE}")


def check_dates(tables: dict[str, pd.DataFrame], today: dt.date | None = None) -> Iterator[Problem]:
    latest = today or dt.date.today()
    for rid, row in _rows(tables, "incidents"):
        start, end = _parse_date(row["event_date"]), _parse_date(row["end_date"])
        line = row["_line"]
        for col, value in (("event_date", start), ("end_date", end)):
            if value and not (EARLIEST_DATE <= value <= latest):
                yield Problem("incidents", rid, line, col, f"{value} is outside {EARLIEST_DATE}..{latest}")
        if start and end and start > end:
            yield Problem("incidents", rid, line, "end_date", f"ends ({end}) before it starts ({start})")
        if start and _is_int(row["year"]) and int(row["year"]) != start.year:
            yield Problem("incidents", rid, line, "year", f"{row['year']} does not match event_date {start}")


def check_places(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Each located record lies in its stated country, region and district polygons.

    Names match as analysts write them (any spelling in the geodata's name_alt).
    """
    levels = (("country", "countries"), ("admin1", "regions"), ("admin2", "districts"))
    for name in ("incidents", "sites"):
        for rid, row in _rows(tables, name):
            try:
                point = Point(float(row["longitude"]), float(row["latitude"]))
            except ValueError:
                continue  # no location, or reported by check_types
            for field, layer in levels:
                stated = row[field]
                if not stated:
                    continue
                matches = geodata.search_layer(layer, stated)
                if matches.empty:
                    if field == "country":
                        yield Problem(name, rid, row["_line"], field,
                                      f"{stated!r} is outside the map's geodata; location not checked", "warning")
                    else:
                        yield Problem(name, rid, row["_line"], field, f"no {field} polygon named {stated!r}")
                    break
                if min(geom.distance(point) for geom in matches.geometry) > BORDER_TOLERANCE_DEG:  # degrees, by design
                    yield Problem(name, rid, row["_line"], "latitude/longitude",
                                  f"({point.y}, {point.x}) is not inside {field} {stated!r}")


def source_texts(seeds_dir: Path, tables: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    """The listed source files' bytes, as the seeds folder holds them."""
    return {
        row["source_file"]: (seeds_dir / row["source_file"]).read_bytes()
        for _, row in tables["sources"].iterrows()
        if (seeds_dir / row["source_file"]).is_file()
    }


def check_quotes(tables: dict[str, pd.DataFrame], texts: dict[str, bytes]) -> Iterator[Problem]:
    """Every quote occurs, byte for byte, in the source text it cites."""
    for rid, row in _rows(tables, "sources"):
        if row["source_file"] not in texts:
            yield Problem("sources", rid, row["_line"], "source_file", "file not found in seeds/")
    for name in ("evidence", "claims"):
        for rid, row in _rows(tables, name):
            text = texts.get(row["source_file"])
            if text is None:
                yield Problem(name, rid, row["_line"], "source_file", f"{row['source_file']!r} is not a listed seed file")
            elif row["quote"] and row["quote"].encode("utf-8") not in text:
                yield Problem(name, rid, row["_line"], "quote", f"not found verbatim in {row['source_file']}: {row['quote'][:60]!r}")


def check_links(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    incident_ids = set(tables["incidents"]["event_id_cnty"])
    site_ids = set(tables["sites"]["site_id"])
    for rid, row in _rows(tables, "claims"):
        if row["incident_id"] not in incident_ids:
            yield Problem("claims", rid, row["_line"], "incident_id", f"no incident {row['incident_id']!r}")
    for rid, row in _rows(tables, "incidents"):
        if row["site_id"] and row["site_id"] not in site_ids:
            yield Problem("incidents", rid, row["_line"], "site_id", f"no site {row['site_id']!r}")
        for related in filter(None, row["related_ids"].split("|")):
            if related not in incident_ids:
                yield Problem("incidents", rid, row["_line"], "related_ids", f"no incident {related!r}")
    for rid, row in _rows(tables, "evidence"):
        if row["record_id"] not in incident_ids | site_ids:
            yield Problem("evidence", rid, row["_line"], "record_id", f"no incident or site {row['record_id']!r}")
    for rid, row in _rows(tables, "sites"):
        if row["geometry_ref"]:
            layer_file, _, feature_id = row["geometry_ref"].partition("#")
            try:
                layer = geodata.load_layer(layer_file.removesuffix(".geojson"))
            except (FileNotFoundError, KeyError, ValueError):  # ValueError: not a geodata layer name
                layer = None
            if layer is None or "site_id" not in layer or feature_id not in set(layer["site_id"]):
                yield Problem("sites", rid, row["_line"], "geometry_ref", f"{row['geometry_ref']!r} does not resolve")
    cited = set(tables["evidence"]["record_id"])
    for name in ("incidents", "sites"):
        for rid, row in _rows(tables, name):
            if rid not in cited:
                yield Problem(name, rid, row["_line"], ID_COLUMN[name], "no evidence row cites a source for this record")


def check_unique_ids(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    for name in ("incidents", "claims", "sites", "sources"):
        ids = tables[name][ID_COLUMN[name]]
        for _, row in tables[name][ids.duplicated(keep="first")].iterrows():
            rid = row[ID_COLUMN[name]]
            yield Problem(name, rid, row["_line"], ID_COLUMN[name], f"duplicate id {rid!r}")


def check_all(tables: dict[str, pd.DataFrame], texts: dict[str, bytes], actors: list[Actor] | Problem,
              today: dt.date | None = None) -> list[Problem]:
    """Every rule on text tables (with ``_line``), the source texts they cite and the actor dictionary."""
    checks: Iterable[Iterator[Problem]] = (
        check_required(tables),
        check_types(tables),
        check_codes(tables),
        check_counts(tables),
        check_scope_and_places(tables),
        check_sources_metadata(tables),
        check_actors(tables, actors),
        check_dates(tables, today),
        check_places(tables),
        check_quotes(tables, texts),
        check_links(tables),
        check_unique_ids(tables),
    )
    return [problem for check in checks for problem in check]


def validate(seeds_dir: Path = SEEDS_DIR, today: dt.date | None = None) -> list[Problem]:
    """All problems in the curated data, errors and warnings."""
    try:
        tables = read_tables(seeds_dir)
    except (DataError, FileNotFoundError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        return [Problem("seeds", "-", 0, "file", str(exc))]
    return check_all(tables, source_texts(seeds_dir, tables), read_seed_actors(seeds_dir), today)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="folder holding the curated CSVs (default: seeds/)")
    parser.add_argument("--store", action="store_true",
                        help="check the store's published records instead (line numbers are those of `db dump`)")


def run(args: argparse.Namespace) -> int:
    if args.store:
        import tempfile

        from panjmap.store import open_store, records

        with tempfile.TemporaryDirectory(prefix="panj-validate-") as folder:
            records.dump(open_store(), Path(folder))
            args.store = False
            args.seeds = Path(folder)
            return run(args)
    problems = validate(args.seeds)
    for problem in problems:
        print(problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    counts = {name: len(frame) for name, frame in read_tables(args.seeds).items()} if errors == 0 else {}
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    print(f"{'FAILED' if errors else 'OK'}: {errors} error(s), {warnings} warning(s){' in ' + summary if summary else ''}")
    return 1 if errors else 0
