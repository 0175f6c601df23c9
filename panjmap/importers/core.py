"""Shared types and the common last step of every importer.

Each format module (acled, ucdp, geojson_points) turns its input into a
:class:`Staged` table: one row per input record, our column names, raw text
values. :func:`finalize` then validates coordinates, dates, precision codes and
counts in one place, drops bad rows with their line numbers, applies the
all-or-nothing rule and builds the GeoDataFrame.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from panjmap.actors import resolve_column
from panjmap.importers import values
from panjmap.schema import ACLED_COLUMNS, INCIDENT_COLUMNS

ACTOR_COLUMNS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")

# Columns every imported record carries after INCIDENT_COLUMNS, in this order.
EXTRA_RESULT_COLUMNS: tuple[str, ...] = ("fatalities_low", "fatalities_high", "dataset", "original")
RESULT_COLUMNS: tuple[str, ...] = INCIDENT_COLUMNS + EXTRA_RESULT_COLUMNS
# Columns a format module may fill (raw text); everything else is derived here.
TARGET_COLUMNS: tuple[str, ...] = INCIDENT_COLUMNS + ("fatalities_low", "fatalities_high")
COUNT_COLUMNS: tuple[str, ...] = ("fatalities", "fatalities_low", "fatalities_high", "injuries")
PRECISION_COLUMNS: tuple[str, ...] = ("time_precision", "geo_precision")
INT_COLUMNS: frozenset[str] = frozenset(("year",) + PRECISION_COLUMNS + COUNT_COLUMNS)

SOURCE_FORMAT_LABELS: dict[str, str] = {
    "acled-current": "ACLED (current 31-column export)",
    "acled-legacy": "ACLED (pre-2023 export)",
    "ucdp-ged": "UCDP GED",
    "ucdp-ged-hdx": "UCDP GED (HDX per-country file)",
    "geojson": "GeoJSON points",
}


def rows(count: int, unit: str = "row") -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def unit_of(source_format: str) -> str:
    return "feature" if source_format == "geojson" else "row"


def at_lines(lines: np.ndarray | list[int], limit: int = 10) -> str:
    """'line 5' or 'lines 3, 7, ...' (at most ``limit`` shown)."""
    shown = ", ".join(str(int(x)) for x in lines[:limit]) + (", ..." if len(lines) > limit else "")
    return f"line{'s' if len(lines) > 1 else ''} {shown}"


class ImportRejected(Exception):
    """The whole file is unusable; ``message`` says where and why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    dataset_name: str
    source_format: str
    records: gpd.GeoDataFrame
    mapped: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0

    def summary(self, max_skipped: int = 20) -> str:
        label = SOURCE_FORMAT_LABELS.get(self.source_format, self.source_format)
        lines = [
            f"Imported {len(self.records)} of {rows(self.rows_read, unit_of(self.source_format))} as {label} "
            f"into dataset '{self.dataset_name}'."
        ]
        if self.mapped:
            lines.append("Columns:")
            width = max(len(name) for name in self.mapped)
            lines += [f"  {name:<{width}} <- {rule}" for name, rule in self.mapped.items()]
        if self.skipped:
            lines.append(f"Skipped {rows(len(self.skipped), unit_of(self.source_format))}:")
            if len(self.skipped) > 5:
                for reason, (count, first) in group_reasons(self.skipped).items():
                    lines.append(f"  {count} x {reason} (first on line {first})")
            lines += [f"  line {line}: {reason}" for line, reason in self.skipped[:max_skipped]]
            if len(self.skipped) > max_skipped:
                lines.append(f"  ... and {len(self.skipped) - max_skipped} more")
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  - {warning}" for warning in self.warnings]
        return "\n".join(lines)


