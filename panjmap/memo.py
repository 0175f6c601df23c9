"""Lookups derived from loaded data, made once and reused by every rerun of every session.

Loaded datasets and layers' record frames are cached per process and stay the same
object until they are reloaded, so what is derived from one (an index by id, by
file) can be kept beside it, keyed by the object itself (not its id(), which a
new object may reuse).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

S = TypeVar("S")
T = TypeVar("T")

KEEP = 4  # objects remembered per kind of lookup (a reload replaces the oldest)

_made: dict[Callable, list[tuple[object, object]]] = {}
_lock = threading.Lock()


def once_per(source: S, build: Callable[[S], T]) -> T:
    """``build(source)``, made the first time it is asked for this very ``source`` object."""
    with _lock:
        for known, value in _made.get(build, ()):
            if known is source:
                return value  # type: ignore[return-value]
    value = build(source)  # outside the lock: two threads may build it at once, alike
    with _lock:
        kept = _made.setdefault(build, [])
        kept.insert(0, (source, value))
        del kept[KEEP:]
    return value
