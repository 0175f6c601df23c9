"""Capacity matrix (issue 15): one app process direct vs. two behind nginx, seed data vs. a 100k import.

    python -m bench.capacity [--processes 1 2] [--data seed 100k] [--users 10 50 100] [--duration 60]
                             [--think 1 3]

For each configuration it starts the team stack with ``deploy/run-local.sh start N``
(its own PostGIS cluster, stack directory and free loopback ports), optionally
imports a synthetic 100k-event ACLED file (``bench.store``; every virtual user then
shows that layer), runs ``bench.ws_load`` at each user count against the one
process directly (N=1) or through nginx (N=2), sampling every app process's RSS and
CPU, stops the stack and prints a Markdown table. Each run's summary, with the load
average before and after it, is appended as a JSON line to ``--output``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import store, ws_load
from panjmap.paths import ROOT

RUN_LOCAL = ROOT / "deploy" / "run-local.sh"
IMPORT_EVENTS = 100_000
LAYER = "bench"  # the dataset name bench.store.run_import gives
MAX_DURATION_S = 120.0


@dataclass
class Stack:
    dir: Path
    processes: int
    proxy: int
    app0: int
    env: dict[str, str]

    @property
    def app_urls(self) -> list[str]:
        return [f"ws://127.0.0.1:{self.app0 + i}" for i in range(self.processes)]

    @property
    def url(self) -> str:
        """One process: straight to it; several: through nginx."""
        return self.app_urls[0] if self.processes == 1 else f"ws://127.0.0.1:{self.proxy}"

    def pids(self) -> list[int]:
        return [int((self.dir / f"app-{self.app0 + i}.pid").read_text()) for i in range(self.processes)]

    def database_url(self) -> str:
        return (self.dir / "database-url").read_text().strip()

    def run(self, *args: str) -> None:
        subprocess.run(["bash", str(RUN_LOCAL), *args], env=self.env, cwd=ROOT, check=True, timeout=300,
                       stdout=subprocess.DEVNULL)


@contextmanager
def stack(processes: int) -> Iterator[Stack]:
    # Not under a private temp folder: the cluster runs as the postgres user, who must reach it.
    root = Path(tempfile.mkdtemp(prefix="panj-capacity-"))
    root.chmod(0o755)
    proxy, app0, pg = ws_load.free_ports(1), ws_load.free_ports(processes), ws_load.free_ports(1)
    env = {**os.environ, "PANJ_STACK_DIR": str(root / "stack"), "PANJ_PROXY_PORT": str(proxy),
           "PANJ_APP_PORT": str(app0), "PANJ_PG_PORT": str(pg), "PANJ_PYTHON": sys.executable}
    for name in ("PANJ_DATABASE_URL", "PANJ_HTPASSWD"):
        env.pop(name, None)
    running = Stack(root / "stack", processes, proxy, app0, env)
    running.run("start", str(processes))
    try:
        yield running
    finally:
        running.run("stop")
        shutil.rmtree(root, ignore_errors=True)


def load_average() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def run_matrix(processes: list[int], data: list[str], users: list[int], duration_s: float,
               output: Path, think_s: tuple[float, float] = (1.0, 3.0)) -> list[dict[str, Any]]:
    rows = []
    csv_dir = Path(tempfile.mkdtemp(prefix="panj-capacity-csv-"))
    try:
        for kind in data:
            for n in processes:
                with stack(n) as running:
                    import_s = None
                    if kind == "100k":
                        path = csv_dir / "events.csv"
                        if not path.exists():
                            store.write_file(path, IMPORT_EVENTS)
                        import_s = store.run_import(running.database_url(), path)["wall"]
                    for count in users:
                        before = load_average()
                        summary = asyncio.run(ws_load.run_load(
                            running.url, count, min(duration_s, MAX_DURATION_S), think_s, pid=running.pids(),
                            layer=LAYER if kind == "100k" else "", warm_urls=running.app_urls))
                        row = {"processes": n, "data": kind, "import_s": import_s, "think_s": list(think_s),
                               "load_before": before,
                               "load_after": load_average(), **summary}
                        rows.append(row)
                        with output.open("a", encoding="utf-8") as handle:
                            handle.write(json.dumps(row) + "\n")
                        print(table_row(row), flush=True)
    finally:
        shutil.rmtree(csv_dir, ignore_errors=True)
    return rows


HEADER = ("| processes | data | users | think | actions | errors | throughput | p50 | p95 | p99 "
          "| CPU per process (core share) | CPU-s per action | RSS max per process | load avg before → after |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def table_row(row: dict[str, Any]) -> str:
    servers = row.get("servers", [])
    cpu = " + ".join(f"{s['cpu_share']:.2f}" for s in servers)
    rss = " / ".join(f"{s['rss_max_mb']} MB" for s in servers)
    where = "1 direct" if row["processes"] == 1 else f"{row['processes']} via nginx"
    think = "–".join(f"{t:g}" for t in row.get("think_s", (1, 3)))
    per_action = row.get("server_cpu_s", 0) / max(row["actions"], 1)
    return (f"| {where} | {row['data']} | {row['users']} | {think} s | {row['actions']} | {row['errors']} "
            f"| {row['throughput_per_s']} /s | {row['p50_s']} s | {row['p95_s']} s | {row['p99_s']} s "
            f"| {cpu} | {per_action:.3f} s | {rss} | {row['load_before']} → {row['load_after']} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], choices=[1, 2, 3, 4])
    parser.add_argument("--data", nargs="+", default=["seed", "100k"], choices=["seed", "100k"])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN_S", "MAX_S"),
                        help="each virtual user's think time between actions (5 15: an analyst reading)")
    parser.add_argument("-o", "--output", type=Path, default=Path("capacity.jsonl"))
    args = parser.parse_args(argv)
    print(HEADER, flush=True)
    rows = run_matrix(args.processes, args.data, args.users, args.duration, args.output, tuple(args.think))
    return 1 if any(row["errors"] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
