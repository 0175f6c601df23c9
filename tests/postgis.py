"""A throwaway PostgreSQL 15 + PostGIS 3 cluster for the store tests (and the store benchmark).

``start_cluster()`` runs initdb into a temporary directory (as the ``postgres``
user when we are root: PostgreSQL refuses to run as root) and starts the server
on a Unix socket only, no TCP port. ``fresh_database(admin_url)`` makes a new,
empty database with PostGIS from a template, for one test.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

PG_BIN = Path(os.environ.get("PANJ_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "panj_template"
_names = itertools.count()


def binaries_present() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "postgres").exists()


def _as_postgres() -> dict[str, object]:
    """Popen arguments that run the server's programs as the postgres user when we are root. The
    process itself changes user (no runuser in between), so stop()'s signal reaches postgres."""
    return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}


@dataclass
class Cluster:
    root: Path
    process: subprocess.Popen
    admin_url: str

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # "fast" shutdown: does not wait for clients to leave
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + postgres on a socket in a temp dir; raises RuntimeError with the server log on failure."""
    root = Path(tempfile.mkdtemp(prefix="panj-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    root.chmod(0o755)
    init = subprocess.run(
        [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--no-sync", "--locale=C.UTF-8"],
        capture_output=True, text=True, cwd=root, **_as_postgres(),
    )
    if init.returncode:
        raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
    log = open(root / "server.log", "w")
    process = subprocess.Popen(
        [str(PG_BIN / "postgres"), "-D", str(data), "-k", str(sock), "-c", "listen_addresses=",
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
         "-c", "max_connections=100", "-c", "shared_buffers=128MB"],
        stdout=log, stderr=subprocess.STDOUT, cwd=root, **_as_postgres(),
    )
    admin_url = f"postgresql+psycopg://postgres@/postgres?host={sock}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    deadline = time.time() + 60
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            break
        except sa.exc.OperationalError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                raise RuntimeError(f"postgres did not start:\n{(root / 'server.log').read_text()}") from None
            time.sleep(0.2)
    engine.dispose()
    return Cluster(root, process, admin_url)


def _database_url(admin_url: str, name: str) -> str:
    return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def prepare_template(admin_url: str) -> None:
    """A template database with PostGIS installed (CREATE EXTENSION is slow; copying is not)."""
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {TEMPLATE}"))
        conn.execute(sa.text(f"CREATE DATABASE {TEMPLATE}"))
    engine.dispose()
    template = sa.create_engine(_database_url(admin_url, TEMPLATE), isolation_level="AUTOCOMMIT")
    with template.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION postgis"))
    template.dispose()


def fresh_database(admin_url: str) -> str:
    """A new empty database (PostGIS installed); -> its URL."""
    name = f"panj_{os.getpid()}_{next(_names)}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
    engine.dispose()
    return _database_url(admin_url, name)
