"""Playback as MP4 and GIF (issue 16): frame count, date stamps, frames that change where records
appear, files that play, and the same frames from the page's button and from the CLI.

Frames are rendered by Debian's Chromium (one page load, the window stepped by playback.js; every
http(s) request aborted) or, in one test, by the matplotlib fallback. The expected windows and
records are computed here from seeds/incidents.csv, not by the module under test.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from pathlib import Path
from urllib.parse import parse_qs

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from panjmap import cli, playback_video
from panjmap.data import load_dataset
from panjmap.paths import SEEDS_DIR
from panjmap.state import ViewState
from panjmap.ui import export_panel

PERMALINK = "http://127.0.0.1:8501/?date_from=2025-01-01&date_to=2025-12-31&step=month"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z: both exports carry the same generation time
MONTH_ENDS = [dt.date(2025, m, calendar.monthrange(2025, m)[1]).isoformat() for m in range(1, 13)]


def located_in(window_to: str) -> set[str]:
    """Located border records (the default view leaves wider context out) whose span meets
    2025-01-01..window_to (from the CSV)."""
    with open(SEEDS_DIR / "incidents.csv", encoding="utf-8", newline="") as fh:
        return {f"incidents/{r['event_id_cnty']}" for r in csv.DictReader(fh)
                if r["latitude"] and r["scope"] == "border" and r["end_date"] >= "2025-01-01"
                and r["event_date"] <= window_to}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, chromium) -> dict[str, Path]:
    """The 12-step monthly playback of 2025 as MP4 and GIF, made by the CLI from a permalink."""
    folder = tmp_path_factory.mktemp("playback")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        paths = {}
        for fmt in ("mp4", "gif"):
            paths[fmt] = folder / f"playback.{fmt}"
            assert cli.main(["snapshot", "--format", fmt, "--query", PERMALINK, "-o", str(paths[fmt])]) == 0
    finally:
        mp.undo()
    return paths


def gif_frames(path: Path) -> tuple[list[np.ndarray], list[int]]:
    frames, durations = [], []
    with Image.open(path) as image:
        for k in range(image.n_frames):
            image.seek(k)
            frames.append(np.asarray(image.convert("RGB")))
            durations.append(image.info["duration"])
    return frames, durations


def test_frame_count_is_the_steps_plus_the_hold(outputs) -> None:
    meta = playback_video.read_metadata(outputs["mp4"])
    assert meta["fps"] == 1 and meta["hold_frames"] == 3  # 3 s at 1 frame per second
    count, seconds = imageio_ffmpeg.count_frames_and_secs(str(outputs["mp4"]))
    assert count == 12 + 3
    assert seconds == pytest.approx(15, abs=0.1)

    gif = playback_video.read_metadata(outputs["gif"])
    assert gif["hold_frames"] == 1
    frames, durations = gif_frames(outputs["gif"])
    assert len(frames) == 12 + 1
    assert durations == [1000] * 12 + [3000]


def test_the_date_stamp_of_frame_k_is_the_kth_step(outputs) -> None:
    for fmt in ("mp4", "gif"):
        frames = playback_video.read_metadata(outputs[fmt])["frames"]
        assert [f["window_to"] for f in frames] == MONTH_ENDS + [MONTH_ENDS[-1]]
        assert {f["window_from"] for f in frames} == {"2025-01-01"}
        assert [f["hold"] for f in frames] == [False] * 12 + [True]
        for frame, end in zip(frames, MONTH_ENDS):
            assert frame["stamp"] == f"2025-01-01 → {end}"
        before: set[str] = set()
        for frame, end in zip(frames, MONTH_ENDS):
            shown = located_in(end)
            assert frame["shown"] == len(shown)
            assert set(frame["new"]) == shown - before, end
            before = shown
        assert frames[-1]["new"] == []


def _outside(diff: np.ndarray, box: list[float]) -> np.ndarray:
    left, top, right, bottom = (int(round(v)) for v in box)
    mask = diff.copy()
    mask[max(top - 2, 0):bottom + 2, max(left - 2, 0):right + 2] = False
    return mask


def test_a_frame_differs_from_its_neighbour_where_records_were_added(outputs) -> None:
    frames, _ = gif_frames(outputs["gif"])
    meta = playback_video.read_metadata(outputs["gif"])["frames"]
    added = [k for k in range(1, 12) if meta[k]["new"]]
    quiet = [k for k in range(1, 12) if not meta[k]["new"] and not meta[k - 1]["new"]]
    assert added and quiet  # the seeds give both kinds of month in 2025
    for k in range(1, 13):
        changed = (frames[k] != frames[k - 1]).any(axis=2)
        assert changed.any(), f"frame {k} equals frame {k - 1}: its date stamp should differ"
        outside = _outside(_outside(changed, meta[k]["stamp_box"]), meta[k - 1]["stamp_box"])
        if k in added:
            assert outside.sum() > 50, f"frame {k} added {meta[k]['new']} but the map did not change"
        if k in quiet:
            assert not outside.any(), f"frame {k} added nothing but the map changed outside the date stamp"


def test_the_mp4_plays_h264_yuv420p_with_faststart(outputs) -> None:
    data = outputs["mp4"].read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: playable while downloading
    reader = imageio_ffmpeg.read_frames(str(outputs["mp4"]))
    info = next(reader)
    assert info["codec"] == "h264"
    assert info["pix_fmt"].startswith("yuv420p")
    assert info["size"] == (1600, 900)
    assert info["duration"] == pytest.approx(15, abs=0.1)
    decoded = [np.frombuffer(raw, np.uint8).reshape(900, 1600, 3) for raw in reader]
    assert len(decoded) == 15
    # the three hold frames are one picture (up to H.264's loss), and the last step's rings are gone
    hold = [np.abs(decoded[k].astype(int) - decoded[-3].astype(int)).mean() for k in (-2, -1)]
    assert max(hold) < 0.5
    assert np.abs(decoded[-4].astype(int) - decoded[-3].astype(int)).mean() > max(hold)
    assert len(data) < 5_000_000


def test_the_page_and_the_cli_give_the_same_frames(outputs, monkeypatch, tmp_path) -> None:
    """Same plan, same metadata, same pictures. Chromium's rasteriser is not bit-exact from run to
    run (a few anti-aliased pixels of a dashed ring can differ), so pixels may differ in a few spots."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    view, errors = ViewState.from_query(parse_qs(PERMALINK.split("?", 1)[1]))
    assert not errors
    for fmt in ("gif", "mp4"):
        page = tmp_path / f"page.{fmt}"
        page.write_bytes(export_panel._video(view, load_dataset(), (), fmt)())
        assert playback_video.read_metadata(page) == playback_video.read_metadata(outputs[fmt])
    page_frames, page_durations = gif_frames(tmp_path / "page.gif")
    cli_frames, cli_durations = gif_frames(outputs["gif"])
    assert page_durations == cli_durations and len(page_frames) == len(cli_frames)
    for k, (a, b) in enumerate(zip(page_frames, cli_frames)):
        assert (a != b).any(axis=2).sum() <= 200, f"frame {k} differs beyond rasteriser noise"
    page_mp4 = [np.frombuffer(f, np.uint8) for f in list(imageio_ffmpeg.read_frames(str(tmp_path / "page.mp4")))[1:]]
    cli_mp4 = [np.frombuffer(f, np.uint8) for f in list(imageio_ffmpeg.read_frames(str(outputs["mp4"])))[1:]]
    assert len(page_mp4) == len(cli_mp4) == 15
    for a, b in zip(page_mp4, cli_mp4):
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 0.2


