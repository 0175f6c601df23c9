"""What every page does first: configure, load data, draw the shared sidebar."""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import get_script_run_ctx

from panjmap import assets, identity, query
from panjmap.editorial.drafts import draft_layer
from panjmap.data import DataError, Dataset, load_dataset
from panjmap.layers import MapLayer, curated_layer
from panjmap.schema import EVENT_TYPES
from panjmap.state import ViewState
from panjmap.store import StoreUnavailable, open_store
from panjmap.ui.sidebar import Options, options_for, render_sidebar
from panjmap.ui.session_expiry import end_expired_sessions
from panjmap.ui.state_sync import current_view, save_view, show_url_errors
from panjmap.ui.streamlit_fixes import drop_stale_fragment_reruns, leave_legacy_pages_mode
from panjmap.ui.text import md

IMPORTS_KEY = "panj_imports"  # layers held by this session only (the store's imports are shared)
PAGE_KEY = "panj_page"  # the page the session last ran
SHOW_DRAFTS_KEY = "panj_show_drafts"  # an editor's choice to see drafts on the map (never in the URL)
SIDEBAR_SENT_KEY = "panj_sidebar_sent"  # this session's page has the sidebar's widgets (and their code)
# Seconds the map page waits, on a session's first run (a page load), between the map and the
# sidebar. Streamlit's front end commits a batch of new elements only once the code of every
# widget in it has loaded, so a sidebar arriving with the map held the map's frame back until ~40
# of Streamlit's widget chunks had loaded and rendered. Arriving this much later, the sidebar
# renders in a batch of its own, after the map's frame has started (docs/benchmarks.md, eighth round).
MAP_HEAD_START_S = 0.4


@dataclass(frozen=True)
class PageContext:
    view: ViewState
    dataset: Dataset
    imports: list[MapLayer]
    options: Options
    entered: bool  # the previous run showed another page (or none: a new session)
    notices: DeltaGenerator | None = None  # where a deferred sidebar's main-area notices go


def session_imports() -> list[MapLayer]:
    """Imported layers: the store's datasets (every session sees them), then any this session holds."""
    from panjmap.store import StoreError
    from panjmap.store.layers import stored_layers

    held = st.session_state.get(IMPORTS_KEY, {})
    try:
        stored = [layer for layer in stored_layers() if layer.key not in held]
        drafts = _drafts()
    except StoreError as exc:
        st.error(f"Imported datasets are unavailable: {md(str(exc))}")
        stored, drafts = [], []
    return [*stored, *held.values(), *drafts]


def _drafts() -> list[MapLayer]:
    """The drafts layer, for an editor who asked to see it (the role is checked here, on the server)."""
    if not st.session_state.get(SHOW_DRAFTS_KEY) or identity.current().role < identity.Role.editor:
        return []
    layer = draft_layer(open_store())
    return [layer] if layer else []


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
    canonical = query.canonical_actors(view.actors)  # an alias from an old link ("ISKP") names its actor
    if canonical != view.actors:
        view = view.replace(actors=canonical)
        changes["actors"] = canonical
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


def start_page(sidebar: bool = True) -> PageContext:
    """Set up a page; stops the page with a clear message if the data cannot load.

    ``sidebar=False``: the page draws the sidebar itself, after its content, with
    ``render_page_sidebar`` (the view is the same either way: widget changes reach
    the state through callbacks, before the run).
    """
    leave_legacy_pages_mode()
    drop_stale_fragment_reruns()
    end_expired_sessions()
    assets.ensure_static()
    try:
        dataset = load_dataset()
    except StoreUnavailable as exc:
        _wait_for_store(str(exc))
    except DataError as exc:
        st.error(f"The curated records could not be loaded: {exc}")
        st.stop()
    imports = session_imports()
    options = options_for([curated_layer(dataset), *imports])
    view = current_view()
    show_url_errors()
    view = _follow_merge(view, dataset)
    view, dropped = drop_unseen_filters(view, options)
    if dropped:
        save_view(view)
        for message in dropped:
            st.warning(md(message))
    if not sidebar:
        # The sidebar takes its width now: drawn later, it would narrow the main area under the map
        # and make the browser lay out and render the page again.
        st.sidebar.empty()
        save_view(view)
        return PageContext(view, dataset, imports, options, entered=_entered_page(), notices=st.container())
    view = render_sidebar(view, options, imports)
    st.session_state[SIDEBAR_SENT_KEY] = True
    save_view(view)
    return PageContext(view, dataset, imports, options, entered=_entered_page())


def render_page_sidebar(ctx: PageContext) -> None:
    """The sidebar of a page started with ``start_page(sidebar=False)``, drawn after the page's content.

    On the map page this sends the map's element first: the browser loads the map's
    component and starts its frame before it renders the sidebar's ~15 widgets. On a page
    load it also waits ``MAP_HEAD_START_S`` first, unless no browser is connected (AppTest
    runs have no headers).
    """
    assert ctx.notices is not None, "start_page(sidebar=False) first"
    if not st.session_state.get(SIDEBAR_SENT_KEY) and st.context.headers:
        time.sleep(MAP_HEAD_START_S)
    st.session_state[SIDEBAR_SENT_KEY] = True
    with ctx.notices:  # the sidebar's notices in the main area stay above the page's content
        save_view(render_sidebar(current_view(), ctx.options, ctx.imports))


STORE_RETRY_S = 5


def _follow_merge(view: ViewState, dataset: Dataset) -> ViewState:
    """A link to a record since merged into another opens the record it was merged into."""
    table, _, record_id = view.selected.partition("/")
    if table != "incidents" or not record_id or record_id in set(dataset.incidents["event_id_cnty"]):
        return view
    from panjmap.editorial.records import resolve_id

    kept = resolve_id(open_store(), "incidents", record_id)
    if kept == record_id:
        return view
    st.info(f"{md(record_id)} was merged into {md(kept)}, which holds all its sources and claims: showing {md(kept)}.")
    view = view.replace(selected=f"incidents/{kept}")
    save_view(view)
    return view


def _wait_for_store(reason: str) -> None:
    """Say the store is unavailable and rerun the page by itself once it answers again."""
    st.warning(f"The store is unavailable, retrying every {STORE_RETRY_S} s. Nothing you saved is lost; "
               f"this page comes back by itself.  \n({md(reason)})")

    @st.fragment(run_every=STORE_RETRY_S)
    def retry() -> None:
        try:
            open_store().revisions()
        except StoreUnavailable:
            return
        st.rerun(scope="app")

    retry()
    st.stop()


def _entered_page() -> bool:
    """Whether this run shows a different page than the session's previous run did."""
    run = get_script_run_ctx()
    page = run.page_script_hash if run else ""
    entered = st.session_state.get(PAGE_KEY) != page
    st.session_state[PAGE_KEY] = page
    return entered
