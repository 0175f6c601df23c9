"""``python -m panjmap convert FILE --to geojson|csv [-o OUT]``.

Writes the normalised records to OUT (atomically: a temporary file renamed into
place) or stdout, in chunks of CHUNK_ROWS records so the output never costs
more memory than the records themselves, and the import summary to stderr. A rejected file prints the
reason to stderr, writes nothing and exits 2.
"""

from __future__ import annotations

import csv
import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import panjmap.importers as importers
from panjmap.export import safe_cell
from panjmap.importers import FORMATS, RESULT_COLUMNS, ImportRejected, import_file
from panjmap.importers.textfile import check_size
from panjmap.output import write_atomically

OUTPUTS: tuple[str, ...] = ("geojson", "csv")
CHUNK_ROWS = 2000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="ACLED or UCDP GED CSV, or GeoJSON points")
    parser.add_argument("--from", dest="fmt", choices=FORMATS, default="auto", help="input format (default: auto)")
    parser.add_argument("--to", dest="to", choices=OUTPUTS, required=True, help="output format")
    parser.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    parser.add_argument("--name", dest="dataset_name", help="dataset name (default: from FILE's name)")


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _chunks(records: gpd.GeoDataFrame) -> Iterator[pd.DataFrame]:
    for start in range(0, len(records), CHUNK_ROWS):
        yield pd.DataFrame(records.iloc[start:start + CHUNK_ROWS][list(RESULT_COLUMNS)])


def geojson_chunks(records: gpd.GeoDataFrame) -> Iterator[str]:
    """A FeatureCollection, one feature per line."""
    yield '{"type": "FeatureCollection", "features": [\n'
    first = True
    for chunk in _chunks(records):
        lines = []
        for row in chunk.to_dict("records"):
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [_plain(row["longitude"]), _plain(row["latitude"])]},
                "properties": {name: _plain(value) for name, value in row.items()},
            }
            lines.append(("" if first else ",\n") + json.dumps(feature, ensure_ascii=False))
            first = False
        yield "".join(lines)
    yield "\n]}\n"


def csv_chunks(records: gpd.GeoDataFrame) -> Iterator[str]:
    """Normalised records as CSV; text a spreadsheet would run as a formula is neutralised."""
    for n, table in enumerate(_chunks(records)):
        bare_cr = False
        for col in table.columns:
            table[col] = table[col].map(lambda v: safe_cell(v) if isinstance(v, str) else v)
            bare_cr = bare_cr or bool(table[col].map(lambda v: isinstance(v, str) and "\r" in v).any())
        # A cell with a bare CR is left unquoted by QUOTE_MINIMAL (only "\n" is the terminator)
        # and would end the row in every reader: such a chunk is quoted whole, as export._csv does.
        yield table.to_csv(index=False, header=n == 0, lineterminator="\n",
                           quoting=csv.QUOTE_ALL if bare_cr else csv.QUOTE_MINIMAL)
    if not len(records):
        yield ",".join(RESULT_COLUMNS) + "\n"


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        check_size(path.stat().st_size, importers.MAX_IMPORT_BYTES)
        result = import_file(path.read_bytes(), path.name, args.fmt, args.dataset_name)
    except OSError as err:
        print(f"convert: cannot read {path}: {err.strerror}", file=sys.stderr)
        return 2
    except ImportRejected as err:
        print(f"convert: {path.name} was not imported: {err.message}", file=sys.stderr)
        return 2
    chunks = geojson_chunks(result.records) if args.to == "geojson" else csv_chunks(result.records)
    if args.output:
        write_atomically(Path(args.output), (chunk.encode("utf-8") for chunk in chunks))
    else:
        for chunk in chunks:
            sys.stdout.write(chunk)
    print(result.summary(), file=sys.stderr)
    return 0
