"""The analysis modules behind the pages: timeline, attribution, sources."""

from __future__ import annotations

import pandas as pd
import pytest

from panjmap import attribution, sources, timeline
from panjmap.actors import load_actors
from panjmap.data import load_dataset
from panjmap.paths import SEEDS_DIR
from panjmap.state import ViewState

INCIDENTS = pd.read_csv(SEEDS_DIR / "incidents.csv", dtype=str, keep_default_na=False)
CLAIMS = pd.read_csv(SEEDS_DIR / "claims.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def test_chronology_puts_violence_and_responses_in_their_lanes(dataset) -> None:
    frame = timeline.chronology(dataset.incidents).set_index("id")
    assert frame.loc["PNJ019", "lane"] == timeline.VIOLENCE_LANE  # the 26 Nov drone attack
    assert frame.loc["PNJ034", "lane"] == timeline.RESPONSE_LANE  # the 2 Dec phone call
    assert bool(frame.loc["PNJ019", "exact"]) is True
    # "November 2024" is a month, drawn as a span, not a day
    assert bool(frame.loc["PNJ007", "exact"]) is False
    assert frame.loc["PNJ007", "start"] == pd.Timestamp("2024-11-01")
    assert frame.loc["PNJ007", "end"].date() == pd.Timestamp("2024-11-30").date()
    assert frame.loc["PNJ019", "casualties"] == 4  # 3 killed + 1 injured


def test_chart_has_the_brush_and_shades_the_window(dataset) -> None:
    frame = timeline.chronology(dataset.incidents)
    spec = timeline.chart(frame, [], ViewState(date_from=pd.Timestamp("2025-11-01").date())).to_dict()
    params = spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params", [])]
    assert any(p["name"] == timeline.BRUSH and p["select"]["type"] == "interval" for p in params)
    assert any(layer.get("mark", {}).get("type") == "rect" for layer in spec["layer"])  # the shaded window


@pytest.mark.parametrize("selection,expected", [
    ({"selection": {"window": {"start": [1761955200000, 1764460800000]}}}, ("2025-11-01", "2025-11-30")),
    ({"selection": {"window": {"start": ["2025-11-30", "2025-11-01"]}}}, ("2025-11-01", "2025-11-30")),
    ({"selection": {"window": {}}}, None),
    ({"selection": {}}, None),
    (None, None),
])
def test_window_from_selection(selection, expected) -> None:
    window = timeline.window_from_selection(selection)
    if expected is None:
        assert window is None
    else:
        assert tuple(ts.date().isoformat() for ts in window) == expected


def test_matrix_shows_unclaimed_attacks_and_every_claim(dataset) -> None:
    cells = attribution.matrix(dataset)
    unclaimed = set(INCIDENTS.loc[INCIDENTS["claim_status"] == "unclaimed", "event_id_cnty"])
    no_claim = cells[cells["actor"] == attribution.NO_CLAIM_COLUMN]
    assert set(no_claim["incident"]) == unclaimed and set(no_claim["stance"]) == {"unclaimed"}
    claimed_cells = cells[cells["actor"] != attribution.NO_CLAIM_COLUMN]
    assert int(claimed_cells["claims"].sum()) == len(CLAIMS)
    # One column per actor, whatever name the claim uses ("ISKP" -> its canonical name).
    canonical = load_actors().canonical
    assert set(zip(claimed_cells["incident"], claimed_cells["actor"])) == {
        (i, canonical(a)) for i, a in zip(CLAIMS["incident_id"], CLAIMS["actor"])}


def test_cell_takes_the_strongest_stance() -> None:
    order = attribution.STANCE_ORDER
    assert order.index("claimed") < order.index("accused") < order.index("suspected")


def test_blame_table_lists_who_blamed_whom(dataset) -> None:
    table = attribution.blame_table(dataset)
    assert int(table["claims"].sum()) == len(CLAIMS)
    row = table[(table["actor"] == "Drug smugglers")]
    assert not row.empty and row["incidents"].str.contains("PNJ019").any()


def test_actor_profile(dataset) -> None:
    claims, records = attribution.actor_profile(dataset, "ISKP")
    assert len(claims) == int((CLAIMS["actor"] == "ISKP").sum())
    assert "PNJ003" in set(records["id"])  # the 2022 Kabul hotel attack names ISKP as its actor


def test_chrome_is_hidden_but_text_is_not(dataset) -> None:
    body, marked = sources.article_html(dataset, "004_6807ccbb9dd62dbb.txt", ViewState())
    for furniture in ("Follow us on Youtube", "Views: 57", "WHAT ARE YOU LOOKING FOR", "night_theme"):
        assert furniture not in body
    assert "Chinese investments under fire" in body and "explosive situation" in body
    assert marked > 0
    # The file itself is untouched (quotes are checked against its bytes)
    assert (SEEDS_DIR / "004_6807ccbb9dd62dbb.txt").read_bytes().count(b"Follow us on Youtube") == 2


def test_every_quote_of_a_file_is_marked(dataset) -> None:
    for source_file in dataset.sources["source_file"]:
        text = sources.article_text(dataset, source_file)
        found = sources.passages(dataset, source_file, text)
        quotes = set(dataset.evidence.loc[dataset.evidence["source_file"] == source_file, "quote"])
        quotes |= set(dataset.claims.loc[dataset.claims["source_file"] == source_file, "quote"])
        assert {text[p.start:p.end] for p in found} == quotes


def test_record_view_opens_the_record(dataset) -> None:
    view = sources.record_view(dataset, "PNJ029", ViewState(actors=("ISKP",), event_types=("Battles",)))
    assert view.selected == "incidents/PNJ029"
    assert view.actors == () and view.event_types == ()  # the record cannot be filtered out
    assert view.center == (38.4537, 70.789) and view.zoom == 10  # Qalaikhumb, where it is placed
    assert sources.record_link(dataset, "PNJ029", ViewState()).startswith("./?")
