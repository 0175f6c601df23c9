"""Offline Leaflet assets: the one place where CDN links become local files.

folium lists its JS/CSS as CDN URLs on each element class (``default_js`` /
``default_css``); streamlit-folium loads exactly those links in its iframe, and
a saved map references them too. Offline, every one of them fails and the map
stays blank. So ``configure_folium()`` rewrites the lists of the classes we use
to local files, taken from installed PyPI packages (XStatic), never from a CDN
and never committed to this repository:

- in the app, Streamlit serves ``static/vendor/`` at ``/app/static/vendor/``
  (``ensure_static()`` copies the files there on start);
- in a standalone export, ``inline_assets()`` replaces each tag with the file.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import mimetypes
import os
import re
import shutil
import threading
from pathlib import Path

import folium
import xstatic.pkg.leaflet as xs_leaflet

from panjmap.paths import STATIC_DIR

APP_URL_PREFIX = "/app/static/vendor/"
VENDOR_DIR = STATIC_DIR / "vendor"

# local file name -> file in an installed package
VENDOR_FILES: dict[str, Path] = {
    "leaflet.js": Path(xs_leaflet.BASE_DIR) / "leaflet.js",
    "leaflet.css": Path(xs_leaflet.BASE_DIR) / "leaflet.css",
}
VENDOR_DIRS: dict[str, Path] = {"images": Path(xs_leaflet.BASE_DIR) / "images"}

# folium classes we render, and the only assets each needs. Everything else
# folium.Map lists by default (jQuery, Bootstrap, awesome-markers, Font
# Awesome) serves marker icons and popups styles we do not use.
_CLASS_ASSETS: list[tuple[type, list[str], list[str]]] = [
    (folium.Map, ["leaflet.js"], ["leaflet.css"]),
]


def local_url(name: str) -> str:
    return APP_URL_PREFIX + name


def configure_folium() -> None:
    """Point folium's asset lists at local files. Idempotent; call before building maps."""
    for cls, js, css in _CLASS_ASSETS:
        cls.default_js = [(name, local_url(name)) for name in js]
        cls.default_css = [(name, local_url(name)) for name in css]


def ensure_static(target: Path = VENDOR_DIR) -> Path:
    """Copy the vendor files into ``static/vendor/`` unless they are already there."""
    target.mkdir(parents=True, exist_ok=True)
    for name, source in VENDOR_FILES.items():
        dest = target / name
        if not dest.exists() or dest.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, dest)
    for name, source in VENDOR_DIRS.items():
        dest = target / name
        if not dest.is_dir() or sorted(p.name for p in dest.iterdir()) != sorted(p.name for p in source.iterdir()):
            shutil.copytree(source, dest, dirs_exist_ok=True)
    return target


PUBLISHED_DIR = STATIC_DIR / "data"
PUBLISHED_URL_PREFIX = "/app/static/data/"


def publish(stem: str, text: str) -> str:
    """Serve ``text`` (data the app makes, e.g. the geography) at a URL named by its content's hash,
    so a browser can cache it and a changed text gets a new URL; returns that URL."""
    name = f"{stem}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}.json"
    path = PUBLISHED_DIR / name
    if not path.exists():
        PUBLISHED_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)  # whole or absent: another process may be serving it meanwhile
    return PUBLISHED_URL_PREFIX + name


def _file_for_url(url: str) -> Path | None:
    if not url.startswith(APP_URL_PREFIX):
        return None
    rel = url[len(APP_URL_PREFIX):]
    if rel in VENDOR_FILES:
        return VENDOR_FILES[rel]
    head, _, tail = rel.partition("/")
    return VENDOR_DIRS[head] / tail if head in VENDOR_DIRS and tail else None


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@functools.lru_cache(maxsize=None)
def _inlined_css(path: Path) -> str:
    """A stylesheet with its ``url(...)`` references turned into data URIs."""
    css = path.read_text(encoding="utf-8")

    def replace(match: re.Match[str]) -> str:
        ref = match.group(1).strip("'\"")
        if ref.startswith(("data:", "#")):
            return match.group(0)
        return f'url("{_data_uri(path.parent / ref)}")'

    return re.sub(r"url\(([^)]+)\)", replace, css)


_SCRIPT_TAG = re.compile(r'<script src="([^"]+)"></script>')
_LINK_TAG = re.compile(r'<link rel="stylesheet" href="([^"]+)"/>')


def inline_assets(html: str) -> str:
    """Replace local asset tags with the files' contents, for a standalone HTML file.

    Raises ValueError on any script or stylesheet this module cannot supply, so an
    export can never silently depend on the network.
    """

    def script(match: re.Match[str]) -> str:
        path = _file_for_url(match.group(1))
        if path is None:
            raise ValueError(f"no local copy of script {match.group(1)}")
        # "</script" inside the library would end the tag early.
        return "<script>" + path.read_text(encoding="utf-8").replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match[str]) -> str:
        path = _file_for_url(match.group(1))
        if path is None:
            raise ValueError(f"no local copy of stylesheet {match.group(1)}")
        return "<style>" + _inlined_css(path) + "</style>"

    return _LINK_TAG.sub(style, _SCRIPT_TAG.sub(script, html))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", type=Path, default=VENDOR_DIR, help="folder to copy into (default: static/vendor)")


def run(args: argparse.Namespace) -> int:
    target = ensure_static(args.target)
    print(f"Leaflet assets copied to {target}")
    return 0
