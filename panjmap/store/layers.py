"""The store's imported datasets as map layers, shared by every session of this process.

Each dataset's layer is built once per (dataset, revision) and reused by every
session, so memory does not grow with the number of sessions viewing it; a
write through any process shows at the next rerun.
"""

from __future__ import annotations

import functools

from panjmap.layers import MapLayer, imported_layer
from panjmap.store.core import Store, open_store
from panjmap.store.imports import dataset_records, list_datasets

# Datasets kept built per process (each holds its records in memory).
MAX_CACHED_DATASETS = 8


def stored_layers(store: Store | None = None) -> tuple[MapLayer, ...]:
    """A layer per imported dataset in the store, oldest first."""
    store = store or open_store()
    return _layers(store.url, store.revisions()["imports"])


@functools.lru_cache(maxsize=2)
def _layers(url: str, _revision: int) -> tuple[MapLayer, ...]:
    with open_store(url).reading() as conn:
        datasets = list_datasets(conn)
    return tuple(_layer(url, ds.id, ds.revision, ds.name, index) for index, ds in enumerate(datasets))


@functools.lru_cache(maxsize=MAX_CACHED_DATASETS)
def _layer(url: str, dataset_id: int, _revision: int, name: str, color_index: int) -> MapLayer:
    with open_store(url).reading() as conn:
        records = dataset_records(conn, dataset_id)
    return imported_layer(name, records, color_index)
