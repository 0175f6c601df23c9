"""``streamlit run panjmap/server.py``: the process warms itself before it serves anyone.

A real server on a free loopback port: by the time its health check answers, its log says it
warmed (imports, store, records, base map), the map's component is served (registered although
imported outside a session) and Leaflet's files are in place. A store that cannot be opened does
not stop the server: it starts, says so in its log, and the page reports the store itself.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from panjmap import app_process

WAIT_S = 90


@contextmanager
def serving(tmp_path: Path, **env: str) -> Iterator[tuple[str, Path]]:
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc, url = app_process.start({**os.environ, "PANJ_DATA_DIR": str(tmp_path / "data"), **env}, out,
                                      timeout_s=WAIT_S)
        try:
            yield url, log
        finally:
            app_process.stop(proc)


def status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


def test_the_server_is_warm_before_it_answers(tmp_path: Path) -> None:
    with serving(tmp_path) as (url, log):
        said = log.read_text()
        assert "Server warmed in" in said and "Warming the server failed" not in said, said
        assert "missing ScriptRunContext" not in said, said
        assert "TCP_NODELAY set on 1 listening socket(s)." in said, said  # panjmap/tcp.py
        assert status(url + "/component/streamlit_folium.st_folium/index.html") == 200
        assert status(url + "/app/static/vendor/leaflet.js") == 200
        assert status(url + "/") == 200


def test_a_store_that_cannot_be_opened_does_not_stop_the_server(tmp_path: Path) -> None:
    with serving(tmp_path, PANJ_DATABASE_URL=f"postgresql+psycopg://panj@127.0.0.1:{app_process.free_port()}/none") as (url, log):
        said = log.read_text()
        assert "Warming the server failed" in said, said
        assert status(url + "/component/streamlit_folium.st_folium/index.html") == 200
