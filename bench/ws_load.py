"""Load generator that speaks Streamlit's websocket protocol: no browser (issue 15, capacity).

Each virtual user is one Streamlit session, as a browser tab would open it: it
connects to ``ws://HOST:PORT/_stcore/stream``, sends ``BackMsg.rerun_script``
with a permalink's query string, reads ``ForwardMsg``s until the run's
``script_finished``, then keeps changing the view the way the sidebar and map
do, by rerunning with new widget values (date window, actor, event type,
search text, a map selection, one playback step), with think time between
actions. Per action it records latency (request sent to ``script_finished``),
errors (an exception element in the deltas, a compile error, a closed socket,
a timeout) and bytes received.

Bounded: at most MAX_USERS users and MAX_DURATION_S seconds; loopback only.
With ``--start-server`` it runs ``streamlit run panjmap/server.py`` itself and samples
that process's RSS and CPU time; ``--pid`` samples running processes (several
behind a proxy). Each user carries its own sticky cookie, as a browser would get
from the proxy, so users spread over the processes behind nginx.

    python -m bench.ws_load --start-server --users 10 --duration 60
    python -m bench.ws_load --url ws://127.0.0.1:8080 --users 50 --duration 60 --pid 1234 1235
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import socket
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import psutil
import websockets
from streamlit.elements.widgets.slider import _date_to_datetime, _datetime_to_micros
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from panjmap import app_process
from panjmap.paths import ROOT
from panjmap.state import DEFAULT_LAYERS, IMPORT_LAYER_PREFIX

MAX_USERS = 200
MAX_DURATION_S = 600.0
ACTION_TIMEOUT_S = 60.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
ACTIONS = ("window", "actor", "event_type", "text", "select", "play_step")
MAP_COMPONENT = "st_folium"
SEARCH_WORDS = ("kabul", "drone", "dushanbe", "border", "")
PERMALINKS = (  # what a shared link opens: filters, a window, a selection
    {},
    {"event_types": ["Battles"]},
    {"date_from": "2025-01-01", "date_to": "2025-06-30"},
    {"text": "drone"},
    {"actors": ["Unknown / unclaimed"]},
)
STICKY_COOKIE = "panj_upstream"  # the cookie deploy/nginx-site.conf.template keys its upstream choice on


class ActionFailed(Exception):
    pass


@dataclass
class Result:
    action: str
    latency_s: float
    nbytes: int
    error: str | None = None


@dataclass
class Widget:
    id: str
    kind: str  # the element's proto type: slider, multiselect, text_input, ...
    proto: Any


class Session:
    """One Streamlit session over one websocket, driven like a browser tab."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.session_id = ""
        self.query_string = ""  # the tab's URL query: the one it opened with, then what the app wrote
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # user key -> widget
        self.fragment_id = ""  # the map area's fragment, once it auto-reruns (playback)
        self.click_count = 0

    @classmethod
    async def open(cls, url: str, query: str, resume: str = "",
                   headers: dict[str, str] | None = None) -> tuple[Session, Result]:
        """A new session, or with ``resume`` the session of that id if the server still holds it
        (as a browser tab reconnecting after a network blip asks for it); ``headers`` e.g. a
        proxy's login."""
        t0 = time.perf_counter()
        # Like the browser: "streamlit", an XSRF token slot, the session to resume.
        protocols = ["streamlit", "PLACEHOLDER_AUTH_TOKEN", resume] if resume else ["streamlit"]
        ws = await websockets.connect(f"{url}/_stcore/stream", subprotocols=protocols, max_size=None,
                                      open_timeout=ACTION_TIMEOUT_S, ping_interval=None,
                                      additional_headers=headers)
        session = cls(ws)
        result = await session.run("open", query_string=query)
        result.latency_s = time.perf_counter() - t0
        return session, result

    async def close(self) -> None:
        await self.ws.close()

    async def run(self, action: str, widgets: list[WidgetState] = (), fragment: bool = False,
                  query_string: str | None = None) -> Result:
        """Send one rerun and read until its script_finished (reruns the app asks for included)."""
        msg = BackMsg()
        state = msg.rerun_script
        if query_string is not None:  # a page load; otherwise the tab's current URL, as a browser sends it
            self.query_string = query_string
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.widget_states.widgets.extend(widgets)
        if fragment:
            state.fragment_id = self.fragment_id
            state.is_auto_rerun = True
        t0 = time.perf_counter()
        nbytes = 0
        error: str | None = None
        try:
            await self.ws.send(msg.SerializeToString())
            async with asyncio.timeout(ACTION_TIMEOUT_S):
                while True:
                    raw = await self.ws.recv()
                    nbytes += len(raw)
                    fwd = ForwardMsg()
                    fwd.ParseFromString(raw)
                    error = error or self._read(fwd)
                    if fwd.WhichOneof("type") == "script_finished":
                        status = fwd.script_finished
                        if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                            error = error or "compile error"
                        if status in DONE or status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                            break
        except TimeoutError:
            error = f"no script_finished within {ACTION_TIMEOUT_S:.0f} s"
        except websockets.ConnectionClosed as exc:
            error = f"connection closed: {exc}"
        return Result(action, time.perf_counter() - t0, nbytes, error)

    def _read(self, fwd: ForwardMsg) -> str | None:
        """Track the page and widgets; an exception element is the run's error."""
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            self.session_id = fwd.new_session.initialize.session_id or self.session_id
        elif kind == "page_info_changed":
            self.query_string = fwd.page_info_changed.query_string
        elif kind == "navigation":
            self.page_hash = fwd.navigation.page_script_hash or self.page_hash
        elif kind == "auto_rerun":
            self.fragment_id = fwd.auto_rerun.fragment_id
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            etype = element.WhichOneof("type")
            if etype == "exception":
                return f"{element.exception.type}: {element.exception.message[:200]}"
            proto = getattr(element, etype)
            wid = getattr(proto, "id", "")
            if etype == "component_instance":  # the map (st_folium): known by its component's name
                self.widgets[proto.component_name.rsplit(".", 1)[-1]] = Widget(wid, etype, proto)
            elif isinstance(wid, str) and wid.startswith("$$ID-"):
                self.widgets[wid.split("-", 2)[2]] = Widget(wid, etype, proto)
        return None

    def widget(self, key: str) -> Widget:
        if key not in self.widgets:
            raise ActionFailed(f"no widget {key!r} on the page")
        return self.widgets[key]


