"""``streamlit run panjmap/server.py``: the process warms itself before it serves anyone.

A real server on a free loopback port: by the time its health check answers, its log says it
warmed (imports, store, records, base map), the map's component is served (registered although
imported outside a session) and Leaflet's files are in place. A store that cannot be opened does
not stop the server: it starts, says so in its log, and the page reports the store itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from panjmap.paths import ROOT, SERVER_SCRIPT
from tests.conftest import _free_port

WAIT_S = 90


@contextmanager
def serving(tmp_path: Path, **env: str) -> Iterator[tuple[str, Path]]:
    port, log = _free_port(), tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(SERVER_SCRIPT), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env={**os.environ, "PANJ_DATA_DIR": str(tmp_path / "data"), **env}, stdout=out,
            stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + WAIT_S
            while True:
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
            yield url, log
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


def test_the_server_is_warm_before_it_answers(tmp_path: Path) -> None:
    with serving(tmp_path) as (url, log):
        said = log.read_text()
        assert "Server warmed in" in said and "Warming the server failed" not in said, said
        assert "missing ScriptRunContext" not in said, said
        assert status(url + "/component/streamlit_folium.st_folium/index.html") == 200
        assert status(url + "/app/static/vendor/leaflet.js") == 200
        assert status(url + "/") == 200


def test_a_store_that_cannot_be_opened_does_not_stop_the_server(tmp_path: Path) -> None:
    with serving(tmp_path, PANJ_DATABASE_URL=f"postgresql+psycopg://panj@127.0.0.1:{_free_port()}/none") as (url, log):
        said = log.read_text()
        assert "Warming the server failed" in said, said
        assert status(url + "/component/streamlit_folium.st_folium/index.html") == 200
