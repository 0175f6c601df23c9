"""Warm app processes: one session each, so no user pays a process's first run.

A fresh ``streamlit run`` process imports the map's modules, loads the curated data
and renders the base map on its first session (seconds); deploy/run-local.sh runs
this after each process answers its health check. It speaks Streamlit's protocol
as bench.ws_load does (its ``Session``), on loopback only.

    python -m bench.warm ws://127.0.0.1:8601 ws://127.0.0.1:8602
"""

from __future__ import annotations

import asyncio
import sys

from bench import ws_load


def main(argv: list[str] | None = None) -> int:
    urls = [url.rstrip("/") for url in (sys.argv[1:] if argv is None else argv)]
    if not urls:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    failed = 0
    for url, result in zip(urls, asyncio.run(ws_load.warm(urls))):
        if result.error:
            failed += 1
            print(f"{url}: not warmed: {result.error}", file=sys.stderr)
        else:
            print(f"{url}: first run {result.latency_s:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
