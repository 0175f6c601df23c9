"""Filter options shared by the ``export`` and ``snapshot`` commands, turned into a ViewState.

The command line builds the same view state the app does, so a CLI export and
a page export of the same state are the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qs

import geopandas as gpd

from panjmap import export
from panjmap.data import Dataset, load_dataset
from panjmap.layers import curated_layer
from panjmap.state import ViewState


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _bbox(text: str) -> tuple[float, float, float, float]:
    state, errors = ViewState.from_query({"bbox": text})
    if errors or state.bbox is None:
        raise argparse.ArgumentTypeError(f"expected --bbox W,S,E,N in degrees, got {text!r}")
    return state.bbox


def add_filter_arguments(parser: argparse.ArgumentParser, bbox: bool = False) -> None:
    parser.add_argument("--from", dest="date_from", type=_date, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=_date, help="last day, YYYY-MM-DD")
    parser.add_argument("--actor", action="append", default=[], metavar="NAME",
                        help="actor involved, attributed or suspected (repeatable); 'Unknown / unclaimed' too")
    parser.add_argument("--event-type", action="append", default=[], metavar="TYPE",
                        help="ACLED event type, e.g. 'Battles' (repeatable)")
    parser.add_argument("--context", action="store_true",
                        help="also include records of wider context (default: border incidents only, as the app)")
    parser.add_argument("--query", metavar="QUERY",
                        help="a permalink, or its query string; other options override it")
    if bbox:
        parser.add_argument("--bbox", type=_bbox, metavar="W,S,E,N", help="map extent in degrees")


def view_from_args(args: argparse.Namespace) -> ViewState:
    state = ViewState()
    if getattr(args, "query", None):
        query = args.query.split("?", 1)[-1]  # a whole permalink or just its query string
        state, errors = ViewState.from_query(parse_qs(query, keep_blank_values=True))
        if errors:
            raise SystemExit("; ".join(errors))
    changes = {}
    if args.date_from:
        changes["date_from"] = args.date_from
    if args.date_to:
        changes["date_to"] = args.date_to
    if args.actor:
        changes["actors"] = tuple(args.actor)
    if args.event_type:
        changes["event_types"] = tuple(args.event_type)
    if getattr(args, "bbox", None):
        changes["bbox"] = args.bbox
    if getattr(args, "context", False):
        changes["context"] = True
    state = state.replace(**changes)
    if state.date_from and state.date_to and state.date_from > state.date_to:
        raise SystemExit("--from is after --to")
    return state


@dataclass(frozen=True)
class Selection:
    """What a command exports: the view state, the data, the filtered incidents and their metadata."""

    state: ViewState
    dataset: Dataset
    records: gpd.GeoDataFrame
    meta: export.Metadata


def selection_from_args(args: argparse.Namespace) -> Selection:
    state = view_from_args(args)
    dataset = load_dataset()
    records = curated_layer(dataset).filtered(state)
    return Selection(state, dataset, records, export.metadata(state, dataset, records))
