"""What the data exports (GeoJSON, CSV, KML) hold of the imported layers a view shows: every
record its filters select, not only the ``MAX_SHOWN`` a capped map view draws.

A stored layer's records are counted, then read in import order, ``CHUNK_ROWS`` event ids
at a time (``VIEW_COLUMNS`` only), all in one read transaction so counts and records
agree; the export writes each chunk before the next is read, so memory holds about a
chunk, however many records match.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

import geopandas as gpd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap import export
from panjmap.layers import MapLayer, with_dates
from panjmap.state import ViewState
from panjmap.store import tables as t
from panjmap.store.core import open_store
from panjmap.store.imports import select_records
from panjmap.store.layers import VIEW_COLUMNS, StoredLayer, count_matching, view_conditions

CHUNK_ROWS = 20_000


@contextmanager
def exported(state: ViewState, layers: Sequence[MapLayer]) -> Iterator[list[export.Imported]]:
    """Each layer's label and the records an export of ``state`` holds: every record the filters
    select. A stored layer's are ``export.Chunked``, readable until the block ends."""
    with ExitStack() as stack:
        found: list[export.Imported] = []
        for layer in layers:
            if isinstance(layer, StoredLayer):
                conn = stack.enter_context(open_store(layer.url).reading())
                found.append((layer.label, _chunked(conn, layer, state)))
            else:
                found.append((layer.label, layer.filtered(state)))
        yield found


def _chunked(conn: Connection, layer: StoredLayer, state: ViewState) -> export.Chunked:
    e = t.events.c
    span = layer.summary().longest_span_days
    where = view_conditions(conn, layer.dataset_id, state, span)
    records = count_matching(conn, layer.dataset_id, state, span)
    first, last = conn.execute(sa.select(sa.func.min(e.id), sa.func.max(e.id))
                               .where(e.dataset_id == layer.dataset_id)).one()

    def chunks() -> Iterator[gpd.GeoDataFrame]:
        if first is None:  # no events
            return
        # Windows of ids rather than LIMIT after the last id read: each query reads its window only
        # (SQLite sorted every remaining match to find the next 20k; 167k of 1M read in 6 s, not 12 s).
        for low in range(first, last + 1, CHUNK_ROWS):
            chunk = select_records(conn, layer.dataset_id, *where, e.id.between(low, low + CHUNK_ROWS - 1),
                                   columns=VIEW_COLUMNS)
            if len(chunk):
                yield with_dates(chunk)

    # Every stored event has a place: the importers skip rows without coordinates.
    return export.Chunked(records, records, chunks)
