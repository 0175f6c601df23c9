"""The view-state filters as SQL on an imported dataset's events, so the database does the work.

``conditions(state)`` gives the same selection as ``panjmap.query.mask`` on the
dataset loaded in memory (a test checks both engines against it): a record
shows if its date span meets the window; actors match whole names (the
importer's actors plus "Unknown / unclaimed", looked up in ``event_actors``);
text is a substring of the casefolded search text built at import (PostgreSQL:
LIKE, which the pg_trgm index answers; SQLite: the FTS5 trigram index finds the
candidates for a needle of 3 or more characters, LIKE confirms them; no index looks
up a shorter needle: the map's layers read ``ix_events_date_text`` (SQLite) or the
``event_text`` table (PostgreSQL) for it, see ``panjmap.store.layers``). ``bounds``
limits to the map extent (PostGIS: the GiST-indexed geometry; SQLite: lon/lat index).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap.layers import Bounds
from panjmap.query import canonical_actors
from panjmap.state import ViewState
from panjmap.store import tables as t
from panjmap.store.imports import select_records

TRIGRAM = 3  # the shortest needle the FTS5 trigram index can look up


def _any_contains(column: Any, needles: list[str]) -> Any:
    return sa.or_(*(column.contains(needle, autoescape=True) for needle in needles))


def _has_actor(names: tuple[str, ...], dataset_id: int | None, event_id: Any) -> Any:
    a = t.event_actors.c
    named = sa.select(a.event_id).where(a.actor.in_(canonical_actors(names)))
    if dataset_id is not None:
        named = named.where(a.dataset_id == dataset_id)
    return event_id.in_(named)


def _has_text(needle: str, postgis: bool, e: Any) -> Any:
    contains = e.search.contains(needle, autoescape=True)
    if postgis or len(needle) < TRIGRAM:
        return contains
    # Every trigram of the needle, each an FTS5 string: events holding them all (the index keeps
    # no positions), of which LIKE keeps those holding the needle itself.
    trigrams = dict.fromkeys(needle[i:i + TRIGRAM] for i in range(len(needle) - TRIGRAM + 1))
    terms = " ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)
    fts = sa.table(t.FTS_TABLE, sa.column("rowid"))
    candidates = sa.select(fts.c.rowid).where(sa.text(f"{t.FTS_TABLE} MATCH :terms").bindparams(terms=terms))
    return sa.and_(e.id.in_(candidates), contains)


def conditions(
    state: ViewState, bounds: Bounds | None = None, postgis: bool = False, dataset_id: int | None = None,
    source: sa.Table = t.events,
) -> list[Any]:
    """SQL conditions on ``source`` (``events``, or a table holding the columns they name) for
    ``state``; ``dataset_id`` narrows the actor lookup to one dataset."""
    e = source.c
    where: list[Any] = []
    if state.date_from:
        where.append(e.end_date >= state.date_from.isoformat())
    if state.date_to:
        where.append(e.event_date <= state.date_to.isoformat())
    if state.actors:
        where.append(_has_actor(state.actors, dataset_id, e.id))
    if state.event_types:
        where.append(e.event_type.in_(state.event_types))
    if state.nationalities:
        # "Chinese|Tajik" (spaces around "|" allowed, as the in-memory filter strips them)
        padded = "|" + sa.func.replace(sa.func.replace(e.victim_nationality, " |", "|"), "| ", "|") + "|"
        where.append(_any_contains(padded, [f"|{name}|" for name in state.nationalities]))
    if state.sides:
        where.append(e.country.in_(state.sides))
    if state.regions:
        where.append(e.admin1.in_(state.regions))
    if state.min_fatalities:
        where.append(sa.func.coalesce(e.fatalities, 0) >= state.min_fatalities)
    if state.text.strip():
        where.append(_has_text(state.text.strip().casefold(), postgis, e))
    if bounds is not None:
        west, south, east, north = bounds
        if postgis:
            where.append(sa.text("geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)").bindparams(
                w=west, s=south, e=east, n=north))
        else:
            where += [e.longitude.between(west, east), e.latitude.between(south, north)]
    return where


def only_unindexed(state: ViewState, bounds: Bounds | None = None) -> bool:
    """Whether ``conditions(state, bounds)`` hold conditions and no index answers any of them: only
    nationalities, a fatalities minimum or, on SQLite, a needle shorter than a trigram."""
    unindexed = bool(state.nationalities or state.min_fatalities or 0 < len(state.text.strip()) < TRIGRAM)
    return unindexed and not (state.date_from or state.date_to or state.actors or state.event_types or state.sides
                              or state.regions or len(state.text.strip()) >= TRIGRAM or bounds is not None)


def filter_events(
    conn: Connection, dataset_id: int, state: ViewState, bounds: Bounds | None = None, limit: int | None = None,
    with_original: bool = False,
) -> gpd.GeoDataFrame:
    """The dataset's events the view shows, as the importer's records without ``original`` (the
    file's whole row, which the map does not draw and the detail panel reads for one record)
    unless ``with_original``."""
    postgis = conn.dialect.name == "postgresql"
    return select_records(conn, dataset_id, *conditions(state, bounds, postgis, dataset_id), limit=limit,
                          with_original=with_original)


def count_events(conn: Connection, dataset_id: int, state: ViewState, bounds: Bounds | None = None) -> int:
    postgis = conn.dialect.name == "postgresql"
    return conn.execute(sa.select(sa.func.count()).select_from(t.events).where(
        t.events.c.dataset_id == dataset_id, *conditions(state, bounds, postgis, dataset_id))).scalar_one()
