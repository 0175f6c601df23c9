"""Choosing the Data page's import file in a browser test, and waiting until it is uploaded.

Streamlit uploads a chosen file over HTTP before the form holds it: its chip shows at once, with a
spinner and a "Cancel upload of NAME" button, and the button becomes "Remove NAME" when the upload
is done. A submit before then imports nothing ("Choose a file first."), so every test waits for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from playwright.async_api import Page as AsyncPage
from playwright.sync_api import Page


class Upload(TypedDict):
    name: str
    mimeType: str
    buffer: bytes


def _name(file: Path | Upload) -> str:
    return file.name if isinstance(file, Path) else file["name"]


def _input(page: Page | AsyncPage):
    # The import's own uploader, by its label (the page has a second one: ACLED deleted-events).
    return page.get_by_role("region", name="File", exact=True).locator("input[type=file]")


def choose_import_file(page: Page, file: Path | Upload, timeout_ms: float = 60_000) -> None:
    _input(page).set_input_files(file)
    page.get_by_role("button", name=f"Remove {_name(file)}", exact=True).wait_for(timeout=timeout_ms)


async def choose_import_file_async(page: AsyncPage, file: Path | Upload, timeout_ms: float = 60_000) -> None:
    await _input(page).set_input_files(file)
    await page.get_by_role("button", name=f"Remove {_name(file)}", exact=True).wait_for(timeout=timeout_ms)
