"""Trust at a glance (issue 11) on the pages, with Streamlit's AppTest.

The detail panel says unknown counts in words and names stand-in places; the
filters list canonical actors with counts and keep context one toggle away; the
Sources reader opens at a cited passage; a permalink naming an imported layer
the session lacks says so; a record with no fatalities opens (issue 17.3).
"""

from __future__ import annotations

import re

import pandas as pd
from streamlit.testing.v1 import AppTest

from panjmap import sources
from panjmap.data import load_dataset
from panjmap.importers import import_file
from panjmap.layers import imported_layer
from panjmap.paths import ROOT, SEEDS_DIR
from panjmap.ui.page import IMPORTS_KEY
from tests.importer_fixtures import acled_csv, acled_row, geojson_bytes, point

APP = str(ROOT / "app.py")
INC = pd.read_csv(SEEDS_DIR / "incidents.csv", dtype=str, keep_default_na=False)
ISKP = "Islamic State Khorasan Province (ISKP)"


def run(page: str = "map", imports: dict | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if imports:
        at.session_state[IMPORTS_KEY] = imports
    at.query_params.update(params)
    at.run()
    if page != "map":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text_of(at: AppTest) -> str:
    """Every Markdown, caption and heading on the page, backslash escapes removed."""
    parts = [m.value for m in (*at.markdown, *at.caption, *at.subheader, *at.info, *at.warning)]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


# ------------------------------------------------------------------ detail panel


def test_detail_says_several_killed_not_zero() -> None:
    """Point 3: the clashes "since late August" showed "0 killed"."""
    text = text_of(run(selected="incidents/PNJ011"))
    assert "Casualties:** killed: several, no number; injured: not reported" in text
    assert "0 killed" not in text


def test_detail_names_the_reported_place_and_its_stand_in() -> None:
    """Point 7: the 30 November attack was titled "Qalaikhumb"."""
    at = run(selected="incidents/PNJ029")
    assert any(h.value.endswith("PNJ029: Shodaki") for h in at.subheader)
    assert "Stand-in place:** Shodaki: not in open gazetteers; placed at Qalaikhumb, district centre" in text_of(at)


def test_detail_cites_sources_by_outlet_not_file_name() -> None:
    """Point 6: citations read "003_c1d91ed8db346bfd.txt"."""
    text = text_of(run(selected="incidents/PNJ029"))
    assert "Caliber.az, 2026-01-02: “Chinese investments under fire" in text
    assert "unattributed analysis, undated" in text
    assert not re.search(r"\b00[034]_[0-9a-f]{16}\.txt\b(?!&)", text.replace("article=", "article&"))
    assert "](./sources?article=004_6807ccbb9dd62dbb.txt&passage=" in text


def test_detail_of_an_imported_point_with_no_fatalities_opens() -> None:
    """Issue 17.3: "TypeError: boolean value of NA is ambiguous" on a GeoJSON point or an empty ACLED cell."""
    result = import_file(geojson_bytes([point(70.1, 37.9, date="2025-11-26")]), "points.geojson", fmt="geojson")
    acled = import_file(acled_csv([acled_row(7, fatalities="")]), "acled.csv", fmt="acled")
    layers = {layer.key: layer for layer in (imported_layer(result.dataset_name, result.records, 0),
                                              imported_layer(acled.dataset_name, acled.records, 1))}
    for layer in layers.values():
        rid = layer.records.records["event_id_cnty"].iloc[0]
        at = run(imports=layers, selected=f"{layer.key}/{rid}",
                 layers=["countries", "border", "incidents", *layers])
        assert "Casualties:** killed: not reported; injured: not reported" in text_of(at)


# ------------------------------------------------------------------ filters


def test_actor_filter_lists_canonical_actors_with_counts() -> None:
    """Point 2: ISKP appeared as "ISKP" and "Islamic State Khorasan Province (ISKP)"."""
    at = run()
    actors = at.multiselect(key="sb_actors")
    labels = list(actors.options)
    border_iskp = 3  # PNJ002 (rockets), PNJ019 and PNJ029 (suspected); the Kabul hotel attack is context
    assert f"{ISKP} ({border_iskp})" in labels
    assert not any(label.startswith(("ISKP", "ETIM", "Smugglers", "Local Taliban", "Government of Afghanistan"))
                   for label in labels)
    actors.set_value([ISKP]).run()
    assert at.query_params["actors"] in (ISKP, [ISKP])


def test_an_old_link_naming_an_alias_selects_the_actor() -> None:
    at = run(actors="ISKP")
    assert not at.warning
    assert at.multiselect(key="sb_actors").value == [ISKP]


def test_context_is_one_toggle_away_and_in_the_url() -> None:
    """Point 4: the headline "83 killed" held 70 deaths from the Pakistan-Afghanistan clashes."""
    at = run()
    line = next(m.value for m in at.markdown if m.value.startswith("**Curated incidents"))
    border = int((INC["scope"] == "border").sum())
    assert f"{border} of {len(INC)} records · at least 13 killed; 3 records with no number" in line
    context = int((INC["scope"] == "context").sum())
    toggle = at.toggle(key="sb_context")
    assert toggle.label == f"Include wider context ({context} records)"
    toggle.set_value(True).run()
    assert at.query_params["context"] in ("1", ["1"])
    line = next(m.value for m in at.markdown if m.value.startswith("**Curated incidents"))
    assert f"{len(INC)} of {len(INC)} records · at least 83 killed; 4 records with no number" in line


# ------------------------------------------------------------------ imported layer named by the URL


def test_a_link_naming_a_missing_import_says_so_and_how_to_bring_it_back() -> None:
    """Point 11 (and issue 17.5): after a reload the layer was gone without a word."""
    at = run(layers=["countries", "border", "incidents", "import:Field reports"])
    notice = " ".join(w.value for w in at.warning)
    assert "Imported layer not loaded: “Field reports”" in notice
    assert "Data and import" in notice and "same layer name" in notice
    assert "import:Field reports" in list(at.query_params.get("layers", []))  # kept until re-imported or dismissed
    at.multiselect(key="sb_event_types").set_value(["Battles"]).run()
    assert "import:Field reports" in list(at.query_params.get("layers", []))
    next(b for b in at.button if b.key == "forget_missing_imports").click().run()
    assert not any("Imported layer not loaded" in w.value for w in at.warning)
    assert "import:Field reports" not in list(at.query_params.get("layers", []))


def test_no_notice_when_the_import_is_there() -> None:
    result = import_file(acled_csv([acled_row(1)]), "acled.csv", fmt="acled", dataset_name="Field reports")
    layer = imported_layer(result.dataset_name, result.records, 0)
    at = run(imports={layer.key: layer}, layers=["countries", "border", "incidents", layer.key])
    assert not any("Imported layer not loaded" in w.value for w in at.warning)


# ------------------------------------------------------------------ other pages


def test_sources_reader_opens_at_the_cited_passage() -> None:
    dataset = load_dataset()
    quote = dataset.claims.set_index("claim_id").loc["CLM041", "quote"]
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.query_params["article"] = "004_6807ccbb9dd62dbb.txt"
    at.query_params["passage"] = sources.passage_id(quote)
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    assert at.selectbox(key="sources_article").value == "004_6807ccbb9dd62dbb.txt"
    assert any(quote[:60] in re.sub(r"\\(.)", r"\1", i.value) for i in at.info)
    assert 'id="panj-cited"' in at.get("html")[0].proto.body


def test_attribution_legend_explains_failed_to_prevent() -> None:
    """Point 5: the SCNS statement was coded "accused" of the 23-24 December attack."""
    at = run("attribution")
    legend = at.table[0].value
    assert "failed-to-prevent" in set(legend["stance"])
    assert any("failed-to-prevent** is not an accusation" in c.value for c in at.caption)


def test_timeline_offers_the_densest_period_and_follows_the_window() -> None:
    """Point 8: Nov-Dec 2025 sat in the rightmost 4% of a 2021-2026 axis.

    (AppTest drops a button's click after ``switch_page``, so the window is set through the URL
    here; the browser test clicks and zooms for real.)
    """
    at = run("timeline")
    assert "Nov 2025 – Dec 2025" in at.button(key="timeline_dense").label
    at = run("timeline", date_from="2025-11-01", date_to="2025-12-31")
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert '"2025-11-01T00:00:00"' in spec and '"zoom"' in spec  # opens on the window; wheel zoom
    table = at.dataframe[0].value
    assert "PNJ013" not in set(table["id"])  # context
    assert table.set_index("id").loc["PNJ018", "injured"] == "injured: not reported"
