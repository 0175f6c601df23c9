"""``python -m panjmap convert FILE --to geojson|csv [-o OUT]``.

Writes the normalised records to OUT (atomically: a temporary file renamed into
place) or stdout, and the import summary to stderr. A rejected file prints the
reason to stderr, writes nothing and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
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


def to_geojson(records: gpd.GeoDataFrame) -> str:
    columns = list(RESULT_COLUMNS)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [_plain(row["longitude"]), _plain(row["latitude"])]},
            "properties": {name: _plain(row[name]) for name in columns},
        }
        for row in records[columns].to_dict("records")
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1) + "\n"


def to_csv(records: gpd.GeoDataFrame) -> str:
    """Normalised records as CSV; text a spreadsheet would run as a formula is neutralised."""
    table = pd.DataFrame(records[list(RESULT_COLUMNS)])
    for col in table.columns:
        table[col] = table[col].map(lambda v: safe_cell(v) if isinstance(v, str) else v)
    return table.to_csv(index=False, lineterminator="\n")


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
    text = to_geojson(result.records) if args.to == "geojson" else to_csv(result.records)
    if args.output:
        write_atomically(Path(args.output), text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    print(result.summary(), file=sys.stderr)
    return 0
