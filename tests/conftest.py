"""Shared fixtures: a throwaway copy of the seeds, Debian's Chromium, a live app server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from panjmap.paths import ROOT, SEEDS_DIR

CHROMIUM = os.environ.get("PANJ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
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


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port, for browser tests."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start; see test-artifacts/streamlit.log")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()
