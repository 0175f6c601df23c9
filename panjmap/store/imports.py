"""Imported datasets in the store: import a file, re-sync a newer export, list, read, remove.

A CSV is read in chunks of rows (cut between records, never inside a quoted
field) and each chunk goes through the importer (``panjmap.importers.import_file``)
with the header in front, so memory does not grow with the file; its records are
written in batches. A thread parses the next chunk while the previous one is
written (both cores; an error on either side aborts the import). Everything
happens in one transaction: a file refused halfway, a crash or a killed process
leaves no trace of the import.

Re-sync follows ACLED's guidance: an event whose ``event_id_cnty`` is known is
replaced when the new ``timestamp`` is newer, new ids are added, ids in a
deletions file (or, for a full re-export, ids absent from it) are removed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from panjmap import query
from panjmap.data import CRS
from panjmap.importers import ImportRejected, ImportResult, RESULT_COLUMNS, dataset_name_from, import_file
from panjmap.importers.core import SOURCE_FORMAT_LABELS, rows as plural, unit_of
from panjmap.importers.limits import MAX_IMPORT_BYTES
from panjmap.store import tables as t
from panjmap.store.core import Store, StoreError, now

CHUNK_BYTES = 4 * 1024 * 1024  # per importer call: far below the importer's own size limit
CHUNK_ROWS = 20_000
ID_BATCH = 900  # ids per IN (...) list
READ_AHEAD = 1  # chunks parsed and waiting while the previous one is written
# SQLite page cache during an import (KiB; the default is 2 MB): the one transaction updates
# the events' indexes all over, and pages pushed out of the cache are written and read again.
SQLITE_IMPORT_CACHE_KIB = 32 * 1024
_SEP_LINE = re.compile(rb'\s*"?sep=.?"?\s*')
_LINE_REF = re.compile(r"\b(lines? |first on line |Line )(\d+(?:, \d+)*)")
_T = TypeVar("_T")
STR = pd.StringDtype("pyarrow", na_value=np.nan)  # what dtype=str makes (pandas 3)
_EVENT_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in t.events.c if c.name not in ("id", "dataset_id", "actors", "search", "sync_mark")
)


@dataclass
class ImportReport:
    """What an import or re-sync did, for the user."""

    dataset: str
    source_format: str
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    resync: bool = False
    mapped: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"

    def summary(self) -> str:
        label = SOURCE_FORMAT_LABELS.get(self.source_format, self.source_format)
        unit = unit_of(self.source_format)
        if self.resync:
            head = f"Re-synced dataset '{self.dataset}' from {plural(self.rows_read, unit)} ({label}): {self.counts()}."
        else:
            head = f"Imported {self.added} of {plural(self.rows_read, unit)} as {label} into dataset '{self.dataset}'."
        warnings = list(self.warnings)
        if self.duplicates:
            warnings.append(f"{plural(self.duplicates)} skipped: their event id was already used earlier in the file")
        # The importer's own report layout for columns, skipped rows and warnings.
        details = ImportResult(self.dataset, self.source_format, gpd.GeoDataFrame(), self.mapped, self.skipped,
                               warnings, self.rows_read).summary()
        return "\n".join([head, *details.splitlines()[1:]])


# -- reading the file in chunks ---------------------------------------------------

def _shift(text: str, offset: int) -> str:
    """Line numbers in an importer message, from chunk lines to file lines."""
    if not offset:
        return text
    return _LINE_REF.sub(
        lambda m: m.group(1) + ", ".join(str(int(n) + offset) for n in m.group(2).split(", ")), text)


def _records_of(lines: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    """(first line number, raw bytes) of each CSV record: quoted newlines stay inside their record."""
    number = 0
    buffer: list[bytes] = []
    start = 1
    inside = False
    for line in lines:
        number += 1
        if not buffer:
            start = number
        buffer.append(line)
        if line.count(b'"') % 2:
            inside = not inside
        if not inside:
            yield start, b"".join(buffer)
            buffer = []
    if buffer:  # an unclosed quote: the importer says where
        yield start, b"".join(buffer)


def csv_chunks(lines: Iterable[bytes], chunk_bytes: int = CHUNK_BYTES, chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple[int, bytes]]:
    """(line offset, text) pieces of a CSV file, each the header lines plus a run of records.

    The first piece starts with the file's own first bytes; ``offset`` turns a line
    number inside a piece into the file's.
    """
    records = _records_of(iter(lines))
    header = b""
    header_lines = 0
    for start, raw in records:  # blank lines, an Excel "sep=" line, then the header
        header += raw
        header_lines = start + raw.count(b"\n") - (1 if raw.endswith(b"\n") else 0)
        text = raw.strip().removeprefix(b"\xef\xbb\xbf")
        if text and not _SEP_LINE.fullmatch(text):
            break
    if not header.endswith(b"\n") and header:
        header += b"\n"
    piece: list[bytes] = []
    size = 0
    first_line = header_lines + 1
    produced = False
    for start, raw in records:
        if not piece:
            first_line = start
        piece.append(raw)
        size += len(raw)
        if size >= chunk_bytes or len(piece) >= chunk_rows:
            yield first_line - header_lines - 1, header + b"".join(piece)
            produced, piece, size = True, [], 0
    if piece or not produced:
        yield (first_line - header_lines - 1) if piece else 0, header + b"".join(piece)


def _hashing(stream: IO[bytes], digest: Any, limit: int) -> Iterator[bytes]:
    """The stream's lines, hashed and size-checked as they are read."""
    total = 0
    for line in stream:
        total += len(line)
        if total > limit:
            raise ImportRejected(
                f"The file is larger than the import limit of {limit:,} bytes ({limit // (1024 * 1024)} MB). "
                "Split or filter it before importing.")
        digest.update(line)
        yield line


