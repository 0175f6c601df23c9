"""Existing records a candidate reports again: same district, overlapping dates."""

from __future__ import annotations

import datetime as dt
import functools

from panjmap.data import read_tables
from panjmap.paths import SEEDS_DIR

COMPARED = ("fatalities", "injuries", "event_type", "sub_event_type")
MAX_RECORD_SPAN = 14  # days


@functools.lru_cache(maxsize=4)
def _records(seeds_dir: str) -> tuple[dict, ...]:
    frame = read_tables(__import__("pathlib").Path(seeds_dir))["incidents"]
    return tuple(frame.fillna("").to_dict("records"))


def records(seeds_dir=SEEDS_DIR) -> tuple[dict, ...]:
    """The curated incidents as text rows."""
    return _records(str(seeds_dir))


def _value(row: dict, field: str):
    raw = str(row.get(field, "") or "").strip()
    if field in ("fatalities", "injuries"):
        return int(raw) if raw.lstrip("-").isdigit() else None
    return raw or None


def find_matches(candidate: dict, seeds_dir=SEEDS_DIR) -> list[dict]:
    """Records of the same event as ``candidate``, each with the figures that disagree."""
    if not candidate.get("event_date") or not candidate.get("admin2"):
        return []
    first = dt.date.fromisoformat(candidate["event_date"])
    last = dt.date.fromisoformat(candidate["end_date"] or candidate["event_date"])
    out = []
    for row in records(seeds_dir):
        if row.get("admin2") != candidate["admin2"] or not row.get("event_date"):
            continue
        r_first = dt.date.fromisoformat(row["event_date"])
        r_last = dt.date.fromisoformat(row.get("end_date") or row["event_date"])
        if (r_last - r_first).days > MAX_RECORD_SPAN:
            continue  # a record dated only to months is not identifiable as this event
        if r_first > last + dt.timedelta(days=1) or first > r_last + dt.timedelta(days=1):
            continue  # a night's event is dated to either of its days
        conflicts = []
        for field in COMPARED:
            ours, theirs = candidate.get(field), _value(row, field)
            if ours is not None and theirs is not None and ours != theirs:
                conflicts.append({"field": field, "record": theirs, "proposed": ours})
        out.append({"incident_id": row["event_id_cnty"], "event_date": row["event_date"],
                    "end_date": row.get("end_date") or row["event_date"], "location": row.get("location") or None,
                    "proposal": "add this article as a new source of the record", "conflicts": conflicts})
    # the most specific record first: the shortest date range
    out.sort(key=lambda m: (dt.date.fromisoformat(m["end_date"]) - dt.date.fromisoformat(m["event_date"])).days)
    return out


def year_from_records(month: int, day: int, admin2: str | None, seeds_dir=SEEDS_DIR, slack: int = 3) -> tuple[int, str] | None:
    """The year of a day and month written without one, when exactly one record in the same
    district lies within ``slack`` days of it: (year, record id)."""
    if not admin2:
        return None
    hits = {}
    for row in records(seeds_dir):
        if row.get("admin2") != admin2 or not row.get("event_date"):
            continue
        r_first = dt.date.fromisoformat(row["event_date"])
        r_last = dt.date.fromisoformat(row.get("end_date") or row["event_date"])
        if (r_last - r_first).days > 10:
            continue
        for year in {r_first.year, r_last.year}:
            try:
                day_in_year = dt.date(year, month, day)
            except ValueError:
                continue
            if r_first - dt.timedelta(days=slack) <= day_in_year <= r_last + dt.timedelta(days=slack):
                hits.setdefault(year, row["event_id_cnty"])
    if len(hits) == 1:
        return next(iter(hits.items()))
    return None
