"""Issue 13's "Done when", as users do it in Debian's Chromium, on both store engines.

One ``streamlit run panjmap/server.py`` per engine on a free loopback port, behind no proxy but with
``PANJ_TRUSTED_USER_HEADER=X-Forwarded-User`` and a roles file; each user is a browser
context whose every request (the websocket included) carries ``X-Forwarded-User``:

- alice (editor) pastes a Russian article on "Add a source", creates an incident quoting it
  and a claim with its stance (drafts); a quote not in the article is refused next to the
  field and nothing is written;
- carol (viewer) cannot see the draft, and her clicks on write controls are refused;
- bob (reviewer) publishes it on the Review tab;
- carol then sees it on the map, the timeline and the attribution page, the detail panel
  quoting the article;
- alice and dave (editors) save the same record: dave's save is refused with what changed;
- bob reverts alice's change, which shows in the History tab as a new change.

The tests of one engine share one store and run in order. Every non-loopback request is
aborted and fails the test. Screenshots: test-artifacts/editorial-<engine>-*.png.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Locator, Page, expect

from panjmap import app_process
from panjmap.store import dispose_all, open_store
from panjmap.store import tables as t
from tests.conftest import ARTIFACTS
from tests.offline import cut_off
from tests.settling import settle

LOAD_MS = 90_000
WAIT_MS = 45_000
HEADER = "X-Forwarded-User"
ROLES = 'default = "viewer"\n[users]\nalice = "editor"\ndave = "editor"\nbob = "reviewer"\ncarol = "viewer"\n'

# An excerpt of a real report (Radio Svoboda, 25 Dec 2025, /work/shared/articles/31_*), quoted as a source.
SVOBODA_TEXT = (
    "Двое таджикских пограничников погибли во время перестрелки с вооруженными людьми на границе с Афганистаном, "
    "еще двое получили ранения. Об этом сообщает Таджикская служба Радио Свобода/Радио Озоди.\n\n"
    "Инцидент произошел днем 24 декабря в районе Шамсиддин Шохин в Хатлонской области. По данным Госкомитета "
    "нацбезопасности (ГКНБ) Таджикистана, \"трое членов террористической организации\" поздно ночью 23 декабря "
    "пересекли границу недалеко от села Кавок, на следующий день пограничники установили их местонахождение, но они "
    "отказались сдаваться и оказали вооруженное сопротивление.\n\n"
    "В результате перестрелки погибли два пограничника.\n"
)
SVOBODA_TITLE = "Двое пограничников Таджикистана погибли на границе с Афганистаном"
DATE_QUOTE = "Инцидент произошел днем 24 декабря в районе Шамсиддин Шохин в Хатлонской области."
DEATHS_QUOTE = "В результате перестрелки погибли два пограничника."
CLAIM_QUOTE = "\"трое членов террористической организации\" поздно ночью 23 декабря пересекли границу недалеко от села Кавок"
NOT_IN_TEXT = "В результате перестрелки погибли три пограничника."  # one word changed: not verbatim
NOTES = "Two Tajik border guards killed in a firefight with three armed men who crossed near Kavok (e2e test record)."
CLAIM_ACTOR = "Unidentified Armed Group (Afghanistan)"
CLAIMANT = "State Committee for National Security (GKNB) of Tajikistan"

# The record form, as a user fills it: text fields and choices (selectbox option labels).
TEXT_FIELDS = {
    "event date": "2025-12-23", "end date": "2025-12-24", "year": "2025", "timestamp": "1766448000",
    "interaction": "State forces-Political militia", "iso": "762",
    "region": "Caucasus and Central Asia", "country": "Tajikistan", "admin1": "Khatlon Region", "admin2": "Shamsiddin Shohin", "location": "Kavok",
    "latitude": "37.7301", "longitude": "70.1822", "source": "Radio Svoboda", "notes": NOTES, "fatalities": "2",
    "injuries": "2", "reported location": "Kavok village, border post No. 5 Bog",
}
CHOICES = {
    "time precision": "1: ", "disorder type": "Political violence", "event type": "Battles",
    "sub event type": "Armed clash", "actor1": "Military Forces of Tajikistan (1992-) Border Troops",
    "inter1": "State forces", "actor2": CLAIM_ACTOR, "inter2": "Political militia", "geo precision": "2: ",
    "scope": "border",
}


# --------------------------------------------------------------------------
# One server per engine


@dataclass
class Server:
    engine: str
    url: str
    store_url: str
    shared: dict = field(default_factory=dict)  # what one test leaves for the next (the record id)


def _start(store_url: str, roles: Path, log_path: Path) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PANJ_DATABASE_URL=store_url, PANJ_TRUSTED_USER_HEADER=HEADER, PANJ_ROLES_FILE=str(roles))
    return app_process.start(env, open(log_path, "w"), extra=["--browser.gatherUsageStats", "false"])


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp(f"editorial-{request.param}")
    if request.param == "sqlite":
        store_url = f"sqlite:///{root / 'store.sqlite'}"
    else:
        from tests import postgis

        store_url = postgis.fresh_database(request.getfixturevalue("postgis_admin_url"))
    roles = root / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    proc, url = _start(store_url, roles, ARTIFACTS / f"streamlit-editorial-{request.param}.log")
    yield Server(request.param, url, store_url)
    app_process.stop(proc)
    dispose_all()


@dataclass
class User:
    name: str
    page: Page
    blocked: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)


@pytest.fixture
def users(browser: Browser) -> Iterator:
    """``users("alice")``: a browser context (a separate Streamlit session) sending alice's header."""
    opened: list = []

    def open_user(name: str) -> User:
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, service_workers="block",
                                      extra_http_headers={HEADER: name})
        user = User(name, context.new_page())
        cut_off(context, user.blocked)
        user.page.on("pageerror", lambda exc: user.js_errors.append(str(exc)))
        opened.append((context, user))
        return user

    yield open_user
    for context, user in opened:
        context.close()
    for _, user in opened:
        assert user.blocked == [], f"{user.name}'s requests left the machine: {user.blocked}"
        assert user.js_errors == [], f"{user.name}: uncaught JS errors: {user.js_errors}"


