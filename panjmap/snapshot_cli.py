"""``python -m panjmap snapshot``: the map view as PNG or standalone HTML, for scripted briefings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from panjmap import snapshot
from panjmap.cli_filters import add_filter_arguments, selection_from_args
from panjmap.output import write_atomically


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("png", "html"), required=True)
    add_filter_arguments(parser, bbox=True)
    parser.add_argument("--size", choices=tuple(snapshot.SIZES), default="slide",
                        help="PNG size: slide 1600x900, print 3508x2480 (default: slide)")
    parser.add_argument("--renderer", choices=("auto", "chromium", "matplotlib"), default="auto",
                        help="PNG renderer (default: Chromium if present, else matplotlib)")
    parser.add_argument("-o", "--output", type=Path,
                        help="output file (default: a name saying what it holds, in the current folder)")


def run(args: argparse.Namespace) -> int:
    sel = selection_from_args(args)
    state, dataset, meta = sel.state, sel.dataset, sel.meta
    output = args.output or Path(f"{state.file_stem()}.{args.format}")
    if args.format == "html":
        data = snapshot.standalone_html(state, dataset, meta).encode("utf-8")
        note = "standalone HTML"
    else:
        png = snapshot.render_png(state, dataset, meta, size=args.size, renderer=args.renderer)
        data, note = png.data, f"PNG rendered by {png.renderer}"
    write_atomically(output, data)
    print(f"{output}: {note}, {meta.count} records, {meta.located} on the map", file=sys.stderr)
    return 0
