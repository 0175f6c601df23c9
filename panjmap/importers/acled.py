"""ACLED CSV exports, current (31 columns, text inter codes) and pre-2023
(data_id, event_id_no_cnty, iso3, numeric inter codes) -> :class:`Staged`."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from panjmap.importers.core import TARGET_COLUMNS, Problems, Staged, at_lines, rows
from panjmap.importers.csvtable import Table
from panjmap.schema import INTER_CODES

LEGACY_MARKERS: tuple[str, ...] = ("data_id", "event_id_no_cnty", "iso3")
# Our column -> names it has had in ACLED exports, preferred first.
ALIASES: dict[str, tuple[str, ...]] = {
    "assoc_actor_1": ("assoc_actor_1", "ally_actor_1"),
    "assoc_actor_2": ("assoc_actor_2", "ally_actor_2"),
}
INTER: dict[int, str] = dict(enumerate(INTER_CODES, start=1))


def is_legacy(keys: list[str]) -> bool:
    return any(key in keys for key in LEGACY_MARKERS) or "disorder_type" not in keys


def inter_text(code: int) -> str | None:
    """Legacy inter1/inter2 code -> ACLED's text (0 = no actor)."""
    return "" if code == 0 else INTER.get(code)


def interaction_text(code: int) -> str | None:
    """Legacy two-digit interaction code: 17 -> 'State forces-Civilians', 60 -> 'Protesters only'."""
    first, second = divmod(code, 10) if code >= 10 else (code, 0)
    if first not in INTER or (second and second not in INTER):
        return None
    return f"{INTER[first]}-{INTER[second]}" if second else f"{INTER[first]} only"


def convert_codes(
    values: pd.Series, convert: Callable[[int], str | None]
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Numeric codes -> text; -> (values, converted rows, unknown numeric codes kept as given)."""
    text = values.astype(str).str.strip()
    uniques = pd.unique(text.to_numpy(dtype=object))
    codes = [u for u in uniques if re.fullmatch(r"\d{1,2}(\.0)?", u)]
    known = {u: label for u in codes if (label := convert(int(float(u)))) is not None}
    result = text.map({u: known.get(u, u) for u in uniques}).astype(object)
    converted = text.isin(list(known)).to_numpy()
    unknown = text.isin([u for u in codes if u not in known]).to_numpy()
    return result, converted, unknown


def stage(table: Table) -> Staged:
    raw = table.frame()
    frame = pd.DataFrame(index=raw.index)
    mapped: dict[str, str] = {}
    labels: dict[str, str] = {}
    for target in TARGET_COLUMNS:
        source = next((key for key in ALIASES.get(target, (target,)) if key in raw), None)
        if source is None or target == "year":
            continue
        frame[target] = raw[source]
        mapped[target] = labels[target] = table.original_name(source)
    mapped["year"] = "year of event_date"
    if "end_date" not in frame:
        mapped["end_date"] = "= event_date (ACLED gives one date per event)"

    warnings: list[str] = []
    lines = np.asarray(table.lines)
    for column, convert in (("inter1", inter_text), ("inter2", inter_text), ("interaction", interaction_text)):
        if column not in frame:
            continue
        frame[column], converted, unknown = convert_codes(frame[column], convert)
        if converted.any():
            mapped[column] += " (numeric codes converted to ACLED's text labels)"
        if unknown.any():
            warnings.append(
                f"{rows(int(unknown.sum()))}: {column} has a numeric code that is not an ACLED code; "
                f"kept as given ({at_lines(lines[unknown])})"
            )
    legacy = is_legacy(table.keys)
    return table.stage(
        "acled-legacy" if legacy else "acled-current", frame, mapped, labels, Problems(), warnings
    )