def group_reasons(skipped: list[tuple[int, str]]) -> dict[str, tuple[int, int]]:
    """Reason kind (quoted values elided) -> (count, first line), most common first."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for line, reason in skipped:
        for part in reason.split("; "):
            kind = re.sub(r"\s*\(.*\)$", "", re.sub(r"'[^']*'", "'...'", part))
            counts[kind] += 1
            first.setdefault(kind, line)
    return {kind: (count, first[kind]) for kind, count in counts.most_common()}


class Problems:
    """Row-level problems, collected by row position while a table is checked."""

    def __init__(self) -> None:
        self.by_row: dict[int, list[str]] = {}

    def add(self, mask: np.ndarray | pd.Series, reason: str | pd.Series) -> None:
        mask = np.asarray(mask, dtype=bool)
        texts = None if isinstance(reason, str) else np.asarray(reason, dtype=object)
        for pos in np.flatnonzero(mask):
            self.by_row.setdefault(int(pos), []).append(reason if texts is None else texts[pos])

    def add_at(self, pos: int, reason: str) -> None:
        self.by_row.setdefault(int(pos), []).append(reason)

    def bad_mask(self, n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        mask[list(self.by_row)] = True
        return mask


@dataclass
class Staged:
    """One format's rows in our column names, as raw text, ready for :func:`finalize`."""

    source_format: str
    frame: pd.DataFrame  # TARGET_COLUMNS present in the file, as text ("" when empty)
    lines: np.ndarray  # line number of each row
    originals: pd.Series  # JSON of each full original row (str)
    mapped: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)  # our column -> original name, for messages
    problems: Problems = field(default_factory=Problems)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # rows dropped before staging
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0
    numbered_by: str = "line"  # what ``lines`` count: "line" or "feature" (GeoJSON without line numbers)

    def column(self, name: str) -> pd.Series:
        if name in self.frame:
            return self.frame[name]
        return pd.Series([""] * len(self.frame), index=self.frame.index, dtype=object)

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def finalize(staged: Staged, dataset_name: str) -> ImportResult:
    """Validate the shared columns, drop bad rows, enforce the all-or-nothing rule."""
    mapped = dict(staged.mapped)
    out: dict[str, object] = {}
    notes: dict[str, np.ndarray] = {}  # warning -> rows it concerns
    _check_coordinates(staged, out, notes)
    _check_dates(staged, out)
    _check_numbers(staged, out, notes)
    _check_ids(staged, out, mapped, notes, dataset_name)

    n = len(staged.frame)
    skipped = sorted(
        staged.skipped
        + [(int(staged.lines[pos]), "; ".join(reasons)) for pos, reasons in staged.problems.by_row.items()]
    )
    _reject_if_mostly_bad(skipped, staged.rows_read, staged.source_format)
    keep = ~staged.problems.bad_mask(n)

    warnings = list(staged.warnings)
    for note, mask in notes.items():
        if (hit := np.asarray(mask, dtype=bool) & keep).any():
            warnings.append(f"{rows(int(hit.sum()))}: {note} ({at_lines(staged.lines[hit])})")
    absent = [name for name in ACLED_COLUMNS if name not in mapped]
    if absent:
        warnings.append(f"no matching column in this file, left empty: {', '.join(absent)}")
    return ImportResult(
        dataset_name=dataset_name,
        source_format=staged.source_format,
        records=_records(staged, out, keep, dataset_name),
        mapped={name: mapped[name] for name in sorted(mapped, key=_column_order)},
        skipped=skipped,
        warnings=warnings,
        rows_read=staged.rows_read,
    )


def _check_coordinates(staged: Staged, out: dict[str, object], notes: dict[str, np.ndarray]) -> None:
    lat, lon, problems, coord_notes = values.coordinates(
        staged.column("latitude"), staged.column("longitude"), staged.column("country"),
        staged.label("latitude"), staged.label("longitude"),
    )
    staged.problems.add(problems != "", problems)
    notes.update(coord_notes)
    out["latitude"], out["longitude"] = lat, lon


def _check_dates(staged: Staged, out: dict[str, object]) -> None:
    """event_date required; end_date defaults to it and may not come before it."""
    start, errors = values.parse_dates(staged.column("event_date"), staged.label("event_date"))
    staged.problems.add(errors != "", errors)
    end, errors = values.parse_dates(staged.column("end_date"), staged.label("end_date"), missing_ok=True)
    staged.problems.add(errors != "", errors)
    end = end.where(end != "", start)
    backwards = (start != "") & (end != "") & (end < start)
    staged.problems.add(backwards, f"{staged.label('end_date')} is before {staged.label('event_date')}")
    out["event_date"], out["end_date"] = start, end
    years = {d: int(d[:4]) for d in pd.unique(start.to_numpy(dtype=object)) if d}
    out["year"] = pd.array(start.map(years).to_numpy(dtype=float, na_value=np.nan), dtype="Int64")


