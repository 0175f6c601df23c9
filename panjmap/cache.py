"""A process-wide cache bounded by bytes, whose entries never keep their inputs alive.

Streamlit runs every session in one process, so a cache at module level is
shared by all of them and lives as long as the server. Two rules keep such a
cache from holding memory that no session owns any more (issue 17, point 4):

- its size is bounded by the estimated bytes of what it holds, not by a count
  of entries (one entry for a 100k-record import outweighs thousands for the
  seed data);
- an entry derived from objects a session owns (an imported table) is keyed by
  those objects' identities and holds them only weakly: when the last session
  holding one lets go, the entry goes too, and the table can be freed.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import fields, is_dataclass
from typing import Any, Generic, TypeVar

V = TypeVar("V")


def approx_size(obj: Any, _depth: int = 0) -> int:
    """Bytes held by ``obj`` and the strings, numbers and containers inside it (an estimate).

    Enough for cache bookkeeping of plain values (options lists, alias tuples);
    not meant for arrays or frames.
    """
    size = sys.getsizeof(obj)
    if _depth > 8:
        return size
    if isinstance(obj, dict):
        return size + sum(approx_size(k, _depth + 1) + approx_size(v, _depth + 1) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return size + sum(approx_size(item, _depth + 1) for item in obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return size + sum(approx_size(getattr(obj, f.name), _depth + 1) for f in fields(obj))
    return size


class ByteBoundedCache(Generic[V]):
    """A thread-safe LRU mapping whose values' estimated sizes add up to at most ``max_bytes``.

    A value larger than the whole budget is not stored. Entries made with
    ``owners`` are keyed by those objects' identities and dropped as soon as any
    of them is garbage-collected (the cache holds them only weakly, so an id
    cannot be reused while its entry exists).
    """

    def __init__(self, max_bytes: int, sizeof: Callable[[V], int] = approx_size) -> None:
        self.max_bytes = max_bytes
        self._sizeof = sizeof
        self._entries: OrderedDict[Hashable, tuple[V, int, tuple[weakref.ref, ...]]] = OrderedDict()
        self._bytes = 0
        # Re-entrant: a weakref callback can fire in this thread while the lock is held
        # (a collection triggered by an allocation inside put).
        self._lock = threading.RLock()
        # get_or_make: one lock per stripe of keys, so different values are made in parallel;
        # re-entrant, so a make may itself ask this cache for a value on the same stripe.
        self._making = [threading.RLock() for _ in range(16)]

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: V) -> None:
        self._store(key, value)

    def get_or_make(self, key: Hashable, make: Callable[[], V], owners: Iterable[object] = ()) -> V:
        """The value stored for ``key``, or else ``make()``, stored. Given ``owners`` (objects the
        value is derived from), the value is for those live objects and ``key`` together, and is
        dropped as soon as any of them is collected. Threads (sessions) asking at once for the
        same missing value wait for one ``make`` instead of each running it and holding a copy."""
        owners = tuple(owners)
        full_key = (*(id(obj) for obj in owners), key) if owners else key
        found = self.get(full_key)
        if found is not None:
            return found
        with self._making[hash(full_key) % len(self._making)]:
            found = self.get(full_key)
            if found is None:
                found = make()
                self._store(full_key, found, owners)
        return found

    def retain(self, keep: Callable[[Hashable], bool]) -> None:
        """Drop every entry whose key ``keep`` rejects (e.g. data that no longer exists)."""
        with self._lock:
            for key in [k for k in self._entries if not keep(k)]:
                self._discard(key)

    def _store(self, key: Hashable, value: V, owners: tuple[object, ...] = ()) -> None:
        refs = tuple(weakref.ref(obj, lambda _ref, key=key: self._discard(key)) for obj in owners)
        size = self._sizeof(value)
        with self._lock:
            self._discard(key)
            if size > self.max_bytes:
                return
            while self._entries and self._bytes + size > self.max_bytes:
                _, (_, old_size, _) = self._entries.popitem(last=False)
                self._bytes -= old_size
            self._entries[key] = (value, size, refs)
            self._bytes += size

    def _discard(self, key: Hashable) -> None:
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._bytes -= entry[1]


def byte_bounded(max_bytes: int, sizeof: Callable[[Any], int] = approx_size) -> Callable[[Callable[..., V]], Callable[..., V]]:
    """Memoise a function of hashable arguments in a :class:`ByteBoundedCache` (keys count too)."""

    def decorate(fn: Callable[..., V]) -> Callable[..., V]:
        cache: ByteBoundedCache[tuple[Any, V]] = ByteBoundedCache(max_bytes, lambda kv: sizeof(kv[0]) + sizeof(kv[1]))

        def wrapper(*args: Any) -> V:
            hit = cache.get(args)
            if hit is not None:
                return hit[1]
            value = fn(*args)
            cache.put(args, (args, value))
            return value

        wrapper.__name__ = fn.__name__
        wrapper.__doc__ = fn.__doc__
        wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
        wrapper.cache = cache  # type: ignore[attr-defined]
        return wrapper

    return decorate
