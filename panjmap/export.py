"""Data exports of a view: GeoJSON, CSV and KML, each with its metadata.

Every export carries what it is (filters and time window in words and as a
permalink query, data version, generation time, sources and attribution) and
for each incident its sources and verbatim quotes. An export from the app
also holds the imported layers the view shows (``imported``: name and filtered
records, or a ``Chunked`` layer read as it is written), and its metadata says what it
contains, layer by layer. Each format is made as a sequence of parts (``parts``,
``bundle_parts``), so a large imported layer goes out chunk by chunk and memory holds
about a chunk of it, not the layer. CSV cells that a spreadsheet would run as a formula
are neutralised; KML text is XML-escaped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from xml.sax import saxutils

import geopandas as gpd
import pandas as pd

from panjmap import geodata
from panjmap.actors import load_actors
from panjmap.data import Dataset, located
from panjmap.record_text import NOT_REPORTED, SEVERAL_NO_NUMBER, count, several_killed
from panjmap.schema import ACLED_COLUMNS, CLAIM_COLUMNS, INCIDENT_COLUMNS, SITE_COLUMNS
from panjmap.state import ViewState

FORMATS = ("geojson", "csv", "kml")
MEDIA_TYPES = {"geojson": "application/geo+json", "csv": "text/csv", "kml": "application/vnd.google-earth.kml+xml"}
PROVENANCE_COLUMNS = ("sources", "quotes")
CURATED_NAME = "curated incidents (seed articles)"


@dataclass(frozen=True)
class Chunked:
    """An imported layer's records read while the export is written: ``records`` of them,
    ``located`` with a map location; each call of ``chunks`` reads them again, chunk by chunk."""

    records: int
    located: int
    chunks: Callable[[], Iterable[gpd.GeoDataFrame]]


# An imported layer in an export: its name and its records the export holds.
Imported = tuple[str, gpd.GeoDataFrame | Chunked]
# Counts in words ("3", "not reported", "several, no number") and the canonical actors
# (panjmap.actors), after our columns: ACLED's own columns keep ACLED's conventions.
READING_COLUMNS = ("fatalities_reported", "injuries_reported", "actors_canonical")
COUNT_CONVENTION = (
    "fatalities follows ACLED's convention in the CSV: 0 where no source gives a number. Read "
    "fatalities_reported for what the sources say: a number, 'not reported' or 'several, no number'. "
    "injuries is empty where no number is reported (never 0). In GeoJSON and KML, fatalities is empty "
    "where no number is reported."
)


@dataclass(frozen=True)
class Metadata:
    title: str
    filters: str
    query: str
    data_version: str
    generated: str
    sources: list[str]
    attribution: str
    count: int  # curated incidents
    located: int  # how many of them have a map location
    contents: str  # what the export holds, layer by layer, in words
    layers: list[dict]  # per layer: name, records, located (curated first)
    conventions: str = COUNT_CONVENTION

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def metadata(state: ViewState, dataset: Dataset, records: gpd.GeoDataFrame, now: dt.datetime | None = None,
             imported: Sequence[Imported] = ()) -> Metadata:
    """What an export of ``records`` (the filtered curated incidents) and ``imported`` is, in words and numbers."""
    generated = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat()
    layers = [_layer(name, recs) for name, recs in ((CURATED_NAME, records), *imported)]
    return Metadata(
        title="Panj border incidents",
        filters=state.describe(),
        query=state.query_string(),
        data_version=dataset.version,
        generated=generated,
        sources=[f"{r.source_file}: {r.title} ({r.publisher})" for r in dataset.sources.itertuples()],
        attribution=geodata.attribution_text(),
        count=len(records),
        located=len(located(records)),
        contents=_contents(layers),
        layers=layers,
    )


def _layer(name: str, records: gpd.GeoDataFrame | Chunked) -> dict:
    if isinstance(records, Chunked):
        return {"name": name, "records": records.records, "located": records.located}
    return {"name": name, "records": len(records), "located": len(located(records))}


def _chunks(records: gpd.GeoDataFrame | Chunked) -> Iterable[gpd.GeoDataFrame]:
    return records.chunks() if isinstance(records, Chunked) else (records,)


def _contents(layers: list[dict]) -> str:
    """E.g. "38 curated incidents (seed articles), 29 on the map; imported layer 'x': 5 records, 5 on the map"."""
    curated, *imported = layers
    parts = [f"{curated['records']} {curated['name']}, {curated['located']} on the map"]
    parts += [f"imported layer {layer['name']!r}: {layer['records']} records, {layer['located']} on the map"
              for layer in imported]
    return "; ".join(parts) + ("" if imported else "; no imported layers")


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalized(records: gpd.GeoDataFrame, dataset: Dataset | None) -> list[dict]:
    """One dict per incident: every schema column as text, plus its sources and quotes."""
    rows = []
    dictionary = load_actors()
    # Rows as dicts: a Series per row (iterrows) cost ~10x as much, ~0.2 ms a record.
    for rec in records.to_dict("records"):
        row = {col: _text(rec.get(col)) for col in INCIDENT_COLUMNS}
        row["fatalities_reported"] = _count_words(rec.get("fatalities"), several_killed(rec))
        row["injuries_reported"] = _count_words(rec.get("injuries"), False)
        names = [n for col in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
                 for n in row[col].split(";") if n.strip()]
        row["actors_canonical"] = "; ".join(dict.fromkeys(dictionary.resolve(n) for n in names))
        if dataset is not None:
            ev = dataset.evidence_for(row["event_id_cnty"])
            row["sources"] = sorted(set(ev["source_file"]))
            row["quotes"] = [{"source_file": s, "quote": q} for s, q in zip(ev["source_file"], ev["quote"])]
            claims = dataset.claims_for(row["event_id_cnty"])
            row["claims"] = [{c: _text(cl[c]) for c in CLAIM_COLUMNS} for _, cl in claims.iterrows()]
        else:
            row["sources"], row["quotes"], row["claims"] = [rec.get("dataset", "")], [], []
        rows.append(row)
    return rows


def _count_words(value: object, several: bool) -> str:
    number = count(value)
    return str(number) if number is not None else SEVERAL_NO_NUMBER if several else NOT_REPORTED


def referenced_sites(records: gpd.GeoDataFrame, dataset: Dataset) -> gpd.GeoDataFrame:
    ids = set(records["site_id"]) - {""}
    return dataset.sites[dataset.sites["site_id"].isin(ids)]


def to_geojson(records: gpd.GeoDataFrame, dataset: Dataset, meta: Metadata, imported: Sequence[Imported] = ()) -> str:
    return "".join(geojson_parts(records, dataset, meta, imported))


def geojson_parts(records: gpd.GeoDataFrame, dataset: Dataset, meta: Metadata,
                  imported: Sequence[Imported] = ()) -> Iterator[str]:
    """The GeoJSON text in parts, a part per chunk of records: as ``json.dumps(..., indent=1)``
    of the whole collection would write it, features indented two levels."""
    head = json.dumps({"type": "FeatureCollection", "metadata": meta.as_dict(), "features": []},
                      ensure_ascii=False, indent=1)
    yield head.removesuffix("[]\n}")
    opening = "[\n"
    for features in _feature_batches(records, dataset, imported):
        # JSON text holds no raw line break inside a string, so every line can be indented.
        text = ",\n".join("  " + json.dumps(f, ensure_ascii=False, indent=1).replace("\n", "\n  ") for f in features)
        if text:
            yield opening + text
            opening = ",\n"
    yield "[]\n}" if opening == "[\n" else "\n ]\n}"


def _feature_batches(records: gpd.GeoDataFrame, dataset: Dataset, imported: Sequence[Imported]) -> Iterator[Iterable[dict]]:
    """The curated incidents and their sites, then each imported layer chunk by chunk, as GeoJSON features."""
    features = []
    for row, geom in zip(normalized(records, dataset), records.geometry):
        located = geom is not None and not geom.is_empty
        features.append({
            "type": "Feature",
            "id": row["event_id_cnty"],
            "geometry": geom.__geo_interface__ if located else None,
            "properties": {"record_type": "incident", **row},
        })
    for _, site in referenced_sites(records, dataset).iterrows():
        geom = site.geometry
        features.append({
            "type": "Feature",
            "id": site["site_id"],
            "geometry": geom.__geo_interface__ if geom is not None else None,
            "properties": {"record_type": "site", **{c: _text(site[c]) for c in SITE_COLUMNS}},
        })
    yield features
    for name, recs in imported:
        for chunk in _chunks(recs):
            # One at a time as they are written: a chunk's features are never all held.
            yield ({
                "type": "Feature",
                "id": row["event_id_cnty"],
                "geometry": geom.__geo_interface__ if geom is not None and not geom.is_empty else None,
                "properties": {"record_type": "imported incident", "layer": name, **row},
            } for row, geom in zip(normalized(chunk, None), chunk.geometry))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _csv(header: list[str], rows: Iterable[list[str]]) -> str:
    return _csv_header(header) + _csv_rows(rows)


def _csv_header(header: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(header)
    return out.getvalue()


def _csv_rows(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # csv quotes a field holding a line break only if it is in lineterminator: a bare CR
    # ("a\rb") would go out unquoted and end the row in every reader. Such rows are quoted whole.
    quote_all = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        cells = [safe_cell(cell) for cell in row]
        (quote_all if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return out.getvalue()


CSV_HEADER = (list(ACLED_COLUMNS) + [c for c in INCIDENT_COLUMNS if c not in ACLED_COLUMNS]
              + list(READING_COLUMNS) + list(PROVENANCE_COLUMNS))


def to_csv(records: gpd.GeoDataFrame | Chunked, dataset: Dataset | None) -> str:
    """Incidents with ACLED's 31 columns first, then ours, then sources and quotes.

    The metadata travels beside it (``csv_bundle``, or the CLI's sidecar
    file), not in it, so the file loads unchanged into ACLED-minded tools.
    """
    return "".join(csv_parts(records, dataset))


def csv_parts(records: gpd.GeoDataFrame | Chunked, dataset: Dataset | None) -> Iterator[str]:
    """``to_csv`` in parts: the header, then a part per chunk of records."""
    yield _csv_header(CSV_HEADER)
    for chunk in _chunks(records):
        yield _csv_rows(_csv_row(row) for row in normalized(chunk, dataset))


def _csv_row(row: dict) -> list[str]:
    quotes = " | ".join(f"{q['source_file']}: {q['quote']}" for q in row["quotes"])
    row["fatalities"] = row["fatalities"] or "0"  # ACLED's convention (see COUNT_CONVENTION)
    return [row[c] for c in CSV_HEADER[:-2]] + ["; ".join(row["sources"]), quotes]


def claims_csv(records: gpd.GeoDataFrame, dataset: Dataset) -> str:
    """The claims of the exported incidents, with each actor's canonical name beside the claim's wording."""
    claims = dataset.claims[dataset.claims["incident_id"].isin(set(records["event_id_cnty"]))]
    dictionary = load_actors()
    return _csv(list(CLAIM_COLUMNS) + ["actor_canonical"],
                [[_text(c[col]) for col in CLAIM_COLUMNS] + [dictionary.resolve(c["actor"])] for _, c in claims.iterrows()])


def sites_csv(records: gpd.GeoDataFrame, dataset: Dataset) -> str:
    sites = referenced_sites(records, dataset)
    return _csv(list(SITE_COLUMNS), [[_text(s[col]) for col in SITE_COLUMNS] for _, s in sites.iterrows()])


def metadata_json(meta: Metadata, imported_files: dict[str, str] | None = None) -> str:
    """The metadata as JSON; ``imported_files``: CSV file name -> the imported layer it holds."""
    data = meta.as_dict() | ({"imported_files": imported_files} if imported_files else {})
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def csv_bundle(records: gpd.GeoDataFrame, dataset: Dataset, meta: Metadata, stem: str,
               imported: Sequence[Imported] = ()) -> bytes:
    """A ZIP of the incidents CSV, the claims and sites they reference, one CSV per imported
    layer (``<stem>_imported-<n>.csv``, named in the metadata), and the metadata.

    A CSV has no place for metadata that ACLED tools would not trip over, so
    the CSV export travels with its metadata.json instead.
    """
    out = io.BytesIO()
    for part in bundle_parts(records, dataset, meta, stem, imported):
        out.write(part)
    return out.getvalue()


def bundle_parts(records: gpd.GeoDataFrame, dataset: Dataset, meta: Metadata, stem: str,
                 imported: Sequence[Imported] = ()) -> Iterator[bytes]:
    """``csv_bundle``'s bytes as they are compressed, a part per chunk of records."""
    drain = _Drain()
    with zipfile.ZipFile(drain, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"{stem}.csv", to_csv(records, dataset))
        bundle.writestr(f"{stem}_claims.csv", claims_csv(records, dataset))
        bundle.writestr(f"{stem}_sites.csv", sites_csv(records, dataset))
        files = {}
        for n, (name, recs) in enumerate(imported, start=1):
            files[f"{stem}_imported-{n}.csv"] = name
            # Its size is unknown until written: a chunked layer may pass ZIP's 2 GiB without ZIP64.
            with bundle.open(f"{stem}_imported-{n}.csv", "w", force_zip64=isinstance(recs, Chunked)) as entry:
                for part in csv_parts(recs, None):
                    entry.write(part.encode("utf-8"))
                    yield drain.take()
        bundle.writestr(f"{stem}_metadata.json", metadata_json(meta, files))
    yield drain.take()