def _is_json(stream: IO[bytes]) -> bool:
    head = stream.read(4096)
    stream.seek(0)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def parsed_chunks(
    stream: IO[bytes], filename: str, fmt: str, name: str, digest: Any,
) -> Iterator[tuple[ImportResult, int]]:
    """The importer's result for each piece of the file, with the piece's line offset."""
    if _is_json(stream):  # GeoJSON is one document: imported whole (within the importer's own limit)
        yield import_file(b"".join(_hashing(stream, digest, MAX_IMPORT_BYTES)), filename, fmt, name), 0
        return
    lines = _hashing(stream, digest, MAX_IMPORT_BYTES)
    for offset, text in csv_chunks(lines, CHUNK_BYTES, CHUNK_ROWS):
        try:
            result = import_file(text, filename, fmt, name)
        except ImportRejected as exc:
            where = f" (in the part of the file from line {offset + 2})" if offset else ""
            raise ImportRejected(_shift(exc.message, offset) + where) from None
        result.skipped = [(line + offset, reason) for line, reason in result.skipped]
        result.warnings = [_shift(w, offset) for w in result.warnings]
        yield result, offset


def _read_ahead(items: Iterator[_T], depth: int = READ_AHEAD) -> Iterator[_T]:
    """``items``, produced in a thread while the caller works on the previous ones (at most
    ``depth`` waiting). An error in the thread is raised here; when the caller stops, so does the thread."""
    end = object()
    waiting: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(depth)
    stop = threading.Event()

    def hand_over(item: Any, error: BaseException | None = None) -> bool:
        while not stop.is_set():
            try:
                waiting.put((item, error), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not hand_over(item):
                    return
            hand_over(end)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
            hand_over(end, exc)
        finally:
            close = getattr(items, "close", None)
            if close:
                close()

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, error = waiting.get()
            if error is not None:
                raise error
            if item is end:
                return
            yield item
    finally:
        stop.set()
        thread.join()


# -- writing events -------------------------------------------------------------

def event_rows(records: gpd.GeoDataFrame, dataset_id: int, sync_mark: int) -> tuple[list[str], list[tuple]]:
    """The importer's records as rows of the events table (with the filter helper columns):
    -> (column names, one tuple per record)."""
    indexed = query.record_set("import", records)
    names = [c for c in _EVENT_COLUMNS if c in records]
    columns: list[list[Any]] = []
    for name in names:
        values = records[name].tolist()
        if name in t.EVENT_INT_COLUMNS:  # nullable Int64 -> int or None
            values = [None if v is None or v is pd.NA else int(v) for v in values]
        elif name in t.EVENT_FLOAT_COLUMNS:
            values = [None if v is None or v != v else float(v) for v in values]
        columns.append(values)
    n = len(records)
    columns.append([dataset_id] * n)
    columns.append([t.ACTOR_SEP + t.ACTOR_SEP.join(a) + t.ACTOR_SEP if a else "" for a in indexed.actors])
    columns.append(indexed.search.tolist())
    columns.append([sync_mark] * n)
    return [*names, "dataset_id", "actors", "search", "sync_mark"], list(zip(*columns, strict=True))


def _chunk_rows(
    chunks: Iterable[tuple[ImportResult, int]], dataset_id: int, sync_mark: int,
) -> Iterator[tuple[ImportResult, list[str], list[tuple]]]:
    """Each parsed chunk with its events' rows (``event_rows``); the records frame is let go."""
    for result, _offset in chunks:
        columns, rows = event_rows(result.records, dataset_id, sync_mark)
        result.records = result.records.iloc[:0]
        yield result, columns, rows


def _new_event_ids(conn: Connection, n: int) -> list[int]:
    """Ids for ``n`` new events, so their actor rows can name them without reading them back.

    PostgreSQL takes them from the id sequence; SQLite counts on from the highest id,
    which no other writer moves meanwhile (the import holds the write lock)."""
    if conn.dialect.name == "postgresql":
        return list(conn.execute(sa.text(
            "SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, :n)"), {"n": n}).scalars())
    top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.events.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + n))


