"""Casualty figures as the text states them: who was killed, injured, neutralised or detained.

A figure is a number (numeral or number word) tied to the nearest casualty
verb in the same sentence with no other number between them ("two border
guards were killed", "погибли двое", "3死1傷"); numbers joined by "and" /
"including" share a verb ("two officers and three militants were killed").
Each figure gets a group (security forces, attackers, civilians, everyone)
from the words around it. "Neutralised" and "detained" are kept apart from
"killed": they are not counted as deaths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from panjmap.intake.lang import Lang
from panjmap.intake.text import DIGITS

KINDS = ("killed", "injured", "neutralised", "detained")
_NUMERAL = re.compile(r"(?<![A-Za-z0-9.,:/№#\-])(\d{1,3})(?!\d)(?![:.,]\d|\s*[\-–]?\s*(?:km|kilom|mm|%|лет|год|year|st\b|nd\b|rd\b|th\b|月|日|年|號|号))")
_WINDOW = 100


@dataclass(frozen=True)
class Casualty:
    count: int
    kind: str          # one of KINDS
    group: str         # security, attackers, civilians, total, unspecified
    nationality: str | None
    sentence: str      # the verbatim sentence
    number_text: str


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    value: int | None  # None: a casualty cue
    kind: str = ""
    text: str = ""


def _numbers(sentence: str, lang: Lang) -> list[_Token]:
    tokens = []
    for match in _NUMERAL.finditer(sentence):
        value = int(match.group(1))
        before = sentence[max(0, match.start() - 4):match.start()]
        if 0 < value < 1000 and not re.search(r"(?:No|№|#|М|M)[\s.\-]*$", before):
            tokens.append(_Token(match.start(), match.end(), value, text=match.group(0)))
    words = {k: v for k, v in lang.table("numbers").items() if isinstance(v, int)}
    follow = lang.table("number_words").get("follow")
    free = set(lang.table("number_words").get("free", []))
    for match in lang.find(sentence, list(words), whole=bool(lang.data.get("number_word_boundaries", True))):
        value = next(v for k, v in words.items() if k.lower() == match.group(0).lower())
        if any(t.start <= match.start() < t.end for t in tokens):
            continue
        if match.group(0).lower() in ("a", "an") and (
                _group(sentence[match.end():match.end() + 25], lang) in ("unspecified", "total")
                or re.search(r"\b(?:of|from|by|with)\s+$", sentence[max(0, match.start() - 6):match.start()])):
            continue  # "a drone", "members of a group" are no count; "a border soldier", "a Chinese citizen" are one person
        if follow and match.group(0) not in free and not re.match(follow, sentence[match.end():]):
            continue  # "這一嚴重犯罪": not a count of people
        tokens.append(_Token(match.start(), match.end(), value, text=match.group(0)))
    return tokens


def _cues(sentence: str, lang: Lang) -> list[_Token]:
    cues = []
    table = lang.table("casualties")
    for kind in KINDS:
        for match in lang.find(sentence, table.get(kind, [])):
            cues.append(_Token(match.start(), match.end(), None, kind, match.group(0)))
    cues.sort(key=lambda t: (t.start, -(t.end - t.start)))
    kept: list[_Token] = []
    for cue in cues:  # overlapping cues ("shot dead" and "dead"): the first and longest wins
        if not kept or cue.start >= kept[-1].end:
            kept.append(cue)
    return kept


def _group(text: str, lang: Lang) -> str:
    table = lang.table("groups")
    best, where = "unspecified", None
    for group in ("security", "attackers", "civilians", "total"):
        for match in lang.find(text, table.get(group, [])):
            if where is None or match.start() < where:
                best, where = group, match.start()
    return best


def _nationality(text: str, lang: Lang) -> str | None:
    for name, words in lang.table("nationalities").items():
        if lang.has(text, words):
            return name
    return None


def find_casualties(sentence: str, lang: Lang, skip: list[tuple[int, int]] = ()) -> list[Casualty]:
    """Every casualty figure stated in one sentence (numbers inside ``skip`` spans, e.g. dates, are not figures)."""
    return _read(sentence, lang, skip)[0]


def _read(sentence: str, lang: Lang, skip) -> tuple[list[Casualty], list[_Token], list[_Token]]:
    """(figures, every number, the casualty verbs no number was tied to)."""
    sentence = sentence.translate(DIGITS)
    skip = list(skip) + [m.span() for m in lang.find(sentence, lang.table("casualties").get("zero", []))]
    numbers = sorted((t for t in _numbers(sentence, lang) if not any(a <= t.start < b for a, b in skip)),
                     key=lambda t: t.start)
    cues = _cues(sentence, lang)
    if not numbers or not cues:
        return [], numbers, cues
    left_only = lang.data.get("number_side") == "left"
    links: dict[int, _Token] = {}
    used_from: dict[tuple[int, str], int] = {}
    for i, number in enumerate(numbers):
        options = []
        for cue in cues:
            if cue.start >= number.end:      # number before its verb: "three ... were killed"
                side, distance = "left", cue.start - number.end
            elif not left_only:              # verb before its number: "killing two"
                side, distance = "right", number.start - cue.end
            else:
                continue
            if distance > _WINDOW:
                continue
            lo, hi = (number.end, cue.start) if side == "left" else (cue.end, number.start)
            if any(lo <= other.start < hi for other in numbers if other is not number):
                continue                     # another number stands between them
            if any(lo <= other.start < hi for other in cues if other is not cue) and side == "right":
                continue
            if side == "right" and (cues.index(cue), "left") in used_from:
                continue                     # "two killed and two injured": the verb is taken
            options.append((distance + (3 if side == "right" else 0), side, cue))
        if options:
            _, side, cue = min(options, key=lambda o: o[0])
            links[i] = cue
            used_from[(cues.index(cue), side)] = i
    coordinators = lang.table("casualties").get("coordinators", [])
    for i, number in enumerate(numbers):     # "two officers and three militants were killed"
        if i in links:
            continue
        for j in (i - 1, i + 1):
            if j in links and 0 <= j < len(numbers):
                lo, hi = sorted((numbers[j].end, number.start)) if j < i else sorted((number.end, numbers[j].start))
                between = sentence[lo:hi]
                if len(between) < 60 and lang.has(between, coordinators) and not any(lo <= c.start < hi for c in cues):
                    links[i] = links[j]
                    break
    out = []
    linked: set[int] = set()
    for i, cue in sorted(links.items()):
        number = numbers[i]
        lo, hi = min(number.start, cue.start), max(number.end, cue.end)
        phrase = sentence[lo:min(len(sentence), max(hi, number.end + 30))]
        # the people counted: the words between the number and its verb, or those after the number
        near = sentence[number.end:min(cue.start, number.end + 30)] if number.end <= cue.start else sentence[number.end:number.end + 40]
        group = _group(near, lang)
        if group == "unspecified" and hi - lo > 40:
            continue  # "an attack on one of the border posts ... were killed": no figure
        out.append(Casualty(number.value, cue.kind, group, _nationality(phrase, lang), sentence, number.text))
        linked.add(id(cue))
    return out, numbers, [c for c in cues if id(c) not in linked]


def counted_groups(sentence: str, lang: Lang, skip: list[tuple[int, int]] = ()) -> list[tuple[int, str]]:
    """People counted in the sentence whatever happened to them: "three members of a terrorist
    organisation crossed" -> (3, "attackers")."""
    _, numbers, _ = _read(sentence, lang, skip)
    text = sentence.translate(DIGITS)
    out = []
    for number in numbers:
        group = _group(text[number.end:number.end + 30], lang)
        if group in ("attackers", "security", "civilians"):
            out.append((number.value, group))
    return out


