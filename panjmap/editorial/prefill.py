"""From an intake candidate to the record form: the fields the analyst accepted, and the
sentences they came from as citations. Nothing is saved here: the form's save applies
every rule (verbatim quotes, validate), as for a record typed by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from panjmap.actors import ActorDictionary
from panjmap.editorial.records import Citation
from panjmap.schema import BORDER_SCOPE, VIOLENT_EVENT_TYPES

# Candidate fields copied into the record as they are (when accepted).
DIRECT_FIELDS: tuple[str, ...] = (
    "event_date", "end_date", "time_precision", "location", "latitude", "longitude", "geo_precision", "country",
    "admin1", "admin2", "reported_location", "fatalities", "injuries", "event_type", "sub_event_type",
    "victim_nationality",
)
# Intake joins the sentences of one field with this; each is verbatim on its own.
SENTENCE_JOIN = " … "


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _country_codes(incidents: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """ACLED's iso and region for each country, as the record already writes them."""
    codes: dict[str, tuple[str, str]] = {}
    for country, group in incidents.groupby("country"):
        pairs = group[["iso", "region"]].astype(str).value_counts()
        if len(pairs):
            iso, region = pairs.index[0]
            codes[str(country)] = (iso, region)
    return codes


def citations_of(candidate: dict, source_file: str, fields: set[str]) -> list[Citation]:
    """One citation per sentence an accepted field was read from (the field names what it supports)."""
    by_quote: dict[str, list[str]] = {}
    for name, evidence in (candidate.get("evidence") or {}).items():
        if name not in fields or not evidence or not evidence.get("quote"):
            continue
        for sentence in evidence["quote"].split(SENTENCE_JOIN):
            by_quote.setdefault(sentence.strip(), []).append(name)
    return [Citation(source_file, quote, "; ".join(names)) for quote, names in by_quote.items() if quote]


def record_fields(candidate: dict, accepted: set[str], outlet: str, incidents: pd.DataFrame,
                  actors: ActorDictionary, now: dt.datetime | None = None) -> dict[str, str]:
    """The incident form's values: accepted candidate fields, and what follows from them."""
    fields = {name: _text(candidate.get(name)) for name in DIRECT_FIELDS if name in accepted}
    if "actors" in accepted:
        for mention in candidate.get("actors") or []:
            role = mention.get("role")
            if role in ("actor1", "actor2") and role not in fields:
                fields[role] = mention["actor"]
                known = actors.actors.get(actors.resolve(mention["actor"]))
                if known is not None:
                    fields["inter1" if role == "actor1" else "inter2"] = known.inter
    if fields.get("event_date"):
        fields["year"] = fields["event_date"][:4]
    if fields.get("event_type"):
        fields["disorder_type"] = ("Political violence" if fields["event_type"] in VIOLENT_EVENT_TYPES
                                   else "Strategic developments")
    if fields.get("country") in (codes := _country_codes(incidents)):
        fields["iso"], fields["region"] = codes[fields["country"]]
    stamp = now or dt.datetime.now(dt.UTC)
    return fields | {"source": outlet, "scope": BORDER_SCOPE, "timestamp": str(int(stamp.timestamp()))}
