"""The border map: layered, filterable, time-sliding; click an incident for its details."""

import streamlit as st

from panjmap.ui.map_panel import render_map_area
from panjmap.ui.page import render_page_sidebar, start_page

ctx = start_page(sidebar=False)
st.title("Panj border incidents, 2022–2026")
render_map_area(ctx.dataset, ctx.imports, ctx.options, ctx.entered)
render_page_sidebar(ctx)  # after the map: the map's frame starts before the sidebar's widgets render
