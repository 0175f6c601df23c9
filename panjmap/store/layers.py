"""The store's imported datasets as map layers that hold no events: each view asks the database.

A layer's ``filtered(state)`` runs the view's filters in SQL (panjmap.store.queries);
the result is cached per (store, dataset, revision, filters) in one byte-bounded
cache shared by every session of the process, so reruns with the same filters and
many sessions on the same view share one result, and memory follows what the
views show, not the size of the datasets nor the number of sessions. A write
through any process bumps the store's revision and shows at the next rerun.

A view never draws more than ``MAX_SHOWN`` records of one layer: past that it
shows the earliest ``MAX_SHOWN`` by date, and ``matching`` says how many there were;
once the map has reported its bounds, ``drawn`` shows what matches within them
instead (the earliest ``MAX_SHOWN`` there if still more). A view's records carry
``VIEW_COLUMNS`` only; ``record(id)`` reads one record whole. The timeline's daily
counts are grouped in SQL over every matching record.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from panjmap import query
from panjmap.cache import ByteBoundedCache
from panjmap.layers import MAX_SHOWN, Bounds, LayerSummary, MapLayer, import_key, with_dates
from panjmap.mapview import style
from panjmap.schema import INCIDENT_COLUMNS
from panjmap.state import ViewState
from panjmap.store import tables as t
from panjmap.store.core import Store, open_store
from panjmap.store.imports import list_datasets, select_records
from panjmap.store.queries import conditions, only_unindexed
from panjmap.store.summary import stored_summary

MAX_SELECTION_BYTES = 256 * 1024**2
T = TypeVar("T")
# What a view's records carry: what the map, the table, the timeline and the exports read. Not
# ``original`` (the file's whole row), which only the detail panel reads, for one record (``record``).
VIEW_COLUMNS: tuple[str, ...] = (*INCIDENT_COLUMNS, "dataset")


@dataclass(frozen=True)
class Selection:
    """What one view shows of a dataset: its records (at most ``MAX_SHOWN``) and how many match."""

    records: gpd.GeoDataFrame
    matching: int


def _nbytes(value: Any) -> int:
    records = value.records if isinstance(value, Selection) else value
    return int(records.memory_usage(deep=True).sum()) if isinstance(records, pd.DataFrame) else 64


# Selections, counts and daily counts, keyed by (store URL, dataset id, revision, what, filters[, bounds]);
# pruned to the datasets the store still holds whenever its list of datasets changes.
_SELECTIONS: ByteBoundedCache[Any] = ByteBoundedCache(MAX_SELECTION_BYTES, sizeof=_nbytes)
# A capped view within the map's bounds asks for this much more on each side, so small pans stay inside.
BOUNDS_PADDING = 0.1


def padded(bounds: Bounds) -> Bounds:
    """``bounds`` grown by ``BOUNDS_PADDING`` of its size on each side, rounded outwards to 0.01 degree."""
    west, south, east, north = bounds
    dx, dy = (east - west) * BOUNDS_PADDING, (north - south) * BOUNDS_PADDING
    # round() first: 36 - 0.2 is 35.799999..., which must stay 35.8, not become 35.79
    return (math.floor(round((west - dx) * 100, 6)) / 100, math.floor(round((south - dy) * 100, 6)) / 100,
            math.ceil(round((east + dx) * 100, 6)) / 100, math.ceil(round((north + dy) * 100, 6)) / 100)


@dataclass(frozen=True)
class StoredLayer(MapLayer):
    key: str
    label: str
    color: str | None
    url: str
    dataset_id: int
    revision: int
    event_count: int

    def _key(self, what: str, state: ViewState, *extra: Hashable) -> tuple[Hashable, ...]:
        # query.filter_key: two states with one key select the same records (the SQL conditions
        # normalise actors and text as it does), so the first asker's state answers for all.
        return (self.url, self.dataset_id, self.revision, what, query.filter_key(state), *extra)

    def _cached(self, what: str, state: ViewState, compute: Callable[[Connection, ViewState], T],
                *extra: Hashable) -> T:
        def run() -> T:
            with open_store(self.url).reading() as conn:
                return compute(conn, state)
        return _SELECTIONS.get_or_make(self._key(what, state, *extra), run)

    def selection(self, state: ViewState, bounds: Bounds | None = None) -> Selection:
        """What a view of ``state`` shows (within ``bounds`` if given)."""
        span = self.summary().longest_span_days
        known = None if bounds else _SELECTIONS.get(self._key("count", state))  # a count already made
        return self._cached("shown", state, lambda conn, state: select_shown(
            conn, self.dataset_id, state, span, bounds=bounds, matching=known), bounds)

    def filtered(self, state: ViewState) -> gpd.GeoDataFrame:
        return self.selection(state).records

    def matching(self, state: ViewState) -> int:
        found = _SELECTIONS.get(self._key("shown", state, None))
        if found is not None:
            return found.matching
        span = self.summary().longest_span_days
        return self._cached("count", state, lambda conn, state: count_matching(conn, self.dataset_id, state, span))

    def drawn(self, state: ViewState, bounds: Bounds | None = None) -> tuple[gpd.GeoDataFrame, str]:
        """Past ``MAX_SHOWN`` matching records, and once the map has said where it looks: what
        the filters select within the map's view (padded), so zooming in shows every record there."""
        if bounds is None or self.matching(state) <= MAX_SHOWN:
            return super().drawn(state)
        within = self.selection(state, padded(bounds))
        shown = len(within.records)
        left_out = ("the earliest by date; zoom in or narrow the filters to see the rest"
                    if within.matching > shown else "pan or zoom out to see the others")
        return within.records, (f"Showing {shown:,} of {within.matching:,} records in the map's view "
                                f"({self.matching(state):,} match the filters; {left_out}).")

    def daily_counts(self, state: ViewState) -> pd.DataFrame:
        span = self.summary().longest_span_days
        return self._cached("days", state, lambda conn, state: count_days(conn, self.dataset_id, state, span))

    def total(self) -> int:
        return self.event_count

    def record(self, record_id: str) -> pd.Series | None:
        with open_store(self.url).reading() as conn:
            found = select_records(conn, self.dataset_id, t.events.c.event_id_cnty == record_id, limit=1)
        return with_dates(found).iloc[0] if len(found) else None

    def summary(self) -> LayerSummary:
        return stored_summary(self.url, self.dataset_id, self.revision)


