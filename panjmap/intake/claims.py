"""Actors named in a text and claims: who attributes an incident to whom, with what stance.

Aliases come from the language files (``[actors]``, ``[claimants]``); the
English aliases apply to every language because names such as "Taliban" or
"ISKP" appear in Latin letters everywhere. When the shared actor dictionary
(``panjmap.actors``) exists, its canonical names are used for what it knows (the words found
first: "criminal groups" may be an actor of its own there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from panjmap.intake.lang import Lang, load_lang

GOVERNMENT_PREFIXES = ("Government of", "Military Forces of", "Taliban")


@dataclass(frozen=True)
class ActorMention:
    start: int
    end: int
    actor: str
    is_media: bool = False


@dataclass(frozen=True)
class Claim:
    actor: str
    stance: str
    claimant: str | None
    claimant_type: str | None
    quote: str


def _shared_dictionary():
    """The project's actor dictionary (``panjmap.actors``, seeds/actors.csv) if this checkout has one."""
    try:
        from panjmap.actors import load_actors  # type: ignore[import-not-found]
        return load_actors()
    except (ImportError, OSError, ValueError, KeyError):  # no dictionary, or a broken file: the language files still name actors
        return None


def _canonical(name: str, alias: str | None = None) -> str:
    """The shared dictionary's canonical name for the words found (``alias``) or for the language
    file's name, else the language file's name."""
    dictionary = _shared_dictionary()
    if dictionary is None:
        return name
    return (alias and dictionary.canonical(alias)) or dictionary.canonical(name) or name


def _aliases(lang: Lang, section: str) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for source in ([lang] if lang.code == "en" else [lang, load_lang("en")]):
        for name, aliases in source.table(section).items():
            table.setdefault(name, []).extend(aliases)
    return table


def find_actors(sentence: str, lang: Lang) -> list[ActorMention]:
    """Actor and media names in the sentence (longest match wins)."""
    found: list[ActorMention] = []
    for section, media in (("claimants", True), ("actors", False)):
        for name, aliases in _aliases(lang, section).items():
            for match in lang.find(sentence, aliases):
                actor = name if media else _canonical(name, match.group(0))
                found.append(ActorMention(match.start(), match.end(), actor, media))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[ActorMention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def claimant_type(name: str, is_media: bool) -> str:
    if is_media:
        return "media"
    if name.startswith(GOVERNMENT_PREFIXES):
        return "government"
    return "armed group"


# "X blamed Y, and Z denied it": each clause makes its own claim
_CLAUSES = re.compile(r";|[,，]\s*(?:and|but|while|whereas|а|но|однако|而|但)\s+|[，,]\s*(?=[^,，]{0,40}(?:denied|отверг|отрица|否认|否認))")


def find_claims(sentence: str, lang: Lang) -> list[Claim]:
    """Claims made in one sentence, clause by clause (see ``_clause_claims``); quotes are the sentence."""
    claims: list[Claim] = []
    for clause in _CLAUSES.split(sentence):
        for claim in _clause_claims(clause, lang):
            claim = Claim(claim.actor, claim.stance, claim.claimant, claim.claimant_type, sentence)
            if claim not in claims:
                claims.append(claim)
    return claims


def _clause_claims(sentence: str, lang: Lang) -> list[Claim]:
    """Claims made in one clause: the first stance (in the language file's order) whose cue it
    contains; the claimant is the media named, else the actor named before the first stance word;
    the actors held responsible are those named after it (else the others named)."""
    stances = lang.table("stances")
    mentions = find_actors(sentence, lang)
    if not mentions:
        return []
    found = [(stance, next(iter(lang.find(sentence, cues)), None)) for stance, cues in stances.items()]
    found = [(stance, cue) for stance, cue in found if cue is not None]
    if not found:
        return []
    stance = found[0][0]
    pivot = min(cue.start() for _, cue in found)      # "X blamed Y for failing to ...": split at "blamed"
    media = [m for m in mentions if m.is_media]
    before = [m for m in mentions if m.end <= pivot and not m.is_media]
    speaker = media[0] if media else (before[-1] if before else None)
    others = [m for m in mentions if m is not speaker and not m.is_media]
    if speaker is not None:
        others = [m for m in others if m.actor != speaker.actor]
    if stance == "blamed-other":
        # the one who deflects speaks; the unnamed party is who they point at
        deflector = speaker or next((m for m in mentions if m.actor == "Taliban"), None)
        return [Claim(_canonical("Unidentified Armed Group (Afghanistan)"), stance,
                      deflector.actor if deflector else None,
                      claimant_type(deflector.actor, deflector.is_media) if deflector else None, sentence)]
    # held responsible: named after the stance word, within its clause ("... and said Kabul will" starts another)
    pivot_end = next(cue.end() for _, cue in found if cue.start() == pivot)
    speech = [m.start() for m in lang.find(sentence[pivot_end:], lang.table("cues").get("speech", []))]
    clause_end = pivot_end + min(speech) if speech else len(sentence)
    targets = [m for m in others if pivot <= m.start < clause_end] or [m for m in others if m.start < pivot]
    if not targets and stance == "denied" and speaker is not None and not speaker.is_media:
        targets = [speaker]  # "the Taliban denied any involvement": the actor denies for itself
    named = [m for m in targets if not m.actor.startswith("Unidentified")]
    if named:
        targets = named  # "irresponsibility in combating terrorist organisations": the Taliban is held to account
    claims: list[Claim] = []
    for target in targets:
        if any(c.actor == target.actor for c in claims):
            continue
        claims.append(Claim(target.actor, stance, speaker.actor if speaker else None,
                            claimant_type(speaker.actor, speaker.is_media) if speaker else None, sentence))
    return claims


def has_origin_afghanistan(sentence: str, lang: Lang) -> bool:
    """The sentence says the attackers came from Afghanistan: an origin marker ("from", "с
    территории", "از") followed closely by the language's word for Afghan/Afghanistan."""
    english = load_lang("en")
    origin = lang.words("places", "origin") + english.words("places", "origin")
    afghan = lang.table("nationalities").get("Afghan", []) + english.table("nationalities").get("Afghan", [])
    for match in lang.find(sentence, origin):
        if lang.has(sentence[match.end():match.end() + 40], afghan) or english.has(sentence[match.end():match.end() + 40], afghan):
            return True
    return False
