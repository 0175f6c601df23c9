"""``python -m panjmap import FILE [--name NAME] [--update [--full] [--deletions FILE]]``.

Writes the file into the store as an imported dataset (every session sees it),
or re-syncs an existing one with a newer ACLED export. Prints the report; a
refused file prints why, writes nothing and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from panjmap.importers import FORMATS, ImportRejected
from panjmap.store import StoreError, open_store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="ACLED or UCDP GED CSV, or GeoJSON points")
    parser.add_argument("--name", help="dataset name (default: from FILE's name)")
    parser.add_argument("--from", dest="fmt", choices=FORMATS, default="auto", help="input format (default: auto)")
    parser.add_argument("--update", action="store_true",
                        help="re-sync the existing dataset NAME with this newer export (ACLED: newer timestamp "
                             "replaces, new ids are added)")
    parser.add_argument("--full", action="store_true",
                        help="with --update: FILE is a full re-export; events absent from it are removed")
    parser.add_argument("--deletions", type=Path, metavar="FILE",
                        help="with --update: ACLED deleted-events CSV; the event ids in it are removed")
    parser.add_argument("--remove", action="store_true", help="remove the dataset NAME (FILE is its name here)")
    parser.add_argument("--database", metavar="URL", help="database URL (default: the configured store)")


def run(args: argparse.Namespace) -> int:
    from panjmap.store import imports

    try:
        store = open_store(args.database)
        if args.remove:
            removed = imports.remove_dataset(store, args.name or str(args.file))
            print(f"removed dataset '{args.name or args.file}' ({removed} events)")
            return 0
        if (args.full or args.deletions) and not args.update:
            print("import: --full and --deletions go with --update", file=sys.stderr)
            return 2
        deletions: list[str] = []
        if args.deletions:
            with args.deletions.open("rb") as handle:
                deletions = imports.deletion_ids(handle)
        with args.file.open("rb") as handle:
            report = imports.import_dataset(
                store, handle, args.file.name, fmt=args.fmt, name=args.name, update=args.update, full=args.full,
                deletions=deletions, progress=lambda n: print(f"... {n} events read", file=sys.stderr, flush=True),
            )
    except OSError as exc:
        print(f"import: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except ImportRejected as exc:
        print(f"import: {args.file.name} was not imported: {exc.message}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"import: nothing was written: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0
