"""``panjmap.validate``: the shipped seeds pass; each rule, broken once in a copy, is reported.

Every case breaks a throwaway copy of seeds/ (``seeds_copy``) in one specific
way and checks that ``validate()`` reports exactly that problem (table,
record, field, message, line) as an error. The same break is also checked
through ``python -m panjmap validate --seeds DIR``: to keep the file fast,
cases that touch different records share a broken copy and one command-line
run (started in the background by a module fixture); each case checks that
the run fails and prints its own message.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

from panjmap import geodata
from panjmap.paths import ROOT, SEEDS_DIR
from panjmap.validate import BORDER_TOLERANCE_DEG, EARLIEST_DATE, Problem, validate

ID_COLUMN = {"incidents": "event_id_cnty", "claims": "claim_id", "sites": "site_id",
             "evidence": "record_id", "sources": "source_file"}


# --------------------------------------------------------------------------- editing a copy


def read_table(seeds: Path, table: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(seeds / f"{table}.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_table(seeds: Path, table: str, fields: list[str], rows: list[dict[str, str]]) -> None:
    with open(seeds / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def set_cells(seeds: Path, table: str, record: str, **changes: str) -> None:
    """Change cells of the one row whose id is ``record``."""
    fields, rows = read_table(seeds, table)
    hits = [row for row in rows if row[ID_COLUMN[table]] == record]
    assert len(hits) == 1, f"{record} is not a unique id in {table}.csv"
    for field, value in changes.items():
        assert field in fields, field
        hits[0][field] = value
    write_table(seeds, table, fields, rows)


def row_of(table: str, record: str) -> dict[str, str]:
    _, rows = read_table(SEEDS_DIR, table)
    return next(row for row in rows if row[ID_COLUMN[table]] == record)


def line_of(table: str, record: str) -> int:
    """Line of the record in the shipped file (header is line 1; every record is one line)."""
    _, rows = read_table(SEEDS_DIR, table)
    return next(i for i, row in enumerate(rows, start=2) if row[ID_COLUMN[table]] == record)


def _first_evidence_with(char: str) -> int:
    _, rows = read_table(SEEDS_DIR, "evidence")
    return next(i for i, row in enumerate(rows) if char in row["quote"])


def _khatlon_record() -> str:
    _, rows = read_table(SEEDS_DIR, "incidents")
    return next(r["event_id_cnty"] for r in rows
                if r["admin1"] == "Khatlon Region" and r["admin2"] == "Shamsiddin Shohin" and r["latitude"])


def border_point_outside_tajik_polygon() -> tuple[float, float]:
    """A point on the drawn border line (the Panj) in Shamsiddin Shohin district that lies a little
    outside Natural Earth's Tajikistan polygon: only the border tolerance lets it pass."""
    border = geodata.load_layer("border").geometry.iloc[0]
    districts = geodata.load_layer("districts")
    district = districts[districts["name"] == "Shamsiddin Shohin"].geometry.iloc[0]
    countries = geodata.load_layer("countries")
    tajikistan = countries[countries["name"] == "Tajikistan"].geometry.iloc[0]
    stretch = border.intersection(district)
    parts = list(getattr(stretch, "geoms", [stretch]))
    for part in parts:
        for fraction in np.linspace(0.05, 0.95, 19):
            point = part.interpolate(fraction, normalized=True)
            # 0.005..0.02 degrees (0.5 to 2 km) outside: clearly outside, yet within the tolerance.
            if 0.005 < tajikistan.distance(point) < 0.02 and district.distance(point) < 1e-9:
                return round(point.y, 5), round(point.x, 5)
    raise AssertionError("no border point in Shamsiddin Shohin outside the Tajikistan polygon")


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    id: str
    breaker: Callable[[Path], None]
    table: str
    record: str
    field: str
    messages: tuple[str, ...]  # each must be reported for (table, record, field)
    keys: frozenset[str]  # what the break touches: cases sharing a key never share a CLI run
    line: int | None = None  # checked when given
    alone: bool = False  # the break stops every other check (a CLI run of its own)


