"""The one loader of the curated records: incidents, claims, sites, evidence, sources.

``read_tables`` returns the CSVs as text exactly as stored (the validator
checks those); ``load_dataset`` returns typed GeoDataFrames in EPSG:4326 for
the app, the exports and the tests, from the store (panjmap.store, whose
baseline is seeds/) or from a folder of CSVs. Loading is cached on the store's
records revision, or on the files' paths and modification times.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from panjmap import geodata
from panjmap.memo import once_per
from panjmap.paths import SEEDS_DIR
from panjmap.schema import (
    CLAIM_COLUMNS,
    EVIDENCE_COLUMNS,
    INCIDENT_COLUMNS,
    SITE_COLUMNS,
    SOURCE_COLUMNS,
)

if TYPE_CHECKING:
    from panjmap.store import Store

CRS = "EPSG:4326"

TABLES: dict[str, tuple[str, ...]] = {
    "incidents": INCIDENT_COLUMNS,
    "claims": CLAIM_COLUMNS,
    "sites": SITE_COLUMNS,
    "evidence": EVIDENCE_COLUMNS,
    "sources": SOURCE_COLUMNS,
}

# fatalities and injuries are empty when no source gives a number: never read as 0.
INT_COLUMNS = ("year", "time_precision", "iso", "timestamp")
NULLABLE_INT_COLUMNS = ("geo_precision", "fatalities", "injuries")
FLOAT_COLUMNS = ("latitude", "longitude")
DATE_COLUMNS = ("event_date", "end_date")


class DataError(ValueError):
    """The curated files cannot be loaded; ``python -m panjmap validate`` says why, per record."""


@dataclass(frozen=True)
class Dataset:
    incidents: gpd.GeoDataFrame
    claims: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    evidence: pd.DataFrame
    sources: pd.DataFrame
    version: str  # short content hash of the curated files, stamped on every export
    texts: dict[str, str]  # source_file -> the text its quotes are found in (UTF-8, as stored)

    def evidence_for(self, record_id: str) -> pd.DataFrame:
        return _rows_of(once_per(self.evidence, _by_record), self.evidence, record_id)

    def claims_for(self, incident_id: str) -> gpd.GeoDataFrame:
        return _rows_of(once_per(self.claims, _by_incident), self.claims, incident_id)


# The detail panel asks for one record's evidence and claims on every rerun: indexed once per dataset.
def _by_record(evidence: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return dict(tuple(evidence.groupby("record_id", sort=False)))


def _by_incident(claims: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    return dict(tuple(claims.groupby("incident_id", sort=False)))


def _rows_of(index: dict[str, pd.DataFrame], frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows of ``frame`` whose key is ``key`` (in their order; none: an empty frame)."""
    found = index.get(key)
    return (found if found is not None else frame.iloc[0:0]).copy(deep=False)  # a frame of its own, as a filter gives


def located_mask(records: gpd.GeoDataFrame) -> pd.Series:
    """Which records have a map location (the others' place is not reported)."""
    geometry = records.geometry
    return ~(geometry.isna() | geometry.is_empty)


