"""The app's server: ``streamlit run panjmap/server.py`` serves app.py with its process warmed first.

A Streamlit server runs nothing of the app until a browser opens a session, so the first visitor
after a start waited for every import (pandas, geopandas, folium, SQLAlchemy: ~1.2 s of a 1.6 s
first run on a quiet machine), the store's opening and the base map's rendering. Here the same
work runs once in the ASGI lifespan, before the server accepts a connection, the way Streamlit
documents for ``st.App`` (docs/benchmarks.md, "First paint in the real app"). It also turns
Nagle's algorithm off on the server's connections (panjmap/tcp.py). ``streamlit run app.py`` still
works; it only skips both.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import streamlit as st

if not __package__:  # run as a script (`streamlit run panjmap/server.py`): only panjmap/ is on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.logger import get_logger  # noqa: E402

from panjmap import assets, tcp  # noqa: E402
from panjmap.paths import ROOT  # noqa: E402

_LOGGER = get_logger(__name__)  # Streamlit's handler and level: the server's log shows it


def warm() -> None:
    """What a server's first map visit would do for every later one: import the pages' modules,
    open the store (migrated, seeded), load the published records and its imports, and render
    the default view's base map. A failure is logged, never fatal: the page itself then reports
    it to the user (e.g. "store unavailable, retrying")."""
    started = time.perf_counter()
    _register_map_component()
    from panjmap.data import load_dataset
    from panjmap.layers import curated_layer
    from panjmap.state import ViewState
    from panjmap.store.layers import stored_layers
    # The pages' modules, imported for that alone: their imports are most of a first run.
    from panjmap.ui import attribution_page, data_page, editor_page, sources_page, timeline_page  # noqa: F401
    from panjmap.ui import map_panel  # noqa: F401
    from panjmap.ui.map_component import cached_base

    try:
        dataset = load_dataset()
        stored_layers()
        view = ViewState()
        cached_base(view, dataset.sites, dataset.version, center=view.center, zoom=view.zoom)
        curated_layer(dataset)
    except Exception:  # the page reports the same failure to its user with the store's retry
        _LOGGER.warning("Warming the server failed; the first visit does the work instead.", exc_info=True)
        return
    _LOGGER.info("Server warmed in %.2f s.", time.perf_counter() - started)


def _register_map_component() -> None:
    """Import the map's component and register it, which its import outside a session does not.

    Streamlit registers a component when its module is imported during a script run; imported
    here, streamlit-folium would never be served (its frame: 404). Its declaration looks for a
    session and logs that there is none ("can be ignored"): muted here, where that is expected.
    """
    from streamlit.components.v1.component_registry import ComponentRegistry

    context_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = context_log.level
    context_log.setLevel(logging.ERROR)
    try:
        import streamlit_folium
    finally:
        context_log.setLevel(level)
    ComponentRegistry.instance().register_component(streamlit_folium._component_func)


@asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    # Streamlit's own socket is already bound and listening here, and accepts nothing until this returns.
    _LOGGER.info("TCP_NODELAY set on %d listening socket(s).", tcp.set_nodelay_on_listeners())
    await anyio.to_thread.run_sync(warm)
    yield


# Leaflet's files in static/ before the server looks for that folder (it warns when it is missing).
assets.ensure_static()
app = st.App(str(ROOT / "app.py"), lifespan=_lifespan)