def cell_case(case_id: str, table: str, record: str, changes: dict[str, str], field: str,
              message: str | tuple[str, ...], line: int | None = None) -> Case:
    messages = (message,) if isinstance(message, str) else message
    return Case(case_id, lambda seeds: set_cells(seeds, table, record, **changes), table, record, field,
                messages, frozenset({f"{table}:{record}"}), line)


def _drop_column(seeds: Path) -> None:
    fields, rows = read_table(seeds, "claims")
    fields.remove("notes")
    for row in rows:
        del row["notes"]
    write_table(seeds, "claims", fields, rows)


def _straighten_apostrophe(seeds: Path) -> None:
    fields, rows = read_table(seeds, "evidence")
    index = _first_evidence_with("’")
    rows[index]["quote"] = rows[index]["quote"].replace("’", "'", 1)
    write_table(seeds, "evidence", fields, rows)


def _cite_unlisted_file(seeds: Path) -> None:
    # The file exists in the folder but sources.csv does not list it.
    (seeds / "005_unlisted.txt").write_text("An unlisted article.\n", encoding="utf-8")
    fields, rows = read_table(seeds, "evidence")
    rows[0]["source_file"] = "005_unlisted.txt"
    rows[0]["quote"] = "An unlisted article."
    write_table(seeds, "evidence", fields, rows)


def _list_missing_file(seeds: Path) -> None:
    fields, rows = read_table(seeds, "sources")
    rows.append({**rows[0], "source_file": "005_missing.txt", "title": "Missing"})
    write_table(seeds, "sources", fields, rows)


def _evidence_for_unknown_record(seeds: Path) -> None:
    fields, rows = read_table(seeds, "evidence")
    rows.append({**rows[-1], "record_id": "PNJ099"})
    write_table(seeds, "evidence", fields, rows)


def _duplicate(table: str, record: str) -> Callable[[Path], None]:
    def breaker(seeds: Path) -> None:
        fields, rows = read_table(seeds, table)
        rows.append(dict(next(r for r in rows if r[ID_COLUMN[table]] == record)))
        write_table(seeds, table, fields, rows)
    return breaker


def _drop_evidence_of(record: str) -> Callable[[Path], None]:
    def breaker(seeds: Path) -> None:
        fields, rows = read_table(seeds, "evidence")
        kept = [row for row in rows if row["record_id"] != record]
        assert len(kept) < len(rows)
        write_table(seeds, "evidence", fields, kept)
    return breaker


KHATLON = _khatlon_record()
KUNDUZ = ("36.72896", "68.85690")  # Kunduz city, well inside Afghanistan
_EVIDENCE_ROWS = read_table(SEEDS_DIR, "evidence")[1]
QUOTE_ROW = _first_evidence_with("’")
QUOTE_RECORD = _EVIDENCE_ROWS[QUOTE_ROW]["record_id"]
FIRST_EVIDENCE_RECORD = _EVIDENCE_ROWS[0]["record_id"]
N_INCIDENTS = len(read_table(SEEDS_DIR, "incidents")[1])