def _copy_or_insert(conn: Connection, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    raw = conn.connection.driver_connection
    quoted = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})", rows)
    finally:
        cursor.close()


def bulk_insert(conn: Connection, columns: list[str], rows: list[tuple]) -> None:
    """Insert event rows (as ``event_rows`` makes them) and their ``event_actors`` rows fast, in the
    connection's transaction: COPY on PostgreSQL, a plain DBAPI executemany on SQLite
    (SQLAlchemy's per-row processing costs more than the insert)."""
    if not rows:
        return
    ids = _new_event_ids(conn, len(rows))
    _copy_or_insert(conn, "events", ["id", *columns], ((i, *row) for i, row in zip(ids, rows, strict=True)))
    at_actors, at_dataset = columns.index("actors"), columns.index("dataset_id")
    _copy_or_insert(conn, "event_actors", ["event_id", "actor", "dataset_id"], (
        (i, name, row[at_dataset]) for i, row in zip(ids, rows, strict=True)
        for name in row[at_actors].split(t.ACTOR_SEP) if name))


def _existing(conn: Connection, dataset_id: int, ids: list[str]) -> dict[str, tuple[int, str, str, int]]:
    """event id -> (row id, timestamp, original, sync mark) for those of ``ids`` already stored."""
    found: dict[str, tuple[int, str, str, int]] = {}
    e = t.events.c
    for start in range(0, len(ids), ID_BATCH):
        batch = ids[start:start + ID_BATCH]
        for row in conn.execute(sa.select(e.event_id_cnty, e.id, e.timestamp, e.original, e.sync_mark)
                                .where(e.dataset_id == dataset_id, e.event_id_cnty.in_(batch))):
            found[row[0]] = (row[1], row[2], row[3], row[4])
    return found


def _is_newer(new_ts: str, new_original: str, old_ts: str, old_original: str) -> bool:
    """ACLED: a higher ``timestamp`` is a newer version. Without numbers, any change is one."""
    try:
        return int(new_ts) > int(old_ts)
    except (TypeError, ValueError):
        return new_original != old_original


