"""Playback as a moving picture: the map's time playback as MP4 (H.264) or GIF.

Frame k is the map as playback shows it at step k: the window runs from the
start of the view's window to the k-th playback date (query.playback_dates),
the records that appeared in this step are ringed, and a date stamp names the
window. A last frame, the whole window without rings, holds for a few seconds.

Frames come from headless Chromium: one standalone HTML page carries every
record of the whole range, and ``mapview/js/playback.js`` steps the window
inside that one page load (no reload per frame). Without a Chromium, the
matplotlib renderer draws each frame instead. What each frame shows (window,
records on the map, records new in the step) is computed here by the query,
checked against what the page drew, and written into the file
(``read_metadata``), so a frame can be checked without looking at it.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
import json
import math
import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from branca.element import Element
from jinja2 import Template
from PIL import Image

from panjmap import export, query, snapshot
from panjmap.clock import generation_time
from panjmap.data import Dataset, located
from panjmap.layers import MapLayer, curated_layer, summary_dates, visible_layers
from panjmap.mapview import style
from panjmap.mapview.elements import _PlainScript
from panjmap.mapview.incidents import ICON_LIMIT
from panjmap.state import ViewState

FORMATS = ("mp4", "gif")
MEDIA_TYPES = {"mp4": "video/mp4", "gif": "image/gif"}
VIDEO_SIZES: dict[str, tuple[int, int]] = {"slide": (1600, 900), "square": (1080, 1080)}
MIN_SIDE, MAX_SIDE = 320, 3840
DEFAULT_FPS = 1.0
TARGET_SECONDS = 30  # longest playback at the default frame rate
MAX_FPS = 30.0
HOLD_SECONDS = 3.0
MAX_STEPS = 400  # a weekly playback of eight years; beyond that a video says nothing
MP4_CRF = 23
GIF_PALETTE = 256
GIF_EXACT_COLOURS = 200  # most frequent colours (the map's flat fills) kept exactly


def parse_size(text: str) -> tuple[int, int]:
    """"slide", "square" or "WxH" (pixels) -> even (width, height), as H.264's 4:2:0 needs."""
    if text in VIDEO_SIZES:
        return VIDEO_SIZES[text]
    match = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", text)
    if not match:
        raise ValueError(f"size must be slide, square or WxH in pixels (e.g. 1280x720), got {text[:40]!r}")
    width, height = (int(v) for v in match.groups())
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValueError(f"width and height must be between {MIN_SIDE} and {MAX_SIDE} pixels")
    return width - width % 2, height - height % 2


@dataclass(frozen=True)
class FrameInfo:
    """What one distinct frame shows. ``shown``/``new`` are "layer/id" of located records."""

    index: int
    window_from: str
    window_to: str
    shown: tuple[str, ...]
    new: tuple[str, ...]
    hold: bool
    stamp: str  # the date stamp's first line, as drawn


@dataclass(frozen=True)
class Playback:
    """Distinct frames (one per step, then the hold frame) and what each shows."""

    frames: list[np.ndarray]  # RGB, height x width x 3
    info: list[FrameInfo]
    stamp_boxes: list[tuple[float, float, float, float] | None]  # date stamp (left, top, right, bottom) px
    fps: float
    step: str
    renderer: str  # "chromium" or "matplotlib"
    meta: export.Metadata


@dataclass(frozen=True)
class Video:
    data: bytes
    format: str
    renderer: str
    frame_count: int  # frames in the file: steps + hold frames
    hold_frames: int


class PlaybackScript(_PlainScript):
    """playback.js and its styles, attached to the map (the script is data, never a template)."""

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this.code }}\n"
        "window.PANJ_PLAYBACK.attach({{ this._parent.get_name() }});{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "PlaybackScript"
        folder = resources.files("panjmap.mapview") / "js"
        self.code = (folder / "playback.js").read_text(encoding="utf-8")
        self.css = (folder / "playback.css").read_text(encoding="utf-8")

    def render(self, **kwargs) -> None:
        self.get_root().header.add_child(Element(f"<style>{self.css}</style>"), name="panj_playback_css")
        super().render(**kwargs)


# --------------------------------------------------------------------------- what each frame shows


