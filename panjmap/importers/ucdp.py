"""UCDP GED CSV (49- and 42-column versions, HDX per-country files) -> :class:`Staged`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from panjmap.importers import values
from panjmap.importers.core import Problems, Staged, at_lines, rows
from panjmap.importers.csvtable import Table

# type_of_violence -> (event_type, sub_event_type)
VIOLENCE: dict[int, tuple[str, str]] = {
    1: ("Battles", "Armed clash"),
    2: ("Battles", "Armed clash"),
    3: ("Violence against civilians", "Attack"),
}
DATE_PREC: dict[int, int] = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
WHERE_PREC: dict[int, int] = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 3, 7: 3}

# Our column <- UCDP column, copied as is.
DIRECT: dict[str, str] = {
    "event_date": "date_start", "end_date": "date_end", "actor1": "side_a", "actor2": "side_b",
    "admin1": "adm_1", "admin2": "adm_2", "country": "country", "region": "region",
    "latitude": "latitude", "longitude": "longitude", "source": "source_article",
    "fatalities": "best", "fatalities_low": "low", "fatalities_high": "high",
}
RULES: dict[str, str] = {
    "event_id_cnty": "'UCDP-' + id",
    "year": "year of date_start",
    "time_precision": "date_prec (1->1, 2->2, 3->2, 4->3, 5->3)",
    "geo_precision": "where_prec (1->1, 2->2, 3->2, 4->3, 5/6/7->3; where_prec kept in original)",
    "event_type": "type_of_violence (1, 2 -> Battles; 3 -> Violence against civilians)",
    "sub_event_type": "type_of_violence (1, 2 -> Armed clash; 3 -> Attack)",
    "disorder_type": "'Political violence' (every UCDP event is lethal organised violence)",
    "civilian_targeting": "'Civilian targeting' where type_of_violence is 3 (one-sided)",
}


def _first_filled(raw: pd.DataFrame, *keys: str) -> tuple[pd.Series, str]:
    """Values of the first column, filled from the next where empty; -> (values, description)."""
    present = [key for key in keys if key in raw]
    result = raw[present[0]].astype(str)
    for key in present[1:]:
        result = result.where(result.str.strip() != "", raw[key].astype(str))
    return result, present[0] + "".join(f" ({key} when empty)" for key in present[1:])


def _recode(raw: pd.Series, label: str, table: dict[int, int], problems: Problems) -> tuple[pd.Series, pd.Series]:
    """Code column -> (our code as text, original code as Int64)."""
    codes, errors = values.parse_codes(raw, label, tuple(table))
    problems.add(errors != "", errors)
    codes = pd.Series(codes, index=raw.index)
    return codes.map(table, na_action="ignore").astype("Int64").astype(str).replace("<NA>", ""), codes


def stage(table: Table) -> Staged:
    raw = table.frame()
    empty = pd.Series("", index=raw.index, dtype=object)
    problems = Problems()
    frame = pd.DataFrame(index=raw.index)
    mapped: dict[str, str] = {}
    for ours, theirs in DIRECT.items():
        if theirs in raw:
            frame[ours] = raw[theirs]
            mapped[ours] = theirs
    for ours, keys in (("location", ("where_coordinates", "where_description")),
                       ("notes", ("source_headline", "source_article"))):
        if any(key in raw for key in keys):
            frame[ours], mapped[ours] = _first_filled(raw, *keys)

    ids = raw["id"].astype(str).str.strip().str.removesuffix(".0")
    frame["event_id_cnty"] = ("UCDP-" + ids).where(ids != "", "")

    violence, errors = values.parse_codes(raw["type_of_violence"], "type_of_violence", tuple(VIOLENCE))
    problems.add(errors != "", errors)
    violence = pd.Series(violence, index=raw.index)
    problems.add(violence.isna() & (errors == ""), "missing type_of_violence")
    frame["event_type"] = violence.map({k: v[0] for k, v in VIOLENCE.items()}, na_action="ignore").fillna("")
    frame["sub_event_type"] = violence.map({k: v[1] for k, v in VIOLENCE.items()}, na_action="ignore").fillna("")
    frame["disorder_type"] = np.where(violence.notna(), "Political violence", "")
    frame["civilian_targeting"] = np.where((violence == 3).fillna(False), "Civilian targeting", "")

    warnings: list[str] = []
    frame["time_precision"], date_prec = _recode(raw.get("date_prec", empty), "date_prec", DATE_PREC, problems)
    frame["geo_precision"], _ = _recode(raw.get("where_prec", empty), "where_prec", WHERE_PREC, problems)
    yearly = (date_prec == 5).fillna(False).to_numpy(dtype=bool)
    if yearly.any():
        warnings.append(
            "date_prec 5 (only the year is known) is coarser than ACLED's time_precision scale; stored as "
            "time_precision 3, with event_date..end_date spanning the period "
            f"({rows(int(yearly.sum()))}: {at_lines(np.asarray(table.lines)[yearly])})"
        )
    mapped.update({ours: rule for ours, rule in RULES.items()
                   if ours not in ("time_precision", "geo_precision")
                   or {"time_precision": "date_prec", "geo_precision": "where_prec"}[ours] in raw})
    if "date_end" not in raw:
        mapped["end_date"] = "= date_start (no date_end column)"
    labels = {ours: theirs for ours, theirs in DIRECT.items()}
    labels.update({"event_id_cnty": "id", "time_precision": "date_prec", "geo_precision": "where_prec"})
    hdx = table.hxl_line is not None or "iso3" in table.keys
    return table.stage("ucdp-ged-hdx" if hdx else "ucdp-ged", frame, mapped, labels, problems, warnings)
