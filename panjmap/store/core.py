"""The Store: an engine, its migrations, transactions, revision counters and the change log."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from panjmap.store import engine as engines
from panjmap.store import tables as t

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Revision counters in store_meta: "records" (curated records and sources), "imports" (datasets).
AREAS: tuple[str, ...] = ("records", "imports")
SEEDED_KEY = "seeded_at"
_PG_MIGRATION_LOCK = 0x50414E4A  # advisory lock id: one process migrates and seeds at a time


_REVISION_LINE = re.compile(r'^revision = "([^"]+)"$', re.M)


def newest_revision() -> str:
    """The head revision: the one the last migration file (``NNNN_name.py``, numbered in order) declares."""
    newest = max((MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    found = _REVISION_LINE.search(newest.read_text(encoding="utf-8"))
    assert found, f"{newest.name} declares no revision"
    return found.group(1)


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message is for the user."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now (down, restarting, locked): worth retrying."""


@contextmanager
def _reachable(url: Any) -> Iterator[None]:
    # Connection-level failures (server down or restarting) become one error the pages
    # show as "unavailable, retrying" instead of a traceback.
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise StoreUnavailable(f"the store at {url!r} is unavailable: {exc.orig}") from exc


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ready = False
        self._ready_lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def is_postgres(self) -> bool:
        return engines.is_postgres(self.engine)

    # -- transactions -------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction (one consistent snapshot)."""
        with _reachable(self.engine.url), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction: everything in it is committed together or not at all."""
        with _reachable(self.engine.url), self.engine.connect() as conn:
            conn = conn.execution_options(**{engines.WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # -- schema -------------------------------------------------------------
    # alembic is imported only where it is used: the first page of a process would
    # otherwise pay its imports (~0.1 s of CPU) just to learn that the schema is at head.
    def _alembic(self, conn: Connection) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        return config

    def migrate(self, revision: str = "head", down: bool = False) -> None:
        """Upgrade (or downgrade) the schema; one process at a time."""
        with self.writing() as conn:
            self._lock(conn)
            self.migrate_in(conn, revision, down)

    def migrate_in(self, conn: Connection, revision: str, down: bool = False) -> None:
        """Upgrade (or downgrade) inside the caller's write transaction."""
        from alembic import command

        config = self._alembic(conn)
        (command.downgrade if down else command.upgrade)(config, revision)

    @staticmethod
    def known_revisions() -> list[str]:
        """Every schema revision the migrations know, oldest first."""
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return [script.revision for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]

    def _lock(self, conn: Connection) -> None:
        if self.is_postgres:  # SQLite: BEGIN IMMEDIATE already serialises writers
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})

    def schema_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _at_head(self) -> bool:
        """Whether the schema is at the newest revision, checked without loading alembic."""
        with _reachable(self.engine.url), self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return False
            current = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        return current == [newest_revision()]

    def ensure_ready(self, seeds_dir: Path | None = None) -> None:
        """Migrate to head and fill the store from the seeds if it was never filled, or follow changed
        seeds if nobody edited its records (once per process)."""
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            if not self._at_head():
                self.migrate()
            from panjmap.store import records  # records imports this module

            records.sync_seeds(self, seeds_dir)
            self._ready = True

    # -- revisions and the change log ---------------------------------------
    def revisions(self) -> dict[str, int]:
        """The change counters; any write bumps one, so caches key on them."""
        with _reachable(self.engine.url), self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.meta.c.key, t.meta.c.value).where(t.meta.c.key.in_(AREAS))).all()
        found = {key: int(value) for key, value in rows}
        return {area: found.get(area, 0) for area in AREAS}

    def bump(self, conn: Connection, area: str) -> None:
        # Atomic increment: concurrent writers on PostgreSQL each add one.
        done = conn.execute(
            t.meta.update().where(t.meta.c.key == area)
            .values(value=sa.cast(sa.cast(t.meta.c.value, sa.Integer) + 1, sa.Text))
        ).rowcount
        if not done:
            conn.execute(t.meta.insert().values(key=area, value="1"))

    def get_meta(self, conn: Connection, key: str) -> str | None:
        return conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == key)).scalar()

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        if not conn.execute(t.meta.update().where(t.meta.c.key == key).values(value=value)).rowcount:
            conn.execute(t.meta.insert().values(key=key, value=value))

    @staticmethod
    def log(
        conn: Connection, action: str, table_name: str, record_id: str | None = None, *,
        who: str | None = None, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """One change-log row (who, when, what, before/after as JSON, why)."""
        conn.execute(t.change_log.insert().values(
            at=now(), who=who or local_user(), action=action, table_name=table_name, record_id=record_id,
            before=None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True),
            after=None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True),
            reason=reason,
        ))


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def open_store(url: str | None = None, ready: bool = True) -> Store:
    """The store at ``url`` (default: the configured one), one engine per process;
    ``ready``: migrated to head and seeded if it was empty."""
    url = url or engines.database_url()
    with _STORES_LOCK:
        store = _STORES.get(url)
        if store is None:
            store = _STORES[url] = Store(engines.create(url))
    if ready:
        try:
            store.ensure_ready()
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            raise StoreUnavailable(f"the store at {store.engine.url!r} is unavailable: {exc.orig}") from exc
    return store


def dispose_all() -> None:
    """Close every engine (tests, and before a process forks)."""
    with _STORES_LOCK:
        for store in _STORES.values():
            store.engine.dispose()
        _STORES.clear()
