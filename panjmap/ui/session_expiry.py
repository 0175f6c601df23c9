"""End disconnected sessions when their reconnect time is up, so what they held is freed.

When a browser tab closes, Streamlit 1.67 keeps its session (session state,
imported layers, uploaded files) for ``server.disconnectedSessionTTL`` seconds
in case the tab reconnects. Expired sessions are only dropped when another
session disconnects later: on a server that goes quiet, the last sessions and
everything they imported stay in memory for good (issue 17: 1.5 GB held 155 s
after every session had closed). This reaps them on the server's event loop
every ``REAP_EVERY_S`` seconds, shuts each one down (upload and media files
released), clears its state, widget callbacks and fragments, collects the
garbage they leave and hands the freed heap back to the system.

Touches Streamlit internals (the runtime's session storage), pinned to 1.67
like panjmap/ui/streamlit_fixes.py; without them it logs once and does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import threading
from typing import Any

from streamlit.logger import get_logger
from streamlit.runtime import Runtime
from streamlit.runtime.caching.ttl_cache import TTLCache

REAP_EVERY_S = 10.0

_LOGGER = get_logger(__name__)
_installed = threading.Lock()
_done = False


def _glibc_malloc_trim() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: freed memory is reused, just not returned
        return None


_MALLOC_TRIM = _glibc_malloc_trim()


def _give_back_to_os() -> None:
    """Return the C heap's free pages to the system: glibc keeps them otherwise, and RSS
    stays at the peak of the largest import ever held (measured: 20-60 MB per 50k-point import)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def end_expired_sessions() -> None:
    """Start the reaper (once per server process; a no-op outside ``streamlit run``)."""
    global _done
    if _done or not Runtime.exists():
        return
    with _installed:
        if _done:
            return
        _done = True
        runtime = Runtime.instance()
        manager = getattr(runtime, "_session_mgr", None)
        cache = getattr(getattr(manager, "_session_storage", None), "_cache", None)
        lock = getattr(manager, "_storage_lock", None)
        if manager is None or not hasattr(manager, "_session_storage"):
            return  # not a websocket server (AppTest): no disconnected sessions to reap
        if not isinstance(cache, TTLCache) or lock is None:
            _LOGGER.warning("Disconnected sessions are not reaped: unexpected Streamlit session storage %r.", cache)
            return
        loop: asyncio.AbstractEventLoop = runtime._get_async_objs().eventloop
        loop.call_soon_threadsafe(_reap, loop, cache, lock)


def _forget_state(session: Any) -> None:
    """Drop what a shut-down session still refers to: its state, its widgets' callbacks
    (their arguments, e.g. the imported layers, survive ``clear()``) and its fragments (closures)."""
    state = session.session_state
    state.clear()
    state._new_widget_state.widget_metadata.clear()
    session._fragment_storage.clear()


def _reap(loop: asyncio.AbstractEventLoop, cache: TTLCache, lock: Any) -> None:
    """On the event loop (where Streamlit itself touches the storage): drop and shut down expired sessions."""
    try:
        with lock:
            expired = cache.expire()
        for _, info in expired:
            info.session.shutdown()
            # Streamlit's send loop keeps a reference to the last session it served until the next
            # session connects (a local of Runtime._loop_coroutine): a quiet server would hold that
            # session's state for good. It can never run again, so its state goes now.
            _forget_state(info.session)
        if expired:
            _LOGGER.info("Ended %d disconnected session(s) past their reconnect time.", len(expired))
            del info, expired
            gc.collect()  # sessions sit in reference cycles; collect now, not whenever the collector next runs
            _give_back_to_os()
    except Exception:  # never let a failed pass stop the next ones
        _LOGGER.exception("Reaping disconnected sessions failed")
    if not loop.is_closed():
        loop.call_later(REAP_EVERY_S, _reap, loop, cache, lock)
