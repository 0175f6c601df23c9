"""Issue 11, point 10: snapshots keep the selection and say their sources.

The standalone HTML (and so the Chromium PNG, a picture of it) rings the
selected record, opens the group it is in and shows its popup as its label; the
matplotlib PNG rings and labels it at its point. Both carry a line naming the
sources of the records on the map.
"""

from __future__ import annotations

import datetime as dt
import io
import math

import matplotlib.axes
import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from panjmap import export, snapshot
from panjmap.data import load_dataset
from panjmap.layers import curated_layer
from panjmap.state import ViewState
from tests.test_browser import INC, LOCATED
from tests.test_snapshot import open_offline

SELECTED = ViewState(selected="incidents/PNJ019", zoom=9, center=(37.84137, 70.04865))
PLAIN = SELECTED.replace(selected="")
SHUROBOD = (37.84137, 70.04865)


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def meta(state: ViewState, dataset) -> export.Metadata:
    return export.metadata(state, dataset, curated_layer(dataset).filtered(state))


def test_sources_line_names_the_sources_of_the_records_on_the_map(dataset) -> None:
    line = snapshot.sources_line(PLAIN, dataset)
    assert line.startswith("Sources of the records shown: ")
    everything = {label.strip() for cell in INC[LOCATED & (INC["scope"] == "border")]["source"] for label in cell.split(";")}
    assert set(line.split(": ", 1)[1].split("; ")) == everything  # the default view: border records
    # only the records shown: those on the map on 30 November 2025, from the CSV
    day = dt.date(2025, 11, 30)
    shown = INC[LOCATED & (pd.to_datetime(INC["event_date"]).dt.date <= day) & (pd.to_datetime(INC["end_date"]).dt.date >= day)]
    want = {label.strip() for cell in shown["source"] for label in cell.split(";")}
    assert len(shown) >= 2 and len(want) < len(everything)
    line = snapshot.sources_line(PLAIN.replace(date_from=day, date_to=day), dataset)
    assert set(line.split(": ", 1)[1].split("; ")) == want, (line, shown["event_id_cnty"].tolist())
    assert snapshot.sources_line(PLAIN.replace(layers=("countries",)), dataset) == "Sources: no records on the map"


def test_standalone_html_rings_and_labels_the_selected_record(browser, dataset) -> None:
    page, _, errors = open_offline(browser, snapshot.standalone_html(SELECTED, dataset, meta(SELECTED, dataset)))
    try:
        page.wait_for_selector(".panj-incident", state="attached", timeout=15_000)
        ring = page.locator("[data-record='PNJ019']").locator("xpath=..").locator(".panj-selected-in")
        assert ring.count() == 1 and ring.is_visible()
        # PNJ019 shares Shŭrobod with four incidents and three sites: its group is open, on legs from the point
        assert page.locator(".panj-leg").count() == 8
        assert "ID: PNJ019" in page.locator(".leaflet-popup-content").inner_text()
        assert page.locator(".panj-sources").inner_text().startswith("Sources of the records shown: ")
        assert errors == []
    finally:
        page.close()
    plain, _, _ = open_offline(browser, snapshot.standalone_html(PLAIN, dataset, meta(PLAIN, dataset)))
    try:
        plain.wait_for_selector(".panj-incident", state="attached", timeout=15_000)
        assert plain.locator(".panj-selected-in").count() == 0 and plain.locator(".leaflet-popup").count() == 0
        assert plain.locator(".panj-leg").count() == 0
    finally:
        plain.close()


def test_chromium_png_shows_the_selection(dataset) -> None:
    with_selection = snapshot.render_png(SELECTED, dataset, meta(SELECTED, dataset), renderer="chromium")
    without = snapshot.render_png(PLAIN, dataset, meta(PLAIN, dataset), renderer="chromium")
    a, b = (np.asarray(Image.open(io.BytesIO(p.data)).convert("RGB")).astype(int) for p in (with_selection, without))
    # the popup (label) and the opened group are drawn around the map's centre, Shŭrobod
    h, w = a.shape[:2]
    box = (slice(h // 2 - 250, h // 2 + 60), slice(w // 2 - 200, w // 2 + 200))
    assert (np.abs(a[box] - b[box]).sum(axis=2) > 60).sum() > 5000


def test_matplotlib_png_rings_labels_the_selection_and_names_sources(dataset, monkeypatch) -> None:
    texts: list[str] = []
    markers: list[tuple[float, float, dict]] = []
    annotate, text, plot = matplotlib.axes.Axes.annotate, matplotlib.figure.Figure.text, matplotlib.axes.Axes.plot

    def spy_annotate(self, label, *args, **kwargs):
        texts.append(str(label))
        return annotate(self, label, *args, **kwargs)

    def spy_text(self, x, y, s, *args, **kwargs):
        texts.append(str(s))
        return text(self, x, y, s, *args, **kwargs)

    def spy_plot(self, *args, **kwargs):
        if len(args) >= 2 and np.isscalar(args[0]) and np.isscalar(args[1]):
            markers.append((float(args[0]), float(args[1]), kwargs))
        return plot(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "annotate", spy_annotate)
    monkeypatch.setattr(matplotlib.figure.Figure, "text", spy_text)
    monkeypatch.setattr(matplotlib.axes.Axes, "plot", spy_plot)
    snapshot.render_png(SELECTED, dataset, meta(SELECTED, dataset), renderer="matplotlib")
    assert any(t.startswith("Selected: PNJ019, Shŭrobod, 2025-11-26") for t in texts), texts
    assert any(t.startswith("Sources of the records shown: ") for t in texts), texts
    at_shurobod = [k for x, y, k in markers if math.isclose(y, SHUROBOD[0], abs_tol=1e-4)
                   and math.isclose(x, SHUROBOD[1], abs_tol=1e-4)]
    # one count badge for the five incidents there, and the selection ring around it, both at the true
    # point (the place name's dot there is drawn below them)
    assert "5" in texts
    assert [k.get("markeredgecolor") for k in at_shurobod if k.get("zorder", 0) > 10] == ["#222", "#111"], at_shurobod