def _day_micros(day: dt.date) -> float:
    return float(_datetime_to_micros(_date_to_datetime(day)))


def permalink(k: int, layer: str = "") -> str:
    """User ``k``'s permalink query; with ``layer``, that imported dataset is shown too."""
    params = dict(PERMALINKS[k % len(PERMALINKS)])
    if layer:
        params["layers"] = [*DEFAULT_LAYERS, IMPORT_LAYER_PREFIX + layer]
    return urlencode(params, doseq=True)


class VirtualUser:
    """Opens a session with a permalink, then changes the view with think time between actions."""

    def __init__(self, k: int, url: str, record_ids: list[str], think_s: tuple[float, float],
                 layer: str = "") -> None:
        self.k = k
        self.url = url
        self.rng = random.Random(k)
        self.record_ids = record_ids
        self.think_s = think_s
        self.layer = layer
        # Its own browser: the proxy's sticky cookie, as nginx would have set it on the page load.
        # (From its own generator: the action sequence stays what it was without one.)
        self.headers = {"Cookie": f"{STICKY_COOKIE}=vu{k}-{random.Random(f'cookie{k}').getrandbits(64):016x}"}
        self.results: list[Result] = []

    async def go(self, deadline: float) -> None:
        try:
            session, result = await Session.open(self.url, permalink(self.k, self.layer), headers=self.headers)
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            self.results.append(Result("open", 0.0, 0, f"connect failed: {exc}"))
            return
        self.results.append(result)
        try:
            i = 0
            while (i == 0 or time.monotonic() < deadline) and not (result.error or "").startswith("connection closed"):
                await asyncio.sleep(self.rng.uniform(*self.think_s))
                if time.monotonic() >= deadline and i:  # every user takes at least one action
                    break
                action = ACTIONS[(i + self.k) % len(ACTIONS)]
                try:
                    result = await self.act(session, action)
                except ActionFailed as exc:
                    result = Result(action, 0.0, 0, str(exc))
                self.results.append(result)
                i += 1
        finally:
            await session.close()

    async def act(self, s: Session, action: str) -> Result:
        rng = self.rng
        if action == "window":
            w = s.widget("sb_window").proto
            lo, hi = w.min, w.max
            days = int((hi - lo) // 86_400_000_000)
            start = rng.randrange(0, max(days - 30, 1))
            end = min(days, start + rng.randrange(30, 200))
            state = WidgetState(id=s.widget("sb_window").id)
            state.double_array_value.data.extend([lo + start * 86_400_000_000, lo + end * 86_400_000_000])
            return await s.run(action, [state])
        if action in ("actor", "event_type"):
            widget = s.widget("sb_actors" if action == "actor" else "sb_event_types")
            options = list(widget.proto.options)
            state = WidgetState(id=widget.id)
            state.string_array_value.data.extend(rng.sample(options, 1) if options and rng.random() < 0.7 else [])
            return await s.run(action, [state])
        if action == "text":
            return await s.run(action, [WidgetState(id=s.widget("sb_text").id, string_value=rng.choice(SEARCH_WORDS))])
        if action == "select":  # what the map component reports when a symbol is clicked
            s.click_count += 1
            record = rng.choice(self.record_ids)
            value = {"last_object_clicked_tooltip": f"{record} · ID: {record} [incidents]",
                     "last_object_clicked_count": s.click_count, "center": None, "zoom": None}
            return await s.run(action, [WidgetState(id=s.widget(MAP_COMPONENT).id, json_value=json.dumps(value))])
        if action == "play_step":  # start playback, take one step as the browser's timer would, stop
            play = s.widget("panj_playing").id
            started = await s.run(action, [WidgetState(id=play, bool_value=True)])
            if started.error or not s.fragment_id:
                return Result(action, started.latency_s, started.nbytes, started.error or "playback did not start")
            step = await s.run(action, [], fragment=True)
            stopped = await s.run(action, [WidgetState(id=play, bool_value=False)])
            s.fragment_id = ""
            return Result(action, step.latency_s, started.nbytes + step.nbytes + stopped.nbytes,
                          started.error or step.error or stopped.error)
        raise ValueError(action)


def curated_ids() -> list[str]:
    from panjmap.data import load_dataset

    incidents = load_dataset().incidents
    return incidents.loc[incidents.geometry.notna(), "event_id_cnty"].astype(str).tolist()


class ServerProbe:
    """RSS and CPU time of the server processes, sampled every second while the load runs."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.procs = [psutil.Process(pid) for pid in pids]
        self.rss: list[list[int]] = [[] for _ in self.procs]
        self.cpu0 = [self._cpu(proc) for proc in self.procs]

    @staticmethod
    def _cpu(proc: psutil.Process) -> float:
        t = proc.cpu_times()
        return t.user + t.system

    async def sample(self, stop: asyncio.Event) -> None:
        """Every second, and once more when ``stop`` is set (the end of the run)."""
        while self.procs:
            for proc, rss in zip(self.procs, self.rss):
                rss.append(proc.memory_info().rss)
            if stop.is_set():
                return
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                pass

    def report(self, wall_s: float) -> dict[str, Any]:
        """Per process, and over all: CPU summed, RSS the largest of any one process."""
        if not self.procs:
            return {}
        servers = []
        for proc, rss, cpu0 in zip(self.procs, self.rss, self.cpu0):
            cpu = self._cpu(proc) - cpu0
            servers.append({"pid": proc.pid, "cpu_s": round(cpu, 1), "cpu_share": round(cpu / wall_s, 2),
                            "rss_max_mb": round(max(rss) / 2**20), "rss_end_mb": round(rss[-1] / 2**20)})
        cpu = sum(s["cpu_s"] for s in servers)
        return {"server_cpu_s": round(cpu, 1), "server_cpu_share": round(cpu / wall_s, 2),
                "server_rss_max_mb": max(s["rss_max_mb"] for s in servers),
                "server_rss_end_mb": max(s["rss_end_mb"] for s in servers), "servers": servers}


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summarize(results: list[Result], users: int, wall_s: float) -> dict[str, Any]:
    ok = [r for r in results if r.error is None]
    by_action: dict[str, Any] = {}
    for name in ("open", *ACTIONS):
        lat = [r.latency_s for r in ok if r.action == name]
        if lat:
            by_action[name] = {"n": len(lat), "p50_s": round(_pct(lat, 50), 3), "p95_s": round(_pct(lat, 95), 3)}
    lat = [r.latency_s for r in ok]
    errors = [f"{r.action}: {r.error}" for r in results if r.error]
    return {
        "users": users, "wall_s": round(wall_s, 1), "actions": len(results), "errors": len(errors),
        "error_samples": errors[:10], "throughput_per_s": round(len(ok) / wall_s, 2),
        "p50_s": round(_pct(lat, 50), 3), "p95_s": round(_pct(lat, 95), 3), "p99_s": round(_pct(lat, 99), 3),
        "mean_s": round(statistics.fmean(lat), 3) if lat else None,
        "bytes_received": sum(r.nbytes for r in results), "by_action": by_action,
    }


async def warm(urls: Sequence[str], layer: str = "") -> list[Result]:
    """One session on each app process (``ws://127.0.0.1:PORT``), opened and closed: its first run."""
    async def one(target: str) -> Result:
        if urlsplit(target).hostname not in LOOPBACK:
            raise ValueError(f"loopback only, not {urlsplit(target).hostname!r}")
        try:
            session, result = await Session.open(target, permalink(0, layer))
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            return Result("open", 0.0, 0, f"connect failed: {exc}")
        await session.close()
        return result

    return list(await asyncio.gather(*(one(target) for target in urls)))


async def run_load(url: str, users: int, duration_s: float, think_s: tuple[float, float] = (1.0, 3.0),
                   pid: int | Sequence[int] | None = None, ramp_s: float = 5.0, layer: str = "",
                   warm_urls: Sequence[str] = ()) -> dict[str, Any]:
    """Drive ``users`` virtual users against ``url`` (ws://127.0.0.1:PORT) for ``duration_s``.

    ``pid``: the server process(es) to sample; ``layer``: an imported dataset every user shows;
    ``warm_urls``: each process's own URL, to warm every one behind a proxy (default ``url``)."""
    for target in (url, *warm_urls):
        if urlsplit(target).hostname not in LOOPBACK:
            raise ValueError(f"loopback only, not {urlsplit(target).hostname!r}")
    users = max(1, min(users, MAX_USERS))
    duration_s = max(1.0, min(duration_s, MAX_DURATION_S))
    ids = curated_ids()
    await warm(warm_urls or (url,), layer)  # a server's first run imports and indexes: not capacity
    probe = ServerProbe([pid] if isinstance(pid, int) else pid or [])
    stop = asyncio.Event()
    sampler = asyncio.create_task(probe.sample(stop))
    t0 = time.monotonic()
    deadline = t0 + duration_s
    vus = [VirtualUser(k, url, ids, think_s, layer) for k in range(users)]

    async def start(vu: VirtualUser) -> None:
        await asyncio.sleep(ramp_s * vu.k / users)  # spread the opens, as people arrive
        await vu.go(deadline)

    await asyncio.gather(*(start(vu) for vu in vus))
    wall = time.monotonic() - t0
    stop.set()
    await sampler
    results = [r for vu in vus for r in vu.results]
    return {**summarize(results, users, wall), **probe.report(wall)}


def free_ports(count: int = 1) -> int:
    """The first of ``count`` consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        sockets: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                sockets.append(socket.socket())
                sockets[-1].bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


def start_server(extra: list[str] = ()) -> tuple[subprocess.Popen, str]:
    """``streamlit run panjmap/server.py`` on a free loopback port; returns the process and its ws:// base URL."""
    log = open(ROOT / "test-artifacts" / "ws-load.log", "a") if (ROOT / "test-artifacts").is_dir() \
        else subprocess.DEVNULL
    proc, url = app_process.start(log=log, extra=extra)
    return proc, "ws" + url.removeprefix("http")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="ws://127.0.0.1:PORT of a running app (loopback only)")
    parser.add_argument("--start-server", action="store_true", help="run `streamlit run panjmap/server.py` for this load")
    parser.add_argument("--pid", type=int, nargs="+", default=[], help="server process(es) to sample (RSS, CPU)")
    parser.add_argument("--layer", default="", help="an imported dataset's name: every user shows its layer")
    parser.add_argument("--warm", nargs="+", default=[], metavar="URL",
                        help="each app process's own ws:// URL, warmed before the load (behind a proxy)")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN_S", "MAX_S"))
    parser.add_argument("-o", "--output", type=Path, help="write the summary as JSON here")
    args = parser.parse_args(argv)
    if bool(args.url) == args.start_server:
        parser.error("give --url or --start-server")
    proc = None
    url, pids = args.url, args.pid
    if args.start_server:
        proc, url = start_server()
        pids = [proc.pid]
    try:
        summary = asyncio.run(run_load(url.rstrip("/"), args.users, args.duration, tuple(args.think), pids,
                                       layer=args.layer, warm_urls=[u.rstrip("/") for u in args.warm]))
    finally:
        if proc:
            app_process.stop(proc)
    text = json.dumps(summary, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
