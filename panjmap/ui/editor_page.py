"""Edit records: add sources, create and edit incidents, claims and sites with verbatim
quotes, review and publish, read and revert history. Every button calls
panjmap.editorial, which checks the user's role on the server."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from panjmap import identity, intake
from panjmap import sources as sources_view
from panjmap.actors import load_actors
from panjmap.data import load_dataset
from panjmap.editorial import EditError, history, places, prefill, records, review, sources, workspace
from panjmap.identity import PermissionDenied
from panjmap.store import Store, StoreError, open_store
from panjmap.store import tables as t
from panjmap.ui import record_form as form
from panjmap.editorial.drafts import DRAFTS_KEY
from panjmap.ui.page import SHOW_DRAFTS_KEY, PageContext
from panjmap.ui.state_sync import save_view
from panjmap.ui.text import md

TABLE_LABELS = {"incidents": "Incident", "claims": "Claim", "sites": "Site"}
NEW = "(new record)"
LANGUAGES = ("", "en", "ru", "fa", "zh", "tg", "uz", "ps", "bn", "tk", "ky", "kk", "ar", "ur", "tr", "de", "fr")
ERRORS_KEY = "edit_errors"
NOTICE_KEY = "edit_notice"
PROPOSAL_KEY = "edit_proposal"  # (source_file, intake.Proposal) of the last "Propose records"


def _notice(kind: str, text: str) -> None:
    st.session_state[NOTICE_KEY] = (kind, text)


def _failed(exc: Exception) -> None:
    st.session_state[ERRORS_KEY] = exc.by_field() if isinstance(exc, EditError) else {}
    message = str(exc).rstrip(".") + "."  # the store's messages are clauses; the notice is a sentence
    changed = getattr(exc, "changed", None)
    if changed:
        text = "; ".join(f"{f}: you opened {a!r}, now {b!r}" for f, (a, b) in changed.items())
        message += f" Changed meanwhile: {text}."
    _notice("error", message)


def _live_rows(store: Store, table: str) -> pd.DataFrame:
    with store.reading() as conn:
        tbl = t.RECORD_TABLES[table]
        rows = conn.execute(sa.select(tbl).where(tbl.c.status.in_(workspace.LIVE)).order_by(tbl.c.position)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows])


def _source_labels(store: Store) -> dict[str, str]:
    with store.reading() as conn:
        rows = conn.execute(sa.select(t.sources.c.source_file, t.sources.c.title, t.sources.c.publisher,
                                      t.sources.c.published).where(t.sources.c.status != "retired")
                            .order_by(t.sources.c.position)).all()
    return {r.source_file: f"{r.publisher or 'unattributed'} · {r.published or 'date unknown'} · {r.title[:70]}" for r in rows}


def _load_record(store: Store, table: str, record_id: str | None) -> None:
    fields = workspace.seed_fields(table)
    if record_id is None:
        values, version, citations = {}, None, []
    else:
        with store.reading() as conn:
            row = workspace.current_row(conn, table, record_id) or {}
            citations = records.evidence_of(conn, record_id) if table != "claims" else []
        values = {f: row.get(f) or "" for f in fields}
        version = row.get("version")
    form.load_into_widgets(table, values, fields)
    form.load_citations(table, citations)
    st.session_state["edit_base"] = values
    st.session_state["edit_version"] = version
    st.session_state[ERRORS_KEY] = {}


def _save(store: Store, table: str, record_id: str | None) -> None:
    fields = tuple(f for f in workspace.seed_fields(table) if record_id is None or f != workspace.ID_COLUMNS[table])
    edit = form.read_edit(table, fields, record_id, st.session_state.get("edit_version"),
                          st.session_state.get("edit_base", {}), st.session_state.get("edit_reason", ""))
    try:
        ref = records.save(store, identity.current(), edit)
    except (EditError, PermissionDenied, StoreError) as exc:
        _failed(exc)
        return
    _notice("success", f"Saved {ref.record_id} (version {ref.version}, {ref.status}).")
    st.session_state["edit_record_choice"] = ref.record_id
    _load_record(store, table, ref.record_id)


def _record_tab(store: Store) -> None:
    table = st.radio("Record type", list(TABLE_LABELS), format_func=TABLE_LABELS.get, horizontal=True, key="edit_table")
    rows = _live_rows(store, table)
    id_col = workspace.ID_COLUMNS[table]
    choices = [NEW] + (list(rows[id_col]) if len(rows) else [])
    status = dict(zip(rows[id_col], rows["status"])) if len(rows) else {}
    # The options' labels must not change when someone else saves (a status in them did): the
    # widget would reset to a new record and the unsaved form would be lost. Status goes below.
    choice = st.selectbox("Record", choices, key="edit_record_choice")
    record_id = None if choice == NEW else choice
    if record_id is not None:
        st.caption(f"Status: {status.get(record_id, '')}")
    if st.session_state.get("edit_loaded") != (table, record_id):
        _load_record(store, table, record_id)
        st.session_state["edit_loaded"] = (table, record_id)
    errors: dict[str, list[str]] = st.session_state.get(ERRORS_KEY, {})
    if table in ("incidents", "sites"):
        gazetteer = places.choices()
        pick = st.selectbox("Find a place (GeoNames names and spellings in any script, districts, sites)",
                            [""] + list(gazetteer), key="edit_place",
                            help="Fills location, coordinates, precision, country, region and district.")
        if pick:
            st.button("Use this place", on_click=form.apply_place, args=(table, places.record_fields(gazetteer[pick])))
    fields = tuple(f for f in workspace.seed_fields(table) if record_id is None or f != id_col)
    actors = _known_actors(store) if table != "sites" else []
    labels = _source_labels(store)
    own_choices = {"source_file": ("",) + tuple(labels)} if table == "claims" else {}
    form.draw_fields(table, fields, errors, actors, own_choices)
    if table != "claims":
        form.draw_citations(table, labels, errors)
    st.text_input("Why (goes into the history)", key="edit_reason")
    st.button("Save", type="primary", on_click=_save, args=(store, table, record_id))
    if record_id is not None:
        with st.expander("Retire or merge"):
            why = st.text_input("Reason", key="edit_retire_reason")
            if st.button("Retire this record"):
                try:
                    records.retire(store, identity.current(), table, record_id, st.session_state["edit_version"], why)
                    _notice("success", f"{record_id} retired.")
                except (EditError, PermissionDenied) as exc:
                    _failed(exc)
                st.rerun()
            if table == "incidents":
                other = st.selectbox("Merge into this record the record", [""] + [c for c in choices[1:] if c != record_id])
                if other and st.button(f"Merge {other} into {record_id}"):
                    try:
                        records.merge(store, identity.current(), record_id, other, why or "same event")
                        _notice("success", f"{other} merged into {record_id}; links to {other} now open {record_id}.")
                    except (EditError, PermissionDenied) as exc:
                        _failed(exc)
                    st.rerun()


def _known_actors(store: Store) -> list[str]:
    incidents, claims = _live_rows(store, "incidents"), _live_rows(store, "claims")
    names = {n for col in ("actor1", "actor2") for n in incidents.get(col, pd.Series(dtype=str))}
    names |= {n.strip() for col in ("assoc_actor_1", "assoc_actor_2")
              for cell in incidents.get(col, pd.Series(dtype=str)) for n in str(cell).split(";")}
    names |= set(claims.get("actor", pd.Series(dtype=str)))
    return sorted(n for n in names if n)


def _add_source(store: Store) -> None:
    get = st.session_state.get
    upload = get("src_upload")
    data, name = (upload.getvalue(), upload.name) if upload is not None else (get("src_text", "").encode("utf-8"), "pasted text")
    meta = _source_input("src_")
    try:
        added = sources.add_source(store, identity.current(), data, name, meta)
    except (EditError, PermissionDenied, StoreError) as exc:
        _failed(exc)
        return
    _notice("success", f"Added {added}. Cite it in a record's Sources.")


# A source's details: SourceInput field -> its label (widget keys are a form prefix + the field).
SOURCE_FIELDS = {"title": "Title (the headline)", "publisher": "Outlet", "author": "Author", "language": "Language",
                 "published": "Published (YYYY-MM-DD; empty = unknown)", "url": "URL", "notes": "Notes"}


def _source_fields(prefix: str) -> None:
    """The details form; widget keys are ``prefix + field``."""
    columns = st.columns(3) + st.columns(3)
    for column, (field, label) in zip(columns, list(SOURCE_FIELDS.items())[:6]):
        if field == "language":
            column.selectbox(label, LANGUAGES, format_func=lambda v: v or "not stated", key=prefix + field)
        else:
            column.text_input(label, key=prefix + field)
    st.text_input(SOURCE_FIELDS["notes"], key=prefix + "notes")


def _source_input(prefix: str) -> sources.SourceInput:
    return sources.SourceInput(**{f: str(st.session_state.get(prefix + f) or "").strip() for f in SOURCE_FIELDS})


def _load_source(store: Store) -> None:
    row = _source_row(store, st.session_state.get("srcedit_file") or "")
    if row.get("language") not in LANGUAGES:
        row["language"] = ""
    for field in SOURCE_FIELDS:
        st.session_state["srcedit_" + field] = row.get(field) or ""
    st.session_state["srcedit_version"] = row.get("version")


def _update_source(store: Store) -> None:
    source_file = st.session_state.get("srcedit_file") or ""
    try:
        version = sources.update_source(store, identity.current(), source_file, _source_input("srcedit_"),
                                        st.session_state.get("srcedit_version"), st.session_state.get("srcedit_why", ""))
    except (EditError, PermissionDenied, StoreError) as exc:
        _failed(exc)
        return
    st.session_state["srcedit_version"] = version
    _notice("success", f"Saved the details of {source_file} (version {version}).")


def _source_tab(store: Store) -> None:
    st.text_area("Paste the article text", height=160, key="src_text")
    st.file_uploader("…or upload a .txt or .html file", type=["txt", "html", "htm"], key="src_upload")
    _source_fields("src_")
    st.button("Add source", on_click=_add_source, args=(store,))
    st.divider()
    st.markdown("**Correct a source's details** (its text, which the quotes are checked against, stays as added)")
    labels = _source_labels(store)
    st.selectbox("Source", [""] + list(labels), format_func=lambda f: labels.get(f, "—"), key="srcedit_file",
                 on_change=_load_source, args=(store,))
    if st.session_state.get("srcedit_file"):
        _source_fields("srcedit_")
        st.text_input("Why (goes into the history)", key="srcedit_why")
        st.button("Save details", on_click=_update_source, args=(store,))


def _source_row(store: Store, source_file: str) -> dict:
    with store.reading() as conn:
        row = conn.execute(sa.select(t.sources).where(t.sources.c.source_file == source_file)).mappings().first()
    return dict(row) if row else {}


def _propose(store: Store, source_file: str) -> None:
    row = _source_row(store, source_file)
    published = dt.date.fromisoformat(row["published"]) if row.get("published") else None
    text = bytes(row["content"]).decode("utf-8")
    st.session_state[PROPOSAL_KEY] = (source_file, intake.propose(text, published, row.get("language") or None))


def _accept(store: Store, candidate: dict, source_file: str, accepted: set[str], into: str | None) -> None:
    """Open the record form with the accepted fields (a new record), or ``into`` an existing
    record with this article's sentences added to its citations. Nothing is saved yet."""
    row = _source_row(store, source_file)
    outlet = sources_view.outlet(pd.Series(row))
    new = prefill.citations_of(candidate, source_file, accepted)
    st.session_state["edit_table"] = "incidents"
    if into is None:
        dataset = load_dataset()
        fields = prefill.record_fields(candidate, accepted, outlet, dataset.incidents, load_actors())
        form.load_into_widgets("incidents", fields, workspace.seed_fields("incidents"))
        form.load_citations("incidents", [c.__dict__ for c in new])
        st.session_state.update(edit_record_choice=NEW, edit_loaded=("incidents", None), edit_base={},
                                edit_version=None, **{ERRORS_KEY: {}})
        _notice("success", "The accepted fields are in the Record tab as a new draft: check them and save.")
    else:
        _load_record(store, "incidents", into)
        with store.reading() as conn:
            kept = records.evidence_of(conn, into)
        form.load_citations("incidents", kept + [c.__dict__ for c in new if c.__dict__ not in kept])
        st.session_state.update(edit_record_choice=into, edit_loaded=("incidents", into))
        _notice("success", f"{into} is in the Record tab with this article's sentences added to its sources; "
                           "compare the figures, then save.")