CASES: list[Case] = [
    cell_case("missing-required", "incidents", "PNJ002", {"actor1": ""}, "actor1", "required value is empty",
              line_of("incidents", "PNJ002")),
    cell_case("missing-required-claim-quote", "claims", "CLM002", {"quote": ""}, "quote", "required value is empty"),
    cell_case("fatalities-not-integer", "incidents", "PNJ003", {"fatalities": "3.5"}, "fatalities",
              "not a whole number: '3.5'"),
    cell_case("fatalities-words", "incidents", "PNJ004", {"fatalities": "three"}, "fatalities",
              "not a whole number: 'three'"),
    cell_case("fatalities-negative", "incidents", "PNJ005", {"fatalities": "-3"}, "fatalities", "must not be negative"),
    cell_case("injuries-negative", "incidents", "PNJ006", {"injuries": "-1"}, "injuries", "must not be negative"),
    cell_case("bad-date", "incidents", "PNJ019", {"event_date": "26/11/2025"}, "event_date",
              "not a YYYY-MM-DD date: '26/11/2025'"),
    # date.fromisoformat accepts the compact form; the loader does not.
    cell_case("compact-date", "incidents", "PNJ020", {"end_date": "20251130"}, "end_date",
              "not a YYYY-MM-DD date: '20251130'"),
    cell_case("impossible-date", "incidents", "PNJ021", {"event_date": "2025-11-31"}, "event_date",
              "not a YYYY-MM-DD date: '2025-11-31'"),
    cell_case("end-before-start", "incidents", "PNJ036", {"end_date": "2025-12-22"}, "end_date",
              "ends (2025-12-22) before it starts (2025-12-23)"),
    cell_case("date-in-future", "incidents", "PNJ037",
              {"event_date": "2099-12-24", "end_date": "2099-12-25", "year": "2099"}, "event_date",
              "2099-12-24 is outside 1997-01-01.."),
    cell_case("date-before-acled", "incidents", "PNJ001", {"event_date": "1996-09-01", "year": "1996"}, "event_date",
              "1996-09-01 is outside 1997-01-01.."),
    cell_case("year-mismatch", "incidents", "PNJ022", {"year": "2024"}, "year", "2024 does not match event_date 2025-11-26"),
    cell_case("unknown-event-type", "incidents", "PNJ024", {"event_type": "Drone attacks"}, "event_type",
              "unknown event type 'Drone attacks'"),
    cell_case("sub-event-of-other-type", "incidents", "PNJ008", {"sub_event_type": "Attack"}, "sub_event_type",
              "'Attack' is not a sub-event type of 'Battles'"),
    cell_case("bad-disorder-type", "incidents", "PNJ025", {"disorder_type": "Violence"}, "disorder_type",
              "unknown disorder type 'Violence'"),
    cell_case("bad-inter-code", "incidents", "PNJ026", {"inter2": "Civilian"}, "inter2", "unknown actor type 'Civilian'"),
    cell_case("bad-time-precision", "incidents", "PNJ028", {"time_precision": "4"}, "time_precision", "must be 1, 2 or 3"),
    cell_case("bad-geo-precision", "incidents", "PNJ010", {"geo_precision": "0"}, "geo_precision", "must be 1, 2 or 3"),
    cell_case("bad-site-geo-precision", "sites", "SITE-SHOHIN-SM-CAMP", {"geo_precision": "5"}, "geo_precision",
              "must be 1, 2 or 3"),
    cell_case("bad-claim-status", "incidents", "PNJ029", {"claim_status": "Unclaimed"}, "claim_status",
              "must be empty, 'unclaimed' or 'claimed'"),
    cell_case("bad-stance", "claims", "CLM003", {"stance": "alleged"}, "stance",
              "must be one of claimed, accused, suspected, denied, blamed-other"),
    cell_case("bad-claimant-type", "claims", "CLM004", {"claimant_type": "newspaper"}, "claimant_type",
              "must be one of government, armed group, media, analyst, international"),
    cell_case("longitude-missing", "incidents", "PNJ011", {"longitude": ""}, "latitude/longitude/geo_precision",
              "give all three or none"),
    cell_case("precision-without-place", "incidents", "PNJ018", {"geo_precision": "2"},
              "latitude/longitude/geo_precision", "give all three or none"),
    cell_case("latitude-out-of-range", "incidents", "PNJ012", {"latitude": "97.84137"}, "latitude/longitude",
              "out of range: 97.84137, 70.04865"),
    cell_case("khatlon-point-in-afghanistan", "incidents", KHATLON, {"latitude": KUNDUZ[0], "longitude": KUNDUZ[1]},
              "latitude/longitude", (f"({float(KUNDUZ[0])}, {float(KUNDUZ[1])}) is not inside country 'Tajikistan'",
                                     "is not inside admin1 'Khatlon Region'",
                                     "is not inside admin2 'Shamsiddin Shohin'")),
    cell_case("unknown-admin2", "incidents", "PNJ027", {"admin2": "Atlantis"}, "admin2",
              "no admin2 polygon named 'Atlantis'"),
    Case("quote-not-verbatim", _straighten_apostrophe, "evidence", QUOTE_RECORD, "quote",
         (f"not found verbatim in {_EVIDENCE_ROWS[QUOTE_ROW]['source_file']}",), frozenset({f"evidence:{QUOTE_RECORD}"}),
         QUOTE_ROW + 2),
    Case("source-file-not-listed", _cite_unlisted_file, "evidence", FIRST_EVIDENCE_RECORD, "source_file",
         ("'005_unlisted.txt' is not a listed seed file",), frozenset({f"evidence:{FIRST_EVIDENCE_RECORD}"}), 2),
    Case("listed-source-file-missing", _list_missing_file, "sources", "005_missing.txt", "source_file",
         ("file not found in seeds/",), frozenset({"sources"})),
    cell_case("claim-unknown-incident", "claims", "CLM005", {"incident_id": "PNJ099"}, "incident_id",
              "no incident 'PNJ099'"),
    cell_case("incident-unknown-site", "incidents", "PNJ031", {"site_id": "SITE-NOWHERE"}, "site_id",
              "no site 'SITE-NOWHERE'"),
    cell_case("related-unknown-id", "incidents", "PNJ023", {"related_ids": "PNJ031|PNJ099"}, "related_ids",
              "no incident 'PNJ099'"),
    Case("evidence-unknown-record", _evidence_for_unknown_record, "evidence", "PNJ099", "record_id",
         ("no incident or site 'PNJ099'",), frozenset({"evidence:PNJ099"})),
    cell_case("geometry-ref-unknown-feature", "sites", "SITE-ROAD-KVR", {"geometry_ref": "roads.geojson#SITE-ROAD-XYZ"},
              "geometry_ref", "'roads.geojson#SITE-ROAD-XYZ' does not resolve"),
    # Not a geodata layer at all: must be reported, not crash the validator.
    cell_case("geometry-ref-unknown-layer", "sites", "SITE-ROAD-KVR", {"geometry_ref": "road.geojson#SITE-ROAD-KVR"},
              "geometry_ref", "'road.geojson#SITE-ROAD-KVR' does not resolve"),
    Case("duplicate-incident-id", _duplicate("incidents", "PNJ016"), "incidents", "PNJ016", "event_id_cnty",
         ("duplicate id 'PNJ016'",), frozenset({"incidents:PNJ016"}), N_INCIDENTS + 2),
    Case("duplicate-claim-id", _duplicate("claims", "CLM001"), "claims", "CLM001", "claim_id",
         ("duplicate id 'CLM001'",), frozenset({"claims:CLM001"})),
    Case("incident-without-evidence", _drop_evidence_of("PNJ033"), "incidents", "PNJ033", "event_id_cnty",
         ("no evidence row cites a source for this record",), frozenset({"evidence:PNJ033", "incidents:PNJ033"})),
    Case("site-without-evidence", _drop_evidence_of("SITE-ZARAFSHON"), "sites", "SITE-ZARAFSHON", "site_id",
         ("no evidence row cites a source for this record",),
         frozenset({"evidence:SITE-ZARAFSHON", "sites:SITE-ZARAFSHON"})),
    cell_case("located-incident-without-location-name", "incidents", "PNJ015", {"location": ""}, "location",
              "has coordinates but no location name"),
    cell_case("located-site-without-location-name", "sites", "SITE-POST-ISTIQLOL", {"location": ""}, "location",
              "has coordinates but no location name"),
    Case("missing-column", _drop_column, "seeds", "-", "file", ("claims.csv: missing columns notes",),
         frozenset({"claims"}), alone=True),
]
CASE_IDS = [case.id for case in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS)


