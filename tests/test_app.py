"""The Streamlit page, driven headless with AppTest (no browser).

st_folium is a custom component, so AppTest does not draw the map; the rest of
the page runs. What the page shows is read from its summary line
("**Curated incidents (seed articles):** N of 40 records · ..."), and every
expected number is computed here, straight from the seed CSVs with pandas,
never through panjmap.query.

The last tests build the map the page builds and walk it the way
streamlit-folium does, to prove every asset the browser is told to load is a
local file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import branca
import folium
import folium.elements
import folium.plugins
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from panjmap.actors import load_actors
from panjmap.paths import ROOT, SEEDS_DIR

APP = str(ROOT / "app.py")  # AppTest resolves relative paths against this file, not the cwd
TIMEOUT = 60
UNKNOWN = "Unknown / unclaimed"
ACTOR_FIELDS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")

# e.g. "30 of 40 records · at least K killed; 3 records with no number · I injured · U without a map location":
# violent records whose sources give no number are counted apart, never as 0.
SUMMARY_RE = re.compile(
    r"^\*\*Curated incidents \(seed articles\):\*\* (\d+) of (\d+) records · "
    r"(?:at least )?(\d+) killed(?:; (\d+) records? with no number)? · "
    r"(?:at least )?(\d+) injured(?:; (\d+) records? with no number)?(?: · (\d+) without a map location)?$"
)


# --------------------------------------------------------------------------
# Expectations, from the CSVs alone


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS_DIR / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")


INC = _csv("incidents")
CLAIMS = _csv("claims")
EVIDENCE = _csv("evidence")
START = pd.to_datetime(INC["event_date"])
END = pd.to_datetime(INC["end_date"])
FIRST_DAY, LAST_DAY = START.min().date(), END.max().date()
LOCATED = (INC["latitude"] != "") & (INC["longitude"] != "")
KILLED = pd.to_numeric(INC["fatalities"].replace("", None))  # NaN: no source gives a number
INJURED = pd.to_numeric(INC["injuries"].replace("", None))
VIOLENT = INC["event_type"] != "Strategic developments"
BORDER = INC["scope"] == "border"  # the default view: wider context is one toggle away
ACTOR_NAMES = load_actors()
ISKP = "Islamic State Khorasan Province (ISKP)"  # the canonical name of "ISKP" (seeds/actors.csv)
TOTAL = len(INC)


def _record_actors(row: pd.Series) -> set[str]:
    """Everyone involved in, attributed or suspected of one record."""
    names = {part.strip() for field in ACTOR_FIELDS for part in row[field].split(";") if part.strip()}
    names |= set(CLAIMS.loc[CLAIMS["incident_id"] == row["event_id_cnty"], "actor"])
    if row["claim_status"] == "unclaimed" or any(n.startswith("Unidentified") for n in names):
        names.add(UNKNOWN)
    return {n if n == UNKNOWN else ACTOR_NAMES.resolve(n) for n in names}  # one actor, one name


ACTORS = INC.apply(_record_actors, axis=1)


def _search_text(row: pd.Series) -> str:
    rid = row["event_id_cnty"]
    quotes = [*CLAIMS.loc[CLAIMS["incident_id"] == rid, "quote"], *EVIDENCE.loc[EVIDENCE["record_id"] == rid, "quote"]]
    return " ".join([row["location"], row["notes"], row["admin1"], row["admin2"], *quotes]).casefold()


SEARCH = INC.apply(_search_text, axis=1)


def overlaps(start: dt.date, end: dt.date) -> pd.Series:
    """Records whose [event_date, end_date] meets the window."""
    return (END >= pd.Timestamp(start)) & (START <= pd.Timestamp(end))


def expected(mask: pd.Series, context: bool = False) -> tuple[int, ...]:
    """(shown, total, killed, killed with no number, injured, injured with no number, without a location),
    as the summary line says them; border records only unless ``context``."""
    mask = mask if context else mask & BORDER
    return (int(mask.sum()), TOTAL, int(KILLED[mask].sum()), int((KILLED[mask].isna() & VIOLENT[mask]).sum()),
            int(INJURED[mask].sum()), int((INJURED[mask].isna() & VIOLENT[mask]).sum()), int((mask & ~LOCATED).sum()))


def _unescape(markdown: str) -> str:
    """Markdown text as read: backslash escapes (the page escapes data text) removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def summary_lines(at: AppTest) -> list[str]:
    return [line for line in (_unescape(m.value) for m in at.markdown) if line.startswith("**Curated incidents")]


