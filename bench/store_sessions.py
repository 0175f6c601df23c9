"""Sessions on a large imported dataset in the real app: server RSS and the time of a filter change.

    python -m bench.store_sessions --database-url sqlite:////path/store.db --dataset bench1m [--sessions 10]

Runs ``streamlit run panjmap/server.py`` on the given store (``PANJ_DATABASE_URL``; import a file
first with ``python -m panjmap import FILE --name NAME``), then speaks Streamlit's
websocket protocol (bench/ws_load.py) as browser tabs do:

0. one session on the default view (the layer off): the process's first run;
1. opens ``--sessions`` sessions at once on a permalink that shows the dataset
   (all dates: more than the map draws, so each view holds the earliest 50k);
2. each session in turn changes the time window to a month of its own (a
   selection no other session asked for: the store runs the query);
3. all sessions at once change to the same month (one query, its result shared);
4. each session in turn types a search word of its own (within that month).

A filter change's time is from the rerun sent to its ``script_finished`` over
loopback: the server's time plus a loopback transfer. The server's RSS is sampled
every 0.2 s (peak and end). Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import time
from typing import Any

import psutil
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.ws_load import Result, Session, _day_micros, start_server
from panjmap import app_process
from panjmap.layers import import_key
from panjmap.state import DEFAULT_LAYERS, ViewState

WINDOW_START = dt.date(2019, 1, 1)
SHARED_MONTH = dt.date(2024, 3, 1)
SEARCH = "village 4"  # every session adds a digit: "village 40", "village 41", ...


class RssProbe:
    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.samples: list[int] = []

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.samples.append(self.proc.memory_info().rss)
            try:
                await asyncio.wait_for(stop.wait(), 0.2)
            except TimeoutError:
                pass

    def mb(self, start: int = 0) -> dict[str, float]:
        part = self.samples[start:] or self.samples[-1:]
        return {"peak_mb": round(max(part) / 2**20), "end_mb": round(part[-1] / 2**20)}


def _stats(results: list[Result]) -> dict[str, Any]:
    errors = [r.error for r in results if r.error]
    times = [r.latency_s for r in results if not r.error]
    return {"n": len(results), "errors": errors[:3], "median_s": round(statistics.median(times), 2) if times else None,
            "max_s": round(max(times), 2) if times else None, "min_s": round(min(times), 2) if times else None}


def _window(session: Session, start: dt.date, end: dt.date) -> list[WidgetState]:
    state = WidgetState(id=session.widget("sb_window").id)
    state.double_array_value.data.extend([_day_micros(start), _day_micros(end)])
    return [state]


async def run(url: str, pid: int, dataset: str, sessions: int) -> dict[str, Any]:
    query = ViewState(layers=(*DEFAULT_LAYERS, import_key(dataset))).query_string()
    probe = RssProbe(pid)
    stop = asyncio.Event()
    sampler = asyncio.create_task(probe.run(stop))
    out: dict[str, Any] = {"rss_before_mb": round(psutil.Process(pid).memory_info().rss / 2**20)}
    try:
        # The process's first run: the app's modules, and the dataset's summary (sidebar options) from SQL.
        first, result = await Session.open(url, "")
        await first.close()
        out["first session (layer off)"] = _stats([result])
        opened = await asyncio.gather(*(Session.open(url, query) for _ in range(sessions)))
        tabs = [tab for tab, _ in opened]
        out["open, all dates (capped at 50k), all at once"] = _stats([result for _, result in opened])
        out["rss_after_open"] = probe.mb()
        phases: list[tuple[str, list[Result]]] = []
        results = []
        for k, tab in enumerate(tabs):  # a month of its own: nobody shares it
            start = WINDOW_START + dt.timedelta(days=31 * k)
            results.append(await tab.run("window", _window(tab, start, start + dt.timedelta(days=30))))
        phases.append(("one month, a different one per session (in turn)", results))
        shared = (SHARED_MONTH, SHARED_MONTH + dt.timedelta(days=30))
        results = list(await asyncio.gather(*(tab.run("window", _window(tab, *shared)) for tab in tabs)))
        phases.append(("the same month, all sessions at once", results))
        results = []
        for k, tab in enumerate(tabs):
            text = WidgetState(id=tab.widget("sb_text").id, string_value=f"{SEARCH}{k}")
            results.append(await tab.run("text", [text]))
        phases.append(("that month + a search text, a different one per session (in turn)", results))
        for name, results in phases:
            out[name] = _stats(results)
        out["rss"] = probe.mb()
        for tab in tabs:
            await tab.close()
    finally:
        stop.set()
        await sampler
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--dataset", required=True, help="the imported dataset's name")
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ["PANJ_DATABASE_URL"] = args.database_url  # the server inherits it
    proc, url = start_server()
    try:
        before = os.getloadavg()
        t0 = time.perf_counter()
        summary = asyncio.run(run(url, proc.pid, args.dataset, args.sessions))
        summary["wall_s"] = round(time.perf_counter() - t0, 1)
        summary["load_average_before_after"] = [[round(x, 1) for x in before], [round(x, 1) for x in os.getloadavg()]]
    finally:
        app_process.stop(proc)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