def unnumbered(sentence: str, lang: Lang, skip: list[tuple[int, int]] = ()) -> list[tuple[str, str | None]]:
    """Deaths (or neutralisations) stated without a number: (kind, group named before the verb, or
    None when only a pronoun names them). A hedged verb ("evidently killed") is not a statement."""
    _, _, free = _read(sentence, lang, skip)
    text = sentence.translate(DIGITS)
    table = lang.table("casualties")
    out = []
    for cue in free:
        if cue.kind not in ("killed", "neutralised"):
            continue
        before = text[max(0, cue.start - 50):cue.start]
        if lang.has(before[-20:], table.get("hedges", [])):
            continue
        group = _group(before, lang)
        if group in ("attackers", "security"):
            out.append((cue.kind, group))
        elif lang.find(text[:cue.start], table.get("pronouns", []), whole=lang.word_boundaries):
            out.append((cue.kind, None))
    return out


def says_no_casualties(sentence: str, lang: Lang) -> bool:
    """The sentence states there were no casualties (a reported 0, not an unknown)."""
    return lang.has(sentence, lang.table("casualties").get("zero", []))


def total(figures: list[Casualty], kind: str) -> int | None:
    """The number of ``kind`` for one incident from all its figures (None if none is stated).

    Repeated figures for a group count once (the largest); groups add up; an
    "everyone" figure is a floor; a figure naming nobody is the same people as a
    group with that count, a total if larger than the named groups, else more people.
    """
    figures = [f for f in figures if f.kind == kind]
    if not figures:
        return None
    by_group: dict[str, int] = {}
    for f in figures:
        if f.group != "unspecified":
            by_group[f.group] = max(by_group.get(f.group, 0), f.count)
    floor = by_group.pop("total", 0)
    named = sum(by_group.values())
    extra = 0
    for count in sorted({f.count for f in figures if f.group == "unspecified"}):
        if count in by_group.values() or count == floor:
            continue            # "all three were killed" after "three militants": the same people
        if count >= named:
            floor = max(floor, count)   # "five others were injured" beside "four Chinese": a total
        else:
            extra += count      # "two more were killed" beside "three militants": other people
    return max(floor, named + extra)
