"""``python -m panjmap db init|status|dump|backup|restore|reseed``: the store from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from panjmap.data import DataError
from panjmap.store import StoreError, open_store
from panjmap.store.engine import database_url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL",
                        help="database URL (default: PANJ_DATABASE_URL, the Streamlit secrets' database_url, "
                             "else data/panjmap.sqlite)")
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    sub.add_parser("init", help="create or upgrade the schema; fill an empty store from seeds/")
    sub.add_parser("status", help="show the database, schema revision, records and imported datasets")
    dump = sub.add_parser("dump", help="write the published records as seed files (CSVs and source texts)")
    dump.add_argument("directory", type=Path, metavar="DIR")
    backup = sub.add_parser("backup", help="write the whole store to one file (gzipped JSON lines, any engine)")
    backup.add_argument("file", type=Path, metavar="FILE")
    restore = sub.add_parser("restore", help="replace the whole store with a backup file (all or nothing)")
    restore.add_argument("file", type=Path, metavar="FILE")
    reseed = sub.add_parser("reseed", help="replace the curated records with seeds/ (imported datasets are kept)")
    reseed.add_argument("--discard-edits", action="store_true",
                        help="also when the records were edited in this store (those edits are lost)")


def run(args: argparse.Namespace) -> int:
    from panjmap.store import backup, imports, records

    url = args.database or database_url()
    try:
        store = open_store(url)
        if args.db_command == "init":
            print(f"store ready at {store.engine.url!r}, schema {store.schema_revision()}")
        elif args.db_command == "status":
            with store.reading() as conn:
                tables = records.read_record_tables(conn)
                datasets = imports.list_datasets(conn)
            print(f"database: {store.engine.url!r}\nschema: {store.schema_revision()}")
            if records.seeds_status(store) == records.DIVERGED:
                print("seeds: seeds/ has changed since this store was filled, and its records were edited here; "
                      "`db dump DIR` keeps the edits, `db reseed --discard-edits` takes the new seeds")
            else:
                print("seeds: the store was last filled from the current seeds/")
            print("published records: " + ", ".join(f"{len(f)} {name}" for name, f in tables.items()))
            for ds in datasets:
                print(f"dataset {ds.name!r}: {ds.event_count} events ({ds.source_format}), updated {ds.updated_at}")
        elif args.db_command == "dump":
            written = records.dump(store, args.directory)
            print(f"{len(written)} files written to {args.directory}")
        elif args.db_command == "backup":
            counts = backup.backup(store, args.file)
            print(f"backup written to {args.file}: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        elif args.db_command == "reseed":
            counts = records.reseed(store, discard_edits=args.discard_edits)
            print("records replaced with seeds/: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        elif args.db_command == "restore":
            counts = backup.restore(store, args.file)
            print(f"store restored from {args.file}: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    except (StoreError, DataError, OSError) as exc:
        print(f"db {args.db_command}: {exc}", file=sys.stderr)
        return 2
    return 0