def _in_batches(conn: Connection, statement_for: Callable[[list[Any]], Any], values: list[Any]) -> int:
    done = 0
    for start in range(0, len(values), ID_BATCH):
        done += conn.execute(statement_for(values[start:start + ID_BATCH])).rowcount
    return done


def _sync_chunk(
    conn: Connection, dataset_id: int, mark: int, columns: list[str], rows: list[tuple], report: ImportReport,
    new_ids: set[str] | None,
) -> None:
    """Write one chunk: new ids are added, a newer version replaces the stored event, an id
    already taken from this file (sync ``mark``) is a duplicate, anything else is unchanged.

    ``new_ids``: for a new dataset, the ids written so far. Looking them up in the
    table instead would make PostgreSQL scan it (its statistics do not know the
    rows this transaction inserted), once per chunk.
    """
    at = {name: pos for pos, name in enumerate(columns)}
    if new_ids is None:
        existing = _existing(conn, dataset_id, [row[at["event_id_cnty"]] for row in rows])
    else:
        ids = [row[at["event_id_cnty"]] for row in rows]
        existing = {i: (0, "", "", mark) for i in ids if i in new_ids}
        new_ids.update(ids)
    inserts, replaced, seen = [], [], []
    for row in rows:
        old = existing.get(row[at["event_id_cnty"]])
        if old is None:
            inserts.append(row)
            report.added += 1
        elif old[3] == mark:
            report.duplicates += 1
        elif _is_newer(row[at["timestamp"]], row[at["original"]], old[1], old[2]):
            replaced.append(old[0])
            inserts.append(row)
            report.updated += 1
        else:
            seen.append(old[0])
            report.unchanged += 1
    e = t.events.c
    _in_batches(conn, lambda ids: t.events.delete().where(e.id.in_(ids)), replaced)
    _in_batches(conn, lambda ids: t.events.update().where(e.id.in_(ids)).values(sync_mark=mark), seen)
    bulk_insert(conn, columns, inserts)


def deletion_ids(stream: IO[bytes]) -> list[str]:
    """The event ids of an ACLED deletions file (a CSV with an ``event_id_cnty`` column)."""
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected("The deletions file is not UTF-8 text (expected ACLED's deleted-events CSV).") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "event_id_cnty" not in fields:
        raise ImportRejected("The deletions file has no event_id_cnty column (expected ACLED's deleted-events CSV).")
    key = (reader.fieldnames or [])[fields.index("event_id_cnty")]
    return [row[key].strip() for row in reader if row.get(key, "").strip()]


