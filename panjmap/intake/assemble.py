"""From an article to candidate records: sentences -> segments -> incidents -> candidates.

A sentence is cut where it dates a second event ("on November 26 ... while on
November 30 ..."). Each dated segment joins the incident whose dates overlap or
touch its own and whose district does not contradict it, or starts a new one;
undated segments belong to the incident told just before (or to the first one
for the lead), except when they refer back to one by ordinal ("the first
attack"). Segments that sum up several incidents ("two attacks", "the past
week") feed none, so their totals are not read as one event's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from panjmap.intake import casualties as cas
from panjmap.intake import events
from panjmap.intake.claims import find_actors, find_claims, has_origin_afghanistan
from panjmap.intake.dates import DateFinder, DateMention, precision_of
from panjmap.intake.gazetteer import RANK, Place, PlaceMention, fold, load_gazetteer
from panjmap.intake.lang import Lang
from panjmap.intake.matching import find_matches, year_from_records
from panjmap.intake.text import Source, split_sentences, url_month

_ANCHOR = 2000
# fields read from the same sentence as another field
_EVIDENCE_OF = {
    "end_date": "event_date", "time_precision": "event_date",
    "latitude": "location", "longitude": "location", "geo_precision": "location", "country": "location",
    "admin1": "location", "admin2": "location", "reported_location": "location",
    "sub_event_type": "event_type", "victim_nationality": "fatalities",
}
# armed actors that can be the other side of a clash with the Tajik border troops
ARMED_ACTORS = ("Taliban", "Islamic State Khorasan Province (ISKP)", "Jamaat Ansarullah",
                "East Turkestan Islamic Movement (ETIM)", "Drug smugglers")


@dataclass
class Segment:
    sentence: str            # the whole sentence: the verbatim quote
    text: str                # the part of it this segment covers
    date: DateMention | None
    dates: list[DateMention]         # every event date in the segment (a night may take two)
    said: DateMention | None         # the date of a statement the segment reports
    places: list[PlaceMention]
    reported: list[str]
    figures: list[cas.Casualty]
    summary: bool
    new_incident: bool
    ordinal: int | None
    zero: bool
    eventful: bool
    actors: bool = False             # names an actor (a dateline or a byline does not)
    claims: bool = False             # attributes the incident to someone


@dataclass
class Incident:
    segments: list[Segment] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    bound: DateMention | None = None   # undated, but told as said on this day: happened before it

    def districts(self) -> set[str]:
        return {m.place.admin2 for s in self.segments for m in s.places
                if m.role == "event" and m.place.admin2 and m.place.kind in ("district", "place", "site")}

    def has_content(self) -> bool:
        return any(s.figures or s.eventful or s.zero for s in self.segments)


def _clusters(dates: list[DateMention]) -> list[list[DateMention]]:
    """Dates grouped by overlap (or touching days): one group per incident they can date."""
    groups: list[list[DateMention]] = []
    for date in dates:
        for group in groups:
            if any(_touch(date, other) for other in group):
                group.append(date)
                break
        else:
            groups.append([date])
    return groups


def _starts_after(incident: Incident, said: DateMention | None) -> bool:
    """The incident's dates all lie after the statement ``said``: the statement is about another one."""
    if said is None or not incident.dates:
        return False
    anchor = not all(d.year_known for d in incident.dates) or not said.year_known
    return min(_range(d, anchor)[0] for d in incident.dates) > _range(said, anchor)[1]


def _range(m: DateMention, anchor_all: bool) -> tuple[int, int]:
    if anchor_all or not m.year_known:
        first = dt.date(_ANCHOR, m.first.month, m.first.day).toordinal()
        return first, first + (m.last - m.first).days
    return m.first.toordinal(), m.last.toordinal()


def _touch(a: DateMention, b: DateMention, slack: int = 1) -> bool:
    anchor = not (a.year_known and b.year_known)
    a1, a2 = _range(a, anchor)
    b1, b2 = _range(b, anchor)
    return a1 <= b2 + slack and b1 <= a2 + slack


