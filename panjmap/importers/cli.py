"""``python -m panjmap convert FILE --to geojson|csv [-o OUT]``.

Writes the normalised records to OUT (atomically: a temporary file renamed into
place) or stdout, and the import summary to stderr. A rejected file prints the
reason to stderr, writes nothing and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import panjmap.importers as importers
from panjmap.importers import FORMATS, RESULT_COLUMNS, ImportRejected, import_file
from panjmap.importers.textfile import check_size

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
    return pd.DataFrame(records[list(RESULT_COLUMNS)]).to_csv(index=False, lineterminator="\n")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    print(result.summary(), file=sys.stderr)
    return 0