def summary(at: AppTest) -> tuple[int, ...]:
    lines = summary_lines(at)
    assert len(lines) == 1, f"expected one summary line, got {lines}"
    match = SUMMARY_RE.match(lines[0])
    assert match, f"summary line not understood: {lines[0]!r}"
    return tuple(int(group or 0) for group in match.groups())


def run_app(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    assert_healthy(at)
    return at


def assert_healthy(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


ALL = pd.Series(True, index=INC.index)


# --------------------------------------------------------------------------
# The page and each filter


def test_seed_expectations_are_not_trivial() -> None:
    """Guard for the tests below: the seeds hold what they are written against."""
    assert TOTAL == 40
    assert int(LOCATED.sum()) == 14
    assert FIRST_DAY < LAST_DAY


def test_default_page_runs_and_shows_everything() -> None:
    at = run_app()
    assert summary(at) == expected(ALL)
    assert at.slider(key="sb_window").value == (FIRST_DAY, LAST_DAY)
    assert at.title[0].value.startswith("Panj border incidents")
    assert not at.warning  # no URL complaints on a clean URL
    # the detail panel invites a click until something is selected
    assert any("Click an incident" in i.value for i in at.info)
    # a default view writes no filter into the URL
    assert not {"date_from", "date_to", "actors", "min_fatalities", "text", "layers"} & set(at.query_params)



def test_the_map_is_made_before_the_sidebar(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit sends elements in the order the script makes them: the map's comes before the
    sidebar's widgets, so the browser starts the map's frame first (docs/benchmarks.md, first paint)."""
    import streamlit as st

    from panjmap.ui import map_panel
    from panjmap.ui.sidebar import PREFIX

    made = map_panel.map_component
    sidebar_seen: list[bool] = []

    def recording(*args: object, **kwargs: object) -> object:
        sidebar_seen.append(any(str(key).startswith(PREFIX) for key in st.session_state))
        return made(*args, **kwargs)

    monkeypatch.setattr(map_panel, "map_component", recording)
    at = run_app()
    assert sidebar_seen == [False]  # a new session: no sidebar widget was made before the map
    assert at.slider(key="sb_window").value == (FIRST_DAY, LAST_DAY)  # and the sidebar is drawn after it
    at.slider(key="sb_window").set_value(WINDOW).run()
    assert_healthy(at)
    assert summary(at) == expected(overlaps(*WINDOW))  # a sidebar change reaches the map drawn before it

WINDOW = (dt.date(2025, 11, 1), dt.date(2025, 11, 30))


def _chosen(column: str, value: str) -> pd.Series:
    return INC[column] == value


FILTER_CASES = [
    # id, widget kind, key, value, expected mask
    ("window-november-2025", "slider", "sb_window", WINDOW, overlaps(*WINDOW)),
    ("window-2024", "slider", "sb_window", (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
     overlaps(dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
    ("actor-unknown", "multiselect", "sb_actors", [UNKNOWN], ACTORS.map(lambda a: UNKNOWN in a)),
    # ISKP is named mostly in claims.csv ("ISKP"): attributed actors count too, under the canonical name
    ("actor-iskp-claims-only", "multiselect", "sb_actors", [ISKP], ACTORS.map(lambda a: ISKP in a)),
    ("actor-taliban-or-unknown", "multiselect", "sb_actors", ["Taliban", UNKNOWN],
     ACTORS.map(lambda a: bool({"Taliban", UNKNOWN} & a))),
    ("event-type-battles", "multiselect", "sb_event_types", ["Battles"], _chosen("event_type", "Battles")),
    ("event-types-two", "multiselect", "sb_event_types", ["Battles", "Violence against civilians"],
     INC["event_type"].isin(["Battles", "Violence against civilians"])),
    ("nationality-chinese", "multiselect", "sb_nationalities", ["Chinese"],
     INC["victim_nationality"].map(lambda v: "Chinese" in v.split("|"))),
    ("side-afghan", "multiselect", "sb_sides", ["Afghanistan"], _chosen("country", "Afghanistan")),
    ("side-tajik", "multiselect", "sb_sides", ["Tajikistan"], _chosen("country", "Tajikistan")),
    ("region-khatlon", "multiselect", "sb_regions", ["Khatlon Region"], _chosen("admin1", "Khatlon Region")),
    ("min-fatalities-2", "number_input", "sb_min_fatalities", 2, KILLED >= 2),
    ("min-fatalities-5", "number_input", "sb_min_fatalities", 5, KILLED >= 5),  # 10+: only context (70, Pakistan)
    ("text-drone", "text_input", "sb_text", "drone", SEARCH.str.contains("drone", regex=False)),
    ("text-case-insensitive", "text_input", "sb_text", "SHAMSIDDIN", SEARCH.str.contains("shamsiddin", regex=False)),
    # words found only in a claim quote / only in an evidence quote still find their records
    ("text-in-claim-quote-only", "text_input", "sb_text", "speculation", SEARCH.str.contains("speculation", regex=False)),
    ("text-in-evidence-quote-only", "text_input", "sb_text", "Silencers", SEARCH.str.contains("silencers", regex=False)),
]


def _set(at: AppTest, kind: str, key: str, value: object) -> None:
    widget = getattr(at, kind)(key=key)
    if kind == "text_input":
        widget.input(value)
    else:
        widget.set_value(value)


def test_export_panel_is_made_only_while_open() -> None:
    """Closed (as every page opens), the panel sends no buttons; opened, all of them, for the view."""
    at = run_app(text="drone")
    assert "Export this view: snapshot, standalone map, data, permalink" in [e.label for e in at.expander]
    assert not at.get("download_button")
    at.session_state["panj_export_panel"] = True  # what the browser sends when the user opens it
    at.run()
    assert_healthy(at)
    assert len(at.get("download_button")) == 9
    assert any(c.value.startswith("Everything below reflects") and "drone" in c.value for c in at.caption)



SITES = _csv("sites")


@pytest.mark.parametrize("record_id", ["PNJ019", "PNJ023"])  # a site, claims and an unclaimed banner; related reports
def test_detail_panel_shows_the_records_sections(record_id: str) -> None:
    """Every claim and source passage of the record, its site and related reports; a second session
    (its text from the process's cache) reads the same."""
    row = INC.loc[INC["event_id_cnty"] == record_id].iloc[0]
    pages = [run_app(selected=f"incidents/{record_id}") for _ in range(2)]
    texts = [[_unescape(m.value) for m in at.markdown] for at in pages]
    assert texts[0] == texts[1]
    shown = "\n".join(texts[0])
    claims = CLAIMS[CLAIMS["incident_id"] == record_id]
    passages = EVIDENCE[EVIDENCE["record_id"] == record_id]
    assert shown.count("source: [") == len(claims) + len(passages)
    assert all(f"**{claimant}** · *{stance}*" in shown for claimant, stance in claims[["claimant", "stance"]].values)
    assert ("Who attributes it to whom" in shown) and ("Sources, in their own words" in shown)
    captions = [c.value for c in pages[0].caption]
    assert ("No attribution reported in the sources." in captions) == claims.empty
    warnings = [w.value for w in pages[0].warning]
    assert any("No group has claimed" in w for w in warnings) == (row["claim_status"] == "unclaimed")
    if row["site_id"]:
        site = SITES.loc[SITES["site_id"] == row["site_id"]].iloc[0]
        assert f"**Project site:** {site['name']} ({site['site_type']}; operator: {site['operator']})" in shown
    else:
        assert "Project site" not in shown
    related = ", ".join(row["related_ids"].split("|"))
    assert (f"**Related or conflicting reports:** {related}" in shown) == bool(related)
    for at in pages:  # "Every field", made when opened
        assert not at.dataframe
        at.session_state["panj_every_field"] = True
        at.run()
        fields = dict(at.dataframe[-1].value[["field", "value"]].values)
        assert {name: fields[name] for name in ("event_id_cnty", "location", "notes")} == \
            {name: row[name] for name in ("event_id_cnty", "location", "notes")}



@pytest.mark.parametrize(("kind", "key", "value", "mask"), [c[1:] for c in FILTER_CASES], ids=[c[0] for c in FILTER_CASES])
def test_each_filter_changes_the_shown_set(kind: str, key: str, value: object, mask: pd.Series) -> None:
    want = expected(mask)
    assert 0 < want[0] < TOTAL, "case must narrow the set without emptying it"
    at = run_app()
    assert summary(at) == expected(ALL)
    _set(at, kind, key, value)
    at.run()
    assert_healthy(at)
    assert summary(at) == want


@pytest.mark.parametrize(("word", "table"), [("speculation", CLAIMS), ("silencers", EVIDENCE)])
def test_quote_only_search_words_are_only_in_quotes(word: str, table: pd.DataFrame) -> None:
    """Guard for the cases above: the word is in that table's quotes, in no location, note or region."""
    plain = (INC["location"] + " " + INC["notes"] + " " + INC["admin1"] + " " + INC["admin2"]).str.casefold()
    assert not plain.str.contains(word).any()
    assert table["quote"].str.casefold().str.contains(word).any()


def test_filters_combine_with_and() -> None:
    at = run_app()
    at.multiselect(key="sb_nationalities").set_value(["Chinese"])
    at.number_input(key="sb_min_fatalities").set_value(3)
    at.slider(key="sb_window").set_value(WINDOW)
    at.run()
    assert_healthy(at)
    mask = INC["victim_nationality"].str.contains("Chinese") & (KILLED >= 3) & overlaps(*WINDOW)
    assert summary(at) == expected(mask)
    assert expected(mask)[0] == 1  # PNJ019, the 26 Nov 2025 drone attack
    at.text_input(key="sb_text").input("no such words anywhere").run()
    assert_healthy(at)
    assert summary(at)[0] == 0


def test_reset_button_clears_filters() -> None:
    at = run_app(min_fatalities="2", actors=ISKP)
    assert summary(at) == expected((KILLED >= 2) & ACTORS.map(lambda a: ISKP in a))
    reset = [b for b in at.button if b.label == "Reset filters and layers"]
    assert len(reset) == 1
    reset[0].click().run()
    assert_healthy(at)
    assert summary(at) == expected(ALL)
    assert at.multiselect(key="sb_actors").value == []
    assert at.number_input(key="sb_min_fatalities").value == 0
    assert "min_fatalities" not in at.query_params and "actors" not in at.query_params


def test_hiding_the_incident_layer_hides_its_summary() -> None:
    at = run_app(layers=["border", "rivers"])
    assert at.checkbox(key="sb_layer_incidents").value is False
    assert summary_lines(at) == []
    at.checkbox(key="sb_layer_incidents").check().run()
    assert_healthy(at)
    assert summary(at) == expected(ALL)
    assert set(at.query_params["layers"]) == {"border", "rivers", "incidents"}


# --------------------------------------------------------------------------
# URL <-> state


URL_STATE = {
    "date_from": "2025-11-01",
    "date_to": "2025-11-30",
    "actors": [UNKNOWN, ISKP],
    "zoom": "9",
    "layers": ["border", "incidents"],
}


def test_url_state_reaches_widgets_and_summary_and_back() -> None:
    at = run_app(**URL_STATE)
    assert not at.warning
    assert at.slider(key="sb_window").value == WINDOW
    assert at.multiselect(key="sb_actors").value == [UNKNOWN, ISKP]
    assert at.checkbox(key="sb_layer_border").value is True
    assert at.checkbox(key="sb_layer_incidents").value is True
    for hidden in ("countries", "regions", "districts", "rivers", "places", "sites"):
        assert at.checkbox(key=f"sb_layer_{hidden}").value is False, hidden
    in_url = overlaps(*WINDOW) & ACTORS.map(lambda a: bool({UNKNOWN, ISKP} & a))
    assert summary(at) == expected(in_url)
    # the page keeps the URL's state in the URL
    assert {k: at.query_params.get(k) for k in URL_STATE} == URL_STATE

    # a widget change is written back into the URL, the rest kept
    at.number_input(key="sb_min_fatalities").set_value(3).run()
    assert_healthy(at)
    assert at.query_params["min_fatalities"] == "3"
    assert {k: at.query_params.get(k) for k in URL_STATE} == URL_STATE
    assert summary(at) == expected(in_url & (KILLED >= 3))

    at.slider(key="sb_window").set_value((dt.date(2025, 11, 27), dt.date(2025, 12, 31))).run()
    assert_healthy(at)
    assert at.query_params["date_from"] == "2025-11-27"
    assert at.query_params["date_to"] == "2025-12-31"
    later = overlaps(dt.date(2025, 11, 27), dt.date(2025, 12, 31)) & ACTORS.map(lambda a: bool({UNKNOWN, ISKP} & a))
    assert summary(at) == expected(later & (KILLED >= 3))

    # the URL now written reproduces the view in a new session
    again = run_app(**{k: v for k, v in at.query_params.items()})
    assert summary(again) == summary(at)
    assert again.slider(key="sb_window").value == (dt.date(2025, 11, 27), dt.date(2025, 12, 31))
    assert again.number_input(key="sb_min_fatalities").value == 3

    # back to the full window: the dates leave the URL (defaults are not written)
    at.slider(key="sb_window").set_value((FIRST_DAY, LAST_DAY)).run()
    assert_healthy(at)
    assert "date_from" not in at.query_params and "date_to" not in at.query_params


def test_url_filters_of_each_kind() -> None:
    at = run_app(event_types="Battles", sides="Tajikistan", regions="Khatlon Region", nationalities="Tajik",
                 text="shŭrobod", basemap="offline")
    assert at.multiselect(key="sb_event_types").value == ["Battles"]
    assert at.multiselect(key="sb_sides").value == ["Tajikistan"]
    assert at.multiselect(key="sb_regions").value == ["Khatlon Region"]
    assert at.multiselect(key="sb_nationalities").value == ["Tajik"]
    assert at.text_input(key="sb_text").value == "shŭrobod"
    mask = ((INC["event_type"] == "Battles") & (INC["country"] == "Tajikistan") & (INC["admin1"] == "Khatlon Region")
            & INC["victim_nationality"].map(lambda v: "Tajik" in v.split("|")) & SEARCH.str.contains("shŭrobod"))
    assert summary(at) == expected(mask)
    assert expected(mask)[0] >= 1


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"zoom": "999", "date_from": "garbage", "layers": "nope", "center": "NaN,NaN"},
         ["zoom", "date_from", "layers", "center"]),
        ({"date_from": "2025-12-01", "date_to": "2025-11-01"}, ["date_from"]),
        ({"min_fatalities": "-3", "basemap": "google", "sides": "Mars", "bbox": "1,2,3"},
         ["min_fatalities", "basemap", "sides", "bbox"]),
    ],
    ids=["four-bad-params", "window-reversed", "more-bad-params"],
)
def test_malformed_url_warns_and_page_still_works(params: dict[str, str], names: list[str]) -> None:
    at = run_app(**params, utm_source="newsletter")  # a foreign parameter is no error
    warnings = [w.value for w in at.warning]
    assert len(warnings) == len(names), warnings
    for name in names:
        assert any(repr(name) in w for w in warnings), (name, warnings)
    assert summary(at) == expected(ALL)
    assert at.slider(key="sb_window").value == (FIRST_DAY, LAST_DAY)
    assert all(at.checkbox(key=f"sb_layer_{n}").value for n in ("countries", "border", "incidents"))
    for name in names:
        assert at.query_params.get(name) != params[name]
    # the page still works after the warnings
    at.multiselect(key="sb_nationalities").set_value(["Chinese"]).run()
    assert_healthy(at)
    assert summary(at) == expected(INC["victim_nationality"].map(lambda v: "Chinese" in v.split("|")))
    assert not at.warning  # reported once, not on every rerun


