"""Keep the view state, the session and the URL query string in step.

On a session's first run the URL is read into the state (bad parameters are
reported and ignored). From then on the session's state is the truth and the
URL is rewritten from it on every run, on every page, so reloading or sharing
the URL reproduces the view.
"""

from __future__ import annotations

import re

import streamlit as st

from panjmap.state import ViewState
from panjmap.ui.text import md

VIEW_KEY = "panj_view"
URL_ERRORS_KEY = "panj_url_errors"


def current_view() -> ViewState:
    """The session's view state, read from the URL on the first run."""
    if VIEW_KEY not in st.session_state:
        params = {name: st.query_params.get_all(name) for name in st.query_params.keys()}
        view, errors = ViewState.from_query(params)
        st.session_state[VIEW_KEY] = view
        st.session_state[URL_ERRORS_KEY] = errors
    return st.session_state[VIEW_KEY]


# "Ignored URL parameter 'zoom': <reason>": the reason may quote the URL's own text.
_PARAM_MESSAGE = re.compile(r"(Ignored URL parameter '\w+': )(.*)", re.DOTALL)


def show_url_errors() -> None:
    for message in st.session_state.pop(URL_ERRORS_KEY, []):
        # URL text reads literally, never as Markdown; the other messages are fixed text.
        match = _PARAM_MESSAGE.fullmatch(message)
        st.warning(match.group(1) + md(match.group(2)) if match else message)


def save_view(view: ViewState) -> None:
    """Make ``view`` the session's state and write it into the URL."""
    st.session_state[VIEW_KEY] = view
    wanted = view.to_query()
    current = {name: st.query_params.get_all(name) for name in st.query_params.keys()}
    if current != {name: value if isinstance(value, list) else [value] for name, value in wanted.items()}:
        st.query_params.from_dict(wanted)

