"""``db backup FILE`` / ``db restore FILE``: the whole store as one portable file.

The file is gzipped JSON lines, the same for SQLite and PostGIS (a SQLite backup
restores into PostGIS and back): a header naming the format and schema
revision, then per table its column names and one JSON array per row (binary
values as ``{"b64": ...}``), then an end line with the row counts. Restore
replaces everything in one transaction: a damaged, truncated or foreign file
changes nothing. A backup taken at an older schema revision is loaded at that
revision and migrated to the store's, in the same transaction.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap.store import tables as t
from panjmap.store.core import AREAS, Store, StoreError, now

FORMAT = "panjmap-store-backup"
FORMAT_VERSION = 1
BATCH = 5000
# Parents before children; restore deletes in reverse.
ORDER: tuple[sa.Table, ...] = (
    t.sources, t.sites, t.incidents, t.claims, t.evidence, t.actors, t.meta, t.change_log, t.datasets, t.events,
    t.event_actors,
)


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview)):
        return {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return base64.b64decode(value["b64"])
    return value


def backup(store: Store, path: Path) -> dict[str, int]:
    """Write the store to ``path`` (atomically); -> rows per table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    counts: dict[str, int] = {}
    try:
        with store.reading() as conn, gzip.open(tmp, "wt", encoding="utf-8") as out:
            header = {"format": FORMAT, "version": FORMAT_VERSION, "schema_revision": store.schema_revision(),
                      "created": now(), "engine": store.engine.dialect.name}
            out.write(json.dumps(header) + "\n")
            for table in ORDER:
                columns = list(table.c.keys())
                out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
                key = table.primary_key.columns.values()[0]
                result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                    sa.select(*table.c).order_by(key))
                n = 0
                for row in result:
                    out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
                    n += 1
                counts[table.name] = n
            out.write(json.dumps({"end": True, "rows": counts}) + "\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts


def _lines(path: Path) -> Iterator[Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise StoreError(f"{path.name} line {number} is not JSON; the backup is damaged") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # not gzip, or cut short
        raise StoreError(f"{path.name} is not a complete store backup ({exc})") from None


def restore(store: Store, path: Path, who: str | None = None) -> dict[str, int]:
    """Replace the store's contents with the backup at ``path``; all or nothing. -> rows per table."""
    lines = _lines(Path(path))
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise StoreError(f"{Path(path).name} is not a panjmap store backup")
    current, revision = store.schema_revision(), header.get("schema_revision")
    known = store.known_revisions()
    if header.get("version") != FORMAT_VERSION or revision not in known or \
            current not in known or known.index(revision) > known.index(current):
        raise StoreError(
            f"{Path(path).name} holds schema {revision!r} (format {header.get('version')}); "
            f"this store is at {current!r}: upgrade the app (or `db init` this store) first"
        )
    by_name = {table.name: table for table in ORDER}
    counts: dict[str, int] = {}
    with store.writing() as conn:
        before = store.revisions()
        for table in reversed(ORDER):
            conn.execute(table.delete())
        if revision != current:  # an older backup: loaded at its own schema, then migrated with it
            store.migrate_in(conn, revision, down=True)
        table: sa.Table | None = None
        columns: list[str] = []
        batch: list[dict[str, Any]] = []
        ended = False
        for item in lines:
            if ended:
                raise StoreError(f"{Path(path).name} has data after its end line; the backup is damaged")
            if isinstance(item, list):
                if table is None or len(item) != len(columns):
                    raise StoreError(f"{Path(path).name}: a row does not match its table's columns")
                batch.append(dict(zip(columns, map(_decode, item), strict=True)))
                counts[table.name] += 1
                if len(batch) >= BATCH:
                    conn.execute(table.insert(), batch)
                    batch = []
                continue
            if batch and table is not None:
                conn.execute(table.insert(), batch)
                batch = []
            if "table" in item:
                table = by_name.get(item["table"])
                if table is None or set(item["columns"]) != set(table.c.keys()):
                    raise StoreError(f"{Path(path).name}: table {item['table']!r} does not match this store's schema")
                columns = item["columns"]
                counts[table.name] = 0
            elif item.get("end"):
                if item.get("rows") != counts:
                    raise StoreError(f"{Path(path).name}: row counts do not match its end line; the backup is damaged")
                ended = True
        if not ended:
            raise StoreError(f"{Path(path).name} ends early (no end line); the backup is incomplete")
        if revision != current:
            store.migrate_in(conn, current)
        _reset_sequences(store, conn)
        # Counters move forward past both histories, so every process reloads.
        restored = {key: int(value) for key, value in conn.execute(
            sa.select(t.meta.c.key, t.meta.c.value).where(t.meta.c.key.in_(AREAS)))}
        for area in AREAS:
            store.set_meta(conn, area, str(max(before[area], restored.get(area, 0)) + 1))
        store.log(conn, "restore", "*", who=who, after=counts, reason=f"restored from {Path(path).name}")
    return counts


def _reset_sequences(store: Store, conn: Connection) -> None:
    """PostgreSQL: serial counters continue after the restored ids."""
    if not store.is_postgres:
        return
    for table in (t.evidence, t.change_log, t.datasets, t.events):
        conn.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
        ))
