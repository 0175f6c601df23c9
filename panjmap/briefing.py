"""The briefing pack: one A4 PDF that carries the map with the whole story behind it.

An HTML report (templates/briefing.html.j2, rendered by Jinja2 with autoescape
on; data only ever enters as template variables) printed to PDF by headless
Chromium, so its text is real, selectable text. It holds the map snapshot of
the view, the window and filters in words, the counts, the timeline of the
records shown, who attributes which incident to whom (with stance), each
record's summary with its verbatim quotes, the cited sources, the data version
and the generation time. Printing is cut off from the network: every non-local
request is aborted and reported in ``Pdf.blocked``.
"""

from __future__ import annotations

import base64
import concurrent.futures
from dataclasses import dataclass
from urllib.parse import urlsplit

import geopandas as gpd
from jinja2 import Environment, PackageLoader, StrictUndefined

from panjmap import export, query, record_text, snapshot
from panjmap.attribution import NO_CLAIM_COLUMN
from panjmap.clock import generation_time
from panjmap.data import Dataset
from panjmap.layers import MapLayer, curated_layer
from panjmap.records import describe_precision
from panjmap.state import ViewState

NOT_REPORTED = record_text.NOT_REPORTED
SECTIONS = ("Overview", "Timeline", "Who attributes what to whom", "Records and their quotes", "Sources")

_ENV = Environment(loader=PackageLoader("panjmap", "templates"), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Pdf:
    data: bytes
    blocked: tuple[str, ...]  # non-local requests attempted while printing (aborted); () when offline-safe


def _count(value: object, several: bool = False) -> str:
    """A count as text; a count no source gives is "not reported" ("several, no number" where
    the sources say several), never 0."""
    number = record_text.count(value)
    if number is not None:
        return str(number)
    return record_text.SEVERAL_NO_NUMBER if several else NOT_REPORTED


def _source_titles(dataset: Dataset) -> dict[str, str]:
    return dict(zip(dataset.sources["source_file"], dataset.sources["title"]))


def _timeline(records: gpd.GeoDataFrame) -> list[dict]:
    rows = []
    for _, rec in records.sort_values(["event_date", "event_id_cnty"]).iterrows():
        when, where = describe_precision(rec)
        rows.append({
            "id": rec["event_id_cnty"], "when": when, "type": rec["event_type"], "sub_type": rec["sub_event_type"],
            "location": rec["location"] or NOT_REPORTED, "where": where,
            "killed": _count(rec["fatalities"], record_text.several_killed(rec)), "injured": _count(rec["injuries"]),
        })
    return rows


def _attributions(records: gpd.GeoDataFrame, dataset: Dataset) -> list[dict]:
    """One row per claim about a shown incident, plus one per incident a source calls unclaimed."""
    titles = _source_titles(dataset)
    ids = set(records["event_id_cnty"])
    claims = dataset.claims[dataset.claims["incident_id"].isin(ids)].sort_values(["incident_id", "claim_id"])
    rows = [{"incident": c.incident_id, "claimant": c.claimant, "claimant_type": c.claimant_type,
             "stance": c.stance, "actor": c.actor, "source": titles.get(c.source_file, c.source_file),
             "quote": c.quote} for c in claims.itertuples()]
    for rid in sorted(records.loc[records["claim_status"] == "unclaimed", "event_id_cnty"]):
        rows.append({"incident": rid, "claimant": "the sources", "claimant_type": "", "stance": "unclaimed",
                     "actor": NO_CLAIM_COLUMN, "source": "", "quote": ""})
    return sorted(rows, key=lambda r: r["incident"])


def _record_details(records: gpd.GeoDataFrame, dataset: Dataset) -> list[dict]:
    titles = _source_titles(dataset)
    details = []
    for row in _timeline(records):
        rec = records[records["event_id_cnty"] == row["id"]].iloc[0]
        evidence = dataset.evidence_for(row["id"])
        claims = dataset.claims_for(row["id"])
        quotes = [{"quote": e.quote, "supports": e.supports, "source": titles.get(e.source_file, e.source_file)}
                  for e in evidence.itertuples()]
        quotes += [{"quote": c.quote, "supports": f"{c.claimant}: {c.stance} {c.actor}",
                    "source": titles.get(c.source_file, c.source_file)} for c in claims.itertuples()]
        details.append({**row, "summary": rec["notes"], "actors": "; ".join(
            v for v in (rec["actor1"], rec["assoc_actor_1"], rec["actor2"], rec["assoc_actor_2"]) if v),
            "quotes": quotes})
    return details


def cited_sources(records: gpd.GeoDataFrame, dataset: Dataset) -> list[dict]:
    """The sources cited by the shown records' quotes and claims, in the sources table's order."""
    ids = set(records["event_id_cnty"])
    files = set(dataset.evidence.loc[dataset.evidence["record_id"].isin(ids), "source_file"])
    files |= set(dataset.claims.loc[dataset.claims["incident_id"].isin(ids), "source_file"])
    sources = []
    for src in dataset.sources.itertuples():
        if src.source_file in files:
            url = str(getattr(src, "url", "") or "")
            sources.append({"file": src.source_file, "title": src.title, "outlet": src.publisher,
                            "date": src.published or "not stated in the file",
                            "url": url if urlsplit(url).scheme in ("http", "https") else ""})
    return sources


def briefing_html(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = (),
                  map_png: bytes | None = None) -> str:
    """The report as one HTML document (images inlined); ``map_png`` is rendered when not given."""
    layer = curated_layer(dataset)
    records = layer.filtered(state)
    meta = export.metadata(state, dataset, records, now=generation_time())
    if map_png is None:
        map_png = snapshot.render_png(state, dataset, meta, imports, size="slide", renderer="chromium").data
    summary = query.summarize(records, layer.total())
    return _ENV.get_template("briefing.html.j2").render(
        meta=meta, window=state.describe(), summary=summary.sentence(),
        map_uri="data:image/png;base64," + base64.b64encode(map_png).decode("ascii"),
        imports=[l.label for l in imports if l.key in state.layers],
        timeline=_timeline(records), attributions=_attributions(records, dataset),
        records=_record_details(records, dataset), sources=cited_sources(records, dataset),
        not_reported=NOT_REPORTED, sections=SECTIONS,
    )


def _is_local(url: str) -> bool:
    return urlsplit(url).scheme in ("data", "about", "blob")


def _print(page_html: str, executable: str, footer: str) -> tuple[bytes, tuple[str, ...]]:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def route(r) -> None:
        if _is_local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=snapshot.CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.route("**/*", route)
            page = context.new_page()
            page.set_content(page_html, wait_until="load")
            data = page.pdf(format="A4", print_background=True, display_header_footer=True,
                            header_template="<span></span>", footer_template=footer,
                            margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
        finally:
            browser.close()
    return data, tuple(blocked)


def render_pdf(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = ()) -> Pdf:
    """The briefing as an A4 PDF printed by headless Chromium (raises RuntimeError without one)."""
    executable = snapshot.find_chromium()
    if executable is None:
        raise RuntimeError("the PDF briefing needs Chromium (set PANJ_CHROMIUM or install Debian's chromium)")
    page_html = briefing_html(state, dataset, imports)
    footer = _ENV.get_template("briefing_footer.html.j2").render(version=dataset.version)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:  # no asyncio loop in a worker thread
        data, blocked = pool.submit(_print, page_html, executable, footer).result()
    return Pdf(data, blocked)
