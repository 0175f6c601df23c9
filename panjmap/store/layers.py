"""The store's imported datasets as map layers that hold no events: each view asks the database.

A layer's ``filtered(state)`` runs the view's filters in SQL (panjmap.store.queries);
the result is cached per (store, dataset, revision, filters) in one byte-bounded
cache shared by every session of the process, so reruns with the same filters and
many sessions on the same view share one result, and memory follows what the
views show, not the size of the datasets nor the number of sessions. A write
through any process bumps the store's revision and shows at the next rerun.

A view never draws more than ``MAX_SHOWN`` records of one layer: past that it
shows the earliest ``MAX_SHOWN`` by date, and ``matching`` says how many there were.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap import query
from panjmap.cache import ByteBoundedCache
from panjmap.layers import MAX_SHOWN, LayerSummary, MapLayer, import_key, with_dates
from panjmap.mapview import style
from panjmap.schema import INCIDENT_COLUMNS
from panjmap.state import ViewState
from panjmap.store import tables as t
from panjmap.store.core import Store, open_store
from panjmap.store.imports import list_datasets, select_records
from panjmap.store.queries import Bounds, conditions
from panjmap.store.summary import stored_summary

MAX_SELECTION_BYTES = 256 * 1024**2
# What a view's records carry: what the map, the table, the timeline and the exports read. Not
# ``original`` (the file's whole row), which only the detail panel reads, for one record (``record``).
VIEW_COLUMNS: tuple[str, ...] = (*INCIDENT_COLUMNS, "dataset")
# The filter fields of a view state: the rest (map position, layers, selection) does not change a selection.
_FILTER_FIELDS = ("date_from", "date_to", "actors", "event_types", "nationalities", "sides", "regions",
                  "min_fatalities", "text")


@dataclass(frozen=True)
class Selection:
    """What one view shows of a dataset: its records (at most ``MAX_SHOWN``) and how many match."""

    records: gpd.GeoDataFrame
    matching: int


def _selection_bytes(selection: Selection) -> int:
    return int(selection.records.memory_usage(deep=True).sum())


# Keyed by (store URL, dataset id, revision, filters); pruned to the datasets the store
# still holds whenever its list of datasets changes.
_SELECTIONS: ByteBoundedCache[Selection] = ByteBoundedCache(MAX_SELECTION_BYTES, sizeof=_selection_bytes)
# Sessions asking for the same selection at once wait for one query instead of each running it.
_QUERYING = [threading.Lock() for _ in range(16)]


def filters_of(state: ViewState) -> ViewState:
    """The part of ``state`` that selects records, with actors as the store holds them (canonical)."""
    return ViewState(**{name: getattr(state, name) for name in _FILTER_FIELDS}).replace(
        actors=query.canonical_actors(state.actors), text=state.text.strip())


@dataclass(frozen=True)
class StoredLayer(MapLayer):
    key: str
    label: str
    color: str | None
    url: str
    dataset_id: int
    revision: int
    event_count: int

    def selection(self, state: ViewState) -> Selection:
        filters = filters_of(state)
        key = (self.url, self.dataset_id, self.revision, filters)
        found = _SELECTIONS.get(key)
        if found is not None:
            return found
        with _QUERYING[hash(key) % len(_QUERYING)]:
            found = _SELECTIONS.get(key)
            if found is None:
                span = self.summary().longest_span_days
                with open_store(self.url).reading() as conn:
                    found = select_shown(conn, self.dataset_id, filters, span)
                _SELECTIONS.put(key, found)
        return found

    def filtered(self, state: ViewState) -> gpd.GeoDataFrame:
        return self.selection(state).records

    def matching(self, state: ViewState) -> int:
        return self.selection(state).matching

    def total(self) -> int:
        return self.event_count

    def record(self, record_id: str) -> pd.Series | None:
        with open_store(self.url).reading() as conn:
            found = select_records(conn, self.dataset_id, t.events.c.event_id_cnty == record_id, limit=1)
        return with_dates(found).iloc[0] if len(found) else None

    def summary(self) -> LayerSummary:
        return stored_summary(self.url, self.dataset_id, self.revision)


def select_shown(conn: Connection, dataset_id: int, state: ViewState, longest_span_days: int,
                 limit: int | None = None, bounds: Bounds | None = None) -> Selection:
    """The records ``state`` selects (within ``bounds`` if given), or if more than ``limit`` (default
    ``MAX_SHOWN``) do, the first by date; ``VIEW_COLUMNS`` only.

    ``longest_span_days``: the dataset's longest event_date..end_date span (its summary's).
    """
    limit = MAX_SHOWN if limit is None else limit
    e = t.events.c
    where = conditions(state, bounds, postgis=conn.dialect.name == "postgresql", dataset_id=dataset_id)
    if state.date_from:
        # Implied by "end_date >= date_from" given the longest span; it bounds the window on
        # both sides of the (event_date, end_date) index instead of one (seconds -> ~1 s at 1M events).
        where.append(e.event_date >= (state.date_from - dt.timedelta(days=longest_span_days)).isoformat())
    matching = conn.execute(sa.select(sa.func.count()).select_from(t.events)
                            .where(e.dataset_id == dataset_id, *where)).scalar_one()
    if matching <= limit:
        return Selection(with_dates(select_records(conn, dataset_id, *where, columns=VIEW_COLUMNS)), matching)
    # One query, the earliest first (ties in import order): it walks the date index and stops at the limit.
    shown = select_records(conn, dataset_id, *where, columns=VIEW_COLUMNS, order_by=(e.event_date,), limit=limit)
    return Selection(with_dates(shown), matching)


def stored_layers(store: Store | None = None) -> tuple[StoredLayer, ...]:
    """A layer per imported dataset in the store, oldest first."""
    store = store or open_store()
    return _layers(store.url, store.revisions()["imports"])


@functools.lru_cache(maxsize=1)  # only the current revision: an older one would list removed datasets
def _layers(url: str, _revision: int) -> tuple[StoredLayer, ...]:
    with open_store(url).reading() as conn:
        datasets = list_datasets(conn)
    current = {(url, ds.id, ds.revision) for ds in datasets}
    _SELECTIONS.retain(lambda key: key[0] != url or key[:3] in current)
    return tuple(StoredLayer(key=import_key(ds.name), label=ds.name, color=style.import_color(index), url=url,
                             dataset_id=ds.id, revision=ds.revision, event_count=ds.event_count)
                 for index, ds in enumerate(datasets))

