"""Intake accuracy on the development excerpts, per language.

    python -m bench.intake_eval [--details]

For each article in tests/intake_expected.json, runs intake on the fixture
(headers as in the file, no --published) and pairs each expected incident with
the candidate that fits it best (dates overlapping, same district, same number
killed; each candidate serves one incident at most). An incident the article is
mainly about scores:
- date: the candidate's event_date..end_date lies inside the range the text allows
  (an empty date also counts when the text gives no year and no publication date);
- district: the candidate's admin2 is the expected one (both empty when the text names none);
- killed: the candidate's fatalities equal the number the text states (both empty when none).
Candidates paired with no incident the article reports are spurious.
Results: docs/intake.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections import defaultdict
from pathlib import Path

from panjmap.intake import propose

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "intake_expected.json"
ARTICLES = ROOT / "tests" / "fixtures" / "articles"
TODAY = dt.date(2026, 11, 30)  # bounds years inferred from weekdays: fixed so results do not drift


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _districts(expected: dict) -> list[str | None]:
    value = expected["district"]
    return value if isinstance(value, list) else [value]


def date_ok(candidate: dict, expected: dict) -> bool:
    first, last = _d(candidate.get("event_date")), _d(candidate.get("end_date") or candidate.get("event_date"))
    if first is None:
        return not expected["year_stated"]
    return _d(expected["first"]) <= first and last <= _d(expected["last"])


def district_ok(candidate: dict, expected: dict) -> bool:
    return candidate.get("admin2") in _districts(expected)


def killed_ok(candidate: dict, expected: dict) -> bool:
    return candidate.get("fatalities") == expected["fatalities"]


def _fit(candidate: dict, expected: dict) -> float:
    score = 0.0
    first = _d(candidate.get("event_date"))
    if first is not None:
        last = _d(candidate.get("end_date")) or first
        if first <= _d(expected["last"]) + dt.timedelta(days=1) and _d(expected["first"]) <= last + dt.timedelta(days=1):
            score += 2
    if candidate.get("admin2") and candidate.get("admin2") in _districts(expected):
        score += 2
    if candidate.get("fatalities") is not None and candidate.get("fatalities") == expected["fatalities"]:
        score += 1
    return score


def pair(candidates: list[dict], incidents: list[dict]) -> dict[int, int]:
    """Expected incident index -> candidate index (greedy on fit; a fit of 0 pairs nothing)."""
    options = sorted(((_fit(c, e), -ei, -ci, ei, ci) for ei, e in enumerate(incidents)
                      for ci, c in enumerate(candidates)), reverse=True)
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for fit, _, _, ei, ci in options:
        if fit <= 0 or ei in pairs or ci in used:
            continue
        pairs[ei] = ci
        used.add(ci)
    return pairs


def evaluate_article(entry: dict, today: dt.date = TODAY) -> dict:
    """Scores for one article: per main incident (date, district, killed) and the spurious count."""
    text = (ARTICLES / entry["file"]).read_text(encoding="utf-8")
    candidates = propose(text, today=today).candidates
    incidents = entry["incidents"]
    pairs = pair(candidates, incidents)
    results = []
    for ei, expected in enumerate(incidents):
        if not expected["main"]:
            continue
        cand = candidates[pairs[ei]] if ei in pairs else None
        results.append({
            "incident": expected["incident"],
            "date": bool(cand) and date_ok(cand, expected),
            "dated": bool(cand) and cand.get("event_date") is not None,
            "district": bool(cand) and district_ok(cand, expected),
            "killed": bool(cand) and killed_ok(cand, expected),
            "got": None if cand is None else {k: cand.get(k) for k in ("event_date", "end_date", "admin2", "fatalities")},
        })
    return {"file": entry["file"], "language": entry["language"], "incidents": results,
            "candidates": len(candidates), "spurious": len(candidates) - len(pairs)}


def evaluate(today: dt.date = TODAY) -> list[dict]:
    entries = json.loads(EXPECTED.read_text(encoding="utf-8"))["articles"]
    return [evaluate_article(entry, today) for entry in entries]


def summarise(results: list[dict]) -> list[dict]:
    """Per language and overall: incidents, date+district right, killed right, spurious per article."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        groups[r["language"]].append(r)
        groups["all"].append(r)
    rows = []
    for lang in sorted(groups, key=lambda k: (k == "all", -len(groups[k]), k)):
        articles = groups[lang]
        incidents = [i for a in articles for i in a["incidents"]]
        rows.append({
            "language": lang, "articles": len(articles), "incidents": len(incidents),
            "date_district": sum(i["date"] and i["district"] for i in incidents) / len(incidents),
            "killed": sum(i["killed"] for i in incidents) / len(incidents),
            "dated": sum(i["dated"] for i in incidents) / len(incidents),
            "spurious_per_article": sum(a["spurious"] for a in articles) / len(articles),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print every article's misses")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = evaluate()
    elapsed = time.perf_counter() - started
    if args.details:
        for r in results:
            for i in r["incidents"]:
                misses = [k for k in ("date", "district", "killed") if not i[k]]
                if misses:
                    print(f"{r['file'][:50]:50} {i['incident']:>3} miss {','.join(misses):22} got {i['got']}")
            if r["spurious"]:
                print(f"{r['file'][:50]:50} spurious candidates: {r['spurious']}")
    print(f"{'language':9} {'articles':>8} {'incidents':>9} {'date+district':>13} {'killed':>7} "
          f"{'spurious/article':>16} {'dated':>6}")
    for row in summarise(results):
        print(f"{row['language']:9} {row['articles']:8d} {row['incidents']:9d} {row['date_district']:13.0%} "
              f"{row['killed']:7.0%} {row['spurious_per_article']:16.2f} {row['dated']:6.0%}")
    print(f"{len(results)} articles in {elapsed:.1f} s ({elapsed / len(results) * 1000:.0f} ms per article, "
          f"gazetteer build included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
