"""``python -m panjmap export``: the filtered curated incidents, and imported datasets of the store
named with ``--layer`` or in the permalink's layers, as GeoJSON, CSV (a ZIP bundle) or KML.

An imported dataset's export holds every record the filters select, read from the store in
chunks and written as they are read; the file appears whole, or not at all if anything fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from panjmap import export
from panjmap.cli_filters import add_filter_arguments, selection_from_args
from panjmap.layers import import_key
from panjmap.output import write_atomically
from panjmap.state import IMPORT_LAYER_PREFIX
from panjmap.store.export import exported
from panjmap.store.layers import StoredLayer, stored_layers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=(*export.FORMATS, "gpkg"), default="geojson",
                        help="output format (default: geojson); gpkg: the whole store (curated records and "
                             "every imported dataset, one layer each) as a GeoPackage, needs -o")
    add_filter_arguments(parser)
    parser.add_argument("--layer", action="append", default=[], metavar="NAME",
                        help="an imported dataset in the store to export too, every record the filters select "
                             "(repeatable; as the permalink's layers do); with --format csv, needs -o FILE.zip")
    parser.add_argument("-o", "--output", type=Path,
                        help="output file (default: standard output); a CSV gets a .metadata.json beside it, "
                             "a CSV named *.zip is the app's bundle (incidents, claims, sites, imported layers, metadata)")


def run(args: argparse.Namespace) -> int:
    if args.format == "gpkg":
        return _gpkg(args)
    sel = selection_from_args(args)
    state = sel.state.replace(layers=tuple(dict.fromkeys((*sel.state.layers, *map(import_key, args.layer)))))
    names = [key.removeprefix(IMPORT_LAYER_PREFIX) for key in state.layers if key.startswith(IMPORT_LAYER_PREFIX)]
    bundle = args.format == "csv" and args.output is not None and args.output.suffix == ".zip"
    if names and args.format == "csv" and not bundle:
        print("export: imported layers go in a CSV bundle: give -o FILE.zip", file=sys.stderr)
        return 2
    layers = _stored(names)
    if layers is None:
        return 2
    with exported(state, layers) as imported:
        meta = export.metadata(state, sel.dataset, sel.records, imported=imported)
        parts = export.parts(args.format, sel.records, sel.dataset, meta, imported)
        if not args.output:
            for part in parts:
                sys.stdout.write(part)
            return 0
        chunks: Iterable[bytes] = (export.bundle_parts(sel.records, sel.dataset, meta, args.output.stem, imported)
                                   if bundle else (part.encode("utf-8") for part in parts))
        write_atomically(args.output, chunks)
    if args.format == "csv" and not bundle:  # GeoJSON, KML and the bundle carry their metadata inside
        write_atomically(args.output.with_suffix(".metadata.json"), export.metadata_json(meta).encode("utf-8"))
    print(f"{len(sel.records)} incidents written to {args.output}"
          + "".join(f"; imported layer {layer['name']!r}: {layer['records']} records" for layer in meta.layers[1:]),
          file=sys.stderr)
    return 0


def _stored(names: list[str]) -> list[StoredLayer] | None:
    """The store's imported layers of these names; None (said why) if one is not there."""
    if not names:
        return []
    layers = {layer.label: layer for layer in stored_layers()}
    missing = [name for name in names if name not in layers]
    if missing:
        print(f"export: no imported dataset named {', '.join(map(repr, missing))} in the store "
              f"(it has: {', '.join(map(repr, layers)) or 'none'})", file=sys.stderr)
        return None
    return [layers[name] for name in names]


def _gpkg(args: argparse.Namespace) -> int:
    from panjmap.store import open_store
    from panjmap.store.gpkg import write_gpkg

    if not args.output:
        print("export: --format gpkg writes a file: give -o FILE.gpkg", file=sys.stderr)
        return 2
    counts = write_gpkg(open_store(), args.output)
    print(f"{args.output}: " + ", ".join(f"{layer} ({n})" for layer, n in counts.items()), file=sys.stderr)
    return 0
