"""The performance benchmark runs end to end on its smallest size, so it cannot rot.

Only that it finishes and reports every metric: no timing is asserted (CI
machines are too noisy for that; docs/benchmarks.md holds the measured numbers).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from panjmap.paths import ROOT

SIZE = "1000"
SIZE_METRICS = ("events", "csv_bytes", "import_s", "import_file_s", "layer_index_s")
VIEW_METRICS = (
    "shown", "mode", "filter_s", "layer_build_s", "layer_render_s", "layer_s", "layer_js_bytes",
    "server_s", "server_cpu_s", "filter_summary_s", "base_build_s", "base_render_s", "groups_build_s",
    "groups_render_s", "encode_s", "payload_bytes", "base_script_bytes", "app_rerun_s", "app_payload_bytes",
    "first_paint_s", "scripts_done_s", "page_bytes", "samples_visible",
)
NAIVE_METRICS = ("shown", "build_s", "render_s", "layer_s", "layer_js_bytes", "payload_bytes", "first_paint_s",
                 "ratio_layer_s", "ratio_payload_bytes", "ratio_first_paint")
SEED_METRICS = ("shown", "filter_s", "layer_build_s", "layer_render_s", "server_s", "payload_bytes", "app_rerun_s",
                "app_payload_bytes", "first_paint_s")


def test_benchmark_runs_on_the_smallest_size(tmp_path: Path, chromium: str) -> None:
    out, markdown = tmp_path / "bench.json", tmp_path / "bench.md"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--sizes", SIZE, "--quick", "--out", str(out),
         "--markdown", str(markdown), "--chromium", chromium],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(out.read_text(encoding="utf-8"))

    size = results["sizes"][SIZE]
    missing = [m for m in SIZE_METRICS if size.get(m) is None]
    missing += [f"{view}.{m}" for view in ("filter", "all") for m in VIEW_METRICS if size[view].get(m) is None]
    missing += [f"naive.{m}" for m in NAIVE_METRICS if size["naive"].get(m) is None]
    missing += [f"memory.{m}" for m in ("rss_peak_delta_mb", "tracemalloc_peak_mb") if size["memory"].get(m) is None]
    missing += [f"seed.{m}" for m in SEED_METRICS if results["seed"].get(m) is None]
    missing += [f"base.{m}" for m in ("script_bytes", "identical_across_filter_changes") if size["base"].get(m) is None]
    assert not missing, missing

    # Not timings but behaviour the numbers rest on: the base map never changes with the
    # filters (streamlit-folium would remount it), and the layer is visibly drawn.
    assert size["base"]["identical_across_filter_changes"] and size["app"]["component_key_stable"]
    assert size["filter"]["shown"] < size["all"]["shown"] == int(SIZE)
    assert results["machine"]["nproc"] and results["verdicts"]
    text = markdown.read_text(encoding="utf-8")
    assert "<!-- bench:results:begin -->" in text and "| target |" in text
