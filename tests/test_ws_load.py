"""CI smoke run of the protocol-level load generator (bench/ws_load.py, issue 15).

A few virtual users for ~10 s against one real ``streamlit run app.py``: every
action (open with a permalink, date window, actor, event type, search text,
map selection, playback step) must end in ``script_finished`` with no
exception element, so the generator and the app's protocol cannot drift apart
unnoticed. The full 10/50-user runs are a benchmark (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio

import pytest

from bench import ws_load

USERS = 6
DURATION_S = 10.0


@pytest.fixture
def server():
    proc, url = ws_load.start_server()
    try:
        yield proc, url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_virtual_users_run_every_action_without_error(server) -> None:
    proc, url = server
    summary = asyncio.run(ws_load.run_load(url, USERS, DURATION_S, think_s=(0.3, 1.0), pid=proc.pid, ramp_s=2.0))
    print(summary)
    assert summary["errors"] == 0, summary["error_samples"]
    assert summary["by_action"]["open"]["n"] == USERS
    assert set(summary["by_action"]) == {"open", *ws_load.ACTIONS}, summary["by_action"]
    assert summary["bytes_received"] > 0 and summary["server_rss_max_mb"] > 0


def test_refuses_anything_but_loopback() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        asyncio.run(ws_load.run_load("ws://example.org:8501", 1, 1.0))