def cli_batches(cases: list[Case]) -> list[list[Case]]:
    """Cases grouped so that no two in a group touch the same record: one CLI run per group."""
    batches: list[list[Case]] = []
    for case in cases:
        home = None if case.alone else next(
            (b for b in batches if not b[0].alone and all(not (case.keys & other.keys) for other in b)), None)
        if home is None:
            batches.append([case])
        else:
            home.append(case)
    return batches


def _copy_seeds(target: Path) -> Path:
    shutil.copytree(SEEDS_DIR, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def run_validate_cli(seeds: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "panjmap", "validate", "--seeds", str(seeds)],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future]:
    """``python -m panjmap validate`` on copies broken by several unrelated cases each, started at once."""
    pool = ThreadPoolExecutor(max_workers=2)
    runs = {}
    for number, batch in enumerate(cli_batches(CASES)):
        seeds = _copy_seeds(tmp_path_factory.mktemp(f"batch{number}") / "seeds")
        for case in batch:
            case.breaker(seeds)
        future = pool.submit(run_validate_cli, seeds)
        runs.update({case.id: future for case in batch})
    yield runs
    pool.shutdown(wait=True, cancel_futures=True)


def _matching(problems: list[Problem], case: Case, message: str) -> list[Problem]:
    return [p for p in problems
            if (p.table, p.record, p.field) == (case.table, case.record, case.field) and message in p.message]


