"""The store's imported datasets as map layers, shared by every session of this process.

Each dataset's layer is built once per (dataset, revision) and reused by every
session, so memory does not grow with the number of sessions viewing it; a
write through any process shows at the next rerun.
"""

from __future__ import annotations

import functools

from panjmap.cache import ByteBoundedCache
from panjmap.layers import MapLayer, imported_layer
from panjmap.store.core import Store, open_store
from panjmap.store.imports import dataset_records, list_datasets

# Built layers by (store URL, dataset id, revision), shared by every session of the process:
# bounded by the bytes of their records, and pruned to the datasets the store still holds
# whenever its list of datasets changes, so a removed or updated dataset frees its memory.
MAX_LAYER_BYTES = 512 * 1024**2
_BUILT: ByteBoundedCache[MapLayer] = ByteBoundedCache(
    MAX_LAYER_BYTES, sizeof=lambda layer: int(layer.records.records.memory_usage(deep=True).sum()))


def stored_layers(store: Store | None = None) -> tuple[MapLayer, ...]:
    """A layer per imported dataset in the store, oldest first."""
    store = store or open_store()
    return _layers(store.url, store.revisions()["imports"])


@functools.lru_cache(maxsize=1)  # only the current revision: an older one would keep removed datasets alive
def _layers(url: str, _revision: int) -> tuple[MapLayer, ...]:
    with open_store(url).reading() as conn:
        datasets = list_datasets(conn)
    current = {(url, ds.id, ds.revision) for ds in datasets}
    _BUILT.retain(lambda key: key[0] != url or key in current)
    return tuple(_layer(url, ds.id, ds.revision, ds.name, index) for index, ds in enumerate(datasets))


def _layer(url: str, dataset_id: int, revision: int, name: str, color_index: int) -> MapLayer:
    key = (url, dataset_id, revision)
    layer = _BUILT.get(key)
    if layer is None or layer.label != name:
        with open_store(url).reading() as conn:
            records = dataset_records(conn, dataset_id)
        layer = imported_layer(name, records, color_index)
        _BUILT.put(key, layer)
    return layer
