"""CI smoke run of the protocol-level load generator (bench/ws_load.py, issue 15).

A few virtual users for ~10 s against one real ``streamlit run panjmap/server.py``: every
action (open with a permalink, date window, actor, event type, search text,
map selection, playback step) must end in ``script_finished`` with no
exception element, so the generator and the app's protocol cannot drift apart
unnoticed. The full 10/50-user runs are a benchmark (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs

import pytest

from bench import warm, ws_load
from panjmap import app_process
from panjmap.paths import ROOT
from panjmap.state import DEFAULT_LAYERS, ViewState
from panjmap.ui.page import MAP_HEAD_START_S

USERS = 6
SIDEBAR_ROOT = 1  # delta_path[0] of the sidebar's elements (0: the main area)
DURATION_S = 10.0


@pytest.fixture
def server():
    proc, url = ws_load.start_server()
    try:
        yield proc, url
    finally:
        app_process.stop(proc)


def test_virtual_users_run_every_action_without_error(server) -> None:
    proc, url = server
    summary = asyncio.run(ws_load.run_load(url, USERS, DURATION_S, think_s=(0.3, 1.0), pid=proc.pid, ramp_s=2.0))
    print(summary)
    assert summary["errors"] == 0, summary["error_samples"]
    assert summary["by_action"]["open"]["n"] == USERS
    assert set(summary["by_action"]) == {"open", *ws_load.ACTIONS}, summary["by_action"]
    assert summary["bytes_received"] > 0 and summary["server_rss_max_mb"] > 0


def test_warming_runs_each_process_first_session_to_its_end(server, capsys) -> None:
    """bench.warm (deploy/run-local.sh runs it) opens one session per process; a dead port is an error."""
    _, url = server
    [result] = asyncio.run(ws_load.warm([url]))
    assert result.error is None and result.nbytes > 0
    dead = f"ws://127.0.0.1:{ws_load.free_ports()}"
    assert warm.main([url, dead]) == 1
    out, err = capsys.readouterr()
    assert re.search(rf"^{re.escape(url)}: first run \d+\.\d s$", out, re.M), out
    assert f"{dead}: not warmed: connect failed" in err
    with pytest.raises(ValueError, match="loopback only"):
        asyncio.run(ws_load.warm(["ws://example.org:8501"]))


def test_refuses_anything_but_loopback() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        asyncio.run(ws_load.run_load("ws://example.org:8501", 1, 1.0))


def test_each_virtual_user_carries_its_own_sticky_cookie_that_nginx_keeps() -> None:
    """Distinct users have distinct keys (so they spread over processes behind the proxy), each in
    the form the nginx site accepts as a sticky key rather than replacing it."""
    template = (ROOT / "deploy" / "nginx-site.conf.template").read_text(encoding="utf-8")
    accepted = re.search(r'map \$cookie_panj_upstream \$panj_sticky \{\s*"~([^"]+)"', template).group(1)
    cookies = [ws_load.VirtualUser(k, "ws://127.0.0.1:1", [], (1.0, 2.0)).headers["Cookie"] for k in range(50)]
    keys = [cookie.removeprefix(f"{ws_load.STICKY_COOKIE}=") for cookie in cookies]
    assert all(cookie.startswith(f"{ws_load.STICKY_COOKIE}=") for cookie in cookies)
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(accepted, key) for key in keys), keys
    again = ws_load.VirtualUser(7, "ws://127.0.0.1:1", [], (1.0, 2.0))
    assert again.headers["Cookie"] == cookies[7]  # reproducible runs


def test_a_permalink_with_an_imported_layer_shows_it_beside_the_default_layers() -> None:
    for k in range(len(ws_load.PERMALINKS)):
        state, errors = ViewState.from_query(parse_qs(ws_load.permalink(k, "bench")))
        assert not errors
        assert state.layers == (*DEFAULT_LAYERS, "import:bench")
        plain, _ = ViewState.from_query(parse_qs(ws_load.permalink(k)))
        assert plain.layers == DEFAULT_LAYERS
        assert plain.replace(layers=state.layers) == state  # the permalink's own filters are kept


def test_the_probe_reports_each_server_process_and_the_largest_rss() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import sys, time; b = b'x' * (64 * 2**20); print(flush=True); "
                              "time.sleep(60)"], stdout=subprocess.PIPE)
    try:
        child.stdout.readline()  # the child holds its 64 MB
        probe = ws_load.ServerProbe([os.getpid(), child.pid])

        async def sample_at_the_end() -> None:
            stop = asyncio.Event()
            stop.set()
            await probe.sample(stop)

        asyncio.run(sample_at_the_end())
        report = probe.report(1.0)
    finally:
        child.kill()
        child.wait()
    assert [s["pid"] for s in report["servers"]] == [os.getpid(), child.pid]
    assert report["servers"][1]["rss_max_mb"] >= 64
    assert report["server_rss_max_mb"] == max(s["rss_max_mb"] for s in report["servers"])
    assert report["server_cpu_s"] == round(sum(s["cpu_s"] for s in report["servers"]), 1)
    assert ws_load.ServerProbe([]).report(1.0) == {}


class _TimedSession(ws_load.Session):
    """A session that notes when each new element arrives: (seconds, root, element type)."""

    def __init__(self, ws) -> None:
        super().__init__(ws)
        self.arrivals: list[tuple[float, int, str]] = []

    def _read(self, fwd):
        if fwd.WhichOneof("type") == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            self.arrivals.append((time.perf_counter(), fwd.metadata.delta_path[0],
                                  fwd.delta.new_element.WhichOneof("type")))
        return super()._read(fwd)


def test_a_page_load_gets_the_map_well_before_the_sidebar_s_widgets(server) -> None:
    """The map page's head start (panjmap/ui/page.py MAP_HEAD_START_S): on a session's first run
    the sidebar's widgets come that much after the map, so that the browser commits the map in a
    batch of its own; a later run of the same session sends them without waiting."""
    _, url = server

    async def two_runs() -> tuple[list, list]:
        session, opened = await _TimedSession.open(url, "")
        assert opened.error is None, opened.error
        first = list(session.arrivals)
        session.arrivals.clear()
        rerun = await session.run("rerun")
        assert rerun.error is None, rerun.error
        await session.close()
        return first, session.arrivals

    def gap(arrivals: list) -> float:
        map_at = next(t for t, root, kind in arrivals if kind == "component_instance")
        sidebar_at = next(t for t, root, kind in arrivals if root == SIDEBAR_ROOT and kind == "slider")
        return sidebar_at - map_at

    first, again = asyncio.run(two_runs())
    assert gap(first) >= 0.75 * MAP_HEAD_START_S, first
    assert gap(again) < gap(first), (again, first)