def test_the_gif_keeps_the_map_colours(chromium) -> None:
    state = ViewState(date_from=dt.date(2025, 10, 1), date_to=dt.date(2025, 12, 31), step="month")
    playback = playback_video.render_playback(state, load_dataset(), size=(800, 450))
    assert playback.renderer == "chromium"
    with Image.open(io.BytesIO(playback_video.encode_gif(playback))) as image:
        decoded = []
        for k in range(image.n_frames):
            image.seek(k)
            decoded.append(np.asarray(image.convert("RGB")).astype(int))
    for source, gif in zip(playback.frames, decoded):
        error = np.abs(source.astype(int) - gif).sum(axis=2)
        packed = (source[..., 0].astype(int) << 16) | (source[..., 1].astype(int) << 8) | source[..., 2]
        colours, counts = np.unique(packed, return_counts=True)
        flat = colours[counts >= 0.001 * packed.size]  # fills, lines, the legend: each >= 0.1% of the frame
        assert len(flat) >= 8
        assert not error[np.isin(packed, flat)].any(), "a flat map colour changed in the GIF"
        assert error.mean() < 1.5  # anti-aliased edges: nearest palette colour, no dithering noise


def test_sizes_and_bad_options(tmp_path) -> None:
    assert playback_video.parse_size("slide") == (1600, 900)
    assert playback_video.parse_size("square") == (1080, 1080)
    assert playback_video.parse_size("1281x721") == (1280, 720)  # H.264 4:2:0 needs even sides
    for bad in ("12x5", "big", "1600x", "99999x900"):
        with pytest.raises(ValueError):
            playback_video.parse_size(bad)
    out = tmp_path / "x.mp4"
    assert cli.main(["snapshot", "--format", "mp4", "--size", "huge", "-o", str(out)]) == 2
    assert cli.main(["snapshot", "--format", "gif", "--fps", "0", "-o", str(out)]) == 2
    assert not out.exists()


def test_without_chromium_the_matplotlib_renderer_draws_the_frames(tmp_path) -> None:
    state = ViewState(date_from=dt.date(2025, 10, 1), date_to=dt.date(2025, 12, 31), step="month")
    video = playback_video.make_video(state, load_dataset(), fmt="gif", size=(640, 360), renderer="matplotlib")
    path = tmp_path / "fallback.gif"
    path.write_bytes(video.data)
    meta = playback_video.read_metadata(path)
    assert meta["renderer"] == video.renderer == "matplotlib"
    assert [f["window_to"] for f in meta["frames"]] == ["2025-10-31", "2025-11-30", "2025-12-31", "2025-12-31"]
    frames, _ = gif_frames(path)
    assert len(frames) == video.frame_count == 4
    assert frames[0].shape == (360, 640, 3)
    assert (frames[0] != frames[1]).any()


def test_a_layer_drawn_on_a_canvas_is_played_by_the_matplotlib_renderer(monkeypatch, chromium) -> None:
    """playback.js steps icon layers; above ICON_LIMIT records a layer is one canvas, so the
    frames come from matplotlib instead, and asking for Chromium says why it cannot."""
    monkeypatch.setattr(playback_video, "ICON_LIMIT", 2)
    state = ViewState(date_from=dt.date(2025, 11, 1), date_to=dt.date(2025, 12, 31), step="month")
    playback = playback_video.render_playback(state, load_dataset(), size=(480, 320))
    assert playback.renderer == "matplotlib" and len(playback.frames) == 3
    with pytest.raises(RuntimeError, match="over 2 records"):
        playback_video.render_playback(state, load_dataset(), size=(480, 320), renderer="chromium")