# --------------------------------------------------------------------------
# Driving Streamlit


def shot(user: User, server: Server, moment: str) -> None:
    user.page.screenshot(path=str(ARTIFACTS / f"editorial-{server.engine}-{moment}.png"), full_page=True)


def open_page(user: User, server: Server, path: str = "") -> None:
    user.page.goto(f"{server.url}/{path}", timeout=LOAD_MS)
    expect(user.page.locator("[data-testid='stApp']")).to_be_visible(timeout=LOAD_MS)
    settle(user.page, LOAD_MS / 1000)


def open_editor(user: User, server: Server, role: str) -> None:
    open_page(user, server, "editor")
    # The header reached Streamlit's websocket session: the server knows who this is.
    expect(user.page.get_by_text(f"You are {user.name} ({role})")).to_be_visible(timeout=WAIT_MS)


def tab(user: User, name: str) -> Locator:
    user.page.get_by_role("tab", name=name, exact=True).click()
    settle(user.page)
    return user.page.locator("[role='tabpanel']:visible")


def type_into(scope: Locator, label: str, value: str) -> None:
    box = scope.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab" if box.evaluate("e => e.tagName") == "INPUT" else "Control+Enter")
    settle(scope.page)


def choose(scope: Locator, label: str, option: str) -> None:
    """Pick the option whose label starts with ``option`` in the selectbox ``label``, typing
    to narrow the list as a user does (the list only draws the options in view)."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.press_sequentially(option)
    options = scope.page.get_by_role("option")
    expect(options.first).to_be_visible(timeout=WAIT_MS)
    texts = [text.strip() for text in options.all_inner_texts()]
    matching = [n for n, text in enumerate(texts) if text.startswith(option)]
    assert matching, f"{label}: no option starts with {option!r}: {texts}"
    options.nth(matching[0]).click()
    settle(scope.page)


def click(scope: Locator, name: str) -> None:
    scope.get_by_role("button", name=name, exact=True).click()
    settle(scope.page)


def count(server: Server, table: sa.Table) -> int:
    with open_store(server.store_url).reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def grid_text(scope: Locator) -> str:
    """The text of the st.dataframe grids in ``scope`` (glide-data-grid's accessible table)."""
    return " ".join(scope.locator("[data-testid='stDataFrame'] table").all_inner_texts())


# --------------------------------------------------------------------------
# Tests


def test_an_editor_adds_a_russian_source_and_an_incident_a_reviewer_publishes_and_a_viewer_sees(
        server: Server, users) -> None:
    alice, carol = users("alice"), users("carol")
    open_editor(alice, server, "editor")

    # Add a source: the article pasted, in Russian.
    panel = tab(alice, "Add a source")
    type_into(panel, "Paste the article text", SVOBODA_TEXT)
    type_into(panel, "Title (the headline)", SVOBODA_TITLE)
    type_into(panel, "Outlet", "Radio Svoboda")
    choose(panel, "Language", "ru")
    type_into(panel, "Published (YYYY-MM-DD; empty = unknown)", "2025-12-25")
    type_into(panel, "URL", "https://www.svoboda.org/a/dvoe-pogranichnikov-tadzhikistana-pogibli-na-granitse-s-afganistanom/33632534.html")
    sources_before = count(server, t.sources)
    click(panel, "Add source")
    expect(alice.page.get_by_text(re.compile(r"Added \d{3}_[0-9a-f]{16}\.txt"))).to_be_visible(timeout=WAIT_MS)
    assert count(server, t.sources) == sources_before + 1
    source_label = "Radio Svoboda · 2025-12-25"

    # A new incident in the Record tab, quoting that source.
    panel = tab(alice, "Record")
    for label, value in TEXT_FIELDS.items():
        type_into(panel, label, value)
    for label, option in CHOICES.items():
        choose(panel, label, option)
    choose(panel, "Source 1", source_label)
    type_into(panel, "Quote 1", DATE_QUOTE)
    type_into(panel, "Supports 1", "date; place")
    choose(panel, "Source 2", source_label)
    type_into(panel, "Quote 2", NOT_IN_TEXT)
    type_into(panel, "Supports 2", "fatalities")
    type_into(panel, "Why (goes into the history)", "new incident from Radio Svoboda")

    # Not verbatim: refused, next to the citations, and nothing is written.
    incidents_before, log_before = count(server, t.incidents), count(server, t.change_log)
    click(panel, "Save")
    refusal = panel.locator("[data-testid='stAlert']", has_text="not found verbatim")
    expect(refusal).to_be_visible(timeout=WAIT_MS)
    shot(alice, server, "1-refused-quote")
    assert (count(server, t.incidents), count(server, t.change_log)) == (incidents_before, log_before)

    type_into(panel, "Quote 2", DEATHS_QUOTE)
    click(panel, "Save")
    saved = alice.page.get_by_text(re.compile(r"Saved PNJ\d+ \(version 1, draft\)"))
    expect(saved).to_be_visible(timeout=WAIT_MS)
    record_id = re.search(r"PNJ\d+", saved.inner_text()).group(0)
    server.shared["record_id"] = record_id
    assert count(server, t.incidents) == incidents_before + 1

    # Its claim: who the GKNB says crossed the border, with the stance.
    panel.get_by_role("radiogroup").first.get_by_text("Claim", exact=True).click()
    settle(alice.page)
    choose(panel, "Record", "(new record)")
    type_into(panel, "incident id", record_id)
    choose(panel, "actor", CLAIM_ACTOR)
    choose(panel, "stance", "accused")
    type_into(panel, "claimant", CLAIMANT)
    choose(panel, "claimant type", "government")
    choose(panel, "source file", _source_file_of(server))
    type_into(panel, "quote", CLAIM_QUOTE)
    click(panel, "Save")
    expect(alice.page.get_by_text(re.compile(r"Saved CLM\d+ \(version 1, draft\)"))).to_be_visible(timeout=WAIT_MS)
    shot(alice, server, "2-saved-drafts")

    # Carol, a viewer, cannot see the draft on the map, and cannot write.
    open_editor(carol, server, "viewer")
    panel = tab(carol, "Add a source")
    type_into(panel, "Paste the article text", "Текст, который зритель пытается добавить.")
    type_into(panel, "Title (the headline)", "attempt by a viewer")
    sources_now = count(server, t.sources)
    click(panel, "Add source")
    expect(carol.page.get_by_text("may not add source")).to_be_visible(timeout=WAIT_MS)
    assert count(server, t.sources) == sources_now

    # Bob, a reviewer, publishes it.
    bob = users("bob")
    open_editor(bob, server, "reviewer")
    panel = tab(bob, "Review")
    choose(panel, "Record to review", f"incidents/{record_id}")
    shot(bob, server, "3-review-queue")
    click(panel, "Make published")
    expect(bob.page.get_by_text(f"{record_id} is now published.")).to_be_visible(timeout=WAIT_MS)

    # Carol, in her own browser, sees it on the map ...
    query = f"?selected=incidents%2F{record_id}"
    open_page(carol, server, query)
    frame = _map_frame(carol.page)
    marker = frame.locator(f"[aria-label^='{record_id}:'], .panj-count[data-group*='incidents/{record_id}']")
    expect(marker.first).to_be_attached(timeout=WAIT_MS)
    detail = carol.page.locator("[data-testid='stColumn']").filter(
        has=carol.page.locator("[data-testid='stHeading']", has_text=record_id))
    expect(detail.get_by_text(DEATHS_QUOTE)).to_be_visible(timeout=WAIT_MS)
    expect(detail.get_by_text(CLAIMANT)).to_be_visible(timeout=WAIT_MS)
    shot(carol, server, "4-viewer-map-detail")

    # ... on the timeline ...
    open_page(carol, server, "timeline")
    mark = carol.page.locator(f"[data-testid='stVegaLiteChart'] [aria-label*='ID: {record_id};']")
    expect(mark.first).to_be_attached(timeout=WAIT_MS)  # the chart's mark, described by its tooltip
    assert "killed: 2 killed" in mark.first.get_attribute("aria-label")
    shot(carol, server, "5-viewer-timeline")

    # ... and on the attribution page, with the claim's words.
    open_page(carol, server, "attribution")
    choose(carol.page.locator("[data-testid='stMain']"), "Actor", CLAIM_ACTOR)
    expect(carol.page.get_by_text(CLAIMANT).first).to_be_visible(timeout=WAIT_MS)
    expect(carol.page.get_by_text("террористической организации").first).to_be_visible(timeout=WAIT_MS)
    shot(carol, server, "6-viewer-attribution")


def test_two_editors_save_the_same_record_and_a_reviewer_reverts_a_change(server: Server, users) -> None:
    record_id = server.shared.get("record_id")
    assert record_id, "the first test of this engine creates the record"
    alice, dave = users("alice"), users("dave")
    panels = {}
    for user in (alice, dave):  # both open the published record
        open_editor(user, server, "editor")
        panels[user.name] = tab(user, "Record")
        choose(panels[user.name], "Record", record_id)
        expect(panels[user.name].get_by_label("notes", exact=True)).to_have_value(NOTES)

    alice_notes = NOTES + " Crossed at 23:30 on 23 December (24.kg)."
    type_into(panels["alice"], "notes", alice_notes)
    type_into(panels["alice"], "Why (goes into the history)", "time of the crossing")
    click(panels["alice"], "Save")
    expect(alice.page.get_by_text(re.compile(rf"Saved {record_id} \(version 3, draft\)"))).to_be_visible(timeout=WAIT_MS)

    type_into(panels["dave"], "notes", NOTES + " Dave's wording.")
    log_before = count(server, t.change_log)
    click(panels["dave"], "Save")
    refused = dave.page.locator("[data-testid='stAlert']", has_text="Changed meanwhile")
    expect(refused).to_be_visible(timeout=WAIT_MS)
    assert "was changed by alice" in refused.inner_text() and "notes:" in refused.inner_text()
    assert "nothing was saved. Changed meanwhile: notes:" in refused.inner_text()  # sentences, not run together
    # Nothing of dave's is lost: his form still holds what he typed, to compare and save again.
    expect(panels["dave"].get_by_label("notes", exact=True)).to_have_value(NOTES + " Dave's wording.")
    refused.scroll_into_view_if_needed()  # the page scrolls inside Streamlit: show the refusal
    shot(dave, server, "7-second-editor-refused")
    assert count(server, t.change_log) == log_before
    assert _notes(server, record_id) == alice_notes  # alice's save kept, dave's not written

    bob = users("bob")
    open_editor(bob, server, "reviewer")
    panel = tab(bob, "History")
    choose(panel, "Record", record_id)
    expect(panel.locator("[data-testid='stDataFrame']")).to_be_visible(timeout=WAIT_MS)
    with open_store(server.store_url).reading() as conn:
        log = t.change_log
        rows = conn.execute(sa.select(log.c.id, log.c.who, log.c.action).where(log.c.record_id == record_id)
                            .order_by(log.c.id)).all()
    assert [(r.who, r.action) for r in rows] == [("alice", "create"), ("bob", "status"), ("alice", "update")]
    shown = grid_text(panel)
    assert re.findall(r"(alice|bob)(create|status|update)", shown) == [(r.who, r.action) for r in rows], shown

    alice_change = rows[-1].id
    choose(panel, "Change to revert", str(alice_change))
    click(panel, "Revert this change")
    expect(bob.page.get_by_text(f"Change #{alice_change} reverted")).to_be_visible(timeout=WAIT_MS)
    assert _notes(server, record_id) == NOTES
    # The History tab stays open after the action, showing the new change.
    expect(bob.page.get_by_role("tab", name="History", exact=True)).to_have_attribute("aria-selected", "true")
    panel = bob.page.locator("[role='tabpanel']:visible")
    expect(panel.locator("[data-testid='stDataFrame'] table")).to_contain_text(f"revert of change #{alice_change}",
                                                                              timeout=WAIT_MS)
    shot(bob, server, "8-history-after-revert")
    with open_store(server.store_url).reading() as conn:
        last = conn.execute(sa.select(t.change_log).where(t.change_log.c.record_id == record_id)
                            .order_by(t.change_log.c.id.desc())).mappings().first()
    assert (last["who"], last["action"], last["reason"]) == ("bob", "update", f"revert of change #{alice_change}")


def _notes(server: Server, record_id: str) -> str:
    with open_store(server.store_url).reading() as conn:
        return conn.execute(sa.select(t.incidents.c.notes).where(t.incidents.c.event_id_cnty == record_id)).scalar_one()


def _source_file_of(server: Server) -> str:
    with open_store(server.store_url).reading() as conn:
        return conn.execute(sa.select(t.sources.c.source_file).where(t.sources.c.title == SVOBODA_TITLE)).scalar_one()


def _map_frame(page: Page):
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        for frame in page.frames:
            if frame is page.main_frame or frame.is_detached():
                continue
            try:
                if frame.query_selector(".leaflet-container"):
                    return frame
            except Exception:  # navigating: look again
                continue
        assert time.monotonic() < deadline, "no frame with a .leaflet-container appeared"
        page.wait_for_timeout(250)