# --------------------------------------------------------------------------- tests


def test_shipped_seeds_have_no_problems() -> None:
    assert validate() == []


def test_shipped_seeds_cli_ok() -> None:
    result = run_validate_cli(SEEDS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("OK: 0 error(s), 0 warning(s)")


def test_copy_helpers_change_nothing_by_themselves(seeds_copy: Path) -> None:
    # Rewriting every table through the csv module must not itself cause a problem,
    # or every case below could pass for the wrong reason.
    for table in ID_COLUMN:
        write_table(seeds_copy, table, *read_table(seeds_copy, table))
    assert validate(seeds_copy) == []


def test_cli_batches_never_share_a_record() -> None:
    batches = cli_batches(CASES)
    assert sum(map(len, batches)) == len(CASES)
    for batch in batches:
        keys = [key for case in batch for key in case.keys]
        assert len(keys) == len(set(keys))
        assert len(batch) == 1 or not any(case.alone for case in batch)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rule_reports_the_problem(case: Case, seeds_copy: Path, cli_runs: dict[str, Future]) -> None:
    # One break, in a copy of its own: the exact problem comes back as an error.
    case.breaker(seeds_copy)
    problems = validate(seeds_copy)
    for message in case.messages:
        hits = _matching(problems, case, message)
        assert hits, (f"expected {case.table}/{case.record}/{case.field}: {message!r}; got:\n"
                      + "\n".join(map(str, problems)))
        assert all(p.severity == "error" for p in hits)
        if case.line is not None:
            assert {p.line for p in hits} == {case.line}

    # The command line fails and prints it, without a traceback.
    result = cli_runs[case.id].result()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for message in case.messages:
        # A record's problem names its line and record; a whole-file problem names the file.
        where = f"[{case.record}] {case.field}: " if case.record != "-" else "ERROR "
        assert any(line.startswith("ERROR ") and where in line and message in line
                   for line in result.stdout.splitlines()), result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("FAILED:")


def test_problem_text_names_file_line_record_and_field(seeds_copy: Path) -> None:
    set_cells(seeds_copy, "incidents", "PNJ019", fatalities="-3")
    problem = next(p for p in validate(seeds_copy) if p.field == "fatalities")
    assert str(problem) == f"ERROR incidents.csv line {line_of('incidents', 'PNJ019')} [PNJ019] fatalities: must not be negative"


def test_date_after_today_is_out_of_range(seeds_copy: Path) -> None:
    today = dt.date(2025, 12, 1)
    _, rows = read_table(seeds_copy, "incidents")
    expected = {(r["event_id_cnty"], col) for r in rows for col in ("event_date", "end_date")
                if dt.date.fromisoformat(r[col]) > today}
    assert expected  # the seeds run past 1 December 2025
    problems = validate(seeds_copy, today=today)
    reported = {(p.record, p.field) for p in problems if "is outside" in p.message}
    assert reported == expected
    assert all(f"..{today}" in p.message for p in problems if "is outside" in p.message)
    # ... and from the last day of the data on, the same seeds are clean.
    last = max(dt.date.fromisoformat(r["end_date"]) for r in rows)
    assert validate(seeds_copy, today=last) == []
    assert [(p.record, p.field) for p in validate(seeds_copy, today=last - dt.timedelta(days=1))]


def test_earliest_date_boundary_is_inclusive(seeds_copy: Path) -> None:
    first = EARLIEST_DATE.isoformat()
    set_cells(seeds_copy, "incidents", "PNJ001", event_date=first, year=str(EARLIEST_DATE.year))
    assert not [p for p in validate(seeds_copy) if p.record == "PNJ001"]


def test_point_on_the_panj_border_is_accepted(seeds_copy: Path) -> None:
    lat, lon = border_point_outside_tajik_polygon()
    countries = geodata.load_layer("countries")
    tajikistan = countries[countries["name"] == "Tajikistan"].geometry.iloc[0]
    # Not inside the (simplified) country polygon: only the tolerance accepts it.
    assert not tajikistan.contains(Point(lon, lat))
    assert tajikistan.distance(Point(lon, lat)) < BORDER_TOLERANCE_DEG
    set_cells(seeds_copy, "incidents", KHATLON, latitude=f"{lat:.5f}", longitude=f"{lon:.5f}")
    assert validate(seeds_copy) == []
    result = run_validate_cli(seeds_copy)
    assert result.returncode == 0, result.stdout
    assert "OK" in result.stdout


def test_point_just_beyond_the_tolerance_is_rejected(seeds_copy: Path) -> None:
    lat, lon = border_point_outside_tajik_polygon()
    countries = geodata.load_layer("countries")
    tajikistan = countries[countries["name"] == "Tajikistan"].geometry.iloc[0]
    # Walk south (into Afghanistan) until the point is clearly beyond the tolerance.
    step = 0
    while tajikistan.distance(Point(lon, lat - step)) <= 2 * BORDER_TOLERANCE_DEG:
        step += 0.01
    set_cells(seeds_copy, "incidents", KHATLON, latitude=f"{lat - step:.5f}", longitude=f"{lon:.5f}")
    messages = [p.message for p in validate(seeds_copy) if p.record == KHATLON]
    assert any("is not inside country 'Tajikistan'" in m for m in messages), messages


def test_country_outside_geodata_is_only_a_warning(seeds_copy: Path) -> None:
    # Kabul's point restated as in a country the geodata does not cover.
    record = next(r["event_id_cnty"] for r in read_table(seeds_copy, "incidents")[1] if r["location"] == "Kabul")
    set_cells(seeds_copy, "incidents", record, country="Iran")
    problems = [p for p in validate(seeds_copy) if p.record == record]
    assert [(p.field, p.severity) for p in problems] == [("country", "warning")]
    result = run_validate_cli(seeds_copy)
    assert result.returncode == 0
    assert "WARNING" in result.stdout and "0 error(s), 1 warning(s)" in result.stdout


def test_missing_csv_file_is_a_problem_not_a_traceback(seeds_copy: Path) -> None:
    (seeds_copy / "sites.csv").unlink()
    problems = validate(seeds_copy)
    assert len(problems) == 1 and problems[0].field == "file" and "sites.csv" in problems[0].message
