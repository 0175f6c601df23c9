"""A store that cannot be reached: a clear 'unavailable, retrying' message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from panjmap.paths import ROOT
from panjmap.store import StoreUnavailable, dispose_all, open_store

# Port 9 on loopback: nothing listens there, so every connection is refused at once.
UNREACHABLE = "postgresql+psycopg://panj@127.0.0.1:9/panj?connect_timeout=2"


def test_an_unreachable_store_raises_the_retryable_error() -> None:
    with pytest.raises(StoreUnavailable, match="unavailable"):
        open_store(UNREACHABLE)
    dispose_all()


@pytest.mark.parametrize("page", ["map", "timeline", "sources", "data", "editor"])
def test_pages_say_the_store_is_unavailable_and_come_back(page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PANJ_DATABASE_URL", UNREACHABLE)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    if page != "map":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert any("The store is unavailable, retrying" in w.value for w in at.warning), [w.value for w in at.warning]
    monkeypatch.setenv("PANJ_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    at.run()  # what the retry does once the store answers
    assert not at.exception, at.exception
    assert not any("unavailable" in w.value for w in at.warning)
    dispose_all()