def playback_range(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = ()) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the playback: the view's window, open ends at the data's bounds."""
    layers = visible_layers(state, dataset, imports) or [curated_layer(dataset)]
    first, last = summary_dates([layer.summary() for layer in layers])
    return state.date_from or first, state.date_to or last


def _shown(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...]) -> tuple[str, ...]:
    ids = []
    for layer in sorted(visible_layers(state, dataset, imports), key=lambda l: l.key):
        ids += [f"{layer.key}/{rid}" for rid in located(layer.filtered(state))["event_id_cnty"].astype(str)]
    return tuple(ids)


def _stamp(info_from: str, info_to: str, shown: int, new: int, step: str, hold: bool) -> tuple[str, str]:
    when = f"{info_from} → {info_to}"
    if hold:
        return when + " (whole window)", f"{shown} records on the map"
    return when, f"{shown} records on the map · {new} new this {step} (ringed in yellow)"


def playback_steps(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = (),
                   step: str | None = None) -> list[dt.date]:
    """The playback dates (each frame's window end) of the view."""
    start, end = playback_range(state, dataset, imports)
    return query.playback_dates(start, end, step or state.step)


def too_long(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = (), step: str | None = None) -> str:
    """Why the view's playback cannot be made ("" when it can)."""
    count = len(playback_steps(state, dataset, imports, step))
    if count > MAX_STEPS:
        return f"{count} {step or state.step}ly steps: choose a shorter window or a monthly step (at most {MAX_STEPS})"
    return ""


def default_fps(steps: int) -> float:
    """One step per second, faster for long playbacks so a video lasts at most about half a minute."""
    return float(min(MAX_FPS, max(DEFAULT_FPS, math.ceil(steps / TARGET_SECONDS))))


def frame_plan(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = (),
               step: str | None = None) -> list[FrameInfo]:
    """The frames' windows and records, from the query alone (no rendering)."""
    step = step or state.step
    problem = too_long(state, dataset, imports, step)
    if problem:
        raise ValueError(problem)
    start, end = playback_range(state, dataset, imports)
    dates = query.playback_dates(start, end, step)
    plan, before = [], set()
    for k, day in enumerate(dates):
        shown = _shown(state.replace(date_from=start, date_to=day), dataset, imports)
        new = tuple(r for r in shown if r not in before)
        before = set(shown)
        plan.append(FrameInfo(k, start.isoformat(), day.isoformat(), shown, new, False,
                              _stamp(start.isoformat(), day.isoformat(), len(shown), len(new), step, False)[0]))
    last = plan[-1]
    plan.append(FrameInfo(len(plan), last.window_from, last.window_to, last.shown, (), True,
                          _stamp(last.window_from, last.window_to, len(last.shown), 0, step, True)[0]))
    return plan


# --------------------------------------------------------------------------- rendering


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _chromium_frames(page_html: str, plan: list[FrameInfo], size: tuple[int, int], executable: str,
                     step: str) -> tuple[list[np.ndarray], list[tuple[float, float, float, float]]]:
    frames, boxes = [], []
    expected = len(plan[-1].shown)
    with snapshot.chromium_map_page(page_html, (*size, 1), executable, expected) as page:
        page.evaluate("() => document.fonts.ready")  # text measured in its final font before frame 0
        for info in plan:
            when, what = _stamp(info.window_from, info.window_to, len(info.shown), len(info.new), step, info.hold)
            drawn = page.evaluate("a => PANJ_PLAYBACK.setWindow(a[0], a[1], a[2], a[3])",
                                  [info.window_from, info.window_to, when, what])
            if sorted(drawn["shown"]) != sorted(info.shown) or sorted(drawn["fresh"]) != sorted(info.new):
                raise RuntimeError(f"playback frame {info.index}: the page drew other records than the query "
                                   f"selects ({len(drawn['shown'])} vs {len(info.shown)})")
            # two animation frames: Leaflet has laid out what was just added
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            frames.append(_rgb(page.screenshot(type="png")))
            boxes.append(tuple(drawn["stamp"]))
    return frames, boxes


def _matplotlib_frames(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...],
                       plan: list[FrameInfo], size: tuple[int, int], now: dt.datetime, reason: str) -> list[np.ndarray]:
    from panjmap.static_map import render_static_png

    frames = []
    for info in plan:
        frame_state = state.replace(date_from=_day(info.window_from), date_to=_day(info.window_to))
        meta = export.metadata(frame_state, dataset, curated_layer(dataset).filtered(frame_state), now=now)
        note = f"Rendered by matplotlib ({reason}); " + (
            "the whole window" if info.hold else f"{len(info.new)} records new in this step")
        frames.append(_rgb(render_static_png(frame_state, dataset, meta, imports, (*size, 1), note)))
    return frames


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def render_playback(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = (),
                    step: str | None = None, fps: float | None = None, size: tuple[int, int] = VIDEO_SIZES["slide"],
                    renderer: str = "auto") -> Playback:
    """The playback's distinct frames: Chromium when present (or asked), else matplotlib.
    ``fps`` None: ``default_fps`` of the step count."""
    step = step or state.step
    if step not in ("week", "month"):
        raise ValueError("step must be week or month")
    plan = frame_plan(state, dataset, imports, step)
    fps = default_fps(len(plan) - 1) if fps is None else fps
    if not 0 < fps <= MAX_FPS:
        raise ValueError(f"fps must be above 0 and at most {MAX_FPS:g}")
    start, end = _day(plan[0].window_from), _day(plan[-1].window_to)
    whole = state.replace(date_from=start, date_to=end, step=step)
    now = generation_time()
    meta = export.metadata(whole, dataset, curated_layer(dataset).filtered(whole), now=now)
    executable = snapshot.find_chromium() if renderer in ("auto", "chromium") else None
    if renderer == "chromium" and executable is None:
        raise RuntimeError("no Chromium found (set PANJ_CHROMIUM or install Debian's chromium)")
    # playback.js steps icon layers; a layer this large is drawn on one canvas (mapview.incidents)
    on_canvas = any(len(located(layer.filtered(whole))) > ICON_LIMIT for layer in visible_layers(whole, dataset, imports))
    if on_canvas and renderer == "chromium":
        raise RuntimeError(f"over {ICON_LIMIT} records on the map: the video is drawn by matplotlib (--renderer auto)")
    if executable and not on_canvas:
        note = (f"Playback by {step}: the stamp (top left) gives each frame's window; records new in the step "
                "are ringed in yellow · Rendered by headless Chromium")
        page_html = snapshot.standalone_html(whole, dataset, meta, imports, renderer_note=note,
                                             additions=(PlaybackScript(),))
        # Playwright's sync API refuses to run inside an asyncio loop (Streamlit); a worker thread has none.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            frames, boxes = pool.submit(_chromium_frames, page_html, plan, size, executable, step).result()
        return Playback(frames, plan, boxes, fps, step, "chromium", meta)
    reason = f"over {ICON_LIMIT} records on the map" if on_canvas else "no Chromium found"
    frames = _matplotlib_frames(whole, dataset, imports, plan, size, now, reason)
    return Playback(frames, plan, [None] * len(frames), fps, step, "matplotlib", meta)


