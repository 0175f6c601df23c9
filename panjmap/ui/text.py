"""Escaping data text for Streamlit Markdown (the only place data meets Markdown)."""

from __future__ import annotations

import re
import unicodedata

# Markdown, HTML and Streamlit's own syntax ($ for LaTeX, :color[...] directives, and
# :material/icon: which Streamlit's frontend rewrites in the raw text before parsing, so
# only an escaped "/" stops it).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'/])")

# Explicit bidi formatting: embeddings/overrides (LRE..RLO), isolates (LRI, RLI, FSI), PDI.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ISOLATE_OPEN, _ISOLATE_CLOSE = "\u2066\u2067\u2068", "\u2069"
FSI, PDI = "\u2068", "\u2069"


def md(text: object) -> str:
    """``text`` as literal Markdown: every syntax character backslash-escaped, and
    bidirectionally isolated when it holds right-to-left text or bidi controls."""
    value = "" if text is None else str(text)
    return isolate(_SPECIAL.sub(r"\\\1", value).replace("\n", "  \n"))


def isolate(value: str) -> str:
    """``value`` between FSI and PDI if it could reorder the text around it, else unchanged.

    The Markdown counterpart of the map's ``<bdi>``: a right-to-left override or
    name in data stays inside its own span instead of flipping the rest of the
    line. A PDI in the data with no isolate of its own to close would close ours
    early, so such stray PDIs are dropped.
    """
    if not (_BIDI_CONTROLS.search(value) or any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in value)):
        return value
    kept, depth = [], 0
    for ch in value:
        if ch in _ISOLATE_OPEN:
            depth += 1
        elif ch == _ISOLATE_CLOSE:
            if depth == 0:
                continue
            depth -= 1
        kept.append(ch)
    return FSI + "".join(kept) + PDI
