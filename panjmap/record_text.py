"""One record in words: its casualties and its place, the same in every renderer.

The detail panel, map popups and tooltips, timeline, tables, summaries and
exports all say a count the sources do not give as "not reported" (or
"several, no number" where they say several), never as 0; and title a record
placed at a stand-in point by the place the sources name, stating the stand-in.
"""

from __future__ import annotations

import pandas as pd

from panjmap.schema import EVENT_TYPES, SEVERAL_KILLED_TAG, VIOLENT_EVENT_TYPES

NOT_REPORTED = "not reported"
SEVERAL_NO_NUMBER = "several, no number"
NON_VIOLENT_EVENT_TYPES = frozenset(EVENT_TYPES) - VIOLENT_EVENT_TYPES
def count(value: object) -> int | None:
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
    return SEVERAL_KILLED_TAG in tags and count(record.get("fatalities")) is None


def killed_text(record: pd.Series) -> str:
    """"3 killed", "killed: several, no number" or "killed: not reported" (never 0 for unknown)."""
    killed = count(record.get("fatalities"))
    if killed is not None:
        return f"{killed} killed"
    return f"killed: {SEVERAL_NO_NUMBER if several_killed(record) else NOT_REPORTED}"


def injured_text(record: pd.Series) -> str:
    injured = count(record.get("injuries"))
    return f"{injured} injured" if injured is not None else f"injured: {NOT_REPORTED}"


def casualties_text(record: pd.Series) -> str:
    """Killed and injured in words, e.g. "2 killed; injured: not reported".

    A response (statement, arrest, visit) coded 0 killed with no injury count is
    "no casualties (not a violent event)", not "0 killed; injured: not reported".
    """
    response = record.get("event_type") in NON_VIOLENT_EVENT_TYPES  # unknown type: not assumed peaceful
    if response and count(record.get("fatalities")) == 0 and count(record.get("injuries")) is None:
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


def count_column(values: pd.Series, several: pd.Series | None = None) -> pd.Series:
    """A column of counts as text for tables: the number, or "not reported" / "several, no number".

    Vectorised (imports can hold 100k records)."""
    numbers = pd.to_numeric(values, errors="coerce")
    text = numbers.map(lambda n: NOT_REPORTED if pd.isna(n) else str(int(n)))
    if several is not None:
        text = text.where(~(numbers.isna() & several.fillna(False).astype(bool)), SEVERAL_NO_NUMBER)
    return text.astype(object)


def several_mask(records: pd.DataFrame) -> pd.Series:
    """Which records carry the "several killed (no number)" tag."""
    if "tags" not in records:
        return pd.Series(False, index=records.index)
    return records["tags"].fillna("").astype(str).str.contains(SEVERAL_KILLED_TAG, regex=False)
