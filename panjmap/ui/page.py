"""What every page does first: configure, load data, draw the shared sidebar."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from panjmap import assets
from panjmap.data import DataError, Dataset, load_dataset
from panjmap.layers import MapLayer, curated_layer
from panjmap.state import ViewState
from panjmap.ui.sidebar import Options, options_for, render_sidebar
from panjmap.ui.state_sync import current_view, save_view, show_url_errors

IMPORTS_KEY = "panj_imports"  # imported datasets: per session, never shared


@dataclass(frozen=True)
class PageContext:
    view: ViewState
    dataset: Dataset
    imports: list[MapLayer]
    options: Options


def session_imports() -> list[MapLayer]:
    return list(st.session_state.get(IMPORTS_KEY, {}).values())


def _leave_legacy_pages_mode() -> None:
    """Run app.py's st.navigation even when a deep link is a fresh server's first request.

    Streamlit runs a server's first script run in its legacy mode when a pages/
    folder sits beside app.py: /data then runs pages/data.py alone, without
    app.py (no page config, the nav lists file names), until some run calls
    st.navigation. Switch the server to st.navigation and rerun this request.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def start_page() -> PageContext:
    """Set up a page; stops the page with a clear message if the data cannot load."""
    _leave_legacy_pages_mode()
    assets.ensure_static()
    try:
        dataset = load_dataset()
    except DataError as exc:
        st.error(f"The curated records could not be loaded: {exc}")
        st.stop()
    imports = session_imports()
    options = options_for([curated_layer(dataset), *imports])
    view = current_view()
    show_url_errors()
    view = render_sidebar(view, options, imports)
    save_view(view)
    return PageContext(view, dataset, imports, options)
