"""The article: header lines, language, digits, and sentences with their offsets."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_HEADER = re.compile(r"^(URL|Title|Date):[ \t]*(.*)$", re.IGNORECASE)
# Arabic letter forms Persian and Urdu web text mixes with the Persian ones (same length)
_ARABIC_FORMS = str.maketrans("يكى", "یکی")
DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩০১২৩৪৫৬৭৮৯", "012345678901234567890123456789")
_URL_DATE = re.compile(r"(?<!\d)(20\d\d)[/\-_]?(0[1-9]|1[0-2])[/\-_]?(0[1-9]|[12]\d|3[01])(?!\d)")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), " ")


@dataclass(frozen=True)
class Source:
    """What the file says about itself; ``published`` is None when unknown."""

    url: str | None
    title: str | None
    published: dt.date | None
    published_from: str | None  # "header", "argument", "url" or None
    language: str
    text: str          # normalised (see normalise_text), what the rules read
    original: str = "" # the body as written, for verbatim quotes (same offsets as ``text``)

    def as_dict(self) -> dict:
        return {
            "url": self.url, "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "published_from": self.published_from, "language": self.language,
        }


def parse_date(value: str) -> dt.date | None:
    """A YYYY-MM-DD date, or None for 'unknown' and empty (ValueError for anything else)."""
    value = (value or "").strip()
    if not value or value.lower() == "unknown":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a YYYY-MM-DD date: {value!r}") from None


def split_headers(raw: str) -> tuple[dict[str, str], str]:
    """Leading ``URL:``/``Title:``/``Date:`` lines (any order) and the text after them."""
    headers: dict[str, str] = {}
    lines = raw.splitlines()
    i = 0
    while i < len(lines):
        match = _HEADER.match(lines[i].strip())
        if not match:
            break
        headers[match.group(1).lower()] = match.group(2).strip()
        i += 1
    return headers, "\n".join(lines[i:]).strip("\n")


def normalise_text(text: str) -> str:
    """ASCII digits for Persian/Arabic/Bengali ones, zero-width characters as spaces: the same
    length as ``text``, so an offset in one is the same place in the other (quotes are verbatim)."""
    return text.translate(DIGITS).translate(_ZERO_WIDTH).translate(_ARABIC_FORMS)


def detect_language(text: str) -> str:
    """ISO 639-1 code guessed from the script: the language rules to apply."""
    counts = {"ru": 0, "fa": 0, "zh": 0, "bn": 0, "latin": 0}
    for ch in text:
        o = ord(ch)
        if 0x0400 <= o <= 0x04FF:
            counts["ru"] += 1
        elif 0x0600 <= o <= 0x06FF:
            counts["fa"] += 1
        elif 0x4E00 <= o <= 0x9FFF:
            counts["zh"] += 1
        elif 0x0980 <= o <= 0x09FF:
            counts["bn"] += 1
        elif ch.isalpha():
            counts["latin"] += 1
    best = max(counts, key=lambda k: counts[k] * (3 if k == "zh" else 1))
    def marked(letters: str, script: str) -> bool:
        """Letters of a sister language, more than a quoted name would bring."""
        found = len(re.findall(f"[{letters}]", text.lower()))
        return found > max(5, counts[script] // 100)
    if best == "ru" and marked("ӣӯҳқғҷ", "ru"):
        return "tg"
    if best == "fa" and marked("ټډړښږځڅڼېۍ", "fa"):
        return "ps" if "ps" in _available() else "fa"
    if best == "fa" and marked("ےںٹڈڑھ", "fa"):
        return "ur"
    if best != "latin":
        return best
    if marked("ýňäž", "latin"):
        return "tk"  # Turkmen letters
    if marked("ğış", "latin"):
        return "tr"  # Turkish letters
    return "en"


_URL_MONTH = re.compile(r"(?<!\d)(20\d\d)[/\-_]?(0[1-9]|1[0-2])(?=[/\-_])")


def url_month(url: str | None) -> dt.date | None:
    """The last day of a year and month written in the address (``/page/202511/``), if any."""
    match = _URL_MONTH.search(url or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))


def _available() -> tuple[str, ...]:
    from panjmap.intake.lang import available_languages  # the rule files decide which codes exist
    return available_languages()


def url_date(url: str | None) -> dt.date | None:
    """A date written in the address (``/2025/12/01/``, ``202512250137``), if any."""
    match = _URL_DATE.search(url or "")
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def read_source(raw: str, published: dt.date | None = None, lang: str | None = None) -> Source:
    """The article in ``raw``; ``published`` overrides the header's date."""
    headers, body = split_headers(raw)
    title = headers.get("title") or None
    if title and title.lower() == "unknown":
        title = None
    url = headers.get("url") or None
    origin = "argument" if published else None
    if published is None:
        published = parse_date(headers.get("date", ""))
        origin = "header" if published else None
    if published is None:
        published = url_date(url)
        origin = "url" if published else None
    if title and title.strip() not in body:
        body = f"{title.strip()}\n{body}"  # the headline is the article's first sentence
    text = normalise_text(body)
    return Source(url=url, title=title, published=published, published_from=origin,
                  language=lang or detect_language(text), text=text, original=body)


@dataclass(frozen=True)
class Sentence:
    start: int
    text: str


_SPLIT = re.compile(
    r"(?<=[.!?])[\"”»’)]?\s+(?=[\"“«(\[A-ZА-ЯЁ0-9\u0600-\u06FF\u0980-\u09FF])"  # . then space then a capital
    r"|(?<=[a-zа-яё\)\"”»])\.(?=[A-ZА-ЯЁ][a-zа-яё])"                             # "injured.The embassy"
    r"|(?<=[。！？])"                                                              # CJK full stops
    r"|(?<=[।])\s*"                                                                 # Bengali danda
    r"|\n+"
)
_ABBREVIATIONS = re.compile(r"(?:\b(?:No|Nos|Mr|Mrs|Dr|St|vs|a\.m|p\.m|etc|[A-Z])|№|\bг|\bим)\.$")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences (with their offset in ``text``), kept verbatim for quoting."""
    sentences: list[Sentence] = []
    pos = 0
    pending_start = None
    for match in _SPLIT.finditer(text):
        end = match.start()
        piece = text[pos if pending_start is None else pending_start:end]
        if _ABBREVIATIONS.search(piece.rstrip()) and "\n" not in match.group(0):
            pending_start = pos if pending_start is None else pending_start
            pos = match.end()
            continue
        start = pos if pending_start is None else pending_start
        _add(sentences, text, start, end)
        pending_start = None
        pos = match.end()
    _add(sentences, text, pos if pending_start is None else pending_start, len(text))
    return sentences


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        sentences.append(Sentence(start + piece.index(stripped[0]), stripped))
