"""The seed articles for reading: web-page chrome hidden, supporting passages marked.

The files themselves are never changed (quotes are checked against their
bytes); only the displayed text drops lines that are page furniture (menus,
share buttons, view counters). Every quote of an evidence row or claim is
located in the text, and each marked passage links to its record on the map.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from panjmap.data import Dataset
from panjmap.memo import once_per
from panjmap.state import ViewState

# Lines that are web-page furniture, matched whole (case-insensitive).
CHROME_LINES = {
    "twitter", "youtube", "instagram", "facebook", "telegram", "apple store", "play market", "night_theme",
    "ru", "arm", "search", "what are you looking for ?", "analytics", "a+", "a-", "print", "copy link",
    "ссылка скопирована", "follow us on youtube", "loading", "caliber.az",
    "share-lineliked the story? share it on social media!", "analytical materials of te authors of caliber.az",
}
CHROME_PATTERNS = (
    re.compile(r"^Views: \d+$"),
    re.compile(r"^Caliber\.az © \d{4}"),
    re.compile(r"^Any use of materials is allowed only if there is a hyperlink"),
)


def is_chrome(line: str) -> bool:
    text = line.strip()
    return text.casefold() in CHROME_LINES or any(p.search(text) for p in CHROME_PATTERNS)


@dataclass(frozen=True)
class Passage:
    start: int  # character offsets in the file's text
    end: int
    record_id: str  # incident or site id
    kind: str  # "evidence" or "claim"
    label: str


UNATTRIBUTED = "unattributed analysis"
SOURCES_PAGE = "./sources"  # the Sources reader's path (pages/sources.py)
_TITLE_CHARS = 90


def _rows_by_file(sources: pd.DataFrame) -> dict[str, pd.Series]:
    rows: dict[str, pd.Series] = {}
    for _, row in sources.iterrows():
        rows.setdefault(row["source_file"], row)
    return rows


def _source_row(dataset: Dataset, source_file: str) -> pd.Series | None:
    """The source's (first) row. The detail panel cites a record's sources on every rerun: a
    column comparison per citation was ~15% of the server's time under load (docs/benchmarks.md)."""
    return once_per(dataset.sources, _rows_by_file).get(source_file)


def outlet(row: pd.Series) -> str:
    """Who published it, in a few words: "Caliber.az", "AFP", or "unattributed analysis"."""
    publisher = str(row.get("publisher") or "").strip()
    if not publisher or publisher.casefold() == "not stated in file":
        return UNATTRIBUTED
    return publisher.split(" (")[0].split(",")[0].strip() or UNATTRIBUTED


def citation(dataset: Dataset, source_file: str) -> str:
    """A source as a reader cites it: outlet, date and title (never the file name), e.g.
    'Caliber.az, 2026-01-02: "Chinese investments under fire Who is behind…"'."""
    row = _source_row(dataset, source_file)
    if row is None:
        return source_file  # not a curated source: nothing better to say
    title = str(row["title"]).strip()
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1].rstrip() + "…"
    return f"{outlet(row)}, {row['published'] or 'undated'}: “{title}”"


def library(dataset: Dataset) -> pd.DataFrame:
    """One row per source: outlet, date, title, language and how many records cite it."""
    cites = pd.concat([dataset.evidence[["source_file", "record_id"]],
                       dataset.claims[["source_file", "incident_id"]].rename(columns={"incident_id": "record_id"})])
    counts = cites.drop_duplicates().groupby("source_file").size()
    return pd.DataFrame([{
        "outlet": outlet(row), "date": row["published"] or "unknown", "title": row["title"],
        "language": row["language"] or "not stated", "records citing it": int(counts.get(row["source_file"], 0)),
    } for _, row in dataset.sources.iterrows()])


def passage_id(quote: str) -> str:
    """A stable id for a quoted passage (its text's hash), used in links and in the reader's marks."""
    return hashlib.sha256(quote.encode("utf-8")).hexdigest()[:12]


def passage_link(source_file: str, quote: str) -> str:
    """A link to the Sources reader open at ``source_file`` with this passage shown first."""
    return f"{SOURCES_PAGE}?{urlencode({'article': source_file, 'passage': passage_id(quote)})}"


def find_passage(dataset: Dataset, source_file: str, pid: str) -> str | None:
    """The quote of ``source_file`` whose passage id is ``pid`` (from a link), if any."""
    quotes = list(dataset.evidence.loc[dataset.evidence["source_file"] == source_file, "quote"])
    quotes += list(dataset.claims.loc[dataset.claims["source_file"] == source_file, "quote"])
    return next((q for q in quotes if passage_id(q) == pid), None)


def article_text(dataset: Dataset, source_file: str) -> str:
    return dataset.texts.get(source_file, "")


