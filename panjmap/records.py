"""Looking up one record, and saying it in words: precision, casualties, place.

Every renderer (detail panel, popups, timeline, tables, exports) says a count the
sources do not give as "not reported" (or "several, no number"), never as 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from panjmap.data import Dataset
from panjmap.layers import MapLayer, curated_layer
from panjmap.schema import GEO_PRECISION, SEVERAL_KILLED_TAG, TIME_PRECISION, VIOLENT_EVENT_TYPES

NOT_REPORTED = "not reported"
SEVERAL_NO_NUMBER = "several, no number"

# The incident tooltip ends with "ID: <id> [<layer key>]" (mapview.elements).
_TOOLTIP_ID = re.compile(r"ID: (.+) \[([^\]]+)\]\s*$")


def selection_from_tooltip(tooltip: str | None, keys: Iterable[str] = ()) -> str | None:
    """ "layer/id" from the text of a clicked incident's tooltip, or None.

    With ``keys`` (the layer keys on the map) the layer is the key the text ends
    with, so a key holding "]" or " [" (an imported layer's free-text name)
    still parses; the id is what follows the last "ID: " (a location may hold one).
    """
    if not tooltip:
        return None
    text = tooltip.strip()
    for key in sorted(keys, key=len, reverse=True):
        if text.endswith(f" [{key}]"):
            head = text[: -len(key) - 3]
            start = head.rfind("ID: ")
            return f"{key}/{head[start + 4:]}" if start >= 0 and head[start + 4:] else None
    match = _TOOLTIP_ID.search(text)
    return f"{match.group(2)}/{match.group(1)}" if match else None


def find_record(selected: str, dataset: Dataset, imports: list[MapLayer]) -> tuple[MapLayer, pd.Series] | None:
    """The layer and record named by ``selected`` ("layer/id"; both parts may contain "/")."""
    layers = sorted([curated_layer(dataset), *imports], key=lambda layer: len(layer.key), reverse=True)
    for layer in layers:
        if selected.startswith(layer.key + "/"):
            record_id = selected[len(layer.key) + 1:]
            records = layer.records.records
            match = records[records["event_id_cnty"].astype(str) == record_id]
            return (layer, match.iloc[0]) if len(match) else None
    return None


def describe_precision(record: pd.Series) -> tuple[str, str]:
    """(time in words, location precision in words) for one record."""
    start = pd.Timestamp(record["event_date"]).date()
    end = pd.Timestamp(record["end_date"]).date() if pd.notna(record["end_date"]) else start
    span = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
    tp = record["time_precision"]
    time_words = f"{span} ({TIME_PRECISION.get(int(tp), 'precision not coded')})" if pd.notna(tp) else span
    gp = record["geo_precision"]
    geo_words = f"code {int(gp)}: {GEO_PRECISION[int(gp)]}" if pd.notna(gp) and int(gp) in GEO_PRECISION else "location not reported: not on the map"
    return time_words, geo_words


def _count(value: object) -> int | None:
    """A count as an int, or None when no source gives one (empty, NaN, pd.NA, not a number)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def several_killed(record: pd.Series) -> bool:
    """The sources say people were killed but give no number (SEVERAL_KILLED_TAG)."""
    tags = [t.strip() for t in str(record.get("tags") or "").split(";")]
    return SEVERAL_KILLED_TAG in tags and _count(record.get("fatalities")) is None


def killed_text(record: pd.Series) -> str:
    """"3 killed", "killed: several, no number" or "killed: not reported" (never 0 for unknown)."""
    killed = _count(record.get("fatalities"))
    if killed is not None:
        return f"{killed} killed"
    return f"killed: {SEVERAL_NO_NUMBER if several_killed(record) else NOT_REPORTED}"


def injured_text(record: pd.Series) -> str:
    injured = _count(record.get("injuries"))
    return f"{injured} injured" if injured is not None else f"injured: {NOT_REPORTED}"


def casualties_text(record: pd.Series) -> str:
    """Killed and injured in words, e.g. "2 killed; injured: not reported".

    A response (statement, arrest, visit) coded 0 killed with no injury count is
    "no casualties (not a violent event)", not "0 killed; injured: not reported".
    """
    violent = record.get("event_type") in VIOLENT_EVENT_TYPES
    if not violent and _count(record.get("fatalities")) in (0, None) and _count(record.get("injuries")) is None:
        return "no casualties (not a violent event)"
    return f"{killed_text(record)}; {injured_text(record)}"


def place_title(record: pd.Series) -> str:
    """The place as the sources name it (a stand-in's reported place), else the mapped location."""
    reported = str(record.get("reported_location") or "").strip()
    location = str(record.get("location") or "").strip()
    return reported or location or "(location not reported)"


def stand_in_note(record: pd.Series) -> str:
    """Why the point is not the reported place, e.g. "Shodaki: not in open gazetteers; placed at
    Qalaikhumb, district centre"; "" when the coordinates are the reported place itself."""
    reported = str(record.get("reported_location") or "").strip()
    location = str(record.get("location") or "").strip()
    if not reported or not location or reported == location:
        return ""
    if reported.casefold().endswith(" district"):
        return f"{reported}: placed at {location}, the district centre"
    return f"{reported}: not in open gazetteers; placed at {location}, district centre"
