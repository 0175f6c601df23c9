"""ACLED event type and sub-type from the words describing an incident."""

from __future__ import annotations

from panjmap.intake.lang import Lang
from panjmap.schema import EVENT_TYPES


def classify(sentences: list[str], lang: Lang, security_only_victims: bool,
             groups: frozenset[str] = frozenset()) -> tuple[str | None, str | None, str | None]:
    """(event_type, sub_event_type, evidence sentence); the first rule in the language file that fits.

    An "attack" whose only victims are security forces is an armed clash in ACLED's terms. With
    no event words, who was hurt decides: security forces and attackers -> armed clash; civilians
    -> attack (the evidence is then the casualty sentence, given by the caller).
    """
    for key, cues in lang.table("events").items():
        event_type, sub_type = key.split("|", 1)
        if sub_type not in EVENT_TYPES.get(event_type, ()):
            raise ValueError(f"{lang.code}.toml: {key!r} is not an ACLED event type and sub-type")
        for sentence in sentences:
            if lang.has(sentence, cues):
                if (event_type, sub_type) == ("Violence against civilians", "Attack") and security_only_victims:
                    return "Battles", "Armed clash", sentence
                return event_type, sub_type, sentence
    if "civilians" in groups:
        return "Violence against civilians", "Attack", None
    if {"security", "attackers"} <= groups:
        return "Battles", "Armed clash", None
    return None, None, None