def import_dataset(
    store: Store,
    stream: IO[bytes],
    filename: str,
    *,
    fmt: str = "auto",
    name: str | None = None,
    update: bool = False,
    full: bool = False,
    deletions: Iterable[str] = (),
    who: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``stream`` as dataset ``name`` (new), or with ``update`` re-sync the existing one.

    Raises ImportRejected (the file is unusable) or StoreError (name taken, unknown
    dataset); either way nothing is written.
    """
    name = name or dataset_name_from(filename)
    digest = hashlib.sha256()
    report = ImportReport(dataset=name, source_format="", resync=update)
    d = t.datasets.c
    try:
        with store.writing() as conn, _import_cache(conn):
            existing = conn.execute(sa.select(d.id, d.revision).where(d.name == name)).first()
            if update and existing is None:
                raise StoreError(f"There is no imported dataset named '{name}' to update.")
            if not update and existing is not None:
                raise StoreError(f"A dataset named '{name}' already exists: choose another name, or update it "
                                 "with the newer export (re-sync).")
            new_ids: set[str] | None = None
            if existing is None:
                dataset_id = conn.execute(t.datasets.insert().values(
                    name=name, source_format="", filename=filename, imported_at=now(), imported_by=who,
                    updated_at=now(), event_count=0, revision=1)).inserted_primary_key[0]
                mark, new_ids = 1, set()
            else:
                dataset_id, mark = existing[0], existing[1] + 1
                if store.is_postgres:  # current statistics, so id lookups use the (dataset, id) index
                    conn.execute(sa.text("ANALYZE events"))
            index_text = _defer_text_index(conn)
            chunks = _chunk_rows(parsed_chunks(stream, filename, fmt, name, digest), dataset_id, mark)
            for result, columns, rows in _read_ahead(chunks):  # the next chunks are parsed meanwhile
                _take_chunk_report(report, result)
                _sync_chunk(conn, dataset_id, mark, columns, rows, report, new_ids)
                if progress:
                    progress(report.added + report.updated + report.unchanged)
            index_text()
            e = t.events.c
            if full:
                report.removed += conn.execute(
                    t.events.delete().where(e.dataset_id == dataset_id, e.sync_mark != mark)).rowcount
            report.removed += _in_batches(
                conn, lambda ids: t.events.delete().where(e.dataset_id == dataset_id, e.event_id_cnty.in_(ids)),
                list(deletions))
            count = conn.execute(sa.select(sa.func.count()).where(e.dataset_id == dataset_id)).scalar_one()
            _analyze(conn)
            conn.execute(t.datasets.update().where(d.id == dataset_id).values(
                source_format=report.source_format, filename=filename, file_sha256=digest.hexdigest(),
                updated_at=now(), event_count=count, revision=mark,
                mapped=json.dumps(report.mapped, ensure_ascii=False), report=report.summary()))
            store.log(conn, "resync" if update else "import", "datasets", name, who=who,
                      after={"file": filename, "sha256": digest.hexdigest(), "events": count, "added": report.added,
                             "updated": report.updated, "removed": report.removed, "unchanged": report.unchanged})
            store.bump(conn, "imports")
    except sa.exc.IntegrityError as exc:  # another session created the same name meanwhile
        raise StoreError(f"A dataset named '{name}' already exists: choose another name.") from exc
    return report


@contextmanager
def _import_cache(conn: Connection) -> Iterator[None]:
    """SQLite: a larger page cache for the import's connection, as it was afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(sa.exc.DBAPIError):  # a broken connection is discarded anyway
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _defer_text_index(conn: Connection) -> Callable[[], None]:
    """SQLite: take the FTS insert trigger away for the import; -> what indexes the events
    written since (one INSERT ... SELECT, several times cheaper than the trigger row by row)
    and puts the trigger back, to be called before anything is deleted (the delete trigger
    expects the index to hold what it removes). All inside the import's transaction: a failed or
    killed import leaves the trigger as it was; the import holds the write lock, so no other
    writer sees the store without it."""
    if conn.dialect.name != "sqlite":
        return lambda: None
    trigger = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                   (t.FTS_INSERT_TRIGGER,)).scalar()
    if trigger is None:
        return lambda: None
    top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.events.c.id), 0))).scalar_one()
    conn.exec_driver_sql(f"DROP TRIGGER {t.FTS_INSERT_TRIGGER}")

    def index_new_events() -> None:
        conn.exec_driver_sql(f"INSERT INTO {t.FTS_TABLE}(rowid, search) SELECT id, search FROM events WHERE id > ?",
                             (top,))
        conn.exec_driver_sql(trigger)

    return index_new_events


def _analyze(conn: Connection) -> None:
    """Fresh planner statistics for the events and their actor rows: without them the planner
    takes ``dataset_id = ?`` for a selective condition and reads a whole dataset's index
    instead of looking the matching ids up (SQLite samples, see ``analysis_limit``)."""
    for table in (t.events, t.event_actors):
        conn.execute(sa.text(f"ANALYZE {table.name}"))


def _take_chunk_report(report: ImportReport, result: ImportResult) -> None:
    if report.source_format and result.source_format != report.source_format:
        raise ImportRejected(f"Part of the file reads as {result.source_format}, the start as {report.source_format}.")
    report.source_format = result.source_format
    report.rows_read += result.rows_read
    report.mapped = report.mapped or result.mapped
    report.skipped += result.skipped
    report.warnings += [w for w in result.warnings if w not in report.warnings]


# -- reading and removing ---------------------------------------------------------

