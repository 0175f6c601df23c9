"""The seed articles for reading: web-page chrome hidden, supporting passages marked.

The files themselves are never changed (quotes are checked against their
bytes); only the displayed text drops lines that are page furniture (menus,
share buttons, view counters). Every quote of an evidence row or claim is
located in the text, and each marked passage links to its record on the map.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd

from panjmap.data import Dataset
from panjmap.paths import SEEDS_DIR
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


def article_text(source_file: str) -> str:
    return (SEEDS_DIR / source_file).read_text(encoding="utf-8")


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


def article_html(dataset: Dataset, source_file: str, view: ViewState) -> tuple[str, int]:
    """The article as safe HTML paragraphs with passages marked; and how many were marked.

    All article text is escaped; only our own <p>, <mark> and <a> tags are added.
    Overlapping quotes are merged into one mark listing every record they support.
    """
    text = article_text(source_file)
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
        out.append(f'<mark title="{title}">{html.escape(text[start:end])}</mark><sup>{links}</sup>')
        pos = end
    out.append(html.escape(text[pos:]))
    body = "".join(out)
    paragraphs = [line for line in body.split("\n") if line.strip() and not is_chrome(html.unescape(_strip_tags(line)))]
    return "".join(f"<p>{line}</p>" for line in paragraphs), len(merged)


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
