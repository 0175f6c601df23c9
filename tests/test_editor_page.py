"""AppTest of the Edit records page: sources, a record with a Russian quote, refusals, roles."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from panjmap.paths import ROOT
from panjmap.store import dispose_all, open_store
from panjmap.store import tables as t
from tests.test_editorial import RU_QUOTE, RU_TEXT, incident_fields


@pytest.fixture
def store_env(store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("PANJ_DATABASE_URL", store_url)
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PANJ_TRUSTED_USER_HEADER", raising=False)
    yield store_url
    dispose_all()


def editor_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/editor.py").run()
    assert not at.exception, at.exception
    return at


def counts(url: str) -> tuple[int, int, int]:
    store = open_store(url)
    with store.reading() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(tbl)).scalar()
                     for tbl in (t.sources, t.incidents, t.change_log))


def add_source(at: AppTest) -> None:
    next(w for w in at.text_area if w.label == "Paste the article text").set_value(RU_TEXT.decode("utf-8"))
    inputs = {w.label: w for w in at.text_input}
    inputs["Title (the headline)"].set_value("Убиты двое китайских дорожников")
    inputs["Outlet"].set_value("Exclusive.kz")
    next(b for b in at.button if b.label == "Add source").click().run()


def widget(at: AppTest, key: str):
    found = next((w for w in [*at.text_input, *at.text_area, *at.selectbox] if w.key == key), None)
    assert found is not None, key
    return found


def fill_incident(at: AppTest, quote: str, source_file: str) -> None:
    fields = incident_fields()
    for name, value in fields.items():
        if name != "sub_event_type":
            widget(at, f"edit_incidents_{name}").set_value(value)
    at.run()  # the sub-event list follows the event type
    widget(at, "edit_incidents_sub_event_type").set_value(fields["sub_event_type"])
    at.selectbox(key="cite_incidents_0_source").set_value(source_file)
    at.text_area(key="cite_incidents_0_quote").set_value(quote)


def test_an_editor_adds_a_source_and_a_draft_incident_quoted_from_it(store_env: str) -> None:
    at = editor_page()
    assert "You are local \\(admin\\)" in at.caption[0].value
    add_source(at)
    assert not at.exception and at.success, [e.value for e in at.error]
    sources_before, incidents_before, _ = counts(store_env)
    with open_store(store_env).reading() as conn:
        source_file = conn.execute(sa.select(t.sources.c.source_file).order_by(t.sources.c.position.desc())).scalars().first()
    fill_incident(at, RU_QUOTE.replace("Двое", "Трое"), source_file)
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("not found verbatim" in e.value for e in at.error)
    assert counts(store_env)[1] == incidents_before  # nothing written
    at.text_area(key="cite_incidents_0_quote").set_value(RU_QUOTE)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert any("Saved PNJ" in s.value and "draft" in s.value for s in at.success), [e.value for e in at.error]
    assert counts(store_env)[1] == incidents_before + 1


def test_a_viewer_cannot_write_even_with_crafted_widget_state(store_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANJ_TRUSTED_USER_HEADER", "X-Forwarded-User")  # no header in AppTest: anonymous viewer
    at = editor_page()
    assert "anonymous \\(viewer\\)" in at.caption[0].value
    before = counts(store_env)
    add_source(at)
    assert any("may not add source" in e.value for e in at.error)
    # Crafted state: every form value set directly, then Save.
    fill_incident(at, RU_QUOTE, "000_42528b249955a706.txt")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("may not edit record" in e.value for e in at.error)
    assert counts(store_env) == before


def test_intake_proposes_an_incident_and_accepting_it_prefills_the_form_with_its_sentences(store_env: str) -> None:
    at = editor_page()
    add_source(at)
    with open_store(store_env).reading() as conn:
        source_file = conn.execute(sa.select(t.sources.c.source_file).order_by(t.sources.c.position.desc())).scalars().first()
    at.selectbox(key="propose_source").set_value(source_file).run()
    next(b for b in at.button if b.label == "Propose records").click().run()
    assert not at.exception, at.exception
    assert any(e.label.startswith("Candidate 1: 2025-11-30") for e in at.expander)
    # The record matches PNJ029 (30 Nov, Darvoz); here it is opened as a new record to check the fields.
    next(b for b in at.button if b.label == "Open as a new record").click().run()
    assert not at.exception, at.exception
    assert widget(at, "edit_incidents_event_date").value == "2025-11-30"
    assert widget(at, "edit_incidents_admin2").value == "Darvoz"
    assert widget(at, "edit_incidents_fatalities").value == "2"
    assert widget(at, "edit_incidents_injuries").value == ""  # not reported stays empty, never 0
    quotes = [widget(at, f"cite_incidents_{k}_quote").value for k in range(3)]
    assert RU_QUOTE in " ".join(quotes) and all(q in RU_TEXT.decode("utf-8") for q in quotes if q)


def test_a_proposal_matching_a_record_adds_the_article_as_its_source(store_env: str) -> None:
    at = editor_page()
    add_source(at)
    with open_store(store_env).reading() as conn:
        source_file = conn.execute(sa.select(t.sources.c.source_file).order_by(t.sources.c.position.desc())).scalars().first()
        before = conn.execute(sa.select(sa.func.count()).select_from(t.evidence)
                              .where(t.evidence.c.record_id == "PNJ029")).scalar()
    at.selectbox(key="propose_source").set_value(source_file).run()
    next(b for b in at.button if b.label == "Propose records").click().run()
    next(b for b in at.button if b.label == "Add as a source of PNJ029").click().run()
    assert at.selectbox(key="edit_record_choice").value == "PNJ029"
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    assert any("Saved PNJ029" in s.value for s in at.success), [e.value for e in at.error]
    with open_store(store_env).reading() as conn:
        quotes = list(conn.execute(sa.select(t.evidence.c.quote).where(t.evidence.c.record_id == "PNJ029")).scalars())
    assert len(quotes) > before and RU_QUOTE in " ".join(quotes)  # the old citations kept, the new added


def test_a_link_to_a_merged_record_opens_the_record_it_was_merged_into(store_env: str) -> None:
    from panjmap.editorial import records as editorial_records
    from panjmap.identity import Identity, Role
    from tests.test_editorial import add_ru_source

    store = open_store(store_env)
    source = add_ru_source(store)
    editor = Identity("alice", Role.editor, "proxy")
    reviewer = Identity("bob", Role.reviewer, "proxy")
    new = editorial_records.save(store, editor, editorial_records.Edit(
        "incidents", incident_fields(), citations=(editorial_records.Citation(source, RU_QUOTE),)))
    editorial_records.merge(store, reviewer, "PNJ029", new.record_id, "the same attack")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["selected"] = f"incidents/{new.record_id}"
    at.run()
    assert not at.exception, at.exception
    assert any(f"was merged into PNJ029" in i.value for i in at.info)
    assert at.session_state["panj_view"].selected == "incidents/PNJ029"


def test_editors_can_show_drafts_in_grey_and_a_viewer_never_gets_them(store_env: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from panjmap.editorial import records as editorial_records
    from panjmap.editorial.drafts import DRAFTS_KEY
    from panjmap.identity import Identity, Role
    from panjmap.mapview.style import DRAFT_COLOR
    from panjmap.ui.page import session_imports
    from tests.test_editorial import add_ru_source

    store = open_store(store_env)
    draft = editorial_records.save(store, Identity("alice", Role.editor, "proxy"), editorial_records.Edit(
        "incidents", incident_fields(), citations=(editorial_records.Citation(add_ru_source(store), RU_QUOTE),)))
    at = editor_page()  # local mode: an admin
    at.toggle(key="panj_show_drafts").set_value(True).run()
    assert not at.exception, at.exception
    assert DRAFTS_KEY in at.session_state["panj_view"].layers

    def drafts_for(session: dict) -> list:
        import panjmap.ui.page as page

        monkeypatch.setattr(page.st, "session_state", session)  # a session's state, as a dict
        return [layer for layer in session_imports() if layer.key == DRAFTS_KEY]

    shown = drafts_for({"panj_show_drafts": True})
    assert len(shown) == 1 and shown[0].color == DRAFT_COLOR
    assert list(shown[0].records.records["event_id_cnty"]) == [draft.record_id]
    monkeypatch.setenv("PANJ_TRUSTED_USER_HEADER", "X-Forwarded-User")  # now an anonymous viewer
    assert drafts_for({"panj_show_drafts": True}) == []  # the crafted flag alone shows nothing


def test_the_place_picker_finds_a_place_by_its_cyrillic_name_and_fills_the_place_fields(store_env: str) -> None:
    at = editor_page()
    picker = at.selectbox(key="edit_place")
    label = next(o for o in picker.options if o.startswith("Qalaikhumb · place") and "калаихумб" in o)
    picker.set_value(label).run()
    next(b for b in at.button if b.label == "Use this place").click().run()
    assert not at.exception, at.exception
    assert widget(at, "edit_incidents_location").value == "Qalaikhumb"
    assert widget(at, "edit_incidents_admin2").value == "Darvoz"
    assert widget(at, "edit_incidents_geo_precision").value == "1"
    assert widget(at, "edit_incidents_latitude").value.startswith("38.4")


def test_an_editor_corrects_a_source_s_outlet_and_a_viewer_cannot(store_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = editor_page()
    source = "000_42528b249955a706.txt"
    widget(at, "srcedit_file").set_value(source).run()  # opening it loads its details into the form
    assert widget(at, "srcedit_title").value and widget(at, "srcedit_publisher").value != "Corrected outlet"
    widget(at, "srcedit_publisher").set_value("Corrected outlet")
    widget(at, "srcedit_why").set_value("the byline names the outlet")
    next(b for b in at.button if b.label == "Save details").click().run()
    assert any("Saved the details of" in s.value and "version 2" in s.value for s in at.success), [e.value for e in at.error]
    with open_store(store_env).reading() as conn:
        row = conn.execute(sa.select(t.sources.c.publisher, t.sources.c.version)
                           .where(t.sources.c.source_file == source)).one()
    assert tuple(row) == ("Corrected outlet", 2)

    monkeypatch.setenv("PANJ_TRUSTED_USER_HEADER", "X-Forwarded-User")  # an anonymous viewer, crafting the state
    viewer = editor_page()
    before = counts(store_env)
    widget(viewer, "srcedit_file").set_value(source).run()
    widget(viewer, "srcedit_publisher").set_value("Vandalised")
    widget(viewer, "srcedit_why").set_value("x")
    next(b for b in viewer.button if b.label == "Save details").click().run()
    assert any("may not edit source" in e.value for e in viewer.error), [e.value for e in viewer.error]
    assert counts(store_env) == before
