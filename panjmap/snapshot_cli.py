"""``python -m panjmap snapshot``: the map view as PNG, standalone HTML, playback video (MP4/GIF)
or a PDF briefing pack, for scripted briefings. The page's buttons call the same functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from panjmap import snapshot
from panjmap.cli_filters import add_filter_arguments, selection_from_args
from panjmap.output import write_atomically
from panjmap.state import STEPS

FORMATS = ("png", "html", "mp4", "gif", "pdf")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, required=True)
    add_filter_arguments(parser, bbox=True)
    parser.add_argument("--size", default="slide",
                        help="PNG: slide (1600x900) or print (3508x2480); MP4/GIF: slide, square (1080x1080) "
                             "or WxH in pixels (default: slide)")
    parser.add_argument("--step", choices=STEPS,
                        help="MP4/GIF: one frame per week or month (default: the permalink's step, else week)")
    parser.add_argument("--fps", type=float, default=None,
                        help="MP4/GIF: steps per second (default: 1, faster when over 30 steps); the last frame holds 3 s")
    parser.add_argument("--renderer", choices=("auto", "chromium", "matplotlib"), default="auto",
                        help="PNG/MP4/GIF renderer (default: Chromium if present, else matplotlib)")
    parser.add_argument("-o", "--output", type=Path,
                        help="output file (default: a name saying what it holds, in the current folder)")


def run(args: argparse.Namespace) -> int:
    from panjmap import briefing, playback_video

    sel = selection_from_args(args)
    state, dataset, meta = sel.state, sel.dataset, sel.meta
    stem = state.file_stem("briefing" if args.format == "pdf" else "incidents")
    output = args.output or Path(f"{stem}.{args.format}")
    try:
        if args.format == "html":
            data = snapshot.standalone_html(state, dataset, meta).encode("utf-8")
            note = "standalone HTML"
        elif args.format == "png":
            if args.size not in snapshot.SIZES:
                raise ValueError(f"PNG size must be one of {', '.join(snapshot.SIZES)}")
            png = snapshot.render_png(state, dataset, meta, size=args.size, renderer=args.renderer)
            data, note = png.data, f"PNG rendered by {png.renderer}"
        elif args.format in playback_video.FORMATS:
            video = playback_video.make_video(
                state, dataset, fmt=args.format, step=args.step or state.step,
                fps=args.fps,
                size=playback_video.parse_size(args.size), renderer=args.renderer)
            data = video.data
            note = (f"{args.format.upper()} rendered by {video.renderer}, {video.frame_count} frames "
                    f"({video.hold_frames} holding the last)")
        else:
            pdf = briefing.render_pdf(state, dataset)
            data, note = pdf.data, "A4 PDF briefing printed by headless Chromium"
    except (ValueError, RuntimeError) as exc:
        print(f"snapshot: {exc}", file=sys.stderr)
        return 2
    write_atomically(output, data)
    print(f"{output}: {note}, {meta.count} records, {meta.located} on the map", file=sys.stderr)
    return 0