def _candidate(store: Store, k: int, candidate: dict, source_file: str) -> None:
    evidence = candidate.get("evidence") or {}
    where = candidate.get("reported_location") or candidate.get("location") or "place not found"
    killed = "not reported" if candidate.get("fatalities") is None else candidate["fatalities"]
    with st.expander(f"Candidate {k + 1}: {candidate.get('event_date') or 'date unknown'} · {where} · killed: {killed}",
                     expanded=True):
        accepted: set[str] = set()
        for name in (*prefill.DIRECT_FIELDS, "actors"):
            value = candidate.get(name)
            if name == "actors":
                value = "; ".join(f"{a['actor']} ({a.get('role', '')})" for a in value or [])
            shown = "not reported" if value in (None, "") else value
            said = evidence.get(name) or {}
            c1, c2 = st.columns([2, 5])
            if c1.checkbox(f"{name}: {shown}", value=value not in (None, ""), key=f"accept_{k}_{name}"):
                accepted.add(name)
            c2.caption(md(said.get("quote") or said.get("note") or "—"))
        for claim in candidate.get("claims") or []:
            st.caption(md(f"Claim: {claim['claimant']} — {claim['stance']} — {claim['actor']}: “{claim['quote']}”"))
        cols = st.columns(1 + len(candidate.get("matches") or []))
        cols[0].button("Open as a new record", key=f"accept_new_{k}", on_click=_accept,
                       args=(store, candidate, source_file, accepted, None))
        for col, match in zip(cols[1:], candidate.get("matches") or []):
            conflicts = "; ".join(str(c) for c in match.get("conflicts") or [])
            col.button(f"Add as a source of {match['incident_id']}", key=f"accept_{k}_{match['incident_id']}",
                       on_click=_accept, args=(store, candidate, source_file, accepted, match["incident_id"]),
                       help=f"Conflicting figures: {conflicts}" if conflicts else "No conflicting figure")


def _propose_tab(store: Store) -> None:
    labels = _source_labels(store)
    source_file = st.selectbox("Source", [""] + list(labels), key="propose_source",
                               format_func=lambda f: labels.get(f, "—"))
    if not source_file:
        st.caption("Choose a source (add it under 'Add a source' first); intake proposes incidents from it, "
                   "every field with the sentence it was read from.")
        return
    st.button("Propose records", on_click=_propose, args=(store, source_file), type="primary")
    held = st.session_state.get(PROPOSAL_KEY)
    if not held or held[0] != source_file:
        return
    proposal = held[1]
    if not proposal.candidates:
        st.info("No incident found in this text.")
    left, right = st.columns([3, 2])
    with left:
        for k, candidate in enumerate(proposal.candidates):
            _candidate(store, k, candidate, source_file)
    with right:
        quotes = [q for c in proposal.candidates for e in (c.get("evidence") or {}).values()
                  if e and e.get("quote") for q in e["quote"].split(prefill.SENTENCE_JOIN)]
        text = bytes(_source_row(store, source_file)["content"]).decode("utf-8")
        st.html('<div class="panj-article">' + sources_view.highlight_quotes(text, quotes) + "</div>")


def _review_tab(store: Store) -> None:
    waiting = review.queue(store)
    if not waiting:
        st.info("Nothing waits for review.")
        return
    st.dataframe(pd.DataFrame(waiting)[["table", "id", "label", "status", "version", "updated_by", "updated_at"]],
                 hide_index=True, use_container_width=True)
    keys = [f"{w['table']}/{w['id']}" for w in waiting]
    chosen = st.selectbox("Record to review", keys, key="review_choice")
    item = waiting[keys.index(chosen)]
    targets = [to for (frm, to) in review.TRANSITIONS if frm == item["status"]]
    cols = st.columns(len(targets) or 1)
    for col, target in zip(cols, targets):
        if col.button(f"Make {target}", key=f"review_{target}"):
            try:
                review.set_status(store, identity.current(), item["table"], item["id"], target, item["version"])
                _notice("success", f"{item['id']} is now {target}.")
            except (EditError, PermissionDenied) as exc:
                _failed(exc)
            st.rerun()


def _history_tab(store: Store) -> None:
    table = st.radio("Record type", list(TABLE_LABELS), format_func=TABLE_LABELS.get, horizontal=True, key="hist_table")
    rows = _live_rows(store, table)
    ids = list(rows[workspace.ID_COLUMNS[table]]) if len(rows) else []
    record_id = st.selectbox("Record", ids, key="hist_record")
    if not record_id:
        return
    changes = history.changes(store, table, record_id)
    if not changes:
        st.caption("No change since the seed baseline.")
        return
    shown = pd.DataFrame([{"#": c["id"], "when": c["at"], "who": c["who"], "what": c["action"], "why": c["reason"] or "",
                           "before": json.dumps(c["before"], ensure_ascii=False) if c["before"] else "",
                           "after": json.dumps(c["after"], ensure_ascii=False) if c["after"] else ""} for c in changes])
    st.dataframe(shown, hide_index=True, use_container_width=True)
    revertible = [c["id"] for c in changes if c["action"] in ("update", "create")]
    if revertible:
        change_id = st.selectbox("Change to revert", revertible, key="hist_change")
        if st.button("Revert this change"):
            try:
                history.revert(store, identity.current(), int(change_id))
                _notice("success", f"Change #{change_id} reverted (a new change in the history).")
            except (EditError, PermissionDenied) as exc:
                _failed(exc)
            st.rerun()


def _show_drafts_layer(ctx: PageContext) -> None:
    """Turning drafts on also switches their layer on (it is off like any new layer)."""
    if st.session_state.get(SHOW_DRAFTS_KEY) and DRAFTS_KEY not in ctx.view.layers:
        save_view(ctx.view.replace(layers=ctx.view.layers + (DRAFTS_KEY,)))


def render(ctx: PageContext) -> None:
    st.title("Edit records")
    who = identity.current()
    st.caption(f"You are {md(who.label)}. Saves are checked on the server against your role and `validate`'s rules; "
               "new and edited records are drafts until a second person reviews and publishes them.")
    try:
        store = open_store()
    except StoreError as exc:
        st.error(md(str(exc)))
        st.stop()
    if who.role >= identity.Role.editor:
        st.toggle("Show drafts on the map (grey; only editors see them)", key=SHOW_DRAFTS_KEY,
                  on_change=_show_drafts_layer, args=(ctx,))
    notice = st.session_state.pop(NOTICE_KEY, None)
    # Always one element here, so the tabs below keep their place and the open tab after an action.
    slot = st.empty()
    if notice:
        (slot.success if notice[0] == "success" else slot.error)(md(notice[1]))
    record, proposals, source, queue, past = st.tabs(["Record", "Propose from a source", "Add a source", "Review", "History"])
    with record:
        _record_tab(store)
    with proposals:
        _propose_tab(store)
    with source:
        _source_tab(store)
    with queue:
        _review_tab(store)
    with past:
        _history_tab(store)
