"""``export --format gpkg``: the whole store as one GeoPackage that opens in QGIS.

Layers: incidents, sites and claims (published curated records, EPSG:4326),
sources and evidence as attribute tables, and one ``import_<name>`` point layer
per imported dataset, written in batches.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import sqlalchemy as sa

from panjmap.data import CRS, store_dataset
from panjmap.store import tables as t
from panjmap.store.core import Store

BATCH = 100_000
# Internal columns of the events table that are not the dataset's data.
_INTERNAL = ("id", "dataset_id", "actors", "search", "sync_mark")


def layer_name(dataset: str) -> str:
    return "import_" + re.sub(r"[^0-9A-Za-z_]+", "_", dataset).strip("_")


def _write(frame: pd.DataFrame, path: Path, layer: str, append: bool = False) -> None:
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", append=append)


def write_gpkg(store: Store, path: Path) -> dict[str, int]:
    """Write the store to ``path`` (replaced atomically); -> features per layer."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.gpkg")
    tmp.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    try:
        dataset = store_dataset(store)
        for name, frame in (("incidents", dataset.incidents), ("sites", dataset.sites), ("claims", dataset.claims)):
            _write(frame, tmp, name)
            counts[name] = len(frame)
        for name, frame in (("sources", dataset.sources), ("evidence", dataset.evidence)):
            _write(pd.DataFrame(frame), tmp, name)
            counts[name] = len(frame)
        columns = [c for c in t.events.c if c.name not in _INTERNAL]
        with store.reading() as conn:
            for dataset_id, name in conn.execute(sa.select(t.datasets.c.id, t.datasets.c.name).order_by(t.datasets.c.id)):
                layer = layer_name(name)
                result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                    sa.select(*columns).where(t.events.c.dataset_id == dataset_id).order_by(t.events.c.id))
                counts[layer] = 0
                for part in result.partitions():
                    frame = pd.DataFrame(part, columns=[c.name for c in columns])
                    points = gpd.GeoDataFrame(
                        frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=CRS)
                    _write(points, tmp, layer, append=counts[layer] > 0)
                    counts[layer] += len(frame)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts
