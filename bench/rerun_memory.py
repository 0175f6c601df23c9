"""What one map rerun allocates with a large stored layer shown, and what sessions share (issue 15).

Imports a synthetic ACLED file (``bench.store``, fixed seed) into a SQLite store, or
uses ``--url``'s store and its first dataset, then measures with ``tracemalloc`` the
peak of the map's per-rerun work for one view (the layer's records, its feature
group, the component's feature-group script): the first rerun of that view, a
later one (the selection and the payload shared), and ``--threads`` reruns of that
view at once, as concurrent sessions on one process run them.

    python -m bench.rerun_memory --events 100000 [--threads 8]
    python -m bench.rerun_memory --url postgresql://... --threads 8
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench import store
from panjmap.layers import MapLayer
from panjmap.mapview.incidents import selection_group
from panjmap.state import ViewState
from panjmap.store.layers import stored_layers
from panjmap.store.core import open_store
from panjmap.ui.map_component import feature_groups_script

MB = 2**20


def rerun(layer: MapLayer, view: ViewState) -> int:
    """The map's share of one rerun for ``view``; the script's length."""
    records = layer.filtered(view)
    return len(feature_groups_script([layer.feature_group(view, records), selection_group("")]))


def peak_mb(work: Callable[[], object]) -> float:
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    work()
    return (tracemalloc.get_traced_memory()[1] - base) / MB


def measure(url: str, threads: int) -> dict[str, float]:
    [layer, *_] = stored_layers(open_store(url))
    view = ViewState(layers=(layer.key,))
    tracemalloc.start()
    first = peak_mb(lambda: rerun(layer, view))
    again = peak_mb(lambda: rerun(layer, view))
    other = view.replace(date_from=layer.summary().first_day)  # a new view: selection and payload anew

    def concurrent() -> None:
        workers = [threading.Thread(target=rerun, args=(layer, other)) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    together = peak_mb(concurrent)
    tracemalloc.stop()
    return {"records": len(layer.filtered(view)), "first_rerun_mb": round(first, 1),
            "shared_rerun_mb": round(again, 1), f"{threads}_at_once_mb": round(together, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a store with an imported dataset (default: import one into SQLite)")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="panj-rerun-memory-") as tmp:
        url = args.url
        if not url:
            path = Path(tmp) / "events.csv"
            store.write_file(path, args.events)
            url = f"sqlite:///{Path(tmp) / 'panj.sqlite'}"
            store.run_import(url, path)
        print(measure(url, args.threads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
