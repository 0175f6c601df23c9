"""A real ``streamlit run`` on each store engine, in Chromium: an import made on the Data
page survives a server restart and shows in another browser; removing it asks first."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from panjmap.paths import ROOT, SERVER_SCRIPT
from panjmap.store import imports, open_store
from tests.conftest import _free_port
from tests.importer_fixtures import acled_csv, acled_row
from tests.offline import cut_off

LAYER = "Imported: Border reports"


class Server:
    def __init__(self, store_url: str, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PANJ_DATABASE_URL": store_url}
        self.log = open(log, "a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(SERVER_SCRIPT), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/_stcore/health", timeout=1)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start; see {log}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
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
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(upload))
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
