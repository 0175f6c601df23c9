"""``python -m panjmap export``: the filtered curated incidents as GeoJSON, CSV or KML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from panjmap import export
from panjmap.cli_filters import add_filter_arguments, selection_from_args
from panjmap.output import write_atomically


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=(*export.FORMATS, "gpkg"), default="geojson",
                        help="output format (default: geojson); gpkg: the whole store (curated records and "
                             "every imported dataset, one layer each) as a GeoPackage, needs -o")
    add_filter_arguments(parser)
    parser.add_argument("-o", "--output", type=Path,
                        help="output file (default: standard output); a CSV gets a .metadata.json beside it")


def run(args: argparse.Namespace) -> int:
    if args.format == "gpkg":
        return _gpkg(args)
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


def _gpkg(args: argparse.Namespace) -> int:
    from panjmap.store import open_store
    from panjmap.store.gpkg import write_gpkg

    if not args.output:
        print("export: --format gpkg writes a file: give -o FILE.gpkg", file=sys.stderr)
        return 2
    counts = write_gpkg(open_store(), args.output)
    print(f"{args.output}: " + ", ".join(f"{layer} ({n})" for layer, n in counts.items()), file=sys.stderr)
    return 0