def view_conditions(conn: Connection, dataset_id: int, state: ViewState, longest_span_days: int,
           bounds: Bounds | None = None, source: sa.Table = t.events) -> list[Any]:
    """The SQL conditions of ``state`` on the dataset's events (in ``source``) besides the dataset's
    own (``select_records`` adds it); ``longest_span_days``: the dataset's summary's."""
    e = source.c
    where = conditions(state, bounds, postgis=conn.dialect.name == "postgresql", dataset_id=dataset_id,
                       source=source)
    if state.date_from:
        # Implied by "end_date >= date_from" given the longest span; it bounds the window on
        # both sides of the (event_date, end_date) index instead of one (seconds -> ~1 s at 1M events).
        where.append(e.event_date >= (state.date_from - dt.timedelta(days=longest_span_days)).isoformat())
    return where


def _reads_table(conn: Connection, state: ViewState, bounds: Bounds | None) -> bool:
    """SQLite: whether no index answers any condition and one of them reads a column no index holds
    (nationalities): the events are then read from the table itself, in order. (A short needle, a
    fatalities minimum and the dates are all in ``ix_events_date_text``, which is read instead.)"""
    return conn.dialect.name == "sqlite" and only_unindexed(state, bounds) and bool(state.nationalities)


def _source(conn: Connection, state: ViewState, bounds: Bounds | None) -> sa.Table:
    """The table the filters read: on PostgreSQL, when no index answers any condition and each is on
    a column ``event_text`` holds (a short needle, a fatalities minimum), that narrow table instead
    of ``events``, whose rows carry the file's whole row (1M events, '42': count 0.44 -> 0.14 s)."""
    narrow = conn.dialect.name == "postgresql" and only_unindexed(state, bounds) and not state.nationalities
    return t.event_text if narrow else t.events


def _of_dataset(conn: Connection, dataset_id: int, state: ViewState, bounds: Bounds | None,
                source: sa.Table = t.events) -> Any:
    """``events.dataset_id = dataset_id``; when the table itself is read (``_reads_table``), written
    so that no index answers it either: SQLite then reads the table in order instead of walking an
    index of the dataset with a row lookup per event (sampled statistics,
    ``engine.SQLITE_ANALYSIS_ROWS``, make it expect ~2,000 events per dataset; 1M events, a
    2-character needle before ``ix_events_date_text``: the count 4.8 -> 0.8 s CPU)."""
    e = source.c
    if _reads_table(conn, state, bounds):
        return e.dataset_id + 0 == dataset_id
    return e.dataset_id == dataset_id


def count_matching(conn: Connection, dataset_id: int, state: ViewState, longest_span_days: int,
                   bounds: Bounds | None = None) -> int:
    source = _source(conn, state, bounds)
    where = view_conditions(conn, dataset_id, state, longest_span_days, bounds, source)
    return conn.execute(sa.select(sa.func.count()).select_from(source)
                        .where(_of_dataset(conn, dataset_id, state, bounds, source), *where)).scalar_one()


