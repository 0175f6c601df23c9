"""What every page does first: configure, load data, draw the shared sidebar."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from panjmap import assets
from panjmap.data import DataError, Dataset, load_dataset
from panjmap.layers import MapLayer, curated_layer
from panjmap.schema import EVENT_TYPES
from panjmap.state import ViewState
from panjmap.ui.sidebar import Options, options_for, render_sidebar
from panjmap.ui.session_expiry import end_expired_sessions
from panjmap.ui.state_sync import current_view, save_view, show_url_errors
from panjmap.ui.streamlit_fixes import drop_stale_fragment_reruns, leave_legacy_pages_mode
from panjmap.ui.text import md

IMPORTS_KEY = "panj_imports"  # imported datasets: per session, never shared
PAGE_KEY = "panj_page"  # the page the session last ran


@dataclass(frozen=True)
class PageContext:
    view: ViewState
    dataset: Dataset
    imports: list[MapLayer]
    options: Options
    entered: bool  # the previous run showed another page (or none: a new session)


def session_imports() -> list[MapLayer]:
    return list(st.session_state.get(IMPORTS_KEY, {}).values())


def _shown(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v[:40] + ("…" if len(v) > 40 else "")) for v in values[:3]) + (", …" if len(values) > 3 else "")


def drop_unseen_filters(view: ViewState, options: Options) -> tuple[ViewState, list[str]]:
    """The view without filter values the sidebar cannot show, and a message for each dropped.

    The sidebar lists only actors, types, nationalities and regions present in
    the data, and its slider spans the data's dates: a value from elsewhere (a
    URL, an import since removed) would filter the map invisibly, e.g. to 0 records.
    """
    changes: dict[str, object] = {}
    messages: list[str] = []
    for name, known in (("actors", options.actors), ("event_types", EVENT_TYPES), ("nationalities", options.nationalities),
                        ("regions", options.regions)):
        values: tuple[str, ...] = getattr(view, name)
        unknown = tuple(v for v in values if v not in known)
        if unknown:
            changes[name] = tuple(v for v in values if v in known)
            messages.append(f"Ignored filter {name}: {_shown(unknown)} (not in the data)")
    start = max(view.date_from or options.first_day, options.first_day)
    end = min(view.date_to or options.last_day, options.last_day)
    if start > end:
        changes.update(date_from=None, date_to=None)
        messages.append(f"Ignored time window {view.date_from or 'start'} to {view.date_to or 'end'}: the records span "
                        f"{options.first_day} to {options.last_day}")
    return (view.replace(**changes) if changes else view), messages


def start_page() -> PageContext:
    """Set up a page; stops the page with a clear message if the data cannot load."""
    leave_legacy_pages_mode()
    drop_stale_fragment_reruns()
    end_expired_sessions()
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
    view, dropped = drop_unseen_filters(view, options)
    if dropped:
        save_view(view)
        for message in dropped:
            st.warning(md(message))
    view = render_sidebar(view, options, imports)
    save_view(view)
    return PageContext(view, dataset, imports, options, entered=_entered_page())


def _entered_page() -> bool:
    """Whether this run shows a different page than the session's previous run did."""
    run = get_script_run_ctx()
    page = run.page_script_hash if run else ""
    entered = st.session_state.get(PAGE_KEY) != page
    st.session_state[PAGE_KEY] = page
    return entered
