"""AppTest for the analysis pages: each runs, shows what it should, and shares the view state."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from panjmap.paths import ROOT, SEEDS_DIR

INCIDENTS = pd.read_csv(SEEDS_DIR / "incidents.csv", dtype=str, keep_default_na=False)
CLAIMS = pd.read_csv(SEEDS_DIR / "claims.csv", dtype=str, keep_default_na=False)
EVIDENCE = pd.read_csv(SEEDS_DIR / "evidence.csv", dtype=str, keep_default_na=False)


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    if page != "map":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


BORDER = INCIDENTS[INCIDENTS["scope"] == "border"]  # what the pages show unless wider context is switched on


def in_window(start: str, end: str) -> pd.DataFrame:
    return BORDER[(BORDER["end_date"] >= start) & (BORDER["event_date"] <= end)]


@pytest.mark.parametrize("page,title", [
    ("timeline", "Timeline"), ("attribution", "Attribution: who blames whom"), ("sources", "Sources"), ("data", "Data"),
])
def test_page_runs(page: str, title: str) -> None:
    at = open_page(page)
    assert at.title[0].value == title


def test_timeline_lists_the_records_of_the_window() -> None:
    at = open_page("timeline", date_from="2025-11-01", date_to="2025-11-30")
    expected = in_window("2025-11-01", "2025-11-30")
    table = at.dataframe[0].value
    assert sorted(table["id"]) == sorted(expected["event_id_cnty"])
    assert any(f"{len(expected)} curated records" in c.value for c in at.caption)


def test_attribution_states_who_claimed_nothing() -> None:
    at = open_page("attribution")
    unclaimed = INCIDENTS[INCIDENTS["claim_status"] == "unclaimed"]["event_id_cnty"]
    banner = at.error[0].value
    assert "No group has claimed responsibility" in banner
    for rid in unclaimed:
        assert rid in banner
    blame = at.dataframe[0].value  # the stance legend is a static table (st.table)
    tajik_smugglers = CLAIMS[CLAIMS["actor"].eq("Drug smugglers")]
    assert set(tajik_smugglers["claimant"]) <= set(blame[blame["actor"] == "Drug smugglers"]["claimant"])


def test_actor_profile_lists_every_claim_naming_the_actor() -> None:
    at = open_page("attribution")
    at.selectbox[0].select("East Turkestan Islamic Movement (ETIM)").run()  # canonical name of "ETIM"
    assert not at.exception
    claims = at.table[1].value  # [0] is the stance legend; quotes wrap in static tables
    assert len(claims) == int((CLAIMS["actor"] == "ETIM").sum())


def test_sources_marks_every_supporting_passage() -> None:
    at = open_page("sources")
    source_file = "004_6807ccbb9dd62dbb.txt"
    at.selectbox(key="sources_article").set_value(source_file).run()
    body = at.get("html")[0].proto.body
    text = re.sub(r"<sup>.*?</sup>|<[^>]+>", "", body)
    for quote in EVIDENCE[EVIDENCE["source_file"] == source_file]["quote"]:
        assert html.escape(quote) in text
    assert body.count("<mark") >= 10
    assert "Follow us on Youtube" not in body  # page chrome hidden for reading
    assert "./?center=" in body and "selected=incidents%2FPNJ" in body  # passages open their record on the map


def test_data_table_follows_the_filters() -> None:
    at = open_page("data", event_types="Battles")
    table = at.dataframe[0].value
    assert sorted(table["event_id_cnty"]) == sorted(BORDER[BORDER["event_type"] == "Battles"]["event_id_cnty"])


def test_a_filter_set_on_the_map_holds_on_other_pages() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.multiselect(key="sb_event_types").set_value(["Violence against civilians"]).run()
    assert at.query_params["event_types"] in ("Violence against civilians", ["Violence against civilians"])
    at.switch_page("pages/timeline.py").run()
    assert not at.exception
    assert at.multiselect(key="sb_event_types").value == ["Violence against civilians"]
    table = at.dataframe[0].value
    expected = BORDER[BORDER["event_type"] == "Violence against civilians"]
    assert sorted(table["id"]) == sorted(expected["event_id_cnty"])
