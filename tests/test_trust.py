"""Trust at a glance (issue 11, points 2-8 and 11): the data and the pure functions behind them.

One actor under one name; unknown never shown as zero; border incidents apart from
wider context; a stance for "failed to prevent"; sources cited by outlet, date and
title; stand-in places named as such; a timeline that follows the time window.
The page and browser checks are in test_trust_pages.py and test_trust_browser.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from panjmap import attribution, export, query, sources, timeline
from panjmap.actors import ActorDictionary, Actor, load_actors, normalize
from panjmap.data import load_dataset
from panjmap.importers import import_file
from panjmap.layers import curated_layer, imported_layer
from panjmap.mapview.incidents import incident_payload
from panjmap.paths import SEEDS_DIR
from panjmap.record_text import casualties_text, place_title, stand_in_note
from panjmap.schema import INCIDENT_COLUMNS, SOURCE_COLUMNS, STANCES
from panjmap.state import ViewState
from panjmap.validate import validate
from tests.importer_fixtures import acled_csv, acled_row, geojson_bytes, point

ISKP = "Islamic State Khorasan Province (ISKP)"


def rows(table: str, seeds: Path = SEEDS_DIR) -> list[dict[str, str]]:
    with open(seeds / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(seeds: Path, table: str, records: list[dict[str, str]]) -> None:
    with open(seeds / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


def edit(seeds: Path, table: str, key: str, rid: str, **values: str) -> None:
    records = rows(table, seeds)
    for record in records:
        if record[key] == rid:
            record.update(values)
    write(seeds, table, records)


def errors(seeds: Path) -> list[str]:
    return [str(p) for p in validate(seeds) if p.severity == "error"]


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


@pytest.fixture(scope="module")
def layer(dataset):
    return curated_layer(dataset)


def record(dataset, rid: str) -> pd.Series:
    return dataset.incidents.set_index("event_id_cnty", drop=False).loc[rid]


# ------------------------------------------------------------------ point 2: one actor, one name


@pytest.mark.parametrize("alias", ["ISKP", "iskp", "  IS-K ", "IS–K", "ISIS-K", "ИГИЛ-Хорасан", ISKP])
def test_every_alias_of_iskp_names_one_actor(alias: str) -> None:
    assert load_actors().canonical(alias) == ISKP


@pytest.mark.parametrize(("alias", "canonical"), [
    ("Government of Afghanistan (2021-)", "Taliban"), ("Local Taliban units", "Taliban"), ("طالبان", "Taliban"),
    ("塔利班", "Taliban"), ("Smugglers", "Drug smugglers"), ("Drug smugglers (Afghanistan)", "Drug smugglers"),
    ("наркоконтрабандисты", "Drug smugglers"), ("TIP", "East Turkestan Islamic Movement (ETIM)"),
    ("Tajik border guards", "Military Forces of Tajikistan (1992-) Border Troops"),
])
def test_aliases_in_any_script_resolve(alias: str, canonical: str) -> None:
    assert load_actors().canonical(alias) == canonical


def test_an_unknown_name_stays_as_written() -> None:
    actors = load_actors()
    assert actors.canonical("Some New Militia") is None
    assert actors.resolve("  Some New Militia ") == "Some New Militia"
    assert normalize("IS –  K") == normalize("is-k")


def test_an_alias_naming_two_actors_is_a_conflict() -> None:
    dictionary = ActorDictionary([Actor("A", ("X",), "rebel", "Rebel group"), Actor("B", ("x",), "rebel", "Rebel group")])
    assert dictionary.conflicts and dictionary.canonical("X") == "A"


def test_every_actor_name_in_the_seeds_resolves() -> None:
    actors = load_actors()
    names = {c["actor"] for c in rows("claims")}
    for r in rows("incidents"):
        names |= {n.strip() for col in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")
                  for n in r[col].split(";") if n.strip()}
    assert {n for n in names if actors.canonical(n) is None} == set()
    assert not actors.conflicts


def test_filtering_by_an_alias_returns_the_whole_actor(layer) -> None:
    """ISKP was "ISKP" in 8 claims and "Islamic State Khorasan Province (ISKP)" in 2 records: one filter."""
    everything = ViewState(context=True)
    by_alias = set(layer.filtered(everything.replace(actors=("ISKP",)))["event_id_cnty"])
    by_name = set(layer.filtered(everything.replace(actors=(ISKP,)))["event_id_cnty"])
    in_claims = {c["incident_id"] for c in rows("claims") if c["actor"] == "ISKP"}
    in_records = {r["event_id_cnty"] for r in rows("incidents") if ISKP in (r["actor1"], r["actor2"])}
    assert by_alias == by_name == in_claims | in_records
    assert in_claims - in_records  # the long name alone used to miss the attacks ISKP is suspected of


def test_the_filter_lists_each_actor_once_with_its_records(layer) -> None:
    options = query.actor_options(layer.summary().all_counts)
    for alias in ("ISKP", "ETIM", "Smugglers", "Local Taliban units", "Government of Afghanistan (2021-)"):
        assert alias not in options
    counts = query.actor_counts([layer.records], ViewState(context=True))
    assert counts[ISKP] == len(set(layer.filtered(ViewState(context=True, actors=(ISKP,)))["event_id_cnty"]))
    border = query.actor_counts([layer.records], ViewState())
    assert border[ISKP] < counts[ISKP]  # the Kabul hotel attack is context


def test_sidebar_labels_name_the_actor_and_its_count(layer) -> None:
    from panjmap.ui.sidebar import options_for

    options = options_for([layer])
    border = len(layer.filtered(ViewState(actors=(ISKP,))))
    assert options.actor_label(ISKP, context=False) == f"Islamic State Khorasan Province (ISKP) ({border})"
    assert options.context_records == sum(r["scope"] == "context" for r in rows("incidents"))


def test_imports_resolve_actor_names_and_keep_unknown_ones() -> None:
    data = acled_csv([acled_row(1, actor1="IS-K", assoc_actor_1="Taliban border units; Unknown Band"),
                      acled_row(2, actor1="Brand New Group")])
    result = import_file(data, "invented.csv", fmt="acled")
    recs = result.records.set_index("event_id_cnty")
    assert recs.loc["TJK1", "actor1"] == ISKP
    assert recs.loc["TJK1", "assoc_actor_1"] == "Taliban; Unknown Band"
    assert recs.loc["TJK2", "actor1"] == "Brand New Group"
    assert "IS-K" in recs.loc["TJK1", "original"]  # the file's own words are kept
    layer = imported_layer(result.dataset_name, result.records, 0)
    assert list(layer.filtered(ViewState(actors=("ISKP",)))["event_id_cnty"]) == ["TJK1"]


def test_attribution_groups_claims_by_canonical_actor(dataset) -> None:
    cells = attribution.matrix(dataset)
    assert "ISKP" not in set(cells["actor"]) and ISKP in set(cells["actor"])
    assert "Local Taliban units" not in set(cells["actor"])
    claims, _ = attribution.actor_profile(dataset, "ISKP")
    assert len(claims) == sum(c["actor"] == "ISKP" for c in rows("claims"))


def test_exports_carry_the_canonical_actors(dataset, layer) -> None:
    records = layer.filtered(ViewState(context=True))
    table = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(export.to_csv(records, dataset)))}
    assert "Taliban" in table["PNJ005"]["actors_canonical"].split("; ")  # actor1: Government of Afghanistan (2021-)
    claims = list(csv.DictReader(io.StringIO(export.claims_csv(records, dataset))))
    assert {c["actor_canonical"] for c in claims if c["actor"] == "ISKP"} == {ISKP}


def test_validator_rejects_an_actor_not_in_the_dictionary(seeds_copy: Path) -> None:
    edit(seeds_copy, "claims", "claim_id", "CLM001", actor="The Unheard-Of Front")
    assert any("CLM001" in e and "not in actors.csv" in e for e in errors(seeds_copy))


def test_validator_rejects_a_bad_actor_dictionary(seeds_copy: Path) -> None:
    actors = rows("actors", seeds_copy)
    actors[1]["aliases"] += "; ISKP"  # now names the Taliban too
    actors[2]["inter"] = "Wizards"
    write(seeds_copy, "actors", actors)
    found = errors(seeds_copy)
    assert any("'ISKP' names both" in e for e in found)
    assert any("unknown actor type 'Wizards'" in e for e in found)


# ------------------------------------------------------------------ point 3: unknown is never zero


def test_the_clashes_since_late_august_say_several_not_zero(dataset) -> None:
    for rid in ("PNJ011", "PNJ012"):
        text = casualties_text(record(dataset, rid))
        assert text == "killed: several, no number; injured: not reported"
        assert "0" not in text


@pytest.mark.parametrize(("rid", "words"), [
    ("PNJ019", "3 killed; 1 injured"),
    ("PNJ018", "2 killed; injured: not reported"),
    ("PNJ029", "2 killed; 2 injured"),  # the Border Troops' figure, from the round-2 sources
    ("PNJ003", "killed: not reported; injured: not reported"),
    ("PNJ002", "0 killed; 0 injured"),  # the article says there were no casualties
    ("PNJ034", "no casualties (not a violent event)"),
])
def test_casualties_in_words(dataset, rid: str, words: str) -> None:
    assert casualties_text(record(dataset, rid)) == words


def test_a_missing_count_is_not_a_crash() -> None:
    """Issue 17.3: pd.NA fatalities (a GeoJSON point, an empty ACLED cell) raised "boolean value of NA"."""
    rec = pd.Series({"fatalities": pd.NA, "injuries": pd.NA, "event_type": "Battles", "tags": ""})
    assert casualties_text(rec) == "killed: not reported; injured: not reported"
    from panjmap.mapview import style
    assert style.marker_radius(pd.NA, pd.NA) == style.marker_radius(0, 0)


def test_injuries_are_empty_where_no_number_exists() -> None:
    for r in rows("incidents"):
        if r["event_id_cnty"] not in ("PNJ002", "PNJ007", "PNJ019", "PNJ029", "PNJ036"):
            assert r["injuries"] == "", r["event_id_cnty"]


def test_the_headline_says_at_least_and_counts_the_unknown(layer) -> None:
    summary = query.summarize(layer.filtered(ViewState()), len(layer.records.records))
    border = [r for r in rows("incidents") if r["scope"] == "border"]
    known = sum(int(r["fatalities"]) for r in border if r["fatalities"])
    unknown = sum(1 for r in border if not r["fatalities"])
    assert unknown >= 3  # PNJ008, PNJ011, PNJ012
    assert f"at least {known} killed; {unknown} records with no number" in summary.sentence()


def test_popup_text_comes_from_python_and_never_says_zero_for_unknown(dataset) -> None:
    _, columns = incident_payload(dataset.incidents)
    assert "fat" not in columns and "inj" not in columns  # numbers no longer formatted in JS
    ids = list(dataset.incidents.dropna(subset=["latitude"])["event_id_cnty"])
    words = dict(zip(ids, (columns["cass"][k] for k in columns["cas"])))
    assert words["PNJ011"] == "killed: several, no number; injured: not reported"
    assert words["PNJ029"] == "2 killed; 2 injured"
    assert words["PNJ003"] == "killed: not reported; injured: not reported"


def test_timeline_tooltips_say_not_reported(dataset) -> None:
    frame = timeline.chronology(dataset.incidents).set_index("id")
    assert frame.loc["PNJ011", "killed"] == "killed: several, no number"
    assert frame.loc["PNJ018", "injured"] == "injured: not reported"
    assert frame.loc["PNJ019", "killed"] == "3 killed"


def test_acled_import_has_no_injuries_so_they_are_not_reported() -> None:
    result = import_file(acled_csv([acled_row(1, fatalities="")]), "invented.csv", fmt="acled")
    rec = result.records.iloc[0]
    assert casualties_text(rec) == "killed: not reported; injured: not reported"


def test_csv_keeps_acleds_convention_and_says_so(dataset, layer) -> None:
    records = layer.filtered(ViewState())
    meta = export.metadata(ViewState(), dataset, records)
    table = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(export.to_csv(records, dataset)))}
    assert table["PNJ011"]["fatalities"] == "0"  # ACLED's column, ACLED's convention
    assert table["PNJ011"]["fatalities_reported"] == "several, no number"
    assert table["PNJ018"]["injuries"] == "" and table["PNJ018"]["injuries_reported"] == "not reported"
    assert "ACLED's convention" in json.loads(export.metadata_json(meta))["conventions"]
    geo = json.loads(export.to_geojson(records, dataset, meta))
    props = {f["id"]: f["properties"] for f in geo["features"]}
    assert props["PNJ011"]["fatalities"] == "" and props["PNJ011"]["fatalities_reported"] == "several, no number"


def test_validator_rejects_several_beside_a_number_and_empty_counts_on_responses(seeds_copy: Path) -> None:
    edit(seeds_copy, "incidents", "event_id_cnty", "PNJ011", fatalities="4")
    edit(seeds_copy, "incidents", "event_id_cnty", "PNJ034", fatalities="")
    found = errors(seeds_copy)
    assert any("PNJ011" in e and "several killed (no number)" in e for e in found)
    assert any("PNJ034" in e and "non-violent" in e for e in found)


# ------------------------------------------------------------------ point 4: border and context


def test_every_record_has_a_scope_and_the_pakistan_clashes_are_context() -> None:
    scopes = {r["event_id_cnty"]: r["scope"] for r in rows("incidents")}
    assert set(scopes.values()) == {"border", "context"}
    assert scopes["PNJ013"] == scopes["PNJ014"] == "context"  # Pakistan-Afghanistan, nowhere near the Panj
    for rid in ("PNJ007", "PNJ011", "PNJ018", "PNJ019", "PNJ029", "PNJ036"):
        assert scopes[rid] == "border"


def test_default_view_and_totals_count_border_records(layer) -> None:
    default = layer.filtered(ViewState())
    assert "PNJ013" not in set(default["event_id_cnty"])
    assert query.summarize(default, 40).fatalities < 70  # was "83 killed", 70 of them context
    everything = layer.filtered(ViewState(context=True))
    assert "PNJ013" in set(everything["event_id_cnty"]) and len(everything) == 40


def test_context_lives_in_the_url() -> None:
    state = ViewState(context=True)
    assert state.to_query() == {"context": "1"}
    assert ViewState.from_query({"context": "1"})[0] == state
    assert ViewState.from_query({"context": "0"})[0] == ViewState()
    _, problems = ViewState.from_query({"context": "maybe"})
    assert problems and "context" in problems[0]
    assert "wider context" in state.describe() and "border incidents only" in ViewState().describe()


def test_timeline_counts_border_records_by_default(layer) -> None:
    frame = timeline.chronology(layer.filtered(ViewState()))
    assert "PNJ013" not in set(frame["id"])


def test_validator_rejects_an_unknown_scope(seeds_copy: Path) -> None:
    edit(seeds_copy, "incidents", "event_id_cnty", "PNJ013", scope="elsewhere")
    edit(seeds_copy, "incidents", "event_id_cnty", "PNJ014", scope="")
    found = errors(seeds_copy)
    assert any("PNJ013" in e and "scope" in e for e in found)
    assert any("PNJ014" in e and "scope" in e for e in found)


# ------------------------------------------------------------------ point 5: failed to prevent


def test_failed_to_prevent_is_a_stance_of_its_own(dataset) -> None:
    assert "failed-to-prevent" in STANCES and "accused" in STANCES
    scns = next(c for c in rows("claims") if c["claim_id"] == "CLM041")
    assert scns["stance"] == "failed-to-prevent" and "incompetence and irresponsibility" in scns["quote"]
    legend = attribution.stance_legend().set_index("stance")
    assert "failing to prevent" in legend.loc["failed-to-prevent", "meaning"]
    cell = attribution.matrix(dataset).set_index(["incident", "actor"]).loc[("PNJ036", "Taliban")]
    assert cell["stance"] == "failed-to-prevent"


def test_validator_rejects_an_unknown_stance(seeds_copy: Path) -> None:
    edit(seeds_copy, "claims", "claim_id", "CLM041", stance="blamed")
    assert any("CLM041" in e and "stance" in e for e in errors(seeds_copy))


# ------------------------------------------------------------------ point 6: sources named, not hashed


def test_citations_name_outlet_date_and_title(dataset) -> None:
    assert sources.citation(dataset, "004_6807ccbb9dd62dbb.txt") == (
        "Caliber.az, 2026-01-02: “Chinese investments under fire Who is behind the attacks on the Afghan–Tajik border?”")
    unsigned = sources.citation(dataset, "003_c1d91ed8db346bfd.txt")
    assert unsigned.startswith("unattributed analysis, undated: “Someone in northern Afghanistan")
    assert ".txt" not in sources.citation(dataset, "000_42528b249955a706.txt")


def test_a_passage_link_finds_its_quote(dataset) -> None:
    quote = next(c["quote"] for c in rows("claims") if c["claim_id"] == "CLM041")
    link = sources.passage_link("004_6807ccbb9dd62dbb.txt", quote)
    assert link.startswith("./sources?article=004_6807ccbb9dd62dbb.txt&passage=")
    pid = link.rsplit("=", 1)[1]
    assert sources.find_passage(dataset, "004_6807ccbb9dd62dbb.txt", pid) == quote
    body, _ = sources.article_html(dataset, "004_6807ccbb9dd62dbb.txt", ViewState(), cited=quote)
    assert body.count('id="panj-cited"') == 1


def test_sources_have_url_language_and_author_columns() -> None:
    assert SOURCE_COLUMNS[-3:] == ("url", "language", "author")
    table = {r["source_file"]: r for r in rows("sources")}
    founding = ("000_42528b249955a706.txt", "003_c1d91ed8db346bfd.txt", "004_6807ccbb9dd62dbb.txt")
    assert {table[f]["language"] for f in founding} == {"en"}
    assert table["000_42528b249955a706.txt"]["author"] == "AFP"  # "By AFP"
    assert table["003_c1d91ed8db346bfd.txt"]["author"] == "" and table["004_6807ccbb9dd62dbb.txt"]["author"] == ""
    assert all(table[f]["url"] == "" for f in founding)  # no founding file states its address: unknown, not invented
    later = [r for f, r in table.items() if f not in founding]  # curation round 2: each page's header gives its URL
    assert later and all(r["url"].startswith("http") for r in later)
    assert {"en", "ru", "zh", "fa"} <= {r["language"] for r in later}


def test_validator_checks_source_language_and_url(seeds_copy: Path) -> None:
    edit(seeds_copy, "sources", "source_file", "004_6807ccbb9dd62dbb.txt", language="English", url="caliber dot az")
    found = errors(seeds_copy)
    assert any("language" in e and "ISO 639-1" in e for e in found)
    assert any("url" in e and "http(s)" in e for e in found)


# ------------------------------------------------------------------ point 7: stand-in places


def test_the_30_november_attack_is_titled_shodaki(dataset) -> None:
    rec = record(dataset, "PNJ029")
    assert rec["location"] == "Qalaikhumb" and rec["reported_location"] == "Shodaki"
    assert place_title(rec) == "Shodaki"
    assert stand_in_note(rec) == "Shodaki: not in open gazetteers; placed at Qalaikhumb, district centre"


def test_every_district_centre_stand_in_is_stated(dataset) -> None:
    for r in rows("incidents"):
        if r["geo_precision"] == "2":
            assert r["reported_location"], r["event_id_cnty"]  # placed at a representative town: say which place
        if r["reported_location"]:
            assert r["location"] and r["geo_precision"] == "2", r["event_id_cnty"]
    assert stand_in_note(record(dataset, "PNJ019")) == (
        "Shamsiddin Shohin district: placed at Shŭrobod, the district centre")


def test_the_popup_names_the_reported_place_and_the_stand_in(dataset) -> None:
    _, columns = incident_payload(dataset.incidents)
    assert "Shodaki" in columns["locs"]
    assert "Shodaki: not in open gazetteers; placed at Qalaikhumb, district centre" in columns["sts"]


def test_validator_rejects_a_reported_location_without_a_stand_in(seeds_copy: Path) -> None:
    edit(seeds_copy, "incidents", "event_id_cnty", "PNJ034", reported_location="Dushanbe")
    assert any("PNJ034" in e and "reported_location" in e for e in errors(seeds_copy))


# ------------------------------------------------------------------ point 8: the timeline


def test_the_chart_opens_on_the_time_window_and_zooms(dataset) -> None:
    frame = timeline.chronology(dataset.incidents)
    state = ViewState(date_from=dt.date(2025, 11, 1), date_to=dt.date(2025, 12, 31))
    spec = timeline.chart(frame, [], state).to_dict()
    params = spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params", [])]
    zoom = next(p for p in params if p["name"] == timeline.ZOOM)
    assert zoom["bind"] == "scales" and zoom["select"]["encodings"] == ["x"]
    domains = {str(layer["encoding"]["x"]["scale"]["domain"]) for layer in spec["layer"]
               if "scale" in layer.get("encoding", {}).get("x", {})}
    assert domains == {str(["2025-11-01T00:00:00", "2025-12-31T23:59:00"])}
    # Without a window the axis spans the records.
    start, end = timeline.domain(frame, ViewState())
    assert start == frame["start"].min() and end == frame["end"].max()


def test_dense_records_are_stacked_not_overlapping(dataset, layer) -> None:
    frame = timeline.chronology(layer.filtered(ViewState()))
    start, end = pd.Timestamp("2025-11-01"), pd.Timestamp("2025-12-31 23:59")
    rows_ = timeline.stack_rows(frame, start, end)
    min_days = (end - start).days * timeline.MARK_DAYS_PER_WIDTH
    placed = frame.assign(row=rows_)
    for _, group in placed.groupby(["lane", "row"]):
        group = group.sort_values("start")
        ends = [max(e, s + pd.Timedelta(days=min_days)) for s, e in zip(group["start"], group["end"])]
        assert all(ends[k] < group["start"].iloc[k + 1] for k in range(len(group) - 1))
    dense = timeline.densest_period(frame)
    assert dense[0] == pd.Timestamp("2025-11-01") and dense[2] >= 20


# ------------------------------------------------------------------ schema


def test_new_incident_columns_come_last_in_the_contract() -> None:
    assert INCIDENT_COLUMNS[-2:] == ("scope", "reported_location")
    with open(SEEDS_DIR / "incidents.csv", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == list(INCIDENT_COLUMNS)


def test_geojson_import_without_fatalities_reads_not_reported() -> None:
    result = import_file(geojson_bytes([point(70.1, 37.9, date="2025-11-26")]), "points.geojson", fmt="geojson")
    assert casualties_text(result.records.iloc[0]).startswith("killed: not reported")
