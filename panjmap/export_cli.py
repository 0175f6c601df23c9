"""``python -m panjmap export``: the filtered curated incidents as GeoJSON, CSV or KML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from panjmap import export
from panjmap.cli_filters import add_filter_arguments, selection_from_args
from panjmap.output import write_atomically


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=export.FORMATS, default="geojson", help="output format (default: geojson)")
    add_filter_arguments(parser)
    parser.add_argument("-o", "--output", type=Path,
                        help="output file (default: standard output); a CSV gets a .metadata.json beside it")


def run(args: argparse.Namespace) -> int:
    sel = selection_from_args(args)
    records, meta = sel.records, sel.meta
    text = export.render(args.format, records, sel.dataset, meta)
    if args.output:
        write_atomically(args.output, text.encode("utf-8"))
        if args.format == "csv":  # GeoJSON and KML carry their metadata inside
            write_atomically(args.output.with_suffix(".metadata.json"), export.metadata_json(meta).encode("utf-8"))
        print(f"{len(records)} incidents written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
