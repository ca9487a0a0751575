"""A one-entry cache of an answer many callers poll: kept while nothing has happened (the same
key, e.g. the city's newest event seq) and for at most a few seconds of the hall clock."""

import threading
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


class FreshAnswer(Generic[T]):
    """`seconds` = 0 turns the cache off. The key says what the answer was computed from; an
    answer that also depends on the time (estimates, opening hours) is at most `seconds` old."""

    def __init__(self, seconds: float) -> None:
        self.lifetime = timedelta(seconds=seconds)
        self._lock = threading.Lock()
        self._entry: tuple[object, datetime, T] | None = None

    def get(self, key: object, now: datetime) -> T | None:
        with self._lock:
            entry = self._entry
        if entry is None:
            return None
        cached_key, at, answer = entry
        if cached_key != key or not at <= now < at + self.lifetime:
            return None
        return answer

    def put(self, key: object, now: datetime, answer: T) -> None:
        if self.lifetime:
            with self._lock:
                self._entry = (key, now, answer)
