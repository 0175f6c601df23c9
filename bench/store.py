"""Store benchmark: import a large ACLED-shaped file and filter it in SQL, on SQLite and PostGIS.

    python -m bench.store [--events 1000000] [--engines sqlite,postgis] [--import-only] [--file CSV]
    python -m bench.store --views-of DATABASE_URL   # only the views, on a store it imported into

Writes a deterministic synthetic CSV (fixed seed; every actor, place and note
invented), imports it with ``python -m panjmap import`` in a child process
(wall time, the child's peak RSS, sampled, its CPU time and, on PostGIS, the
CPU time of the server's backends), then times SQL filter changes
(``panjmap.store.queries``: rows fetched as records, and a count) on the stored
dataset, with the bytes the map would be sent for them (the JSON of
``incident_payload``, the compact columns the map draws), and the time and RSS
of its map layer's summary and an all-dates view; then a stored layer's views as the
map asks for them (``select_shown``: capped over all dates, within the map's bounds)
and the timeline's daily counts.
PostGIS runs in a throwaway cluster (tests/postgis.py). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from panjmap.paths import ROOT
from panjmap.schema import ACLED_COLUMNS
from panjmap.state import ViewState

EVENT_KINDS = [("Battles", "Armed clash"), ("Violence against civilians", "Attack"),
               ("Explosions/Remote violence", "Shelling/artillery/missile attack"), ("Protests", "Peaceful protest"),
               ("Riots", "Mob violence"), ("Strategic developments", "Arrests")]
ACTORS = [f"Invented Group {i}" for i in range(40)] + ["Taliban", "Unidentified Armed Group (Afghanistan)"]
REGIONS = [f"Province {i}" for i in range(30)]
COUNTRIES = ["Tajikistan", "Afghanistan", "Kyrgyzstan", "Uzbekistan"]


def write_file(path: Path, events: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    start = dt.date(2018, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ACLED_COLUMNS)
        for i in range(events):
            kind, sub = rng.choice(EVENT_KINDS)
            day = start + dt.timedelta(days=rng.randrange(2900))
            actor1, actor2 = rng.choice(ACTORS), rng.choice(ACTORS)
            writer.writerow([
                f"BEN{i}", day.isoformat(), day.year, rng.choice((1, 1, 2, 3)), "Political violence", kind, sub,
                actor1, "", "Rebel group", actor2, "", "Civilians", "Rebel group-Civilians", "", 762,
                "Caucasus and Central Asia", rng.choice(COUNTRIES), rng.choice(REGIONS), f"District {i % 300}", "",
                f"Village {i % 5000}", round(rng.uniform(35.0, 41.0), 4), round(rng.uniform(60.0, 75.0), 4),
                rng.choice((1, 2, 3)), "Invented Wire", "National",
                f"Invented note {i}: a report of {kind.lower()} near village {i % 5000}.", rng.randrange(6), "",
                1700000000 + i,
            ])


def run_import(url: str, path: Path, server_pid: int | None = None) -> dict[str, float]:
    """``python -m panjmap import`` in a child process: wall seconds, peak RSS MB (sampled), the
    child's CPU seconds (user + system) and, given the PostgreSQL server's pid, its backends'."""
    env = {**os.environ, "PANJ_DATABASE_URL": url}
    server_before = _server_cpu(server_pid)
    children_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "panjmap", "import", str(path), "--name", "bench"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    child = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, child.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"import failed ({proc.returncode})")
    time.sleep(1)  # the server reaps the import's backend
    return {"wall": seconds, "peak_mb": peak / 1e6, "cpu": _children_cpu() - children_before,
            "server_cpu": _server_cpu(server_pid) - server_before}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_cpu(pid: int | None) -> float:
    """CPU seconds of the server's ended backends: the postmaster's reaped children
    (``pid`` is the postmaster, or the ``runuser`` that started it)."""
    if pid is None:
        return 0.0
    process = psutil.Process(pid)
    if process.name() != "postgres":
        process = next(p for p in process.children() if p.name() == "postgres")
    times = process.cpu_times()
    return times.children_user + times.children_system