# --------------------------------------------------------------------------- encoding


def hold_frames(fps: float, fmt: str) -> int:
    """Frames the last picture takes: the hold's seconds at the frame rate (MP4), one long frame (GIF)."""
    return 1 if fmt == "gif" else max(1, round(HOLD_SECONDS * fps))


def _metadata(playback: Playback, fmt: str) -> str:
    return json.dumps({
        "format": fmt, "fps": playback.fps, "step": playback.step, "renderer": playback.renderer,
        "hold_frames": hold_frames(playback.fps, fmt), "hold_seconds": HOLD_SECONDS,
        "view": playback.meta.as_dict(),
        "frames": [{**asdict(i), "shown": len(i.shown), "stamp_box": box}
                   for i, box in zip(playback.info, playback.stamp_boxes)],
    }, ensure_ascii=True, separators=(",", ":"))


def encode_mp4(playback: Playback) -> bytes:
    """H.264 (yuv420p, faststart) through imageio-ffmpeg's bundled ffmpeg; frames piped in."""
    height, width = playback.frames[0].shape[:2]
    hold = hold_frames(playback.fps, "mp4")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "playback.mp4"
        writer = imageio_ffmpeg.write_frames(
            str(path), (width, height), fps=playback.fps, codec="libx264", pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p", quality=None, macro_block_size=2, ffmpeg_log_level="error",
            output_params=["-crf", str(MP4_CRF), "-preset", "medium", "-tune", "stillimage",
                           "-profile:v", "high", "-movflags", "+faststart",
                           "-metadata", f"comment={_metadata(playback, 'mp4')}",
                           "-metadata", "title=" + playback.meta.title],
        )
        writer.send(None)
        for frame in playback.frames[:-1] + [playback.frames[-1]] * hold:
            writer.send(np.ascontiguousarray(frame))
        writer.close()
        return path.read_bytes()


