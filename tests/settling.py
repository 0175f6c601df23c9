"""Waiting for a Streamlit page to settle: its script idle and what the test watches unchanged for a moment.

One rule for every browser test, sync (Playwright's sync API) and async (the load test): poll the
script state Streamlit writes on its app element together with whatever else must hold still (the
URL, the map's view), and call the page settled after ``polls`` identical observations in a row
with the script not running.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from playwright.async_api import Page as AsyncPage
from playwright.sync_api import Page

# Streamlit sets data-test-script-state on its app element: "running", "notRunning", ...
SCRIPT_STATE_JS = "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"


class Settling:
    """Counts repeats of an idle observation; fails with the last one when ``timeout_s`` passes first.

    Settled after ``polls`` repeats of the first idle observation (so ``polls + 1`` reads), or at the
    first idle read when ``polls`` is 1.
    """

    def __init__(self, polls: int, timeout_s: float) -> None:
        self.polls = polls
        self.deadline = time.monotonic() + timeout_s
        self.last: tuple[Any, ...] | None = None
        self.same = 0

    def settled(self, observed: tuple[Any, ...]) -> bool:
        """``observed[0]`` is the script state; the rest must not change between polls."""
        idle = observed[0] == "notRunning"
        self.same = self.same + 1 if idle and (observed == self.last or self.polls == 1) else 0
        self.last = observed
        if self.same >= self.polls:
            return True
        assert time.monotonic() < self.deadline, f"the page never settled; last seen {observed}"
        return False


def settle(page: Page, timeout_s: float = 45, polls: int = 3, interval_ms: int = 200,
           also: Callable[[], Any] | None = None) -> None:
    """Until the script is idle and the URL (and ``also()``, if given) are unchanged ``polls`` times running."""
    settling = Settling(polls, timeout_s)
    while not settling.settled((page.evaluate(SCRIPT_STATE_JS), page.url, also() if also else None)):
        page.wait_for_timeout(interval_ms)


async def settle_async(page: AsyncPage, timeout_s: float, polls: int = 1, interval_ms: int = 500) -> None:
    """``settle`` for Playwright's async API; a page navigating mid-read is read again."""
    settling = Settling(polls, timeout_s)
    while True:
        try:
            observed = (await page.evaluate(SCRIPT_STATE_JS), page.url)
        except Exception as exc:  # the page navigated while being read
            observed = (repr(exc)[:200],)
        if settling.settled(observed):
            return
        await page.wait_for_timeout(interval_ms)
