"""Data export of a stored layer from the export panel: every matching record, read in chunks.

    python -m bench.export DATABASE_URL --kind csv|geojson|kml [--event-type TYPE ...]

Makes one data file as the panel's download button does (``export_panel._data``: the file
is whole in memory at the end) for the store's first imported dataset, and prints its
size, wall and CPU time, the process's peak RSS before and after, and the load average.
One kind per process, so each peak RSS is that file's. The command line's export
(``python -m panjmap export ... --layer NAME -o FILE``) writes the file as it goes instead.
"""

from __future__ import annotations

import argparse
import os
import resource
import time


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--kind", choices=("csv", "geojson", "kml"), required=True)
    parser.add_argument("--event-type", action="append", default=[])
    args = parser.parse_args()
    os.environ["PANJ_DATABASE_URL"] = args.url

    from panjmap.data import load_dataset
    from panjmap.state import DEFAULT_LAYERS, ViewState
    from panjmap.store.layers import stored_layers
    from panjmap.ui import export_panel

    layer = stored_layers()[0]
    dataset = load_dataset()
    view = ViewState(event_types=tuple(args.event_type), layers=(*DEFAULT_LAYERS, layer.key))
    before, load = _peak_mb(), os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    data = export_panel._data(view, dataset, (layer,), args.kind)()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{args.kind}: {layer.matching(view):,} records, {len(data) / 1e6:.0f} MB file in {wall:.1f} s wall, "
          f"{cpu:.1f} s CPU; peak RSS {_peak_mb():.0f} MB (before the export {before:.0f} MB); "
          f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