STATES = {
    "one month": ViewState(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31)),
    "one month + 2 event types": ViewState(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31),
                                           event_types=("Battles", "Riots")),
    "actor, all dates": ViewState(actors=("Taliban",)),
    "region + side, one year": ViewState(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31),
                                         regions=("Province 3",), sides=("Tajikistan",)),
    "text 'village 42.'": ViewState(text="village 42."),
    "text '42' (short: no trigram to look up)": ViewState(text="42"),
}
BOUNDS = (68.0, 37.0, 70.0, 38.5)  # a map view over the Panj


def payload_bytes(records) -> int:  # type: ignore[no-untyped-def]
    """Bytes of the map's payload for ``records`` (JSON, as the page receives it)."""
    from panjmap.mapview.incidents import incident_payload

    return len(json.dumps(incident_payload(records), separators=(",", ":"), ensure_ascii=False).encode())


def time_filters(url: str) -> list[tuple[str, int, float, float, int]]:
    """(filter, rows, seconds to fetch the records, seconds to count, map payload bytes), best of 3 each."""
    from panjmap.store import imports, open_store
    from panjmap.store.queries import count_events, filter_events

    store = open_store(url)
    results = []
    with store.reading() as conn:
        dataset_id = imports.list_datasets(conn)[0].id
    cases = [(name, state, None) for name, state in STATES.items()]
    cases.append(("one month + map bounds", STATES["one month"], BOUNDS))
    for name, state, bounds in cases:
        fetch, count = [], []
        for _ in range(3):
            with store.reading() as conn:
                t0 = time.perf_counter()
                records = filter_events(conn, dataset_id, state, bounds)
                t1 = time.perf_counter()
                count_events(conn, dataset_id, state, bounds)
                t2 = time.perf_counter()
            fetch.append(t1 - t0)
            count.append(t2 - t1)
        results.append((name, len(records), min(fetch), min(count), payload_bytes(records)))
    return results


VIEWS = {
    "all dates (capped at 1M events)": ViewState(),
    "one event type, all dates (capped at 1M events)": ViewState(event_types=("Battles",)),
    "actor, all dates": ViewState(actors=("Taliban",)),
    "one month": STATES["one month"],
    "text 'village 42.'": STATES["text 'village 42.'"],
    "text '42' (shorter than a trigram)": STATES["text '42' (short: no trigram to look up)"],
    "text '4' (one character; 57% match)": ViewState(text="4"),
}


def time_views(url: str, repeat: int = 2) -> list[tuple[str, int, int, float, float]]:
    """What a stored layer's view costs server-side (``select_shown``: count + the drawn records, not
    cached), and its timeline's daily counts (``count_days``, SQL GROUP BY), best of ``repeat``:
    (view, matching, drawn, seconds for the view, seconds for the daily counts). The capped views
    are also timed within the map's bounds (``BOUNDS``, padded as the map asks)."""
    from panjmap.store import imports, open_store
    from panjmap.store.layers import count_days, padded, select_shown
    from panjmap.store.summary import stored_summary

    store = open_store(url)
    with store.reading() as conn:
        dataset = imports.list_datasets(conn)[0]
    span = stored_summary(url, dataset.id, dataset.revision).longest_span_days
    cases = [(name, state, None) for name, state in VIEWS.items()]
    cases += [(f"{name}, in the map's bounds", state, padded(BOUNDS)) for name, state in VIEWS.items() if "capped" in name]
    results = []
    for name, state, bounds in cases:
        view, days = [], []
        for _ in range(repeat):
            with store.reading() as conn:
                t0 = time.perf_counter()
                selection = select_shown(conn, dataset.id, state, span, bounds=bounds)
                t1 = time.perf_counter()
                if bounds is None:
                    count_days(conn, dataset.id, state, span)
                t2 = time.perf_counter()
            view.append(t1 - t0)
            days.append(t2 - t1)
        results.append((name, selection.matching, len(selection.records), min(view), min(days) if bounds is None else float("nan")))
    return results


