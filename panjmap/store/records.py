"""Curated records in the store <-> seed-format tables: seeding, reading, dumping.

The seed CSVs are the baseline: an empty store is filled from ``seeds/`` and
``db dump`` writes the published records back in the same format, byte for byte
for an unedited store (text cells stored as written, rows in their order).
When ``seeds/`` changes (a new release of the records), a store nobody has
edited follows it at the next start; an edited store is left as it is and
``seeds_status`` says the two have diverged (``db reseed --discard-edits``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap.data import TABLES, DataError, read_tables
from panjmap.paths import SEEDS_DIR
from panjmap.store import tables as t
from panjmap.store.core import SEEDED_KEY, Store, StoreError, now
from panjmap.output import write_atomically

ACTORS_FILE = "actors.csv"
# Insert order: referenced tables first.
LOAD_ORDER: tuple[str, ...] = ("sources", "sites", "incidents", "claims", "evidence", "actors")
SEEDS_KEY = "seeds_fingerprint"  # store_meta: which seed files the store was last filled from
# Seed-status words (what ``sync_seeds`` did / ``seeds_status`` finds).
SEEDED, CURRENT, RESEEDED, DIVERGED = "seeded", "current", "reseeded", "diverged"


def _columns(name: str) -> tuple[str, ...]:
    """The seed columns a table is dumped with: schema.py's list (actors: the shared contract's)."""
    return TABLES.get(name) or t.SEED_TABLES[name][0]


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _read_seed_tables(seeds_dir: Path) -> dict[str, pd.DataFrame]:
    tables = {name: frame.drop(columns="_line") for name, frame in read_tables(seeds_dir).items()}
    actors_path = seeds_dir / ACTORS_FILE
    if "actors" not in tables and actors_path.is_file():
        frame = pd.read_csv(actors_path, dtype=str, keep_default_na=False, encoding="utf-8")
        missing = [c for c in t.ACTOR_COLUMNS if c not in frame.columns]
        if missing:
            raise DataError(f"{ACTORS_FILE}: missing columns {', '.join(missing)}")
        tables["actors"] = frame[list(t.ACTOR_COLUMNS)]
    return tables


def seeds_fingerprint(seeds_dir: Path = SEEDS_DIR) -> str:
    """Hash of every seed file (tables and source texts; not the README), by name and content."""
    digest = hashlib.sha256()
    for path in sorted(seeds_dir.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.suffix != ".md":
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load_seeds(store: Store, conn: Connection, seeds_dir: Path = SEEDS_DIR, who: str = "seeds",
               action: str = "seed") -> dict[str, int]:
    """Insert the seed records (as published) and their source files; -> rows per table."""
    tables = _read_seed_tables(seeds_dir)
    counts: dict[str, int] = {}
    for name in LOAD_ORDER:
        if name not in tables:
            continue
        frame = tables[name]
        rows = []
        for position, record in enumerate(frame.to_dict("records")):
            row = dict(record, position=position, status="published", version=1, updated_at=now(), updated_by=who)
            if name in t.LOCATED_TABLES:
                row["lon"], row["lat"] = _float(record["longitude"]), _float(record["latitude"])
            if name == "sources":
                path = seeds_dir / record["source_file"]
                if not path.is_file():
                    raise DataError(f"sources.csv: source file {record['source_file']!r} not found in {seeds_dir}")
                content = path.read_bytes()
                row.update(content=content, content_sha256=hashlib.sha256(content).hexdigest(),
                           original_media_type="text/plain")
            rows.append(row)
        if rows:
            conn.execute(t.RECORD_TABLES[name].insert(), rows)
        counts[name] = len(rows)
    store.log(conn, action, "*", who=who, after=counts, reason=f"baseline from {seeds_dir.name}/")
    store.set_meta(conn, SEEDED_KEY, now())
    store.set_meta(conn, SEEDS_KEY, seeds_fingerprint(seeds_dir))
    store.bump(conn, "records")
    return counts


def _edited(conn: Connection) -> bool:
    """Has anyone changed the curated records since they were seeded (imports do not count)?"""
    log = t.change_log.c
    return conn.execute(sa.select(sa.func.count()).select_from(t.change_log).where(
        log.action.not_in(("seed", "reseed")), log.table_name != "datasets")).scalar_one() > 0


def _replace_with_seeds(store: Store, conn: Connection, seeds_dir: Path) -> dict[str, int]:
    for name in reversed(LOAD_ORDER):  # referencing tables first
        conn.execute(t.RECORD_TABLES[name].delete())
    return load_seeds(store, conn, seeds_dir, action="reseed")


def sync_seeds(store: Store, seeds_dir: Path | None = None) -> str:
    """Fill a never-seeded store from the seeds, or follow changed seeds if nobody edited the records.

    -> SEEDED, CURRENT, RESEEDED or DIVERGED (changed seeds, edited store: left as it is)."""
    seeds_dir = seeds_dir or SEEDS_DIR
    with store.writing() as conn:
        store._lock(conn)
        if store.get_meta(conn, SEEDED_KEY) is None:
            load_seeds(store, conn, seeds_dir)
            return SEEDED
        if store.get_meta(conn, SEEDS_KEY) == seeds_fingerprint(seeds_dir):
            return CURRENT
        if _edited(conn):
            return DIVERGED
        _replace_with_seeds(store, conn, seeds_dir)
        return RESEEDED


def seeds_status(store: Store, seeds_dir: Path | None = None) -> str:
    """CURRENT if the store was last filled from these seed files, else DIVERGED."""
    with store.reading() as conn:
        stored = store.get_meta(conn, SEEDS_KEY)
    return CURRENT if stored == seeds_fingerprint(seeds_dir or SEEDS_DIR) else DIVERGED


def reseed(store: Store, seeds_dir: Path | None = None, discard_edits: bool = False) -> dict[str, int]:
    """Replace the curated records with the seeds (imports are kept); edits only with ``discard_edits``."""
    seeds_dir = seeds_dir or SEEDS_DIR
    with store.writing() as conn:
        store._lock(conn)
        if _edited(conn) and not discard_edits:
            raise StoreError("the records were edited in this store; reseeding discards those edits "
                             "(dump them first with `db dump DIR`, then reseed with --discard-edits)")
        return _replace_with_seeds(store, conn, seeds_dir)


def read_record_tables(conn: Connection, statuses: tuple[str, ...] = ("published",)) -> dict[str, pd.DataFrame]:
    """Each seed table as text frames in seed order, only records with ``statuses``."""
    tables: dict[str, pd.DataFrame] = {}
    for name in (*TABLES, "actors"):
        table = t.RECORD_TABLES[name]
        columns = _columns(name)
        query = sa.select(*(table.c[col] for col in columns)).where(table.c.status.in_(statuses)) \
            .order_by(table.c.position)
        frame = pd.DataFrame(conn.execute(query).all(), columns=list(columns), dtype=object)
        tables[name] = frame.fillna("").astype(str) if len(frame) else frame.astype(str)
    return tables


def source_contents(conn: Connection, statuses: tuple[str, ...] = ("published",)) -> dict[str, bytes]:
    rows = conn.execute(sa.select(t.sources.c.source_file, t.sources.c.content)
                        .where(t.sources.c.status.in_(statuses))).all()
    return {name: bytes(content) for name, content in rows}


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table in the seeds' CSV dialect (minimal quoting, LF line ends)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False, name=None))
    return out.getvalue().encode("utf-8")


def content_version(tables: dict[str, pd.DataFrame]) -> str:
    """Short hash of the tables as CSV: equals panjmap.data.data_version of an identical seeds/ folder."""
    digest = hashlib.sha256()
    for name in TABLES:
        digest.update(csv_bytes(tables[name]))
    return digest.hexdigest()[:12]


def dump(store: Store, target: Path) -> list[Path]:
    """Write the published records as seed files (CSVs and source texts) into ``target``."""
    with store.reading() as conn:
        tables = read_record_tables(conn)
        contents = source_contents(conn)
    written = []
    for name, frame in tables.items():
        if name == "actors" and frame.empty and "actors" not in TABLES:
            continue  # no actor dictionary in this store: write no actors.csv
        path = target / f"{name}.csv"
        write_atomically(path, csv_bytes(frame))
        written.append(path)
    for source_file, content in contents.items():
        if Path(source_file).name != source_file or source_file.startswith("."):
            raise DataError(f"source file name {source_file!r} is not a plain file name; not written")
        write_atomically(target / source_file, content)
        written.append(target / source_file)
    return written
