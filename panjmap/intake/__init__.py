"""Intake: propose candidate incident records from a news article, every field with its sentence.

``propose(text, published, lang)`` is the one entry point (the CLI and the
app call it); the steps live in small modules: ``text`` (headers, sentences),
``dates``, ``gazetteer`` (places), ``casualties``, ``claims`` (actors and
stances), ``events`` (ACLED types), ``matching`` (existing records) and
``assemble``. Language rules are data: ``lang/<code>.toml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from panjmap.intake.assemble import Assembler
from panjmap.intake.lang import available_languages, load_lang
from panjmap.intake.text import Source, read_source

CANDIDATE_FIELDS: tuple[str, ...] = (
    "event_date", "end_date", "time_precision", "location", "latitude", "longitude", "geo_precision",
    "country", "admin1", "admin2", "fatalities", "injuries", "event_type", "sub_event_type", "actors",
    "claims", "matches", "evidence",
)


@dataclass(frozen=True)
class Proposal:
    """What intake proposes for one article."""

    source: Source
    candidates: list[dict]

    def as_dict(self) -> dict:
        return {"source": self.source.as_dict(), "candidates": self.candidates}


def propose(text: str, published: dt.date | None = None, lang: str | None = None,
            today: dt.date | None = None) -> Proposal:
    """Candidate records for the article ``text`` (which may start with URL:/Title:/Date: lines).

    ``published`` overrides the header's date; ``lang`` the language guessed
    from the script; ``today`` bounds years inferred from a weekday (default: today).
    """
    source = read_source(text, published=published, lang=lang)
    rules = load_lang(source.language if source.language in available_languages() else "en")
    assembler = Assembler(source, rules, today=today)
    candidates = [assembler.candidate(incident) for incident in assembler.incidents(assembler.segments())]
    return Proposal(source, candidates)


__all__ = ["CANDIDATE_FIELDS", "Proposal", "propose"]