class Assembler:
    def __init__(self, source: Source, lang: Lang, today: dt.date | None = None):
        self.source = source
        self.lang = lang
        self.gazetteer = load_gazetteer()
        self.finder = DateFinder(lang, source.published, today=today, anchor=self._anchor(today))

    def _anchor(self, today: dt.date | None) -> tuple[dt.date, str] | None:
        """Without a publication date, the latest day the text writes with its year (or the year
        and month in its address): year-less days are read in that year."""
        if self.source.published is not None:
            return None
        plain = DateFinder(self.lang, None, today=today)
        written = [m.last for s in split_sentences(self.source.text) for m in plain.find(s.text)
                   if m.year_known and m.precision == 1 and not m.note]
        if written:
            return max(written), f"a date written in full in the text ({max(written).isoformat()})"
        month = url_month(self.source.url)
        if month:
            return month, f"the year and month in the address ({month:%Y-%m})"
        return None

    # ------------------------------------------------------------------ segments

    def segments(self) -> list[Segment]:
        out: list[Segment] = []
        cues = self.lang.table("cues")
        for sentence in split_sentences(self.source.text):
            text = sentence.text
            verbatim = self.source.original[sentence.start:sentence.start + len(text)] or text
            every = [m for m in self.finder.find(text) if m.note != "unresolved weekday"]
            mentions = [m for m in every if m.kind == "event"]
            cuts = [0]
            for prev, mention in zip(mentions, mentions[1:]):
                if not _touch(prev, mention, slack=0):
                    cuts.append(mention.start)
            cuts.append(len(text))
            for lo, hi in zip(cuts, cuts[1:]):
                piece = text[lo:hi]
                dated = [m for m in mentions if lo <= m.start < hi]
                said = [m for m in every if m.kind == "statement" and lo <= m.start < hi]
                figures = [replace(f, sentence=verbatim) for f in
                           cas.find_casualties(piece, self.lang, skip=[(m.start - lo, m.end - lo) for m in every])]
                eventful = bool(self.lang.has(piece, [c for v in self.lang.table("events").values() for c in v])
                                or self.lang.has(piece, cues.get("event", [])))
                ordinal = None
                for phrase, number in self.lang.table("ordinals").items():
                    if self.lang.has(piece, [phrase]):
                        ordinal = int(number)
                out.append(Segment(
                    sentence=verbatim, text=piece, date=dated[0] if dated else None, dates=dated,
                    said=said[0] if said else None,
                    places=self.gazetteer.find(piece, self.lang),
                    reported=[name for _, _, name in self.gazetteer.reported_names(piece, self.lang)],
                    figures=figures,
                    summary=self.lang.has(piece, cues.get("multi_incident", [])) or any(m.note == "list" for m in dated),
                    new_incident=self.lang.has(piece, cues.get("new_incident", [])),
                    ordinal=ordinal, zero=cas.says_no_casualties(piece, self.lang), eventful=eventful,
                    actors=bool(find_actors(piece, self.lang)), claims=bool(find_claims(piece, self.lang)),
                ))
        return out

    # ------------------------------------------------------------------ incidents

    def incidents(self, segments: list[Segment]) -> list[Incident]:
        precise = [s.date for s in segments if s.date and s.date.precision == 1 and not s.summary
                   and (s.eventful or s.figures or s.new_incident or s.places or s.actors)]
        incidents: list[Incident] = []
        current: Incident | None = None
        lead: list[Segment] = []
        for seg in segments:
            if seg.summary:
                continue
            # a day-exact date dates an event unless said of a statement; a vaguer one ("in August 2021")
            # only when the segment tells of violence
            told = seg.eventful or seg.figures or seg.new_incident
            date = seg.date if seg.date and (told or (seg.date.precision == 1 and (seg.places or seg.actors))) else None
            if date and seg.claims and not seg.figures:
                date = None  # "last week the ministry blamed ...": the date of a claim about an incident
            dates = seg.dates
            if date and date.precision > 1:
                inside = _clusters([p for p in precise if _touch(date, p, slack=0)])
                if len(inside) > 1:
                    continue  # "in late November", "the past week": a span holding several incidents sums them up
                if inside:      # "earlier this week" when the text dates one event in that week: that event
                    date, dates = inside[0][0], []
            if date:
                current = self._incident_for(seg, date, incidents, dates)
            elif seg.new_incident and (seg.figures or seg.eventful) and current is not None and current.has_content():
                current = Incident([seg])
                incidents.append(current)
            elif seg.ordinal is not None and (seg.figures or seg.eventful):
                index = seg.ordinal - 1 if seg.ordinal > 0 else len(incidents) - 1
                if 0 <= index < len(incidents):
                    current = incidents[index]
                    current.segments.append(seg)
                else:
                    current = Incident([seg])
                    incidents.append(current)
            elif seg.said and seg.figures and current is not None and _starts_after(current, seg.said):
                # "the embassy said on 28 November that three were killed": an event before that day,
                # not the one told next or before if that one is later
                current = Incident([seg], bound=seg.said)
                incidents.append(current)
            elif current is not None:
                current.segments.append(seg)
            elif seg.places or lead:
                lead.append(seg)     # the lead: from the first sentence naming a place of this story
        if lead:
            first = next((i for i in incidents if not (i.bound and not i.dates)), None)
            lead_districts = Incident(lead).districts()
            if (first is not None and not any(_starts_after(first, s.said) for s in lead if s.said)
                    and not (lead_districts and first.districts() and not lead_districts & first.districts())):
                first.segments[:0] = lead
            else:
                said = next((s.said for s in lead if s.said), None)
                incidents.insert(0, Incident(lead, bound=said))
        return [i for i in incidents if i.has_content()]

    def _incident_for(self, seg: Segment, date: DateMention, incidents: list[Incident],
                      dates: list[DateMention]) -> Incident:
        districts = {m.place.admin2 for m in seg.places if m.role == "event" and m.place.admin2}
        for incident in incidents:
            if not any(_touch(date, d) for d in incident.dates):
                continue
            theirs = incident.districts()
            if districts and theirs and not districts & theirs:
                continue
            incident.segments.append(seg)
            incident.dates.extend(dates)
            return incident
        incident = Incident([seg], list(dates) or [date])
        incidents.append(incident)
        return incident

    # ------------------------------------------------------------------ candidate fields

    def candidate(self, incident: Incident) -> dict:
        evidence: dict[str, dict] = {}
        cand: dict = {}
        place, place_note, place_quote, reported = self._place(incident)
        cand.update({
            "location": place.name if place else None,
            "latitude": place.latitude if place else None,
            "longitude": place.longitude if place else None,
            "geo_precision": place.geo_precision if place else None,
            "country": place.country if place else None,
            "admin1": place.admin1 if place else None,
            "admin2": place.admin2 if place else None,
            "reported_location": reported,
        })
        evidence["location"] = {"quote": place_quote, "note": place_note}
        first, last, date_note, date_quote = self._dates(incident, cand["admin2"])
        cand = {"event_date": first.isoformat() if first else None,
                "end_date": last.isoformat() if last else None,
                "time_precision": precision_of(first, last) if first else None, **cand}
        evidence["event_date"] = {"quote": date_quote, "note": date_note}
        figures = self._figures(incident)
        zero_quote = next((s.sentence for s in incident.segments if s.zero), None)
        for field_name, kind in (("fatalities", "killed"), ("injuries", "injured"),
                                 ("neutralised", "neutralised"), ("detained", "detained")):
            value = cas.total(figures, kind)
            quotes = list(dict.fromkeys(f.sentence for f in figures if f.kind == kind))
            note = "" if quotes else "not reported"
            if value is None and zero_quote and kind in ("killed", "injured"):
                value, quotes, note = 0, [zero_quote], "the text says there were none"
            cand[field_name] = value
            evidence[field_name] = {"quote": " … ".join(quotes) or None, "note": note}
        sentences = list(dict.fromkeys(s.text for s in incident.segments))
        kinds = {f.group for f in figures if f.kind == "killed" or f.kind == "injured"}
        security_only = bool(kinds) and kinds <= {"security", "attackers"}
        hurt = frozenset(f.group for f in figures if f.kind in ("killed", "injured"))
        event_type, sub_type, event_quote = events.classify(sentences, self.lang, security_only, hurt)
        cand["event_type"], cand["sub_event_type"] = event_type, sub_type
        note = "" if event_quote else ("no event words: typed from who was hurt" if event_type else "no event words found")
        if event_type and not event_quote:
            event_quote = next((f.sentence for f in figures if f.kind in ("killed", "injured")), None)
        evidence["event_type"] = {"quote": event_quote, "note": note}
        cand["actors"], evidence["actors"] = self._actors(incident, figures, event_type)
        claims = []
        for seg in incident.segments:
            for claim in find_claims(seg.text, self.lang):
                if any((c["actor"], c["stance"], c["claimant"]) == (claim.actor, claim.stance, claim.claimant)
                       for c in claims):
                    continue
                claims.append({"actor": claim.actor, "stance": claim.stance, "claimant": claim.claimant,
                               "claimant_type": claim.claimant_type, "quote": seg.sentence})
        cand["claims"] = claims
        nationalities = sorted({f.nationality for f in figures if f.nationality and f.group in ("civilians", "total", "unspecified")})
        cand["victim_nationality"] = "|".join(nationalities) or None
        cand["matches"] = find_matches(cand)
        for field_name, source_field in _EVIDENCE_OF.items():
            evidence[field_name] = evidence[source_field]
        claim_quotes = list(dict.fromkeys(c["quote"] for c in claims))
        evidence["claims"] = {"quote": " … ".join(claim_quotes) or None,
                              "note": "each claim carries its own quote" if claims else "no claim found"}
        evidence["matches"] = {"quote": None, "note": "compared with the curated records (same district, overlapping dates)"}
        cand["evidence"] = evidence
        return cand

    def _figures(self, incident: Incident) -> list[cas.Casualty]:
        """The incident's figures, plus deaths stated without a number ("they were killed", "the
        terrorists were destroyed") counted from the people the incident counted before."""
        figures = [f for s in incident.segments for f in s.figures]
        counted: list[tuple[int, str]] = []
        for seg in incident.segments:
            for kind, group in cas.unnumbered(seg.text, self.lang):
                group = group or (counted[-1][1] if counted else None)
                count = next((n for n, g in reversed(counted) if g == group), None)
                if count and not any(f.kind == kind and f.group == group for f in figures):
                    figures.append(cas.Casualty(count, kind, group, None, seg.sentence, ""))
            counted += cas.counted_groups(seg.text, self.lang)
        return figures

    def _place(self, incident: Incident) -> tuple[Place | None, str, str | None, str | None]:
        told = [s for s in incident.segments if s.eventful or s.figures or s.date is not None]
        mentions = [(m, s) for s in told for m in s.places if m.role == "event"]
        named_districts = {m.place.admin2 for m, _ in mentions if m.place.kind == "district"}
        usable = [(m, s) for m, s in mentions
                  if not named_districts or m.place.admin2 in named_districts or m.place.kind in ("region", "country")]
        reported_names = [(name, s) for s in told for name in s.reported
                          if not self.gazetteer.lookup(fold(name), fuzzy=False)]
        if not usable:
            if reported_names:
                name, seg = reported_names[0]
                return None, f"{name} is not in the gazetteer and no district is named: not placed", seg.sentence, name
            return None, "no place named in the text: left empty", None, None
        # a place that is also an actor's name ("the administration in Kabul", "Dushanbe said")
        # stands for a government: it places the event only when nothing else does
        actor_spans = {id(s): [(a.start, a.end) for a in find_actors(s.text, self.lang)] for _, s in usable}
        def rank(ms: tuple[PlaceMention, Segment]) -> tuple[int, int]:
            m, s = ms
            metonym = any(a <= m.start < b or m.start <= a < m.end for a, b in actor_spans[id(s)])
            return (RANK[m.place.kind] + (10 if metonym else 0), 0)
        best, seg = min(usable, key=rank)
        place = best.place
        reported = place.reported
        note = place.note
        if place.kind in ("district", "site") and reported_names:
            name, seg2 = reported_names[0]
            if place.kind == "district" or name.lower() not in (place.reported or "").lower():
                reported = name
                note = f"{name} is not in the gazetteer: {place.note or 'placed at the district centre'}"
                seg = seg2 if place.kind == "district" else seg
        if place.kind == "district" and not reported:
            note = f"only the district is named: {place.note}"
        if place.kind == "country":
            return place, "only the country is named: location left empty", seg.sentence, None
        return place, note, seg.sentence, reported

    def _dates(self, incident: Incident, admin2: str | None) -> tuple[dt.date | None, dt.date | None, str, str | None]:
        dates = incident.dates
        if not dates and incident.bound is not None and incident.bound.year_known:
            said = incident.bound
            quote = next((s.sentence for s in incident.segments if s.said is said), incident.segments[0].sentence)
            return (said.first - dt.timedelta(days=6), said.first,
                    f"no date stated: the week up to the statement of {said.first.isoformat()}", quote)
        if not dates:
            pub = self.source.published
            if pub:
                return pub - dt.timedelta(days=6), pub, "no date stated: the week up to publication", None
            return None, None, "no date stated and the publication date is unknown", None
        quote = next((s.sentence for s in incident.segments if dates[0] in s.dates or s.date is dates[0]),
                     incident.segments[0].sentence)
        known = [d for d in dates if d.year_known]
        if known:
            first, last = min(d.first for d in known), max(d.last for d in known)
            return first, last, "; ".join(dict.fromkeys(d.note for d in known if d.note)), quote
        inferred = year_from_records(dates[0].first.month, dates[0].first.day, admin2)
        if inferred:
            year, record = inferred
            placed = [d.with_year(year) for d in dates]
            return (min(d.first for d in placed), max(d.last for d in placed),
                    f"the text gives no year and no publication date: year {year} from record {record} (same district, within 3 days)",
                    quote)
        return None, None, f"'{dates[0].text}' has no year and the publication date is unknown (give --published)", quote

    def _actors(self, incident: Incident, figures: list[cas.Casualty], event_type: str | None) -> tuple[list[dict], dict]:
        actors: list[dict] = []
        named = [(m.actor, s.sentence) for s in incident.segments if not s.claims
                 for m in find_actors(s.text, self.lang) if not m.is_media]
        claimed = [c for s in incident.segments for c in find_claims(s.text, self.lang) if c.stance == "claimed"]
        origin = next((s.sentence for s in incident.segments if has_origin_afghanistan(s.text, self.lang)
                       or any(m.role == "origin" and m.place.country == "Afghanistan" for m in s.places)), None)
        if claimed:
            perpetrator, quote, note = claimed[0].actor, claimed[0].quote, "claimed responsibility"
        elif origin:
            perpetrator, quote, note = "Unidentified Armed Group (Afghanistan)", origin, "attackers came from Afghanistan; not identified"
        else:
            perpetrator, quote, note = None, None, "perpetrator not named"
        groups = {f.group for f in figures}
        border = next((q for a, q in named if a == "Military Forces of Tajikistan (1992-) Border Troops"), None)
        armed = next(((a, q) for a, q in named if a in ARMED_ACTORS), None)
        if event_type == "Battles" and border:
            actors.append({"actor": "Military Forces of Tajikistan (1992-) Border Troops", "role": "actor1", "quote": border})
            if claimed or not armed:
                if perpetrator:
                    actors.append({"actor": perpetrator, "role": "actor2", "quote": quote, "note": note})
            else:  # the other side named in the telling ("Taliban forces", "контрабандисты")
                actors.append({"actor": armed[0], "role": "actor2", "quote": armed[1], "note": "named as the other side"})
        elif border and groups & {"attackers"} and not groups & {"civilians", "security"}:
            # the border troops struck the intruders ("двое нарушителей уничтожены с помощью дрона")
            actors.append({"actor": "Military Forces of Tajikistan (1992-) Border Troops", "role": "actor1", "quote": border})
            other = armed or ((perpetrator, quote) if perpetrator else None)
            if other:
                actors.append({"actor": other[0], "role": "actor2", "quote": other[1]})
        else:
            if perpetrator:
                actors.append({"actor": perpetrator, "role": "actor1", "quote": quote, "note": note})
            victims = [f for f in figures if f.group in ("civilians", "total", "unspecified") and f.nationality in ("Chinese", "Tajik")]
            if victims and "civilians" in groups | {"total"}:
                actors.append({"actor": f"Civilians ({'China' if victims[0].nationality == 'Chinese' else 'Tajikistan'})",
                               "role": "actor2", "quote": victims[0].sentence})
            elif border and "security" in groups:
                actors.append({"actor": "Military Forces of Tajikistan (1992-) Border Troops", "role": "actor2", "quote": border})
        note = "" if actors else "no actor identified"
        return actors, {"quote": actors[0]["quote"] if actors else None, "note": note}