def select_shown(conn: Connection, dataset_id: int, state: ViewState, longest_span_days: int,
                 limit: int | None = None, bounds: Bounds | None = None, matching: int | None = None) -> Selection:
    """The records ``state`` selects (within ``bounds`` if given), or if more than ``limit`` (default
    ``MAX_SHOWN``) do, the first by date; ``VIEW_COLUMNS`` only. ``matching``: their count, if known.

    ``longest_span_days``: the dataset's longest event_date..end_date span (its summary's).
    """
    limit = MAX_SHOWN if limit is None else limit
    if matching is None:
        matching = count_matching(conn, dataset_id, state, longest_span_days, bounds)
    e = t.events.c
    if _source(conn, state, bounds) is t.event_text:
        # The ids from the narrow table (the earliest by date past the limit), then their rows, looked
        # up by id as one array: as "id IN (subquery)" PostgreSQL joins by reading all of ``events``
        # (1M events, '4': 1.3 s for the rows).
        n = t.event_text.c
        ids = sa.select(n.id).where(n.dataset_id == dataset_id,
                                    *view_conditions(conn, dataset_id, state, longest_span_days, bounds, t.event_text))
        order: tuple[Any, ...] = ()
        if matching > limit:
            ids, order = ids.order_by(n.event_date, n.id).limit(limit), (e.event_date,)
        found = ids.subquery()
        # (cast: an expression, so "= ANY" compares with its elements, not with each row of a subquery)
        as_array = sa.cast(sa.select(sa.func.array_agg(found.c.id)).scalar_subquery(), ARRAY(sa.BigInteger))
        shown = select_records(conn, dataset_id, e.id == sa.any_(as_array), columns=VIEW_COLUMNS, order_by=order)
        return Selection(with_dates(shown), matching)
    where = view_conditions(conn, dataset_id, state, longest_span_days, bounds)
    postgis = conn.dialect.name == "postgresql"
    # (SQLite, filters no index looks up: the ids-first query below, which reads ix_events_date_text or the table)
    if matching <= limit and (postgis or not only_unindexed(state, bounds)):
        return Selection(with_dates(select_records(conn, dataset_id, *where, columns=VIEW_COLUMNS)), matching)
    if postgis or not where:
        # One query, the earliest first: it walks the date index and stops at the limit.
        shown = select_records(conn, dataset_id, *where, columns=VIEW_COLUMNS, order_by=(e.event_date,), limit=limit)
    else:
        # SQLite would walk the date index too, reading every row to test the filters. Ordering the
        # ids by an expression makes it take the filters' covering index and sort those entries,
        # then read only the rows shown (1M events, one event type of six: 1.8 -> 1.0 s; on
        # PostgreSQL an ids-first query measured slower: 1.4 -> 1.9 s for all dates, 2.2 -> 2.1 s for a type).
        # Filters no index looks up, on columns ix_events_date_text holds: that index is walked in date
        # order, stopping at the limit (1M events at load 12, '4': 0.23 -> 0.03 s, '42': 0.22 -> 0.16 s).
        walked = only_unindexed(state, bounds) and not _reads_table(conn, state, bounds)
        earliest = (sa.select(e.id).where(_of_dataset(conn, dataset_id, state, bounds), *where)
                    .order_by(e.event_date if walked else e.event_date.concat("")).limit(limit))
        shown = select_records(conn, dataset_id, e.id.in_(earliest), columns=VIEW_COLUMNS, order_by=(e.event_date,))
    return Selection(with_dates(shown), matching)


def count_days(conn: Connection, dataset_id: int, state: ViewState, longest_span_days: int) -> pd.DataFrame:
    """``MapLayer.daily_counts`` of every record ``state`` selects, grouped by the database."""
    source = _source(conn, state, None)
    e = source.c
    unknown = sa.case((e.fatalities.is_(None), 1), else_=0)
    date: Any = e.event_date
    if _reads_table(conn, state, None):
        # Grouped by the column, SQLite walks an index and reads every event through it; by an
        # expression it reads the table in order (1M events, a 2-character needle before
        # ix_events_date_text: 3.8 -> 0.9 s CPU).
        date = e.event_date.concat("")
    rows = conn.execute(
        sa.select(date, sa.func.count(), sa.func.coalesce(sa.func.sum(e.fatalities), 0), sa.func.sum(unknown))
        .where(_of_dataset(conn, dataset_id, state, None, source),
               *view_conditions(conn, dataset_id, state, longest_span_days, source=source), e.event_date != "")
        .group_by(date).order_by(date)).all()
    days, events, killed, no_number = zip(*rows) if rows else ((), (), (), ())
    day = pd.to_datetime(pd.Series(days, dtype=str), format="%Y-%m-%d").astype("datetime64[us]")  # as with_dates
    return pd.DataFrame({"day": day,
                         "events": np.array(events, dtype=np.int64), "killed": np.array(killed, dtype=float),
                         "no_number": np.array(no_number, dtype=np.int64)})


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

