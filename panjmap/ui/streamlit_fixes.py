"""Workarounds for two Streamlit 1.67 behaviours, pinned to that version (requirements.txt).

Both touch Streamlit internals, so both live here, each with the reason and the
condition under which it can go (docs/benchmarks.md, "Known Streamlit race").
"""

from __future__ import annotations

import functools
from typing import Any

import streamlit as st
from streamlit.logger import get_logger
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import ScriptRunnerEvent

_LOGGER = get_logger(__name__)  # Streamlit's handler and level (logger.level)
_REQUESTED_PAGE = "_panj_requested_page"  # per session: page of the latest full-run request


def leave_legacy_pages_mode() -> None:
    """Run app.py's st.navigation even when a deep link is a fresh server's first request.

    Streamlit runs a server's first script run in its legacy mode when a pages/
    folder sits beside app.py: /data then runs pages/data.py alone, without
    app.py (no page config, the nav lists file names), until some run calls
    st.navigation. Switch the server to st.navigation and rerun this request.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def drop_stale_fragment_reruns() -> None:
    """Drop a fragment rerun the browser sent for a page the user has already left.

    The map reports its view about 0.3 s after it paints. When that report
    crosses a click on another page's link, the browser sends it with the old
    page's id; Streamlit queues it behind the new page's run, starts it as a run
    of the old page and finds no fragment, and the browser is left with a blank
    page (4 in 74 quick switches, docs/benchmarks.md). Such a report only
    describes a map that is gone, so it is dropped, as Streamlit itself drops
    reruns of fragments it no longer holds. Installed once per server process.
    """
    if getattr(AppSession.request_rerun, "_panj_patched", False):
        return
    request_rerun = AppSession.request_rerun
    on_event = AppSession._handle_scriptrunner_event_on_event_loop

    @functools.wraps(request_rerun)
    def guarded_request_rerun(session: AppSession, client_state: Any) -> None:
        if client_state is not None:
            if client_state.fragment_id:
                expected = _expected_page(session)
                if expected and client_state.page_script_hash != expected:
                    _LOGGER.info("Dropped a rerun of fragment %s sent for page %s; the session is on page %s.",
                                 client_state.fragment_id, client_state.page_script_hash, expected)
                    return
            else:
                setattr(session, _REQUESTED_PAGE, client_state.page_script_hash or None)
        request_rerun(session, client_state)

    @functools.wraps(on_event)
    def tracking_on_event(session: AppSession, sender: Any, event: ScriptRunnerEvent, *args: Any, **kwargs: Any) -> None:
        on_event(session, sender, event, *args, **kwargs)
        # From here on the session's own page hash says which page runs (it also
        # follows st.switch_page, which no browser request announces).
        if event == ScriptRunnerEvent.SCRIPT_STARTED and sender is session._scriptrunner:
            setattr(session, _REQUESTED_PAGE, None)

    guarded_request_rerun._panj_patched = True  # type: ignore[attr-defined]
    AppSession.request_rerun = guarded_request_rerun  # type: ignore[method-assign]
    AppSession._handle_scriptrunner_event_on_event_loop = tracking_on_event  # type: ignore[method-assign]


def _expected_page(session: AppSession) -> str | None:
    """The page the session is on or was last asked for, if that is a known page."""
    page = getattr(session, _REQUESTED_PAGE, None) or session._client_state.page_script_hash
    # app.py's own hash stands for "not resolved yet" (a request by URL path): no verdict.
    if not page or page == session._pages_manager.main_script_hash:
        return None
    return page
