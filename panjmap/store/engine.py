"""Which database the store uses, and the engine for it.

One setting chooses it: ``PANJ_DATABASE_URL``, else ``database_url`` in the
Streamlit secrets file, else a SQLite file ``panjmap.sqlite`` in ``PANJ_DATA_DIR``
(default ``data/`` in the repository). SQLite runs in WAL mode with foreign
keys on; PostgreSQL (with PostGIS) goes through psycopg 3.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from panjmap.paths import ROOT

URL_ENV = "PANJ_DATABASE_URL"
DATA_DIR_ENV = "PANJ_DATA_DIR"
SQLITE_FILE = "panjmap.sqlite"
# A writer waits this long for another writer (an import may hold the lock for minutes).
SQLITE_BUSY_TIMEOUT_S = 600
# Execution option that makes a SQLite transaction take the write lock at BEGIN, so a
# writer never fails midway with "database is locked" after reading an old snapshot.
WRITE_OPTION = "panj_write"
# ANALYZE reads about this many rows per index: statistics in well under a second at 1M events.
SQLITE_ANALYSIS_ROWS = 2000


def data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV) or ROOT / "data")


def _secrets_url() -> str | None:
    """``database_url`` from the Streamlit secrets files (project's, then the user's)."""
    for path in (Path.cwd() / ".streamlit" / "secrets.toml", ROOT / ".streamlit" / "secrets.toml",
                 Path.home() / ".streamlit" / "secrets.toml"):
        if path.is_file():
            with path.open("rb") as handle:
                url = tomllib.load(handle).get("database_url")
            if url:
                return str(url)
    return None


def database_url() -> str:
    """The configured database URL (psycopg 3 is used for any postgresql URL)."""
    url = os.environ.get(URL_ENV) or _secrets_url()
    if not url:
        return f"sqlite:///{data_dir() / SQLITE_FILE}"
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and write-lock-at-BEGIN."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_ROWS}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
