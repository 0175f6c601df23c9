"""Escaping data text for Streamlit Markdown (the only place data meets Markdown)."""

from __future__ import annotations

import re

# Markdown, HTML and Streamlit's own syntax ($ for LaTeX, :color[...] directives, and
# :material/icon: which Streamlit's frontend rewrites in the raw text before parsing, so
# only an escaped "/" stops it).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'/])")


def md(text: object) -> str:
    """``text`` as literal Markdown: every syntax character backslash-escaped."""
    value = "" if text is None else str(text)
    return _SPECIAL.sub(r"\\\1", value).replace("\n", "  \n")