def print_views(url: str) -> None:
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("\n| view | matching | drawn | view (s) | timeline's daily counts (s) |\n|---|---|---|---|---|")
    for name, matching, drawn, view, days in time_views(url):
        print(f"| {name} | {matching:,} | {drawn:,} | {view:.2f} | {'—' if days != days else f'{days:.2f}'} |",
              flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")


def time_layer(url: str) -> tuple[float, float, float]:
    """(seconds for the sidebar's summary, seconds for an all-dates view, RSS MB after) of the
    dataset's map layer (which holds no events: both come from SQL), in a child process."""
    code = (
        "import time, psutil; from panjmap.store.layers import stored_layers; from panjmap.store import open_store;"
        "from panjmap.state import ViewState;"
        f"s = open_store({url!r}); (layer,) = stored_layers(s); t = time.perf_counter(); layer.summary();"
        "t1 = time.perf_counter(); layer.filtered(ViewState()); t2 = time.perf_counter();"
        "print(t1 - t, t2 - t1, psutil.Process().memory_info().rss / 1e6)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    summary, view, rss = out.stdout.split()
    return float(summary), float(view), float(rss)


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgis")
    parser.add_argument("--skip-layer", action="store_true", help="do not time the map layer's summary and view")
    parser.add_argument("--views-of", metavar="DATABASE_URL",
                        help="only time the stored layer's views on a store this bench already imported into")
    parser.add_argument("--import-only", action="store_true", help="time the import only (no filters, no layer)")
    parser.add_argument("--file", type=Path, help="import this CSV (written by an earlier run) instead of writing one")
    args = parser.parse_args(argv)
    if args.views_of:
        print_views(args.views_of)
        return 0
    with tempfile.TemporaryDirectory(prefix="panj-bench-store-") as folder:
        path = args.file or Path(folder) / "events.csv"
        if not args.file:
            t0 = time.perf_counter()
            write_file(path, args.events)
            print(f"file: {args.events:,} events, {path.stat().st_size / 1e6:.0f} MB, written in "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
        for engine in args.engines.split(","):
            cluster = None
            if engine == "postgis":
                from tests import postgis

                cluster = postgis.start_cluster()
                postgis.prepare_template(cluster.admin_url)
                url = postgis.fresh_database(cluster.admin_url)
            else:
                os.environ["PANJ_DATA_DIR"] = folder
                url = f"sqlite:///{folder}/bench.sqlite"
            try:
                from panjmap.store import open_store

                open_store(url)  # migrate + seed outside the timed import
                print(f"\n### {engine}\n\nload average before the import {_load()}", flush=True)
                took = run_import(url, path, cluster.process.pid if cluster else None)
                server = f" + server backend {took['server_cpu']:.0f} s" if cluster else ""
                print(f"import: {took['wall']:.0f} s wall, CPU {took['cpu']:.0f} s (importing process){server}, "
                      f"peak RSS {took['peak_mb']:.0f} MB; load average after {_load()}", flush=True)
                if args.import_only:
                    continue
                print("\n| filter | rows | fetch records (s) | count (s) | map payload (MB) |\n|---|---|---|---|---|")
                for name, rows, fetch, count, size in time_filters(url):
                    print(f"| {name} | {rows:,} | {fetch:.3f} | {count:.3f} | {size / 1e6:.2f} |", flush=True)
                print_views(url)
                print(f"load average {_load()}")
                if not args.skip_layer:
                    summary, view, rss = time_layer(url)
                    print(f"\nmap layer: sidebar summary {summary:.1f} s, all-dates view (the earliest 50k) "
                          f"{view:.1f} s, process RSS {rss:.0f} MB")
            finally:
                from panjmap.store import dispose_all

                dispose_all()
                if cluster:
                    cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