def _packed(pixels: np.ndarray) -> np.ndarray:
    return (pixels[..., 0].astype(np.uint32) << 16) | (pixels[..., 1].astype(np.uint32) << 8) | pixels[..., 2]


def shared_palette(frames: list[np.ndarray]) -> np.ndarray:
    """One palette (N x 3, N <= 256) for every frame: the most frequent colours (the map's flat
    fills, the legend and the symbol colours) exactly, the remaining slots by median cut of the rest."""
    sample = np.concatenate([f[::2, ::2].reshape(-1, 3) for f in frames])
    packed = _packed(sample)
    colours, counts = np.unique(packed, return_counts=True)
    symbols = [int(c.lstrip("#"), 16) for c in dict.fromkeys(
        [s.color for s in style.EVENT_SYMBOLS.values()] + [style.BORDER_COLOR, style.ROAD_COLOR, "#FFD23F", "#111111"])]
    frequent = [int(c) for c in colours[np.argsort(-counts, kind="stable")] if int(c) not in symbols]
    exact = symbols + frequent[: GIF_EXACT_COLOURS - len(symbols)]
    palette = [((c >> 16) & 255, (c >> 8) & 255, c & 255) for c in exact]
    rest = sample[~np.isin(packed, exact)]
    free = GIF_PALETTE - len(palette)
    if len(rest) and free > 0:
        quantized = Image.fromarray(rest.reshape(1, -1, 3)).quantize(
            colors=free, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        used = len(quantized.getcolors() or [])
        extra = quantized.getpalette()[: 3 * used]
        palette += [tuple(extra[i:i + 3]) for i in range(0, len(extra), 3)]
    return np.array(palette[:GIF_PALETTE], dtype=np.uint8)


def to_palette(frame: np.ndarray, palette: np.ndarray) -> Image.Image:
    """The frame in the palette, each colour mapped to its nearest entry: exact where the palette
    holds the colour, never dithered. (Pillow's own mapping goes through a coarse colour cache.)"""
    packed = _packed(frame).reshape(-1)
    colours = np.unique(packed)
    inverse = np.searchsorted(colours, packed)  # much faster than np.unique(return_inverse=True)
    rgb = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=1).astype(np.int32)
    nearest = np.empty(len(colours), dtype=np.uint8)
    for i in range(0, len(colours), 4096):  # bounded memory: 4096 colours x 256 entries at a time
        chunk = rgb[i:i + 4096, None, :] - palette[None, :, :].astype(np.int32)
        nearest[i:i + 4096] = np.argmin((chunk * chunk).sum(axis=2), axis=1)
    image = Image.fromarray(nearest[inverse].reshape(frame.shape[:2]), mode="P")
    image.putpalette(palette.reshape(-1).tolist())
    return image


def encode_gif(playback: Playback) -> bytes:
    """GIF through Pillow: one shared palette, no dithering, the last frame held."""
    palette = shared_palette(playback.frames)
    images = [to_palette(f, palette) for f in playback.frames]
    step_ms = round(1000 / playback.fps)
    durations = [step_ms] * (len(images) - 1) + [round(HOLD_SECONDS * 1000)]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0,
                   comment=_metadata(playback, "gif").encode("ascii"), optimize=False)
    return out.getvalue()


def make_video(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = (), fmt: str = "mp4",
               step: str | None = None, fps: float | None = None, size: tuple[int, int] = VIDEO_SIZES["slide"],
               renderer: str = "auto") -> Video:
    """The view's playback as an MP4 or GIF file: what the page's button and the CLI both call."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    playback = render_playback(state, dataset, imports, step, fps, size, renderer)
    data = encode_mp4(playback) if fmt == "mp4" else encode_gif(playback)
    hold = hold_frames(playback.fps, fmt)
    return Video(data, fmt, playback.renderer, len(playback.frames) - 1 + hold, hold)


# --------------------------------------------------------------------------- reading back


def read_metadata(path: Path) -> dict:
    """The playback metadata written into an MP4 or GIF by this module."""
    path = Path(path)
    if path.read_bytes()[:6] in (b"GIF87a", b"GIF89a"):
        with Image.open(path) as image:
            return json.loads(image.info["comment"])
    # ffmpeg writes the file's tags as an ffmetadata text: key=value, with =;#\ and newlines escaped
    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    for line in out.splitlines():
        if line.startswith("comment="):
            return json.loads(re.sub(r"\\(.)", r"\1", line[len("comment="):]))
    raise ValueError(f"{path.name}: no playback metadata")
