"""The home page's map component (panjmap/ui/map_component.py): the base map rendered once per
process, and exactly the arguments st_folium itself would send the browser."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import folium
import pytest
import streamlit_folium

from panjmap import assets
from panjmap.data import load_dataset
from panjmap.layers import visible_layers
from panjmap.mapview import base as base_module
from panjmap.mapview.incidents import selection_group
from panjmap.state import ViewState
from panjmap.ui import map_component

RETURNED = ["last_object_clicked_tooltip", "last_object_clicked_count", "center", "zoom"]
FILTERED = ViewState(date_from=dt.date(2025, 1, 1), event_types=("Battles",), selected="incidents/PNJ002")


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the component would send to the browser, one dict of arguments per call."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: calls.append(kwargs) or {})
    monkeypatch.setattr(map_component, "_cache", type(map_component._cache)())
    return calls


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[ViewState]:
    """Every base map the component builds."""
    made: list[ViewState] = []

    def counted(view: ViewState, *args: Any, **kwargs: Any) -> Any:
        made.append(view)
        return base_module.build_base_map(view, *args, **kwargs)

    monkeypatch.setattr(map_component, "build_base_map", counted)
    return made


def _groups(view: ViewState) -> list:
    dataset = load_dataset()
    return [layer.feature_group(view) for layer in visible_layers(view, dataset, ())] + [selection_group(view.selected)]


def _show(view: ViewState, mount: ViewState = ViewState()) -> None:
    dataset = load_dataset()
    rendered = map_component.cached_base(view, dataset.sites, dataset.version, mount.center, mount.zoom)
    map_component.map_component(rendered, _groups(view), key="panj_map", height=640, center=view.center,
                                zoom=view.zoom, returned_objects=RETURNED)


@pytest.mark.parametrize("view", [ViewState(), FILTERED], ids=["default", "filtered"])
def test_arguments_are_the_ones_st_folium_sends(sent: list[dict[str, Any]], view: ViewState) -> None:
    dataset = load_dataset()
    folium_map = base_module.build_base_map(view, dataset.sites, center=view.center, zoom=view.zoom,
                                            legend_in_map=False, served_geography=True)
    streamlit_folium.st_folium(folium_map, key="panj_map", height=640, use_container_width=True,
                               feature_group_to_add=_groups(view), center=view.center, zoom=view.zoom,
                               returned_objects=RETURNED)
    _show(view)
    expected, ours = sent
    assert set(ours) == set(expected)
    for name in expected:
        if name != "on_change":
            assert ours[name] == expected[name], name
    assert "incidentLayer" in ours["feature_group"] and "placeLabels" in ours["script"]


def test_geography_is_served_not_sent(sent: list[dict[str, Any]]) -> None:
    """The base map's script names each geography file; each file holds what an export carries inline."""
    _show(ViewState())
    script = sent[0]["script"]
    urls = re.findall(r'\{"url":"(/app/static/data/geo-[a-z]+-[0-9a-f]{16}\.json)"\}', script)
    assert [url.split("/")[-1].split("-")[1] for url in urls] == ["countries", "regions", "rivers", "border"]
    carried = base_module.build_base_map(ViewState(), load_dataset().sites).get_root().render()  # as exported
    for url in urls:
        text = (assets.STATIC_DIR / url.removeprefix("/app/static/")).read_text(encoding="utf-8")
        assert json.loads(text)["features"] and text in carried and text not in script
    assert len(script) < 100_000


def test_base_map_is_built_once_and_identical_across_views(sent: list[dict[str, Any]], builds: list[ViewState]) -> None:
    _show(ViewState())
    _show(FILTERED)  # other filters and a selection, same layers: the same base map
    assert len(builds) == 1
    first, second = sent
    for name in ("script", "header", "html", "key", "css_links", "js_links"):
        assert first[name] == second[name], name
    assert first["feature_group"] != second["feature_group"]

    _show(ViewState(layers=("countries", "border")))  # other layers: another base map
    _show(FILTERED, mount=ViewState(center=(37.0, 70.0), zoom=8))  # mounted elsewhere: another one
    assert len(builds) == 3
    assert sent[2]["script"] != first["script"] and sent[3]["script"] != first["script"]
    assert sent[3]["feature_group"] == second["feature_group"]


def test_cache_is_bounded(sent: list[dict[str, Any]], builds: list[ViewState], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(map_component, "BASE_CACHE_SIZE", 2)
    for zoom in (6, 7, 8, 6):
        _show(ViewState(), mount=ViewState(zoom=zoom))
    assert len(builds) == 4  # zoom 6 had been dropped for 8
    assert len(map_component._cache) == 2


def test_feature_groups_rendered_once_per_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reruns showing the same filters and selection reuse the groups' script; it is what st_folium makes."""
    rendered: list[int] = []
    render = map_component._render_group
    monkeypatch.setattr(map_component, "_render_group", lambda group, idx: rendered.append(idx) or render(group, idx))
    monkeypatch.setattr(map_component, "_GROUP_SCRIPTS", type(map_component._GROUP_SCRIPTS)(max_bytes=2**20))
    first = map_component.feature_groups_script(_groups(FILTERED))
    assert rendered == [0, 1]
    assert map_component.feature_groups_script(_groups(FILTERED.replace(zoom=9, center=(37.0, 70.0)))) == first
    assert rendered == [0, 1]
    other = map_component.feature_groups_script(_groups(FILTERED.replace(selected="incidents/PNJ001")))
    assert rendered == [0, 1, 1] and other != first  # only the selection's group is new
    host = folium.Map(tiles=None)
    assert first == "".join(streamlit_folium._get_feature_group_string(group, map=host, idx=idx)
                            for idx, group in enumerate(_groups(FILTERED)))
