"""A real ``streamlit run`` on each store engine, in Chromium: an import made on the Data
page survives a server restart and shows in another browser; removing it asks first."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from panjmap import app_process
from panjmap.store import imports, open_store
from tests.importer_fixtures import acled_csv, acled_row
from tests.offline import cut_off
from tests.uploading import choose_import_file

LAYER = "Imported: Border reports"


class Server:
    def __init__(self, store_url: str, log: Path) -> None:
        self.log = open(log, "a")
        try:
            self.proc, self.url = app_process.start({**os.environ, "PANJ_DATABASE_URL": store_url}, self.log,
                                                    timeout_s=90)
        except RuntimeError:
            self.log.close()
            raise

    def stop(self) -> None:
        app_process.stop(self.proc)
        self.log.close()


def _data_page(browser: Browser, server: Server, blocked: list[str]) -> Page:
    """A new browser (own cookies, own session) on the Data page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1200}, service_workers="block")
    cut_off(context, blocked)
    page = context.new_page()
    page.goto(server.url + "/data", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible(timeout=90_000)
    return page


def test_import_survives_restart_and_shows_in_another_browser(
    store_url: str, browser: Browser, tmp_path: Path, artifacts: Path,
) -> None:
    upload = tmp_path / "border.csv"
    upload.write_bytes(acled_csv([acled_row(i) for i in range(1, 26)]))
    blocked: list[str] = []
    server = Server(store_url, artifacts / "store-server.log")
    try:
        page = _data_page(browser, server, blocked)
        choose_import_file(page, upload)
        page.get_by_label("Layer name (optional)").fill("Border reports")
        page.get_by_test_id("stBaseButton-secondaryFormSubmit").click()
        expect(page.get_by_text(f"{LAYER} (25 of 25")).to_be_visible(timeout=90_000)
        expect(page.get_by_text("Imported 25 of 25 rows")).to_be_visible()
        page.context.close()
    finally:
        server.stop()
    with open_store(store_url).reading() as conn:
        assert [(ds.name, ds.event_count) for ds in imports.list_datasets(conn)] == [("Border reports", 25)]

    server = Server(store_url, artifacts / "store-server.log")  # a restart, and another browser
    try:
        page = _data_page(browser, server, blocked)
        expect(page.get_by_text(f"{LAYER} (25 of 25")).to_be_visible(timeout=90_000)
        page.get_by_text(f"{LAYER} (25 of 25").click()
        page.get_by_role("button", name="Remove Border reports").click()
        expect(page.get_by_text("Remove the dataset Border reports and its 25 events")).to_be_visible(timeout=30_000)
        with open_store(store_url).reading() as conn:
            assert len(imports.list_datasets(conn)) == 1  # not before the user confirms
        page.get_by_role("button", name="Yes, remove it").click()
        expect(page.get_by_text(f"{LAYER} (25 of 25")).to_have_count(0, timeout=30_000)
        page.context.close()
    finally:
        server.stop()
    with open_store(store_url).reading() as conn:
        assert imports.list_datasets(conn) == []
    assert blocked == []