def test_good_params_survive_next_to_bad_ones() -> None:
    at = run_app(zoom="999", min_fatalities="2", date_to="2025-06-30")
    assert len(at.warning) == 1 and "'zoom'" in at.warning[0].value
    assert summary(at) == expected((KILLED >= 2) & overlaps(FIRST_DAY, dt.date(2025, 6, 30)))


# --------------------------------------------------------------------------
# Assets: what the map makes the browser load


def _map_like_the_page(state):
    """The base map plus the curated feature group, as map_panel hands them to st_folium."""
    from panjmap.data import load_dataset
    from panjmap.layers import curated_layer
    from panjmap.mapview.base import build_base_map

    dataset = load_dataset()
    m = build_base_map(state, dataset.sites, center=state.center, zoom=state.zoom)
    m.get_root().render()  # st_folium renders the figure first
    group = curated_layer(dataset).feature_group(state)
    group.add_to(m)  # ...then adds each feature group to the map before walking it
    group.render()
    return m


def _walk(fig):
    """streamlit_folium's ``walk``: every element whose links its frontend loads."""
    if isinstance(fig, branca.colormap.ColorMap):
        yield fig
    if isinstance(fig, folium.plugins.DualMap):
        yield from _walk(fig.m1)
        yield from _walk(fig.m2)
    if isinstance(fig, folium.elements.JSCSSMixin):
        yield fig
    if hasattr(fig, "_children"):
        for child in fig._children.values():
            yield from _walk(child)


