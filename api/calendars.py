"""The calendars this web process has built, kept while the calendar stamp says they are
current (:mod:`models.storage.stamp`, raised by the database on every change to what a
calendar shows).

Phones poll their feed every few minutes and nothing changes for weeks: building a feed
is four statements and the iCalendar text, checking the stamp is a column added to the
statement that reads the token anyway. Each process keeps its own (nothing to share or
invalidate between processes: the stamp lives in the database they share). A calendar
built from data newer than the stamp it was read with may be kept under that stamp: it
is never older than what a request with that stamp may be shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

V = TypeVar("V")

#: Bytes of calendars a process keeps (the least recently asked go first).
DEFAULT_BYTES = 64 * 1024 * 1024


class BuiltCalendars(Generic[V]):
    """Calendars by key (delegate and variant), each with the stamp it was built at."""

    def __init__(self, max_bytes: int = DEFAULT_BYTES) -> None:
        self._entries: LRUCache[Hashable, tuple[int, V, int]] = LRUCache(max_bytes, getsizeof=lambda e: e[2])
        self._lock = threading.Lock()  # the worker threads of the process share it

    def get(self, key: Hashable, generation: int | None) -> V | None:
        if generation is None:
            return None
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == generation else None

    def put(self, key: Hashable, generation: int | None, value: V, size: int) -> None:
        """Keep ``value`` (``size`` bytes) built at ``generation``, unless a newer one is kept."""
        if generation is None or size > self._entries.maxsize:
            return
        with self._lock:
            kept = self._entries.get(key)
            if kept is None or kept[0] <= generation:
                self._entries[key] = (generation, value, size)

    def get_or_build(
        self, key: Hashable, generation: int | None, build: Callable[[], V], size: Callable[[V], int]
    ) -> V:
        """The kept value if current, else ``build()``'s, kept for the next request."""
        value = self.get(key, generation)
        if value is None:
            value = build()
            self.put(key, generation, value, size(value))
        return value
