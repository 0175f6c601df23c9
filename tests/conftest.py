"""Shared fixtures: a throwaway copy of the seeds, Debian's Chromium, a live app server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from panjmap import app_process
from panjmap.paths import ROOT, SEEDS_DIR
from panjmap.snapshot import CHROMIUM_ARGS

CHROMIUM = os.environ.get("PANJ_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/ to break on purpose."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium. Browser tests fail (not skip) without it: CI installs it."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} not found: install Debian's chromium (see README)"
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    """One headless Chromium per test module (each test opens its own context: own cookies, own session)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """``streamlit run panjmap/server.py`` (the app on a warmed process) on a free loopback port, for browser tests."""
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "streamlit.log", "w") as log:
        proc, url = app_process.start(log=log)
        yield url
        app_process.stop(proc)


# -- the store on both engines ------------------------------------------------

STORE_ENGINES = ("sqlite", "postgis")


@pytest.fixture(scope="session", autouse=True)
def _test_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests (and the app servers they start) use a throwaway store seeded from seeds/,
    never the user's data/ directory or a configured database."""
    saved = {name: os.environ.get(name) for name in ("PANJ_DATA_DIR", "PANJ_DATABASE_URL")}
    os.environ["PANJ_DATA_DIR"] = str(tmp_path_factory.mktemp("store"))
    os.environ.pop("PANJ_DATABASE_URL", None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def postgis_admin_url() -> Iterator[str]:
    """A PostGIS server for the store tests: ``PANJ_TEST_DATABASE_URL`` (an admin URL that may
    create databases), else a throwaway cluster. Fails, never skips, when it cannot start."""
    from tests import postgis

    given = os.environ.get("PANJ_TEST_DATABASE_URL")
    if given:
        postgis.prepare_template(given)
        yield given
        return
    assert postgis.binaries_present(), (
        f"PostgreSQL binaries not found in {postgis.PG_BIN}: install postgresql and postgresql-15-postgis-3 "
        "(see README) or set PANJ_TEST_DATABASE_URL"
    )
    cluster = postgis.start_cluster()
    try:
        postgis.prepare_template(cluster.admin_url)
        yield cluster.admin_url
    finally:
        cluster.stop()


@pytest.fixture(params=STORE_ENGINES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL on each engine: a SQLite file, or a new PostGIS database."""
    from panjmap.store import dispose_all

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        from tests import postgis

        url = postgis.fresh_database(request.getfixturevalue("postgis_admin_url"))
    yield url
    dispose_all()
