"""Cutting a browser context off at loopback: every other request is aborted and recorded."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


def cut_off(context: BrowserContext, blocked: list[str], requested: list[str] | None = None) -> None:
    """Abort every non-local request and websocket of ``context``, appending its URL to ``blocked``."""

    def on_route(route) -> None:
        url = route.request.url
        if is_local(url):
            if requested is not None:
                requested.append(url)
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    def on_websocket(ws) -> None:
        if is_local(ws.url):
            ws.connect_to_server()
        else:
            blocked.append(ws.url)
            ws.close()

    context.route("**/*", on_route)
    context.route_web_socket(re.compile(".*"), on_websocket)