class _Drain(io.RawIOBase):
    """A stream that keeps what is written until taken; it cannot seek, so a ZipFile
    writing to it puts each entry's sizes after the entry's data."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


# Characters XML 1.0 cannot carry at all, even as character references (C0 controls except
# tab, LF and CR; lone surrogates; U+FFFE/U+FFFF): shown as U+FFFD so the KML still parses.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str, entities: dict[str, str] | None = None) -> str:
    """XML-escaped text; a CR is kept as a character reference (a parser would turn a raw one into LF)."""
    return saxutils.escape(_XML_ILLEGAL.sub("\ufffd", text), {"\r": "&#13;", **(entities or {})})


def _kml_data(fields: dict[str, str]) -> str:
    return "".join(f'<Data name="{escape(k, {chr(34): "&quot;"})}"><value>{escape(v)}</value></Data>' for k, v in fields.items())


def _placemarks(records: gpd.GeoDataFrame, dataset: Dataset | None) -> str:
    marks = []
    for row, geom in zip(normalized(records, dataset), records.geometry):
        if geom is None or geom.is_empty:
            continue  # KML needs a place; unlocated records are in the GeoJSON/CSV
        quotes = "\n".join(f"“{q['quote']}” ({q['source_file']})" for q in row["quotes"])
        fields = {c: row[c] for c in (*INCIDENT_COLUMNS, *READING_COLUMNS)}
        fields["sources"] = "; ".join(row["sources"])
        fields["claims"] = "\n".join(f"{c['claimant']} — {c['stance']} — {c['actor']}: “{c['quote']}”" for c in row["claims"])
        marks.append(
            f"<Placemark id=\"{escape(row['event_id_cnty'], {chr(34): '&quot;'})}\"><name>{escape(row['event_id_cnty'] + ': ' + row['location'])}</name>"
            f"<TimeSpan><begin>{escape(row['event_date'])}</begin><end>{escape(row['end_date'])}</end></TimeSpan>"
            f"<description>{escape(row['notes'] + chr(10) + chr(10) + quotes)}</description>"
            f"<ExtendedData>{_kml_data(fields)}</ExtendedData>"
            f"<Point><coordinates>{geom.x:.5f},{geom.y:.5f}</coordinates></Point></Placemark>"
        )
    return "".join(marks)


def to_kml(records: gpd.GeoDataFrame, dataset: Dataset, meta: Metadata, imported: Sequence[Imported] = ()) -> str:
    """KML for Google Earth: incidents, referenced sites and one folder per imported layer, every field in ExtendedData."""
    return "".join(kml_parts(records, dataset, meta, imported))


def kml_parts(records: gpd.GeoDataFrame, dataset: Dataset, meta: Metadata,
              imported: Sequence[Imported] = ()) -> Iterator[str]:
    """``to_kml`` in parts: the document with the incidents and sites, then a part per chunk of imported records."""
    site_marks = []
    for _, site in referenced_sites(records, dataset).iterrows():
        geom = site.geometry
        if geom is None:
            continue
        if geom.geom_type == "Point":
            shape = f"<Point><coordinates>{geom.x:.5f},{geom.y:.5f}</coordinates></Point>"
        else:
            coords = " ".join(f"{x:.5f},{y:.5f}" for x, y in geom.coords)
            shape = f"<LineString><coordinates>{coords}</coordinates></LineString>"
        fields = {c: _text(site[c]) for c in SITE_COLUMNS}
        site_marks.append(f"<Placemark><name>{escape(site['name'])}</name><ExtendedData>{_kml_data(fields)}</ExtendedData>{shape}</Placemark>")
    description = escape(f"{meta.filters}\nContents: {meta.contents}\nData version {meta.data_version}, generated {meta.generated}.\n"
                         f"Sources: {'; '.join(meta.sources)}\n{meta.attribution}")
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{escape(meta.title)}</name><description>{description}</description>"
        f"<Folder><name>Incidents</name>{_placemarks(records, dataset)}</Folder>"
        f"<Folder><name>Project sites</name>{''.join(site_marks)}</Folder>"
    )
    for name, recs in imported:
        yield f"<Folder><name>{escape('Imported: ' + name)}</name>"
        for chunk in _chunks(recs):
            yield _placemarks(chunk, None)
        yield "</Folder>"
    yield "</Document></kml>\n"


def render(fmt: str, records: gpd.GeoDataFrame, dataset: Dataset, meta: Metadata,
           imported: Sequence[Imported] = ()) -> str:
    """One export file; a plain CSV holds the curated incidents only (``csv_bundle`` adds the imported layers)."""
    return "".join(parts(fmt, records, dataset, meta, imported))


def parts(fmt: str, records: gpd.GeoDataFrame, dataset: Dataset, meta: Metadata,
          imported: Sequence[Imported] = ()) -> Iterator[str]:
    """``render``'s text in parts, each imported layer's a part per chunk of its records."""
    if fmt == "geojson":
        return geojson_parts(records, dataset, meta, imported)
    if fmt == "csv":
        return csv_parts(records, dataset)
    if fmt == "kml":
        return kml_parts(records, dataset, meta, imported)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