@dataclass(frozen=True)
class StoredDataset:
    id: int
    name: str
    source_format: str
    filename: str | None
    imported_at: str
    updated_at: str
    event_count: int
    revision: int
    report: str | None


def list_datasets(conn: Connection) -> list[StoredDataset]:
    d = t.datasets.c
    rows = conn.execute(sa.select(d.id, d.name, d.source_format, d.filename, d.imported_at, d.updated_at,
                                  d.event_count, d.revision, d.report).order_by(d.id)).all()
    return [StoredDataset(*row) for row in rows]


def dataset_records(conn: Connection, dataset_id: int) -> gpd.GeoDataFrame:
    """A dataset's events as the importer returns them (RESULT_COLUMNS, then geometry)."""
    return select_records(conn, dataset_id)


def select_records(
    conn: Connection, dataset_id: int, *conditions: Any, limit: int | None = None, with_original: bool = True,
    columns: Sequence[str] | None = None, order_by: Sequence[Any] = (),
) -> gpd.GeoDataFrame:
    """The events of a dataset that meet ``conditions`` (SQL expressions), in import order unless
    ``order_by``; ``columns`` of RESULT_COLUMNS (default: all, without ``original`` unless ``with_original``)."""
    e = t.events.c
    wanted = columns or [c for c in RESULT_COLUMNS if with_original or c != "original"]
    stored = [c for c in RESULT_COLUMNS if c in wanted and c != "dataset"]
    stored += [c for c in ("longitude", "latitude") if c not in stored]  # the geometry's
    statement = sa.select(*(e[c] for c in stored)).where(e.dataset_id == dataset_id, *conditions)
    rows = conn.execute(statement.order_by(*order_by, e.id).limit(limit)).all()
    # Column by column from plain tuples, each converted at once: a DataFrame made from Row
    # objects, or per-column pandas conversions of object Series, cost more than the query.
    values = dict(zip(stored, zip(*rows), strict=True)) if rows else {col: () for col in stored}
    frame = pd.DataFrame({col: _column(col, values[col]) for col in stored})
    if "dataset" in wanted:
        name = conn.execute(sa.select(t.datasets.c.name).where(t.datasets.c.id == dataset_id)).scalar_one()
        frame["dataset"] = pd.Series([name] * len(frame), dtype=str)
    geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"])
    return gpd.GeoDataFrame(frame[[c for c in RESULT_COLUMNS if c in wanted]], geometry=geometry, crs=CRS)


def _column(name: str, values: tuple[Any, ...]) -> Any:
    if name in t.EVENT_INT_COLUMNS:
        numbers = np.array(values, dtype=float)  # None -> NaN; the counts and codes are far below 2**53
        missing = np.isnan(numbers)
        return pd.arrays.IntegerArray(np.where(missing, 0, numbers).astype(np.int64), missing)
    if name in t.EVENT_FLOAT_COLUMNS:
        return np.array(values, dtype=float)
    if None in values:
        values = tuple("" if v is None else v for v in values)
    # Straight into Arrow, as pandas' "str" columns hold text: through a NumPy object array it took
    # twice as long (50k records, the ~30 text columns: ~0.3 -> ~0.15 s).
    return pd.Series(pd.array(pa.array(values, type=pa.large_string()), dtype=STR))


def remove_dataset(store: Store, name: str, who: str | None = None) -> int:
    """Delete a dataset and its events; -> events removed. StoreError if there is none."""
    with store.writing() as conn:
        row = conn.execute(sa.select(t.datasets.c.id, t.datasets.c.event_count)
                           .where(t.datasets.c.name == name)).first()
        if row is None:
            raise StoreError(f"There is no imported dataset named '{name}'.")
        conn.execute(t.events.delete().where(t.events.c.dataset_id == row[0]))
        conn.execute(t.datasets.delete().where(t.datasets.c.id == row[0]))
        store.log(conn, "remove", "datasets", name, who=who, before={"events": row[1]})
        store.bump(conn, "imports")
    return int(row[1])
