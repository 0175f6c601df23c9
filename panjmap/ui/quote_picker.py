"""A source's text in which the editor selects the passage to cite (components/quote_picker/).

The selection comes back as ``{"quote": str, "n": int}``; ``n`` counts selections, so
choosing the same passage twice in a row is still a change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit.components.v1 as components

_picker = components.declare_component("quote_picker", path=str(Path(__file__).parent / "components" / "quote_picker"))


def quote_picker(text: str, key: str, on_change: Callable[[], None]) -> dict | None:
    """Show ``text``; ``on_change()`` runs (before the next run) when the user selects a passage.
    (A component's keyword arguments go to its page, so callback arguments are bound here.)"""
    return _picker(text=text, key=key, default=None, on_change=on_change)
