"""``python -m panjmap intake FILE``: candidate records from one article, as JSON or text."""

from __future__ import annotations

import argparse
import json
import sys

from panjmap.intake import CANDIDATE_FIELDS, Proposal, propose
from panjmap.intake.lang import available_languages
from panjmap.intake.text import parse_date


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the article (UTF-8 text; may start with URL:/Title:/Date: lines); - reads stdin")
    parser.add_argument("--published", metavar="YYYY-MM-DD", help="publication date (overrides the Date: header)")
    parser.add_argument("--lang", metavar="CODE", help=f"language rules to apply (default: guessed); one of {', '.join(available_languages())}")
    parser.add_argument("--format", choices=("json", "text"), default="json", help="output format (default json)")


def _fail(message: str) -> int:
    print(f"intake: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        published = parse_date(args.published) if args.published else None
    except ValueError as exc:
        return _fail(f"--published: {exc}")
    if args.lang and args.lang not in available_languages():
        return _fail(f"no rules for language {args.lang!r}; known: {', '.join(available_languages())}")
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.file}: {exc}")
    try:
        proposal = propose(text, published=published, lang=args.lang)
    except ValueError as exc:  # e.g. a Date: header that is not a date
        return _fail(str(exc))
    output = json.dumps(proposal.as_dict(), ensure_ascii=False, indent=2) if args.format == "json" else render_text(proposal)
    try:
        print(output)
    except BrokenPipeError:  # the reader stopped early (| head): not an error of ours
        sys.stderr.close()
    return 0


def render_text(proposal: Proposal) -> str:
    """The proposal for reading in a terminal: each field, then the sentence it came from."""
    src = proposal.source
    lines = [f"source: {src.title or '(no title)'}", f"  url: {src.url or 'unknown'}",
             f"  published: {src.published or 'unknown'}" + (f" (from the {src.published_from})" if src.published_from else ""),
             f"  language: {src.language}", f"candidates: {len(proposal.candidates)}"]
    for n, cand in enumerate(proposal.candidates, 1):
        lines.append(f"\n[{n}] {cand['event_date'] or '?'} .. {cand['end_date'] or '?'} (time precision {cand['time_precision'] or '-'})")
        place = ", ".join(str(cand[k]) for k in ("location", "admin2", "admin1", "country") if cand.get(k)) or "unknown place"
        lines.append(f"    place: {place}" + (f" [{cand['latitude']}, {cand['longitude']}; geo precision {cand['geo_precision']}]"
                                                if cand.get("latitude") is not None else ""))
        if cand.get("reported_location"):
            lines.append(f"    reported as: {cand['reported_location']}")
        figures = ", ".join(f"{k} {'not reported' if cand.get(k) is None else cand[k]}"
                            for k in ("fatalities", "injuries", "neutralised", "detained"))
        lines.append(f"    {figures}")
        lines.append(f"    event: {cand['event_type'] or 'unknown'} / {cand['sub_event_type'] or 'unknown'}")
        for actor in cand["actors"]:
            lines.append(f"    {actor['role']}: {actor['actor']}")
        for claim in cand["claims"]:
            lines.append(f"    claim: {claim['claimant'] or 'unnamed source'} -> {claim['actor']} ({claim['stance']})")
        for match in cand["matches"]:
            conflicts = "; ".join(f"{c['field']}: record {c['record']}, this source {c['proposed']}" for c in match["conflicts"])
            lines.append(f"    same event as record {match['incident_id']}" + (f" — conflicts: {conflicts}" if conflicts else ""))
        shown: set[int] = set()
        for field, ev in cand["evidence"].items():
            if id(ev) in shown:
                continue  # fields read from the same sentence are listed once, under the first
            shown.add(id(ev))
            note = f" ({ev['note']})" if ev.get("note") else ""
            quote = f"“{ev['quote']}”" if ev.get("quote") else "no sentence"
            lines.append(f"    evidence {field}{note}: {quote}")
    return "\n".join(lines)


__all__ = ["add_arguments", "run", "render_text", "CANDIDATE_FIELDS"]
