"""Benchmark of the playback video and the briefing PDF (issue 16), on the seed data.

    python -m bench.playback [--repeat 3]

Times the app's own entry points, end to end as a user waits for them: a 12-step
monthly playback of 2025 at 1600x900 (``playback_video.make_video``: one Chromium
page load, 13 distinct frames, encoding) as MP4 and as GIF, split into rendering
(``render_playback``) and encoding; the file sizes; and the November 2025 briefing
(``briefing.render_pdf``: map PNG + HTML + print). Medians of ``--repeat`` runs;
prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from panjmap import briefing, playback_video
from panjmap.data import load_dataset
from panjmap.state import ViewState

PLAYBACK = ViewState(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), step="month")
BRIEFING = ViewState(date_from=dt.date(2025, 11, 1), date_to=dt.date(2025, 11, 30))


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    dataset = load_dataset()
    rows: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    for _ in range(args.repeat):
        for fmt in ("mp4", "gif"):
            seconds, video = _timed(lambda: playback_video.make_video(PLAYBACK, dataset, fmt=fmt, size=(1600, 900)))
            rows.setdefault(f"{fmt.upper()} end to end (render + encode)", []).append(seconds)
            sizes[fmt] = len(video.data)
        seconds, playback = _timed(lambda: playback_video.render_playback(PLAYBACK, dataset, size=(1600, 900)))
        rows.setdefault(f"render 13 frames ({playback.renderer}, one page load)", []).append(seconds)
        rows.setdefault("encode MP4 (libx264, 15 frames)", []).append(_timed(lambda: playback_video.encode_mp4(playback))[0])
        rows.setdefault("encode GIF (shared palette, 13 frames)", []).append(_timed(lambda: playback_video.encode_gif(playback))[0])
        seconds, pdf = _timed(lambda: briefing.render_pdf(BRIEFING, dataset))
        rows.setdefault("briefing PDF, November 2025 (map PNG + print)", []).append(seconds)
        sizes["pdf"] = len(pdf.data)
    print("| step | median s | runs (s) |\n|---|---|---|")
    for name, values in rows.items():
        print(f"| {name} | {statistics.median(values):.1f} | {', '.join(f'{v:.1f}' for v in values)} |")
    print(f"\nsizes: MP4 {sizes['mp4'] / 1e6:.2f} MB, GIF {sizes['gif'] / 1e6:.2f} MB, PDF {sizes['pdf'] / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
