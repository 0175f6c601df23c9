"""panjmap/tcp.py: connections accepted on Streamlit's listening socket get TCP_NODELAY.

The listener is made as Streamlit makes its own (``socket.socket(family)``, protocol 0) and
served by asyncio as uvicorn serves it, so the test sees what the app server's connections get.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from panjmap.tcp import set_nodelay_on_listeners

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")


def _listener(family: socket.AddressFamily = socket.AF_INET) -> socket.socket:
    sock = socket.socket(family=family)  # as streamlit/web/server/starlette/starlette_server.py
    sock.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    sock.listen()
    sock.setblocking(False)
    return sock


def _accepted_nodelay(listener: socket.socket) -> int:
    """TCP_NODELAY of the server side of one connection accepted by asyncio on ``listener``."""

    async def run() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Protocol, sock=listener)
        host, port = listener.getsockname()[:2]
        _, writer = await asyncio.open_connection(host, port)
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()

    return asyncio.run(run())


def test_without_it_asyncio_leaves_nagle_on_for_streamlit_s_socket() -> None:
    """Why the module exists: asyncio sets TCP_NODELAY only on sockets made with IPPROTO_TCP."""
    assert _accepted_nodelay(_listener()) == 0


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6])
def test_connections_accepted_after_it_have_nodelay(family: socket.AddressFamily) -> None:
    if family == socket.AF_INET6 and not socket.has_ipv6:
        pytest.skip("no IPv6")
    listener = _listener(family)
    try:
        assert set_nodelay_on_listeners() >= 1
        assert _accepted_nodelay(listener) == 1
    finally:
        listener.close()


def test_other_descriptors_are_left_alone_and_open(tmp_path: Path) -> None:
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(tmp_path / "s"))
    unix.listen()
    connected = socket.socket()
    listener = _listener()
    before = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    try:
        assert set_nodelay_on_listeners() >= 1
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        assert connected.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # not listening: untouched
        after = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
        assert after == before  # every duplicate it made is closed again
        assert listener.fileno() >= 0 and unix.fileno() >= 0
    finally:
        for sock in (unix, connected, listener):
            sock.close()