def passages(dataset: Dataset, source_file: str, text: str) -> list[Passage]:
    """Every quote from this file, located in its text (first occurrence)."""
    found = []
    for row in dataset.evidence[dataset.evidence["source_file"] == source_file].itertuples():
        start = text.find(row.quote)
        if start >= 0:
            found.append(Passage(start, start + len(row.quote), row.record_id, "evidence", row.supports))
    for row in dataset.claims[dataset.claims["source_file"] == source_file].itertuples():
        start = text.find(row.quote)
        if start >= 0:
            found.append(Passage(start, start + len(row.quote), row.incident_id, "claim",
                                 f"{row.claimant}: {row.stance} {row.actor}"))
    return sorted(found, key=lambda p: (p.start, -p.end))


def record_view(dataset: Dataset, record_id: str, view: ViewState) -> ViewState:
    """The view that shows ``record_id`` (incident or site) centred on the map, filters cleared.

    An incident also gets its detail panel opened.
    """
    target = view.replace(date_from=None, date_to=None, actors=(), event_types=(), nationalities=(),
                          sides=(), regions=(), min_fatalities=0, text="", bbox=None)
    incidents = dataset.incidents[dataset.incidents["event_id_cnty"] == record_id]
    sites = dataset.sites[dataset.sites["site_id"] == record_id]
    if len(incidents):
        target = target.replace(selected=f"incidents/{record_id}")
    geometry = incidents.geometry.iloc[0] if len(incidents) else sites.geometry.iloc[0] if len(sites) else None
    if geometry is not None and not geometry.is_empty:
        point = geometry.centroid
        target = target.replace(center=(round(point.y, 4), round(point.x, 4)), zoom=10)
    return target


def record_link(dataset: Dataset, record_id: str, view: ViewState) -> str:
    """A relative URL to the map page in ``record_view``."""
    return "./?" + record_view(dataset, record_id, view).query_string()


def article_html(dataset: Dataset, source_file: str, view: ViewState, cited: str | None = None) -> tuple[str, int]:
    """The article as safe HTML paragraphs with passages marked; and how many were marked.

    All article text is escaped; only our own <p>, <mark> and <a> tags are added.
    Overlapping quotes are merged into one mark listing every record they support.
    """
    text = article_text(dataset, source_file)
    marks = passages(dataset, source_file, text)
    merged: list[tuple[int, int, list[Passage]]] = []
    for p in marks:
        if merged and p.start < merged[-1][1]:
            start, end, group = merged[-1]
            merged[-1] = (start, max(end, p.end), group + [p])
        else:
            merged.append((p.start, p.end, [p]))
    out, pos = [], 0
    for start, end, group in merged:
        out.append(html.escape(text[pos:start]))
        ids = list(dict.fromkeys(p.record_id for p in group))
        title = html.escape("; ".join(f"{p.record_id} ({p.label})" for p in group), quote=True)
        links = " ".join(
            f'<a href="{html.escape(record_link(dataset, rid, view), quote=True)}" target="_self" '
            f'class="panj-rec">{html.escape(rid)}</a>' for rid in ids
        )
        quotes = {text[p.start:p.end] for p in group}
        attrs = ' id="panj-cited" class="panj-cited"' if cited is not None and cited in quotes else ""
        out.append(f'<mark title="{title}"{attrs}>{html.escape(text[start:end])}</mark><sup>{links}</sup>')
        pos = end
    out.append(html.escape(text[pos:]))
    return _paragraphs("".join(out)), len(merged)


def _paragraphs(body: str) -> str:
    """Escaped, marked-up text as <p> paragraphs, page furniture lines left out."""
    lines = [line for line in body.split("\n") if line.strip() and not is_chrome(html.unescape(_strip_tags(line)))]
    return "".join(f"<p>{line}</p>" for line in lines)


def highlight_quotes(text: str, quotes: Iterable[str]) -> str:
    """``text`` as safe HTML paragraphs with the first occurrence of each quote marked
    (e.g. the sentences intake read its proposals from)."""
    spans = sorted({(start, start + len(q)) for q in quotes if q and (start := text.find(q)) >= 0})
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue  # overlaps a marked sentence
        out += [html.escape(text[pos:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        pos = end
    out.append(html.escape(text[pos:]))
    return _paragraphs("".join(out))


def _strip_tags(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def shown_sources(records: pd.DataFrame) -> list[str]:
    """The sources of ``records``, each once, most cited first: the labels in their ``source``
    column ("Caliber.az; AFP via ET Online" cites two), for a snapshot's sources line."""
    if "source" not in records or records.empty:
        return []
    labels = records["source"].fillna("").astype(str).str.split(";").explode().str.strip()
    counts = labels[labels != ""].value_counts(sort=False)
    return sorted(counts.index, key=lambda label: (-counts[label], label))
