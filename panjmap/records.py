"""Looking up one record, and saying its precision in words."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from panjmap.data import Dataset
from panjmap.layers import CURATED_KEY, MapLayer, curated_layer
from panjmap.memo import once_per
from panjmap.schema import GEO_PRECISION, TIME_PRECISION

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
            if layer.key == CURATED_KEY:  # asked on every rerun with a selection; small: indexed once
                position = once_per(records, _positions).get(record_id)
                return (layer, records.iloc[position]) if position is not None else None
            match = records[records["event_id_cnty"].astype(str) == record_id]
            return (layer, match.iloc[0]) if len(match) else None
    return None


def _positions(records: pd.DataFrame) -> dict[str, int]:
    """Each record id's first row position."""
    positions: dict[str, int] = {}
    for position, record_id in enumerate(records["event_id_cnty"].astype(str)):
        positions.setdefault(record_id, position)
    return positions


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

