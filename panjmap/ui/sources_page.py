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
.panj-article sup a{font-size:11px;margin-left:2px;text-decoration:none;background:#0072B2;color:#fff;
  padding:0 3px;border-radius:3px}
</style>
"""


def render(ctx: PageContext) -> None:
    st.title("Sources")
    st.caption("The founding articles, shown without web-page furniture (the files in seeds/ are unchanged). "
               "Highlighted passages support a record; the blue tag after each opens that record on the map.")
    table = ctx.dataset.sources
    labels = {row.source_file: f"{row.title} — {row.publisher}" for row in table.itertuples()}
    chosen = st.radio("Article", list(labels), format_func=labels.get, key="sources_article")
    row = table[table["source_file"] == chosen].iloc[0]
    st.markdown(f"**{md(row['title'])}**  \n{md(row['publisher'])} · {md(row['published'] or 'date not stated')} · "
                f"file {md(chosen)} · sha256 {md(row['sha256'][:16])}…")
    body, marked = sources.article_html(ctx.dataset, chosen, ctx.view)
    st.caption(f"{marked} passages marked.")
    st.html(ARTICLE_CSS + f'<div class="panj-article">{body}</div>')
    with st.expander("Open a record on the map (keeps imported layers)"):
        ids = sorted({p.record_id for p in sources.passages(ctx.dataset, chosen, sources.article_text(chosen))})
        incident_ids = [i for i in ids if i in set(ctx.dataset.incidents["event_id_cnty"])]
        cols = st.columns(6)
        for n, rid in enumerate(incident_ids):
            if cols[n % 6].button(rid, key=f"open_{rid}"):
                save_view(sources.record_view(ctx.dataset, rid, ctx.view))
                st.switch_page("pages/map.py")
