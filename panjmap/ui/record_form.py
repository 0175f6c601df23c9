"""The record form: every schema field with the control a user expects, and the
citations (source + verbatim quote) a save needs. It reads widgets and returns an Edit;
panjmap.editorial decides whether it is written."""

from __future__ import annotations

from typing import Any

import streamlit as st

from panjmap import schema
from panjmap.editorial.records import Citation, Edit
from panjmap.editorial.places import precision_words
from panjmap.ui.text import md

CITATION_SLOTS = 3  # free slots below a record's own citations
ACTOR_FIELDS = ("actor1", "actor2", "actor")
NOT_REPORTED_HELP = "Leave empty when no source gives a number: empty means 'not reported', 0 means none."
CHOICES: dict[str, tuple[str, ...]] = {
    "disorder_type": schema.DISORDER_TYPES,
    "event_type": tuple(schema.EVENT_TYPES),
    "inter1": ("",) + schema.INTER_CODES,
    "inter2": ("",) + schema.INTER_CODES,
    "stance": tuple(schema.STANCES),
    "claimant_type": schema.CLAIMANT_TYPES,
    "claim_status": schema.CLAIM_STATUSES,
    "time_precision": tuple(str(k) for k in schema.TIME_PRECISION),
    "geo_precision": ("",) + tuple(str(k) for k in schema.GEO_PRECISION),
    "scope": tuple(schema.SCOPES),
}
HELP: dict[str, str] = {
    "event_date": "First possible day, YYYY-MM-DD.",
    "end_date": "Last possible day, YYYY-MM-DD (the same day for an exactly dated event).",
    "time_precision": "; ".join(f"{k}: {v}" for k, v in schema.TIME_PRECISION.items()),
    "geo_precision": "; ".join(f"{k}: {v}" for k, v in schema.GEO_PRECISION.items()) + "; empty: place not reported",
    "fatalities": NOT_REPORTED_HELP, "injuries": NOT_REPORTED_HELP,
    "stance": "; ".join(f"{k}: {v}" for k, v in schema.STANCES.items()),
    "scope": "; ".join(f"{k}: {v}" for k, v in schema.SCOPES.items()),
    "reported_location": "The place as the sources name it, when the coordinates are a stand-in (e.g. a district centre).",
}


def widget_key(table: str, name: str) -> str:
    return f"edit_{table}_{name}"


def load_into_widgets(table: str, values: dict[str, str], fields: tuple[str, ...]) -> None:
    """Put a record's values into the form's widgets (before they are drawn)."""
    for name in fields:
        st.session_state[widget_key(table, name)] = values.get(name, "") or ""


def apply_place(table: str, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        if name in (*schema.SITE_COLUMNS, *schema.INCIDENT_COLUMNS):  # a site has no reported_location
            st.session_state[widget_key(table, name)] = value


def _field(table: str, name: str, errors: dict[str, list[str]], actors: list[str],
           choices: dict[str, tuple[str, ...]]) -> None:
    key = widget_key(table, name)
    label = name.replace("_", " ")
    options = choices.get(name, CHOICES.get(name))
    if name == "sub_event_type":
        kind = st.session_state.get(widget_key(table, "event_type")) or next(iter(schema.EVENT_TYPES))
        options = schema.EVENT_TYPES.get(kind, ())
    if name in ACTOR_FIELDS and actors:
        options = ("",) + tuple(actors)
    if options is not None:
        current = st.session_state.get(key, "")
        if current not in options:  # a value from the data outside the list stays choosable
            options = (current,) + tuple(options)
        fmt = None
        if name == "time_precision":
            fmt = lambda v: f"{v}: {schema.TIME_PRECISION.get(int(v), '')}" if v else "—"  # noqa: E731
        elif name == "geo_precision":
            fmt = lambda v: f"{v}: {precision_words(int(v))}" if v else "place not reported"  # noqa: E731
        st.selectbox(label, options, key=key, help=HELP.get(name), format_func=fmt or (lambda v: v or "—"),
                     accept_new_options=name in ACTOR_FIELDS)  # a new actor can be typed in
    elif name in ("notes", "quote"):
        st.text_area(label, key=key, help=HELP.get(name))
    else:
        st.text_input(label, key=key, help=HELP.get(name))
    for message in errors.get(name, []) + errors.get(_combined(name), []):
        st.error(md(message), icon=None)


def _combined(name: str) -> str:
    return "latitude/longitude" if name in ("latitude", "longitude") else ""


def draw_fields(table: str, fields: tuple[str, ...], errors: dict[str, list[str]], actors: list[str],
                choices: dict[str, tuple[str, ...]] | None = None) -> None:
    """``choices``: this form's own option lists (e.g. the sources a claim may cite)."""
    columns = st.columns(3)
    for n, name in enumerate(fields):
        with columns[n % 3]:
            _field(table, name, errors, actors, choices or {})


def _slots(table: str) -> int:
    return st.session_state.get(f"cite_{table}_slots", CITATION_SLOTS)


def draw_citations(table: str, source_labels: dict[str, str], errors: dict[str, list[str]]) -> None:
    st.markdown("**Sources** — each quote must be copied verbatim from the source's text.")
    files = [""] + list(source_labels)
    for slot in range(_slots(table)):
        cols = st.columns([2, 4, 1])
        cols[0].selectbox(f"Source {slot + 1}", files, key=f"cite_{table}_{slot}_source",
                          format_func=lambda f: source_labels.get(f, "—"))
        cols[1].text_area(f"Quote {slot + 1}", key=f"cite_{table}_{slot}_quote", height=68)
        cols[2].text_input(f"Supports {slot + 1}", key=f"cite_{table}_{slot}_supports", placeholder="date; place")
    for message in errors.get("quote", []) + errors.get("source_file", []):
        st.error(md(message))


def load_citations(table: str, citations: list[dict[str, str]]) -> None:
    """Every citation of the record in its own slot (a save keeps exactly these), and free slots."""
    st.session_state[f"cite_{table}_slots"] = len(citations) + CITATION_SLOTS
    for slot in range(_slots(table)):
        given = citations[slot] if slot < len(citations) else {}
        st.session_state[f"cite_{table}_{slot}_source"] = given.get("source_file", "")
        st.session_state[f"cite_{table}_{slot}_quote"] = given.get("quote", "")
        st.session_state[f"cite_{table}_{slot}_supports"] = given.get("supports", "")


def read_edit(table: str, fields: tuple[str, ...], record_id: str | None, version: int | None,
              base: dict[str, Any], reason: str) -> Edit:
    values = {name: str(st.session_state.get(widget_key(table, name), "") or "") for name in fields}
    citations = []
    for slot in range(_slots(table)):
        source = st.session_state.get(f"cite_{table}_{slot}_source") or ""
        quote = st.session_state.get(f"cite_{table}_{slot}_quote") or ""
        if source and quote:
            citations.append(Citation(source, quote, st.session_state.get(f"cite_{table}_{slot}_supports") or "report"))
    return Edit(table, values, record_id=record_id, version=version, base={k: str(v or "") for k, v in base.items()},
                citations=tuple(citations), reason=reason)