def located(records: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The records that have a map location (the others' place is not reported)."""
    mask = located_mask(records)
    return records if mask.all() else records[mask]  # a filter copies every column: ~5% of a rerun


def table_path(seeds_dir: Path, name: str) -> Path:
    return seeds_dir / f"{name}.csv"


def read_tables(seeds_dir: Path = SEEDS_DIR) -> dict[str, pd.DataFrame]:
    """Each table as strings, empty cells as "", with a ``_line`` column (CSV line of the row)."""
    tables = {}
    for name, columns in TABLES.items():
        path = table_path(seeds_dir, name)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(f"{path.name}: missing columns {', '.join(missing)}")
        frame = frame[list(columns)].copy()
        # Line numbers as an editor shows them (header is line 1); correct for
        # one-line records, which every curated row is.
        frame["_line"] = range(2, len(frame) + 2)
        tables[name] = frame
    return tables


def data_version(seeds_dir: Path = SEEDS_DIR) -> str:
    digest = hashlib.sha256()
    for name in TABLES:
        digest.update(table_path(seeds_dir, name).read_bytes())
    return digest.hexdigest()[:12]


def _to_int(series: pd.Series, nullable: bool) -> pd.Series:
    numbers = pd.to_numeric(series.replace("", pd.NA), errors="raise")
    return numbers.astype("Int64") if nullable else numbers.astype("int64")


def type_incidents(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Typed incident records; rows without coordinates get an empty geometry."""
    frame = frame.copy()
    for col in INT_COLUMNS:
        frame[col] = _to_int(frame[col], nullable=False)
    for col in NULLABLE_INT_COLUMNS:
        frame[col] = _to_int(frame[col], nullable=True)
    for col in FLOAT_COLUMNS:
        frame[col] = pd.to_numeric(frame[col].replace("", pd.NA), errors="raise").astype("Float64")
    for col in DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%d", errors="raise")
    geometry = [
        Point(lon, lat) if pd.notna(lat) and pd.notna(lon) else None
        for lat, lon in zip(frame["latitude"], frame["longitude"])
    ]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def _site_geometry(row: pd.Series) -> BaseGeometry | None:
    """A site's point, or the line named by geometry_ref ("roads.geojson#SITE-ROAD-KVR")."""
    if row["geometry_ref"]:
        layer_file, _, feature_id = row["geometry_ref"].partition("#")
        layer = geodata.load_layer(layer_file.removesuffix(".geojson"))
        match = layer[layer["site_id"] == feature_id]
        if match.empty:
            raise DataError(f"site {row['site_id']}: geometry_ref {row['geometry_ref']} not found")
        return match.geometry.iloc[0]
    if row["latitude"] and row["longitude"]:
        return Point(float(row["longitude"]), float(row["latitude"]))
    return None


def type_sites(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    frame = frame.copy()
    geometry = [_site_geometry(row) for _, row in frame.iterrows()]
    for col in FLOAT_COLUMNS:
        frame[col] = pd.to_numeric(frame[col].replace("", pd.NA), errors="raise").astype("Float64")
    frame["geo_precision"] = _to_int(frame["geo_precision"], nullable=True)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def _mtimes(seeds_dir: Path) -> tuple[float, ...]:
    return tuple(table_path(seeds_dir, name).stat().st_mtime_ns for name in TABLES)


def load_dataset(seeds_dir: Path | None = None) -> Dataset:
    """The curated dataset, typed.

    By default from the store (panjmap.store; filled from seeds/ on first use), cached
    until any process writes records there; with ``seeds_dir``, from that folder's
    CSVs, cached until a file changes.
    """
    if seeds_dir is None:
        from panjmap.store import StoreError, StoreUnavailable, open_store  # the store imports this module

        try:
            return store_dataset(open_store())
        except StoreUnavailable:
            raise  # a passing state: the pages say so and retry
        except StoreError as exc:
            raise DataError(str(exc)) from exc
    return _load_cached(Path(seeds_dir).resolve(), _mtimes(Path(seeds_dir)))


def store_dataset(store: Store) -> Dataset:
    """The published records of ``store``, typed; cached until any process changes them."""
    return _load_from_store(store.url, store.revisions()["records"])


@functools.lru_cache(maxsize=2)
def _load_from_store(url: str, _revision: int) -> Dataset:
    from panjmap.store import open_store, records

    with open_store(url).reading() as conn:
        tables = records.read_record_tables(conn)
        contents = records.source_contents(conn)
    return dataset_from_tables(tables, records.content_version(tables), contents)


@functools.lru_cache(maxsize=4)
def _load_cached(seeds_dir: Path, _mtimes_key: tuple[float, ...]) -> Dataset:
    try:
        tables = read_tables(seeds_dir)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"curated records do not load ({exc}); run `python -m panjmap validate`") from exc
    contents = {name: (seeds_dir / name).read_bytes() for name in tables["sources"]["source_file"]
                if (seeds_dir / name).is_file()}
    return dataset_from_tables(tables, data_version(seeds_dir), contents)


def dataset_from_tables(tables: dict[str, pd.DataFrame], version: str, contents: dict[str, bytes]) -> Dataset:
    """Typed records from text tables (seed format) and the source texts they cite."""
    """Typed records from text tables (seed format) and the source texts they cite."""
    try:
        incidents = type_incidents(tables["incidents"])
        sites = type_sites(tables["sites"])
    except (ValueError, TypeError) as exc:
        raise DataError(f"curated records do not load ({exc}); run `python -m panjmap validate`") from exc
    claims = tables["claims"].merge(
        incidents[["event_id_cnty", "geometry"]], left_on="incident_id", right_on="event_id_cnty", how="left"
    ).drop(columns="event_id_cnty")
    claims = gpd.GeoDataFrame(claims, geometry="geometry", crs=CRS)
    return Dataset(
        incidents=incidents,
        claims=claims,
        sites=sites,
        evidence=tables["evidence"],
        sources=tables["sources"],
        version=version,
        texts={name: data.decode("utf-8", "replace") for name, data in contents.items()},
    )
