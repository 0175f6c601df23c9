"""Records awaiting review as a map layer of their own, for editors: drawn in grey and
labelled as drafts, never mixed into the published map, exports or permalinks."""

from __future__ import annotations

from panjmap import query
from panjmap.data import dataset_from_tables
from panjmap.layers import MemoryLayer, import_key
from panjmap.mapview.style import DRAFT_COLOR
from panjmap.store import Store
from panjmap.store import records as store_records

DRAFTS_LABEL = "Drafts awaiting review (editors only)"
DRAFTS_KEY = import_key(DRAFTS_LABEL)
UNPUBLISHED: tuple[str, ...] = ("draft", "reviewed")


def draft_layer(store: Store) -> MemoryLayer | None:
    """The draft and reviewed incidents (with the published records they link to), or None."""
    with store.reading() as conn:
        tables = store_records.read_record_tables(conn, (*UNPUBLISHED, "published"))
        contents = store_records.source_contents(conn, (*UNPUBLISHED, "published"))
        drafts = set(store_records.read_record_tables(conn, UNPUBLISHED)["incidents"]["event_id_cnty"])
    if not drafts:
        return None
    dataset = dataset_from_tables(tables, "drafts", contents)
    incidents = dataset.incidents[dataset.incidents["event_id_cnty"].isin(drafts)]
    return MemoryLayer(key=DRAFTS_KEY, label=DRAFTS_LABEL, color=DRAFT_COLOR,
                       records=query.record_set(DRAFTS_KEY, incidents, dataset.claims, dataset.evidence))
