"""Sources page: each seed article, readable, with every supporting passage marked and linked."""

from __future__ import annotations

import streamlit as st

from panjmap import sources
from panjmap.ui.page import PageContext
from panjmap.ui.state_sync import save_view
from panjmap.ui.text import md

ARTICLE_CSS = """
<style>
.panj-article p{font-size:15px;line-height:1.6;margin:0 0 .7em}
.panj-article mark{background:#FCE7A8;padding:0 1px;border-radius:2px}
.panj-article mark.panj-cited{background:#F9C74F;outline:2px solid #B5651D}
.panj-article sup a{font-size:11px;margin-left:2px;text-decoration:none;background:#0072B2;color:#fff;
  padding:0 3px;border-radius:3px}
</style>
"""


LINK_KEY = "panj_sources_link"


def read_passage_link() -> None:
    """Keep a citation link's article and passage (?article=…&passage=…) for this page.

    Called before ``start_page``, which rewrites the URL from the view state.
    """
    article, passage = st.query_params.get("article"), st.query_params.get("passage")
    if article:
        st.session_state[LINK_KEY] = (article, passage or "")


def render(ctx: PageContext) -> None:
    st.title("Sources")
    st.caption("Every article the records cite, shown without web-page furniture (the stored texts are unchanged). "
               "Highlighted passages support a record; the blue tag after each opens that record on the map. "
               "Editors add sources on the Edit records page.")
    table = ctx.dataset.sources
    labels = {row.source_file: sources.citation(ctx.dataset, row.source_file) for row in table.itertuples()}
    st.dataframe(sources.library(ctx.dataset), hide_index=True, use_container_width=True)
    needle = st.text_input("Search the texts (any language, as written)", key="sources_search")
    shown = [f for f in labels if not needle or needle.casefold() in sources.article_text(ctx.dataset, f).casefold()]
    if needle:
        st.caption(f"{len(shown)} of {len(labels)} sources contain {md(needle)!s}.")
    link = st.session_state.pop(LINK_KEY, None)
    cited = None
    if link and link[0] in labels:
        st.session_state["sources_article"] = link[0]
        cited = sources.find_passage(ctx.dataset, link[0], link[1])
        shown = list(dict.fromkeys([link[0], *shown]))
    if not shown:
        return
    chosen = st.selectbox("Read", shown, format_func=labels.get, key="sources_article")
    row = table[table["source_file"] == chosen].iloc[0]
    st.markdown(f"**{md(row['title'])}**  \n{md(sources.outlet(row))} · {md(row['published'] or 'date not stated')} · "
                f"author: {md(row['author'] or 'not stated')} · language: {md(row['language'] or 'not stated')} · "
                f"{md(row['url']) if row['url'] else 'no URL in the file'}  \n"
                f"publisher as printed: {md(row['publisher'])} · file {md(chosen)} · sha256 {md(row['sha256'][:16])}…")
    if cited:
        st.info(f"**Cited passage** (highlighted in the text below):\n\n> {md(cited)}")
    body, marked = sources.article_html(ctx.dataset, chosen, ctx.view, cited)
    st.caption(f"{marked} passages marked.")
    st.html(ARTICLE_CSS + f'<div class="panj-article">{body}</div>')
    with st.expander("Open a record on the map (keeps imported layers)"):
        ids = sorted({p.record_id for p in sources.passages(ctx.dataset, chosen, sources.article_text(ctx.dataset, chosen))})
        incident_ids = [i for i in ids if i in set(ctx.dataset.incidents["event_id_cnty"])]
        cols = st.columns(6)
        for n, rid in enumerate(incident_ids):
            if cols[n % 6].button(rid, key=f"open_{rid}"):
                save_view(sources.record_view(ctx.dataset, rid, ctx.view))
                st.switch_page("pages/map.py")
