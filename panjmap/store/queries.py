"""The view-state filters as SQL on an imported dataset's events, so the database does the work.

``conditions(state)`` gives the same selection as ``panjmap.query.mask`` on the
dataset loaded in memory (a test checks both engines against it): a record
shows if its date span meets the window; actors match whole names (the
importer's actors plus "Unknown / unclaimed", stored delimited at import);
text matches the casefolded search text built at import. ``bounds`` limits to
the map extent (PostGIS: the GiST-indexed geometry; SQLite: lon/lat index).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap.state import ViewState
from panjmap.store import tables as t
from panjmap.store.imports import select_records

Bounds = tuple[float, float, float, float]  # west, south, east, north


def _any_contains(column: Any, needles: list[str]) -> Any:
    return sa.or_(*(column.contains(needle, autoescape=True) for needle in needles))


def conditions(state: ViewState, bounds: Bounds | None = None, postgis: bool = False) -> list[Any]:
    e = t.events.c
    where: list[Any] = []
    if state.date_from:
        where.append(e.end_date >= state.date_from.isoformat())
    if state.date_to:
        where.append(e.event_date <= state.date_to.isoformat())
    if state.actors:
        where.append(_any_contains(e.actors, [t.ACTOR_SEP + name + t.ACTOR_SEP for name in state.actors]))
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
        where.append(e.search.contains(state.text.strip().casefold(), autoescape=True))
    if bounds is not None:
        west, south, east, north = bounds
        if postgis:
            where.append(sa.text("geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)").bindparams(
                w=west, s=south, e=east, n=north))
        else:
            where += [e.longitude.between(west, east), e.latitude.between(south, north)]
    return where


def filter_events(
    conn: Connection, dataset_id: int, state: ViewState, bounds: Bounds | None = None, limit: int | None = None,
) -> gpd.GeoDataFrame:
    """The dataset's events the view shows, as the importer's records."""
    postgis = conn.dialect.name == "postgresql"
    return select_records(conn, dataset_id, *conditions(state, bounds, postgis), limit=limit)


def count_events(conn: Connection, dataset_id: int, state: ViewState, bounds: Bounds | None = None) -> int:
    postgis = conn.dialect.name == "postgresql"
    return conn.execute(sa.select(sa.func.count()).select_from(t.events).where(
        t.events.c.dataset_id == dataset_id, *conditions(state, bounds, postgis))).scalar_one()
