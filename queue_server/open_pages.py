"""How many status pages follow each ticket code in this process, with the caps on them."""

from collections import Counter
from dataclasses import dataclass, field

MAX_PAGES_PER_TICKET = 8
MAX_PAGES = 2000


@dataclass(slots=True)
class OpenPages:
    """Each open page re-reads its ticket after events that concern it: the caps keep one code
    shared around, or a script, from turning every event into thousands of reads. Built with
    the app's resources, so two apps in one process (the tests) count apart."""

    per_ticket: int = MAX_PAGES_PER_TICKET
    in_all: int = MAX_PAGES
    _open: Counter[str] = field(default_factory=Counter)

    def open(self, code: str) -> bool:
        """Count one more page for `code`; False (and nothing counted) when a cap is reached."""
        if self._open[code] >= self.per_ticket or self._open.total() >= self.in_all:
            return False
        self._open[code] += 1
        return True

    def close(self, code: str) -> None:
        self._open[code] -= 1
        if self._open[code] <= 0:
            del self._open[code]

    def count(self, code: str) -> int:
        return self._open[code]
