"""TCP_NODELAY on the app server's listening sockets, which Streamlit leaves off.

Streamlit binds its listening socket itself (``socket.socket(family)``, protocol 0) and hands it
to uvicorn. asyncio sets TCP_NODELAY on an accepted connection only when the socket's protocol
is ``IPPROTO_TCP``, so every connection kept Nagle's algorithm: on a kept-alive connection a
response's body waited for the client's delayed ACK of its headers, ~40 ms per request. A first
visit loads ~100 of Streamlit's script chunks over six connections, so that alone cost ~0.4 s
(41 chunks one after another: 1.72 s before, 0.05 s after; docs/benchmarks.md, eighth round).

The socket is bound before the app's module is imported, so the option is set on it in place:
on Linux an accepted socket inherits TCP_NODELAY from its listening socket.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

_FDS = Path("/proc/self/fd")


def set_nodelay_on_listeners() -> int:
    """Set TCP_NODELAY on every listening TCP socket (IPv4 or IPv6) of this process; how many.

    0 where there is no /proc (not Linux): the sockets keep the default there.
    """
    if not _FDS.is_dir():
        return 0
    done = 0
    for name in os.listdir(_FDS):
        sock = _duplicate(int(name))
        if sock is None:
            continue
        with sock:
            try:
                if (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
                        and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    done += 1
            except OSError:  # e.g. a socket type without these options
                continue
    return done


def _duplicate(fd: int) -> socket.socket | None:
    """A socket object on a duplicate of ``fd`` (closing it leaves the original open); None if
    ``fd`` is not a socket or was closed since it was listed."""
    try:
        dup = os.dup(fd)
    except OSError:
        return None
    try:
        return socket.socket(fileno=dup)
    except OSError:
        os.close(dup)
        return None
