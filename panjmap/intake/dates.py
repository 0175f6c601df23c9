"""Dates in a text: absolute ones as written, relative ones resolved against the publication date.

Each mention becomes a first and last possible day. A day and month without a
year take the publication's year (the year before if that would put the day
after publication); with no publication date the year stays unknown unless a
stated weekday fixes it. Mentions next to a speech verb ("said on Thursday",
"in a December 1 statement") are the dates of statements, not of events.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

import dateparser

from panjmap.intake import solar_hijri
from panjmap.intake.lang import Lang
from panjmap.intake.text import DIGITS

_ANCHOR_YEAR = 2000  # leap year: compares month/day pairs whose year is unknown
_PUNCT = re.compile(r"[;:«»\"“”()\[\]。；：]")


@dataclass(frozen=True)
class DateMention:
    """A date range read from the text at ``start``..``end`` (offsets in the text)."""

    start: int
    end: int
    text: str
    first: dt.date          # with year _ANCHOR_YEAR when ``year_known`` is False
    last: dt.date
    year_known: bool
    kind: str = "event"     # "event" or "statement"
    note: str = ""
    weekday: int | None = None

    @property
    def precision(self) -> int:
        return precision_of(self.first, self.last)

    def with_year(self, year: int) -> "DateMention":
        """This mention placed in ``year`` (a range may run into the next year)."""
        first = _set_year(self.first, year)
        last = _set_year(self.last, year + (self.last.year - self.first.year))
        return replace(self, first=first, last=last, year_known=True)


def precision_of(first: dt.date, last: dt.date) -> int:
    """ACLED time precision of a range: 1 day (or a night across two), 2 about a week, 3 longer."""
    days = (last - first).days
    return 1 if days <= 1 else 2 if days <= 10 else 3


def _set_year(day: dt.date, year: int) -> dt.date:
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _parse_with_dateparser(text: str, lang: Lang, published: dt.date | None, require_day: bool = True) -> dt.date | None:
    """dateparser (multilingual, RELATIVE_BASE = publication date) for phrases the language file
    finds but does not compute itself: "N days ago", and day-month phrases our patterns could not build."""
    settings = {"PREFER_DATES_FROM": "past"}
    if require_day:
        settings["REQUIRE_PARTS"] = ["day", "month"]
    if published:
        settings["RELATIVE_BASE"] = dt.datetime.combine(published, dt.time(12))
    parsed = dateparser.parse(text, languages=[lang.code] if lang.code != "tk" else None, settings=settings)
    return parsed.date() if parsed else None


class DateFinder:
    """Finds date mentions in one language, relative to one publication date."""

    def __init__(self, lang: Lang, published: dt.date | None, today: dt.date | None = None,
                 anchor: tuple[dt.date, str] | None = None):
        self.lang = lang
        self.published = published
        # without a publication date: a later day this text is known to speak from, and where that is said
        self.anchor = anchor
        self.today = today or dt.date.today()
        self.months = {k.lower(): int(v) for k, v in lang.table("months").items()}
        self.solar = {k.lower(): int(v) for k, v in lang.table("solar_months").items()}
        self.weekdays = {k.lower(): int(v) for k, v in lang.table("weekdays").items()}
        words = lang.table("date_words")
        self.night_of = [w for w in words.get("night_of", ["night of", "overnight"])]
        self.night_into = list(words.get("night_into", []))
        self.last_year = list(words.get("last_year", []))
        suffixes = "|".join(re.escape(s) for s in words.get("ordinal_suffix", []))
        self.suffix = f"(?:{suffixes})?" if suffixes else ""

    # ----------------------------------------------------------------- patterns

    def _month_regex(self, names: dict[str, int]) -> str:
        body = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        tail = r"\w*\.?" if self.lang.word_boundaries else ""
        left = r"(?<!\w)" if self.lang.word_boundaries else ""
        return f"{left}(?P<month>{body}){tail}"

    def _month_of(self, word: str, names: dict[str, int]) -> int | None:
        word = word.lower()
        for name in sorted(names, key=len, reverse=True):
            if word.startswith(name):
                return names[name]
        return None

    def find(self, text: str) -> list[DateMention]:
        """Every date mention in ``text`` (one sentence), in order, not overlapping."""
        text = text.translate(DIGITS)  # Persian, Arabic and Bengali digits; same offsets
        found: list[DateMention] = []
        taken: list[tuple[int, int]] = []

        def free(a: int, b: int) -> bool:
            return all(b <= s or a >= e for s, e in taken)

        def add(mention: DateMention | None) -> None:
            if mention and free(mention.start, mention.end):
                found.append(mention)
                taken.append((mention.start, mention.end))

        for regex, builder in self._patterns():
            for match in regex.finditer(text):
                if free(match.start(), match.end()):
                    add(builder(match, text))
        for mention in self._weekdays(text):
            add(self._attach_weekday(mention, found) or mention)
        for mention in self._relative(text):
            add(mention)
        found = [m for m in found if m is not None and m.note != "absorbed"]
        found.sort(key=lambda m: m.start)
        return [self._classify(m, text) for m in found]

    def _patterns(self):
        day = r"(?P<day>\d{1,2})" + self.suffix
        day2 = r"(?:\s*(?:-|–|—|/|and|и|to)\s*(?P<day2>\d{1,2})" + self.suffix + ")?"
        year = r"(?:\s*,?\s*(?P<year>(?:19|20)\d\d)(?!\d))?"
        patterns = [  # numeric dates, any language: 23.12.2025, 2025-12-23
            (re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>20\d\d)(?!\d)"), self._from_groups),
            (re.compile(r"(?<![\d-])(?P<year>20\d\d)-(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])"), self._from_groups),
        ]
        for regex in self.lang.table("patterns").values():
            patterns.append((re.compile(regex), self._from_groups))
        if self.solar:
            solar = self._month_regex(self.solar).replace("?P<month>", "?P<smonth>")
            patterns.append((re.compile(rf"(?<!\d){day}\s+{solar}\s*,?\s*(?P<syear>1[34]\d\d)(?!\d)", re.I),
                             self._from_solar))
        if self.months:
            month = self._month_regex(self.months)
            patterns.append((re.compile(rf"(?<![\d.:])(?P<day>\d{{1,2}}){self.suffix}{day2}\s+(?:of\s+)?{month}{year}", re.I),
                             self._from_groups))
            patterns.append((re.compile(rf"{month}\s+{day}(?![\d:.]\d){day2}{year}", re.I), self._from_groups))
            patterns.append((re.compile(rf"{month}\s+(?P<year>(?:19|20)\d\d)(?!\d)", re.I), self._from_month_year))
            if self.last_year:
                last = "|".join(re.escape(w) for w in self.last_year)
                patterns.append((re.compile(rf"{month}\s+(?:of\s+)?(?:{last})", re.I), self._from_month_last_year))
        return patterns

    # ----------------------------------------------------------------- builders

    def _mention(self, match: re.Match[str], first: dt.date, last: dt.date, year_known: bool,
                 note: str = "") -> DateMention:
        return DateMention(match.start(), match.end(), match.group(0), first, last, year_known, note=note)

    def _from_groups(self, match: re.Match[str], text: str) -> DateMention | None:
        groups = match.groupdict()
        month_word = groups.get("month")
        month = int(month_word) if month_word and month_word.isdigit() else self._month_of(month_word or "", self.months)
        if month is None and self.published and groups.get("day"):
            # a day alone ("28日") is in the month of publication, or the month before
            ref = self.published if int(groups["day"]) <= self.published.day else self.published.replace(day=1) - dt.timedelta(days=1)
            month, groups["year"] = ref.month, str(ref.year)
        if month is None or not groups.get("day"):
            return None
        day = int(groups["day"])
        day2 = int(groups["day2"]) if groups.get("day2") else None
        year = int(groups["year"]) if groups.get("year") else None
        anchor_year = year or _ANCHOR_YEAR
        first = _safe_date(anchor_year, month, day)
        if first is None:
            parsed = _parse_with_dateparser(match.group(0), self.lang, self.published)
            if parsed is None:
                return None
            first, year = parsed, parsed.year
        last = first
        listed = False
        if day2 is not None:
            if day2 < day or day2 - day > 7:
                return None
            # "26 and 30 November" lists two days (two events); "17 and 18 January" is one night
            listed = day2 - day > 1 and bool(re.search(r"\s(?:and|и|va|we)\s", match.group(0), re.I))
            last = first if listed else (_safe_date(first.year, month, day2) or first)
        first, last = self._night(text, match.start(), match.end(), first, last)
        mention = self._mention(match, first, last, year is not None, note="list" if listed else "")
        return mention if year is not None else self._place_year(mention)

    def _from_solar(self, match: re.Match[str], text: str) -> DateMention | None:
        month = self._month_of(match.group("smonth"), self.solar)
        try:
            day = solar_hijri.to_gregorian(int(match.group("syear")), month or 0, int(match.group("day")))
        except ValueError:
            return None
        first, last = self._night(text, match.start(), match.end(), day, day)
        return self._mention(match, first, last, True, note="Solar Hijri date converted")

    def _from_month_year(self, match: re.Match[str], text: str) -> DateMention | None:
        month = self._month_of(match.group("month"), self.months)
        year = int(match.group("year"))
        if month is None:
            return None
        return self._mention(match, dt.date(year, month, 1),
                             dt.date(year, month, calendar.monthrange(year, month)[1]), True)

    def _from_month_last_year(self, match: re.Match[str], text: str) -> DateMention | None:
        month = self._month_of(match.group("month"), self.months)
        if month is None or self.published is None:
            return None
        year = self.published.year - 1
        return self._mention(match, dt.date(year, month, 1),
                             dt.date(year, month, calendar.monthrange(year, month)[1]), True,
                             note="'last year' counted from the publication date")

    def _night(self, text: str, start: int, end: int, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
        before = text[max(0, start - 14):start].lower()
        after = text[end:end + 10].lower()
        if any(w.lower() in before for w in self.night_into):
            return first - dt.timedelta(days=1), last     # "в ночь на 18 января": 17-18 January
        if first == last and any(w.lower() in before or w.lower() in after for w in self.night_of):
            return first, last + dt.timedelta(days=1)     # "the night of 26 November": into the 27th
        return first, last

    def _place_year(self, mention: DateMention) -> DateMention:
        """Give a year to a day and month written without one."""
        if self.published:
            candidate = mention.with_year(self.published.year)
            if candidate.first > self.published:
                candidate = mention.with_year(self.published.year - 1)
            return replace(candidate, note=mention.note or "year of publication")
        if self.anchor:
            day, origin = self.anchor
            candidate = mention.with_year(day.year)
            if candidate.first > day + dt.timedelta(days=62):
                candidate = mention.with_year(day.year - 1)
            return replace(candidate, note=f"no publication date: year from {origin}")
        return mention

    def _attach_weekday(self, weekday: DateMention, found: list[DateMention]) -> DateMention | None:
        """'Wednesday, November 26': the weekday joins the date next to it (and can fix its year)."""
        for i, other in enumerate(found):
            if 0 <= other.start - weekday.end <= 4 or 0 <= weekday.start - other.end <= 4:
                merged = replace(other, start=min(other.start, weekday.start), end=max(other.end, weekday.end),
                                 text=other.text, weekday=weekday.weekday)
                if not merged.year_known:
                    merged = self._year_from_weekday(merged)
                found[i] = merged
                return replace(weekday, note="absorbed")
        return None

    def _year_from_weekday(self, mention: DateMention) -> DateMention:
        assert mention.weekday is not None
        for year in range(self.today.year, self.today.year - 12, -1):
            candidate = mention.with_year(year)
            if candidate.first <= self.today and candidate.first.weekday() == mention.weekday:
                return replace(candidate, note="year from the stated weekday")
        return mention

    def _weekdays(self, text: str) -> list[DateMention]:
        out = []
        for match in self.lang.find(text, list(self.weekdays)):
            wd = self._month_of(match.group(0), {k.rstrip("$"): v for k, v in self.weekdays.items()})
            if wd is None:
                continue
            end = match.end()
            while self.lang.word_boundaries and end < len(text) and text[end].isalpha():
                end += 1
            if self.published:
                back = (self.published.weekday() - wd) % 7
                day = self.published - dt.timedelta(days=back)
                first, last = self._night(text, match.start(), end, day, day)
                out.append(DateMention(match.start(), end, text[match.start():end], first, last, True,
                                       note="weekday counted back from the publication date", weekday=wd))
            else:
                out.append(DateMention(match.start(), end, text[match.start():end], dt.date(_ANCHOR_YEAR, 1, 1),
                                       dt.date(_ANCHOR_YEAR, 1, 1), False, note="unresolved weekday", weekday=wd))
        return out

    def _relative(self, text: str) -> list[DateMention]:
        if self.published is None:
            return []
        pub = self.published
        out = []
        for phrase, back in self.lang.table("relative_days").items():
            for match in self.lang.find(text, [phrase], whole=self.lang.word_boundaries):
                day = pub - dt.timedelta(days=int(back))
                out.append(DateMention(match.start(), match.end(), match.group(0), day, day, True,
                                       note="counted back from the publication date"))
        for phrase, back in self.lang.table("relative_nights").items():
            for match in self.lang.find(text, [phrase], whole=self.lang.word_boundaries):
                day = pub - dt.timedelta(days=int(back))
                out.append(DateMention(match.start(), match.end(), match.group(0), day,
                                       min(day + dt.timedelta(days=1), pub), True,
                                       note="a night counted back from the publication date"))
        for regex in self.lang.table("ago").values():
            # "three days ago", "два дня назад", "۳ روز پیش": dateparser counts back from publication
            for match in re.finditer(regex, text, re.I):
                parsed = _parse_with_dateparser(match.group(0), self.lang, pub, require_day=False)
                if parsed is None or parsed > pub:
                    continue
                weeks = bool(re.search(r"week|недел|هفته|周|週|hafta|ہفت", match.group(0), re.I))
                first, last = (parsed - dt.timedelta(days=3), min(parsed + dt.timedelta(days=3), pub)) if weeks else (parsed, parsed)
                out.append(DateMention(match.start(), match.end(), match.group(0), first, last, True,
                                       note="counted back from the publication date (dateparser)"))
        for phrase, (a, b) in self.lang.table("periods").items():
            for match in self.lang.find(text, [phrase]):
                monday = pub - dt.timedelta(days=pub.weekday())
                if a == "previous_week":     # the calendar week before the publication's
                    first, last = monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
                    out.append(DateMention(match.start(), match.end(), match.group(0), first, last, True,
                                           note="the calendar week before publication"))
                    continue
                if a == "week":
                    first = monday
                elif a == "month":
                    first = pub.replace(day=1)
                elif a == "previous_month":
                    first = (pub.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
                else:
                    first = pub - dt.timedelta(days=int(a))
                last = pub - dt.timedelta(days=int(b))
                out.append(DateMention(match.start(), match.end(), match.group(0), first, last, True,
                                       note="a period counted back from the publication date"))
        return out

    # ----------------------------------------------------------------- statement or event

    def _classify(self, mention: DateMention, text: str) -> DateMention:
        if mention.precision > 1:
            return mention  # statements are dated by the day; "in November last year" dates an event
        before = _PUNCT.split(text[max(0, mention.start - 40):mention.start])[-1]
        after = _PUNCT.split(text[mention.end:mention.end + 45])[0]
        cues = self.lang.table("cues")
        # "On 1 December, the embassy said": a sentence that opens with its date dates the saying;
        # "clashed on Thursday evening, sources told": a speech verb after a comma is the attribution
        opening = mention.start <= 25
        clause = re.split(r"[,，、]", after)[0]
        speech = _nearest(self.lang, before, after if opening else clause, cues.get("speech", []), strict_before=True)
        event = _nearest(self.lang, before, after, cues.get("event", []), strict_before=False)
        if speech is None and not opening and _nearest(self.lang, "", after, cues.get("speech", []), False) is not None:
            # "..., on Thursday, the committee said": the saying's date unless the clause before tells the event
            if not self.lang.has(text[:mention.start], cues.get("event", [])):
                return replace(mention, kind="statement")
        if speech is not None and (event is None or speech < event):
            return replace(mention, kind="statement")
        return mention


def _nearest(lang: Lang, before: str, after: str, terms: list[str], strict_before: bool) -> int | None:
    """Characters between the date and the nearest of ``terms`` around it (None if none)."""
    best = None
    for match in lang.find(after, terms):
        best = match.start() if best is None else min(best, match.start())
    for match in lang.find(before, terms):
        between = before[match.end():]
        if strict_before and re.search(r"[,，、]", between):
            continue  # "X said, yesterday ..." reports an event; "said Thursday" dates the saying
        distance = len(between)
        best = distance if best is None else min(best, distance)
    return best
