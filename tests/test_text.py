"""Data text in Streamlit Markdown: read literally, and isolated when it runs right to left."""

from __future__ import annotations

import re

import pytest

from panjmap.ui.text import FSI, PDI, isolate, md
from tests import hostile as H


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown.replace("  \n", "\n"))


@pytest.mark.parametrize("text", [H.SCRIPT, H.MD_LINK, H.LATEX, H.DIRECTIVE, H.EMOJI, H.MARKDOWN, H.QUOTES, "a\nb"])
def test_every_markdown_character_is_escaped(text: str) -> None:
    escaped = md(text)
    bare = re.sub(r"\\.", "", escaped)  # what is left outside escape pairs
    assert not re.search(r"[\\`*_\[\]()#<>$:]", bare), escaped
    assert unescape(escaped) == text


@pytest.mark.parametrize("text", ["Shŭrobod", "Military Forces of Tajikistan", "zero\u200bwidth", "", "42"])
def test_left_to_right_text_is_left_alone(text: str) -> None:
    assert isolate(text) == text


@pytest.mark.parametrize("text", [H.RTL, H.PERSIAN, "\u202bembedded", "x\u2067y\u2069z", "a\u200fb\u05d0"])
def test_right_to_left_text_and_bidi_controls_are_isolated(text: str) -> None:
    assert isolate(text) == FSI + text + PDI
    assert unescape(md(text)[1:-1]) == text


def test_a_stray_pdi_cannot_close_the_isolate_early() -> None:
    # "\u2069" would end our isolate and let the RLO after it flip the rest of the line.
    text = "\u2069\u202eevil\u2069 tail \u2066ok\u2069"
    assert isolate(text) == FSI + "\u202eevil tail \u2066ok\u2069" + PDI
    opened = closed = 0
    for ch in isolate(text):
        opened += ch in "\u2066\u2067\u2068"
        closed += ch == PDI
        assert closed <= opened
    assert opened == closed
