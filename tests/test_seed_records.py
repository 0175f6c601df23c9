"""The curated seed records (seeds/*.csv) against the three seed articles they cite.

Every check reads the CSVs with the csv module, exactly as stored; nothing here
depends on the loader or validator. Facts tested here were checked by hand
against the articles; if a record drifts from its article, a test fails.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from datetime import date

import pytest

from panjmap import schema
from panjmap.paths import GEODATA_SOURCE_DIR, SEEDS_DIR

A000 = "000_42528b249955a706.txt"
A003 = "003_c1d91ed8db346bfd.txt"
A004 = "004_6807ccbb9dd62dbb.txt"
ARTICLES = (A000, A003, A004)  # the founding articles
# Label used for each article in incidents.source: the founding three, then every later source
# states its own label in its notes (source label in incidents.csv: "...").
PUBLISHER_LABEL = {A000: "AFP via ET Online", A003: "Unattributed analysis (file 003)", A004: "Caliber.az"}
# Founding records dated more precisely by later sources (curation round 2): their old span.
REDATED = {"PNJ020": ("2025-11-26", "2025-11-30"), "PNJ037": ("2025-12-24", "2026-01-02")}
FOUNDING_INCIDENTS = 38

TABLES = {
    "incidents": schema.INCIDENT_COLUMNS,
    "claims": schema.CLAIM_COLUMNS,
    "sites": schema.SITE_COLUMNS,
    "evidence": schema.EVIDENCE_COLUMNS,
    "sources": schema.SOURCE_COLUMNS,
}

TIMESTAMP = "1795219200"
COUNTRIES = {  # country -> (iso numeric, ACLED region)
    "Tajikistan": ("762", "Caucasus and Central Asia"),
    "Afghanistan": ("4", "South Asia"),
    "Pakistan": ("586", "South Asia"),
    "Iran": ("364", "Middle East"),
    "China": ("156", "East Asia"),
}
# The only points used: GeoNames rows of geodata-src key_places.geojson /
# populated_places_geonames.geojson, rounded to 5 decimals.
# (lat, lon) -> (location, country, admin1, admin2)
GEONAMES_POINTS = {
    ("37.84137", "70.04865"): ("Shŭrobod", "Tajikistan", "Khatlon Region", "Shamsiddin Shohin"),
    ("38.45373", "70.78902"): ("Qalaikhumb", "Tajikistan", "Gorno-Badakhshan Autonomous Region", "Darvoz"),
    ("38.53575", "68.77905"): ("Dushanbe", "Tajikistan", "Dushanbe", ""),
    ("34.52813", "69.17233"): ("Kabul", "Afghanistan", "Kabul", ""),
    ("38.40856", "71.03839"): ("Māymay", "Afghanistan", "Badakhshan", "Maimay"),
}
CLAIM_ACTORS = {
    "Drug smugglers", "Criminal groups in Afghanistan", "Terrorist groups", "Taliban", "Taliban border units",
    "Local Taliban units", "ISKP", "ETIM", "Jamaat Ansarullah", "Smugglers", "Unnamed elements", "Global actors",
}
NATIONALITIES = {"Chinese", "Tajik", "Afghan", "Pakistani"}


# --------------------------------------------------------------------------- helpers
@functools.lru_cache(maxsize=None)
def raw(name: str) -> bytes:
    return (SEEDS_DIR / f"{name}.csv").read_bytes()


@functools.lru_cache(maxsize=None)
def rows(name: str) -> tuple[dict[str, str], ...]:
    return tuple(csv.DictReader(io.StringIO(raw(name).decode("utf-8"), newline="")))


@functools.lru_cache(maxsize=None)
def article(source_file: str) -> bytes:
    return (SEEDS_DIR / source_file).read_bytes()


def quote_in_file(quote: str, source_file: str) -> bool:
    """True when quote is a non-empty, single-line, byte-exact substring of the article."""
    return bool(quote) and "\n" not in quote and "\r" not in quote and quote.encode("utf-8") in article(source_file)


def incidents() -> dict[str, dict[str, str]]:
    return {r["event_id_cnty"]: r for r in rows("incidents")}


def evidence_for(record_id: str) -> list[dict[str, str]]:
    return [e for e in rows("evidence") if e["record_id"] == record_id]


def claims_for(incident_id: str) -> list[dict[str, str]]:
    return [c for c in rows("claims") if c["incident_id"] == incident_id]


def d(text: str) -> date:
    return date.fromisoformat(text)


def one(predicate) -> dict[str, str]:
    found = [r for r in rows("incidents") if predicate(r)]
    assert len(found) == 1, f"expected exactly one matching incident, got {[r['event_id_cnty'] for r in found]}"
    return found[0]


def violent(r: dict[str, str]) -> bool:
    return r["event_type"] in schema.VIOLENT_EVENT_TYPES


# --------------------------------------------------------------------------- file format
@pytest.mark.parametrize("name", list(TABLES))
def test_file_format_and_header(name):
    data = raw(name)
    assert not data.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\r" not in data, "LF line endings only"
    assert data.endswith(b"\n")
    data.decode("utf-8")
    table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(table[0]) == TABLES[name]
    assert len(table) > 1
    for line in table[1:]:
        assert len(line) == len(TABLES[name])
        assert all("\n" not in cell and "\r" not in cell for cell in line), "every record is one line"
        assert all(cell == cell.strip() for cell in line), "no stray whitespace"


def all_sources() -> set[str]:
    return {s["source_file"] for s in rows("sources")}


def label(source_file: str) -> str:
    if source_file in PUBLISHER_LABEL:
        return PUBLISHER_LABEL[source_file]
    notes = next(s["notes"] for s in rows("sources") if s["source_file"] == source_file)
    found = re.search(r'source label in incidents\.csv: "([^"]+)"', notes)
    assert found, f"{source_file} states no source label"
    return found.group(1)


def test_ids_unique_and_well_formed():
    inc_ids = [r["event_id_cnty"] for r in rows("incidents")]
    assert inc_ids == [f"PNJ{n:03d}" for n in range(1, len(inc_ids) + 1)]
    claim_ids = [c["claim_id"] for c in rows("claims")]
    assert claim_ids == [f"CLM{n:03d}" for n in range(1, len(claim_ids) + 1)]
    site_ids = [s["site_id"] for s in rows("sites")]
    assert len(set(site_ids)) == len(site_ids)
    assert all(re.fullmatch(r"SITE-[A-Z0-9]+(-[A-Z0-9]+)*", s) for s in site_ids)
    assert 35 <= len(inc_ids) <= 45


def test_incident_ids_follow_event_date():
    """The founding records were numbered in date order; ids are permanent (links, merges), so a
    record added later takes the next number, and a founding record dated more precisely later
    keeps its id (its new date lies in its old span)."""
    founding = [r for r in rows("incidents") if int(r["event_id_cnty"][3:]) <= FOUNDING_INCIDENTS]
    dates = [REDATED.get(r["event_id_cnty"], (r["event_date"],))[0] for r in founding]
    assert dates == sorted(dates)
    for rid, (start, end) in REDATED.items():
        assert start <= incidents()[rid]["event_date"] <= incidents()[rid]["end_date"] <= end, rid


# --------------------------------------------------------------------------- incident fields
def test_dates_and_time_precision():
    for r in rows("incidents"):
        start, end = d(r["event_date"]), d(r["end_date"])
        span = (end - start).days
        assert span >= 0, r["event_id_cnty"]
        assert r["year"] == str(start.year), r["event_id_cnty"]
        tp = r["time_precision"]
        assert tp in {"1", "2", "3"}, r["event_id_cnty"]
        if tp == "1":
            assert span <= 1, r["event_id_cnty"]
        elif tp == "2":
            assert 2 <= span <= 10, r["event_id_cnty"]
        else:
            assert span >= 10, r["event_id_cnty"]


def test_codes():
    for r in rows("incidents"):
        rid = r["event_id_cnty"]
        assert r["sub_event_type"] in schema.EVENT_TYPES[r["event_type"]], rid
        expected_disorder = "Strategic developments" if r["event_type"] == "Strategic developments" else "Political violence"
        assert r["disorder_type"] == expected_disorder, rid
        assert r["inter1"] in schema.INTER_CODES and r["actor1"], rid
        if r["actor2"]:
            assert r["inter2"] in schema.INTER_CODES, rid
            assert r["interaction"] == f"{r['inter1']}-{r['inter2']}", rid
        else:
            assert r["inter2"] == "" and r["interaction"] == f"{r['inter1']} only", rid
        assert r["claim_status"] in schema.CLAIM_STATUSES, rid
        assert r["civilian_targeting"] in {"", "Civilian targeting"}, rid
        if r["civilian_targeting"]:
            assert violent(r) and r["actor2"].startswith("Civilians"), rid
        assert r["timestamp"] == TIMESTAMP, rid
        assert r["admin3"] == "", rid
        assert COUNTRIES[r["country"]] == (r["iso"], r["region"]), rid
        # Empty = no source gives a number (never written as 0).
        assert r["fatalities"] == "" or r["fatalities"].isdigit(), rid
        assert r["injuries"] == "" or r["injuries"].isdigit(), rid
        if r["victim_nationality"]:
            assert set(r["victim_nationality"].split("|")) <= NATIONALITIES, rid
        if not violent(r):
            assert r["fatalities"] == "0" and r["injuries"] == "" and r["claim_status"] == "", rid
        elif r["fatalities"] == "":
            assert "number not reported" in r["notes"] or "several killed (no number)" in r["tags"], rid
        elif r["fatalities"] == "0":
            assert "no casualties" in r["notes"] or "reported figure" in r["notes"], rid
        assert r["notes"], rid


def test_coordinates_are_geonames_points_or_empty():
    for table, id_col in (("incidents", "event_id_cnty"), ("sites", "site_id")):
        for r in rows(table):
            rid = r[id_col]
            filled = [bool(r["latitude"]), bool(r["longitude"]), bool(r["geo_precision"])]
            assert all(filled) or not any(filled), rid
            if not any(filled):
                assert r["location"] == "", rid
                assert "coordinates" in r["notes"], f"{rid}: notes must say why coordinates are empty"
                continue
            assert re.fullmatch(r"-?\d+\.\d{5}", r["latitude"]) and re.fullmatch(r"-?\d+\.\d{5}", r["longitude"]), rid
            float(r["latitude"]), float(r["longitude"])
            assert r["geo_precision"] in {"1", "2", "3"}, rid
            location, country, admin1, admin2 = GEONAMES_POINTS[(r["latitude"], r["longitude"])]
            assert (r["location"], r["country"], r["admin1"]) == (location, country, admin1), rid
            assert r["admin2"] == admin2, rid


def test_points_match_geodata_layers_when_present():
    """Cross-check GEONAMES_POINTS against the GeoNames layers, where a checkout has them."""
    layer_points = set()
    for name in ("key_places.geojson", "populated_places_geonames.geojson"):
        path = GEODATA_SOURCE_DIR / name
        if path.exists():
            for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
                p = feature["properties"]
                layer_points.add((f"{p['lat']:.5f}", f"{p['lon']:.5f}", p["name"]))
    if not layer_points:
        pytest.skip(f"no GeoNames layer in {GEODATA_SOURCE_DIR}")
    for (lat, lon), (location, *_rest) in GEONAMES_POINTS.items():
        assert (lat, lon, location) in layer_points


# --------------------------------------------------------------------------- quotes and provenance
def test_quote_checker_can_fail():
    quote = "Tajik border guards had never before used a drone in such a way."
    assert quote_in_file(quote, A003)
    assert not quote_in_file(quote.replace("drone", "UAV"), A003)
    assert not quote_in_file("Tajikistan’s southwestern Khatlon province".replace("’", "'"), A000)
    assert not quote_in_file("the Tajik border.\nOn November 26", A003), "quotes may not cross a line break"
    assert not quote_in_file("", A000)


@pytest.mark.parametrize("table", ["evidence", "claims"])
def test_every_quote_is_verbatim(table):
    bad = [
        (r.get("record_id") or r.get("claim_id"), r["source_file"], r["quote"][:60])
        for r in rows(table)
        if r["source_file"] not in all_sources() or not quote_in_file(r["quote"], r["source_file"])
    ]
    assert not bad
    assert all(len(r["quote"]) <= 400 for r in rows(table)), "keep quotes short"


def test_every_record_has_evidence_from_each_reporting_article():
    inc = incidents()
    sites = {s["site_id"] for s in rows("sites")}
    ev_ids = {e["record_id"] for e in rows("evidence")}
    assert ev_ids <= set(inc) | sites, "every evidence row resolves"
    assert set(inc) | sites <= ev_ids, "every incident and site has evidence"
    for rid, r in inc.items():
        cited = {label(e["source_file"]) for e in evidence_for(rid)}
        assert cited == set(r["source"].split("; ")), rid
    assert all(e["supports"] for e in rows("evidence"))


def test_sources_table():
    src = {s["source_file"]: s for s in rows("sources")}
    assert set(ARTICLES) <= set(src)
    for name, s in src.items():
        assert s["sha256"] == hashlib.sha256(article(name)).hexdigest(), name
        if name in ARTICLES:
            assert s["title"] in article(name).decode("utf-8").split("\n"), name
        else:  # later sources: the page's headline or 'unknown', with address and language
            assert s["title"] and s["url"].startswith("http") and s["language"] and s["publisher"], name
            assert label(name), name
    assert src[A000]["published"] == "" and src[A003]["published"] == ""
    assert src[A003]["publisher"] == "not stated in file"
    assert src[A004]["publisher"] == "Caliber.az"
    assert src[A004]["published"] == "2026-01-02" and b"02 January 2026" in article(A004)
    assert src[A000]["title"].startswith("UAV Attack Kills 3 Chinese Workers In Tajikistan")


def test_links_resolve():
    inc = incidents()
    site_ids = {s["site_id"] for s in rows("sites")}
    for c in rows("claims"):
        assert c["incident_id"] in inc, c["claim_id"]
    for rid, r in inc.items():
        if r["site_id"]:
            assert r["site_id"] in site_ids, rid
        for other in filter(None, r["related_ids"].split("|")):
            assert other in inc and other != rid, rid
            assert rid in inc[other]["related_ids"].split("|"), f"{rid} -> {other} is not symmetric"


def test_claim_fields():
    for c in rows("claims"):
        cid = c["claim_id"]
        assert c["stance"] in schema.STANCES, cid
        assert c["claimant_type"] in schema.CLAIMANT_TYPES, cid
        assert c["actor"] in CLAIM_ACTORS, cid
        assert c["claimant"], cid


# --------------------------------------------------------------------------- the facts
def test_26_november_2025_drone_attack():
    r = one(lambda r: r["event_date"] == "2025-11-26" and violent(r))
    assert r["end_date"] == "2025-11-26" and r["time_precision"] == "1"
    assert (r["fatalities"], r["injuries"], r["victim_nationality"]) == ("3", "1", "Chinese")
    assert (r["country"], r["admin1"], r["admin2"]) == ("Tajikistan", "Khatlon Region", "Shamsiddin Shohin")
    assert (r["location"], r["geo_precision"]) == ("Shŭrobod", "2")
    assert r["sub_event_type"] == "Air/drone strike" and r["civilian_targeting"] == "Civilian targeting"
    assert r["actor1"] == "Unidentified Armed Group (Afghanistan)" and r["actor2"] == "Civilians (China)"
    assert r["site_id"] == "SITE-SHOHIN-SM-CAMP" and r["claim_status"] == "unclaimed"
    quotes = " ".join(e["quote"] for e in evidence_for(r["event_id_cnty"]))
    assert "grenades" in quotes and "a drone equipped with a mine" in quotes, "both weapon versions kept"
    assert "Istiqlol" in quotes and "Shohin SM" in quotes
    assert {e["source_file"] for e in evidence_for(r["event_id_cnty"])} >= set(ARTICLES)


def test_30_november_2025_road_workers():
    r = one(lambda r: r["event_date"] == "2025-11-30" and violent(r))
    assert r["end_date"] == "2025-11-30" and r["time_precision"] == "1"
    assert (r["fatalities"], r["victim_nationality"]) == ("2", "Chinese")
    assert (r["admin1"], r["admin2"], r["location"], r["geo_precision"]) == (
        "Gorno-Badakhshan Autonomous Region", "Darvoz", "Qalaikhumb", "2")
    assert "Shodaki" in r["notes"]
    assert r["site_id"] == "SITE-ROAD-KVR" and r["claim_status"] == "unclaimed"
    quotes = " ".join(e["quote"] for e in evidence_for(r["event_id_cnty"]))
    assert "near the village of Shodaki" in quotes and "M4 rifles" in quotes


def test_23_24_december_2025_clash():
    r = one(lambda r: r["event_date"] == "2025-12-23")
    assert (r["end_date"], r["time_precision"]) == ("2025-12-24", "1")
    assert r["event_type"] == "Battles" and r["fatalities"] == "5"
    assert r["actor1"] == "Military Forces of Tajikistan (1992-) Border Troops"
    assert r["site_id"] == "SITE-POST-SARCHASHMA" and "Sarchashma" in r["notes"]
    assert r["claim_status"] == "unclaimed"
    quotes = " ".join(e["quote"] for e in evidence_for(r["event_id_cnty"]))
    assert "three militants were killed" in quotes and "two Tajik Border Troops officers" in quotes
    assert "M-16" in quotes, "weapons found are evidenced"


def test_november_2024_attack():
    r = one(lambda r: r["event_date"] == "2024-11-01" and violent(r))
    assert (r["end_date"], r["time_precision"], r["year"]) == ("2024-11-30", "3", "2024")
    assert (r["fatalities"], r["injuries"], r["victim_nationality"]) == ("1", "5", "Chinese|Tajik")
    assert r["admin2"] == "Shamsiddin Shohin"
    assert {e["source_file"] for e in evidence_for(r["event_id_cnty"])} >= set(ARTICLES)


def test_20_november_2025_drone_strike_on_smugglers():
    r = one(lambda r: r["event_date"] == "2025-11-20")
    assert r["sub_event_type"] == "Air/drone strike" and r["fatalities"] == "2"
    assert r["actor1"] == "Military Forces of Tajikistan (1992-) Border Troops"
    assert r["actor2"] == "Drug smugglers (Afghanistan)"
    quotes = " ".join(e["quote"] for e in evidence_for(r["event_id_cnty"]))
    assert "116 packages of narcotics" in quotes and "two smugglers were killed" in quotes


def test_unclaimed_status_is_quoted():
    attacks_2025 = [r for r in rows("incidents") if violent(r) and r["victim_nationality"] and r["year"] == "2025"
                    and r["event_date"] >= "2025-11-26"]
    assert len(attacks_2025) == 3
    assert all(r["claim_status"] == "unclaimed" for r in attacks_2025)
    for r in rows("incidents"):
        if r["claim_status"] == "unclaimed":
            ev = [e for e in evidence_for(r["event_id_cnty"]) if e["supports"] == "no claim of responsibility"]
            assert ev and all("claimed responsibility" in e["quote"] for e in ev), r["event_id_cnty"]


def test_both_arrest_versions_kept_and_linked():
    arrests = [r for r in rows("incidents") if r["sub_event_type"] == "Arrests"]
    assert len(arrests) == 3
    ids = {r["event_id_cnty"] for r in arrests}
    for r in arrests:
        assert set(r["related_ids"].split("|")) == ids - {r["event_id_cnty"]}
    quotes = {r["event_id_cnty"]: " ".join(e["quote"] for e in evidence_for(r["event_id_cnty"])) for r in arrests}
    assert sum("Maymai district" in q for q in quotes.values()) == 1
    assert sum("after the first incident" in q for q in quotes.values()) == 1
    assert sum("detained four more suspects" in q for q in quotes.values()) == 1
    maymai = next(r for r in arrests if "Maymai district" in quotes[r["event_id_cnty"]])
    assert (maymai["country"], maymai["admin1"], maymai["location"], maymai["geo_precision"]) == (
        "Afghanistan", "Badakhshan", "Māymay", "2")


def test_pakistan_condemnation_keeps_both_speakers():
    r = one(lambda r: r["actor1"].startswith("Government of Pakistan") and r["event_date"] >= "2025-11-26")
    ev = evidence_for(r["event_id_cnty"])
    assert any(e["source_file"] == A000 and "the FO said" in e["quote"] for e in ev)
    assert any(e["source_file"] == A004 and "Mohammad Sadiq" in e["quote"] for e in ev)


def test_pakistan_afghanistan_october_clashes():
    r = one(lambda r: r["event_date"] == "2025-10-01" and violent(r))
    assert r["fatalities"] == "70" and "around" in r["notes"]


def test_taliban_border_clashes_since_late_august():
    clashes = [r for r in rows("incidents") if r["event_date"] == "2025-08-21"]
    assert len(clashes) == 2
    for r in clashes:
        # "Several Taliban and possibly some Tajik border guards also were left dead": no number, not 0.
        assert r["actor2"] == "Taliban" and r["fatalities"] == "" and "number not reported" in r["notes"]
        assert "several killed (no number)" in r["tags"].split("; ")
        assert r["injuries"] == ""
        assert r["admin2"] == "Shamsiddin Shohin" and r["scope"] == "border"


def test_claims_record_the_competing_attributions():
    attack = one(lambda r: r["event_date"] == "2025-11-26" and violent(r))["event_id_cnty"]
    road = one(lambda r: r["event_date"] == "2025-11-30" and violent(r))["event_id_cnty"]
    clash = one(lambda r: r["event_date"] == "2025-12-23")["event_id_cnty"]
    nov24 = one(lambda r: r["event_date"] == "2024-11-01" and violent(r))["event_id_cnty"]

    def has(incident, actor, stance, ctype, source_file):
        return any((c["actor"], c["stance"], c["claimant_type"], c["source_file"]) == (actor, stance, ctype, source_file)
                   for c in claims_for(incident))

    assert has(attack, "Drug smugglers", "accused", "government", A003)
    assert has(nov24, "Drug smugglers", "accused", "government", A003)
    assert has(attack, "Criminal groups in Afghanistan", "accused", "government", A000)
    assert has(attack, "Terrorist groups", "accused", "government", A000)
    assert has(attack, "Unnamed elements", "blamed-other", "government", A004)  # Takal
    for incident in (attack, road):
        assert has(incident, "Unnamed elements", "blamed-other", "government", A003)  # Muttaqi
        for actor in ("ISKP", "ETIM", "Jamaat Ansarullah"):
            assert has(incident, actor, "suspected", "analyst", A003), (incident, actor)
            assert has(incident, actor, "suspected", "analyst", A004), (incident, actor)
        assert any(c["actor"] == "ISKP" and "claim" in c["notes"] for c in claims_for(incident))
    assert has(road, "Taliban border units", "suspected", "media", A004)
    assert has(clash, "Smugglers", "accused", "government", A004)
    scns = [c for c in claims_for(clash) if c["actor"] == "Taliban"]
    assert any(c["source_file"] == A004 for c in scns)
    assert all("SCNS" in c["claimant"] and c["stance"] == "failed-to-prevent" and c["notes"] for c in scns)
    assert any("Khovar" in c["claimant"] for c in claims_for(clash))


def test_sites():
    sites = {s["site_id"]: s for s in rows("sites")}
    assert {"SITE-SHOHIN-SM-CAMP", "SITE-ROAD-KVR", "SITE-POST-ISTIQLOL", "SITE-POST-SARCHASHMA",
            "SITE-ZARAFSHON", "SITE-TALCO-GOLD"} <= set(sites)
    for sid in ("SITE-ZARAFSHON", "SITE-TALCO-GOLD"):
        assert sites[sid]["latitude"] == sites[sid]["longitude"] == sites[sid]["geo_precision"] == ""
    assert (sites["SITE-SHOHIN-SM-CAMP"]["location"], sites["SITE-SHOHIN-SM-CAMP"]["geo_precision"]) == ("Shŭrobod", "2")
    road = sites["SITE-ROAD-KVR"]
    assert (road["site_type"], road["geometry_ref"], road["location"], road["geo_precision"]) == (
        "road project", "roads.geojson#SITE-ROAD-KVR", "Qalaikhumb", "2")


def test_later_sources_add_detail_and_keep_conflicts():
    """Curation round 2 (issue 13): detail where the new sources agree, conflicts kept with their sources."""
    attack = one(lambda r: r["event_date"] == "2025-11-26" and violent(r))
    ev = evidence_for(attack["event_id_cnty"])
    assert any("11月27日晚" in e["quote"] and "conflicting" in e["supports"] for e in ev), "the 27 Nov date is kept"
    assert attack["event_date"] == "2025-11-26" and "27 November" in attack["notes"]

    road = one(lambda r: r["event_date"] == "2025-11-30" and violent(r))
    ev = evidence_for(road["event_id_cnty"])
    assert road["injuries"] == "2" and sum("18:45" in e["quote"] for e in ev) >= 2
    assert any("five injured" in e["quote"] and "conflicting" in e["supports"] for e in ev)
    assert "five injured" in road["notes"] and "Ruzvayak" in road["notes"]

    clash = one(lambda r: r["event_date"] == "2025-12-23")
    ev = evidence_for(clash["event_id_cnty"])
    assert clash["reported_location"].startswith("Kavok") and clash["fatalities"] == "5"
    assert any("«Бог»" in e["quote"] for e in ev) and any("двое вооруженных нападавших" in e["quote"]
                                                          and "conflicting" in e["supports"] for e in ev)
    assert "Hasht-e Subh" in clash["notes"] and "Radio Ozodi" in clash["notes"]
    kinds = {(c["actor"], c["stance"], c["claimant_type"]) for c in claims_for(clash["event_id_cnty"])}
    assert {("Jamaat Ansarullah", "accused", "media"), ("Smugglers", "accused", "media")} <= kinds

    scns_statement = incidents()["PNJ037"]
    assert (scns_statement["event_date"], scns_statement["time_precision"]) == ("2025-12-25", "1")
    notice = one(lambda r: r["event_date"] == "2025-12-01" and r["actor1"].startswith("Government of China"))
    assert "evacuate" in " ".join(e["quote"] for e in evidence_for(notice["event_id_cnty"]))
    assert notice["scope"] == "border" and notice["fatalities"] == "0"