def _check_numbers(staged: Staged, out: dict[str, object], notes: dict[str, np.ndarray]) -> None:
    for name in PRECISION_COLUMNS:
        out[name], errors = values.parse_codes(staged.column(name), staged.label(name), (1, 2, 3))
        staged.problems.add(errors != "", errors)
    for name in COUNT_COLUMNS:
        out[name], errors = values.parse_counts(staged.column(name), staged.label(name))
        staged.problems.add(errors != "", errors)
    low, best, high = (pd.Series(out[name], dtype="Int64")
                       for name in ("fatalities_low", "fatalities", "fatalities_high"))
    disordered = ((low > best) | (best > high) | (low > high)).fillna(False).to_numpy(dtype=bool)
    notes["fatality estimates are not ordered low <= best <= high; kept as given"] = disordered


def _check_ids(
    staged: Staged, out: dict[str, object], mapped: dict[str, str], notes: dict[str, np.ndarray],
    dataset_name: str,
) -> None:
    """Fill missing ids from the line (or feature) number; later duplicates of an id are problems."""
    ids = staged.column("event_id_cnty").astype(str).str.strip().tolist()
    lines = staged.lines.tolist()
    if "" in ids:
        unit = staged.numbered_by
        pattern = f"{dataset_name}-{unit[0].upper()}<{unit}>"
        notes[f"no event id; assigned '{pattern}'"] = np.array([not i for i in ids], dtype=bool)
        ids = [i or f"{dataset_name}-{unit[0].upper()}{line}" for i, line in zip(ids, lines, strict=True)]
        mapped.setdefault("event_id_cnty", f"generated as '{pattern}' (no id in the file)")
    first: dict[str, int] = {}
    for pos in np.flatnonzero(~staged.problems.bad_mask(len(ids))).tolist():
        seen = first.setdefault(ids[pos], pos)
        if seen != pos:
            staged.problems.add_at(pos, f"duplicate event id '{ids[pos]}' (first on line {lines[seen]})")
    out["event_id_cnty"] = ids


def _records(staged: Staged, out: dict[str, object], keep: np.ndarray, dataset_name: str) -> gpd.GeoDataFrame:
    """The kept rows as a GeoDataFrame: RESULT_COLUMNS in order, then geometry."""
    columns: dict[str, pd.Series] = {}
    for name in TARGET_COLUMNS:
        column = pd.Series(out[name] if name in out else staged.column(name)).reset_index(drop=True)
        columns[name] = column[keep].reset_index(drop=True)
        if name not in INT_COLUMNS and name not in ("latitude", "longitude"):
            columns[name] = columns[name].astype(str)
    for name in ACTOR_COLUMNS:  # one actor, one name: "ISKP", "IS-K" -> the dictionary's canonical name
        columns[name] = resolve_column(columns[name], lists=name.startswith("assoc"))
    columns["dataset"] = pd.Series([dataset_name] * int(keep.sum()), dtype=str)
    columns["original"] = staged.originals[keep].reset_index(drop=True)
    frame = pd.DataFrame(columns)[list(RESULT_COLUMNS)]
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs="EPSG:4326"
    )


def _column_order(name: str) -> int:
    return RESULT_COLUMNS.index(name) if name in RESULT_COLUMNS else len(RESULT_COLUMNS)


def _reject_if_mostly_bad(skipped: list[tuple[int, str]], rows_read: int, source_format: str) -> None:
    if rows_read == 0:
        raise ImportRejected("The file has a header but no data rows.")
    if len(skipped) * 2 <= rows_read:
        return
    groups = group_reasons(skipped)
    label = SOURCE_FORMAT_LABELS.get(source_format, source_format)
    if len(skipped) == rows_read and set(groups) <= {"missing latitude and longitude"}:
        raise ImportRejected(
            f"No coordinates: latitude and longitude are empty in all {rows_read} rows "
            f"(read as {label}). Every record needs a point to be mapped."
        )
    top = "; ".join(
        f"{count} x {reason} (first on line {first})" for reason, (count, first) in list(groups.items())[:3]
    )
    raise ImportRejected(
        f"{len(skipped)} of {rows(rows_read, unit_of(source_format))} could not be used (more than half), so nothing was "
        f"imported (read as {label}). Most common problems: {top}. "
        f"First bad row: line {skipped[0][0]}: {skipped[0][1]}."
    )
