"""Looking up one record, and saying its precision in words."""

from __future__ import annotations

import re

import pandas as pd

from panjmap.data import Dataset
from panjmap.layers import MapLayer, curated_layer
from panjmap.schema import GEO_PRECISION, TIME_PRECISION

# The incident tooltip ends with "ID: <id> [<layer key>]" (mapview.elements).
_TOOLTIP_ID = re.compile(r"ID: (.+) \[([^\]]+)\]\s*$")


def selection_from_tooltip(tooltip: str | None) -> str | None:
    """ "layer/id" from the text of a clicked incident's tooltip, or None."""
    if not tooltip:
        return None
    match = _TOOLTIP_ID.search(tooltip.strip())
    return f"{match.group(2)}/{match.group(1)}" if match else None


def find_record(selected: str, dataset: Dataset, imports: list[MapLayer]) -> tuple[MapLayer, pd.Series] | None:
    key, _, record_id = selected.rpartition("/")
    if not record_id:
        return None
    for layer in [curated_layer(dataset), *imports]:
        if layer.key == key:
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