def _links(m) -> tuple[list[str], list[str]]:
    css: list[str] = []
    js: list[str] = []
    for elem in _walk(m):
        if isinstance(elem, branca.colormap.ColorMap):  # streamlit_folium adds d3 from a CDN for these
            js[:0] = ["https://d3js.org/d3.v4.min.js", "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"]
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


EXTERNAL_TAG = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)


@pytest.mark.parametrize("basemap", ["offline", "osm", "topo", "satellite"])
def test_every_asset_link_the_map_sends_is_local(basemap: str) -> None:
    from panjmap import assets
    from panjmap.state import ALL_LAYERS, ViewState

    vendor = assets.ensure_static()
    state = ViewState(layers=ALL_LAYERS, basemap=basemap)
    m = _map_like_the_page(state)
    css, js = _links(m)
    assert any(link.endswith("leaflet.js") for link in js), js
    assert any(link.endswith("leaflet.css") for link in css), css
    for link in css + js:
        assert link.startswith("/app/static/vendor/"), link
        path = vendor / link.removeprefix("/app/static/vendor/")
        assert path.is_file() and path.stat().st_size > 0, path

    root = m.get_root()
    header, script, body = root.header.render(), root.script.render(), root.html.render()
    for part in (header, script, body):
        assert not EXTERNAL_TAG.search(part), EXTERNAL_TAG.search(part).group(0)
    if basemap == "offline":
        for part in (header, script, body):
            assert "https://" not in part and "http://" not in part
    else:
        assert "https://" in script  # the online tile URL is there, and only as a tile URL
        assert "L.tileLayer(" in script


def test_vendor_css_references_resolve_to_local_files() -> None:
    """leaflet.css points at images/...; those must sit beside it under /app/static/vendor/."""
    from panjmap import assets

    vendor = assets.ensure_static()
    for css in vendor.glob("*.css"):
        for ref in re.findall(r"url\(([^)]+)\)", css.read_text(encoding="utf-8")):
            ref = ref.strip("'\" ")
            if ref.startswith(("data:", "#")):
                continue
            assert not ref.startswith(("http:", "https:", "//")), (css.name, ref)
            assert (css.parent / ref).is_file(), (css.name, ref)


def test_streamlit_serves_the_static_folder() -> None:
    """/app/static/ exists only with server.enableStaticServing; the map is blank without it."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert Path(ROOT / "static").is_dir()
