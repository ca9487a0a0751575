"""就近办: which halls of the city can take a matter, and which of them is quickest now.

A hall takes a matter *here* when the matter is in its catalog and the hall may decide it
(`deciding_halls` absent or naming it), or *across the city* when the matter is in its catalog,
allows 市域通办 (`cross_region` modes) and some hall of the city decides it. The best hall is the
one with the shortest wait; a hall that cannot issue a ticket for it now (closed, or no
window serving the category) comes last. Everything here is pure.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeVar

from queue_server.domain.cross_region import CrossRegionMode

QUICKER_BY_MINUTES: Final = 15
"""How much sooner another hall must serve the applicant before the kiosk points there."""


class Handling(StrEnum):
    HERE = "here"
    """The hall accepts and decides the matter itself."""
    CROSS_REGION = "cross_region"
    """The hall takes it for the hall that decides it (市域通办)."""


@dataclass(frozen=True, slots=True)
class MatterAtHall:
    """A matter as one hall's catalog has it."""

    hall: str
    category: str
    """The hall's category that serves the matter."""
    modes: frozenset[CrossRegionMode]
    deciding_halls: frozenset[str] | None
    """None: every hall of the city decides it."""


@dataclass(frozen=True, slots=True)
class Offer:
    hall: str
    category: str
    handling: Handling
    modes: frozenset[CrossRegionMode]


def handling_at(entry: MatterAtHall, *, city_halls: Collection[str]) -> Handling | None:
    """How `entry.hall` can take the matter, or None when it cannot."""
    deciders = entry.deciding_halls
    if deciders is None or entry.hall in deciders:
        return Handling.HERE
    if entry.modes and any(hall in deciders for hall in city_halls):
        return Handling.CROSS_REGION
    return None


def offers(entries: Iterable[MatterAtHall], *, city_halls: Collection[str]) -> list[Offer]:
    """The halls that can take the matter, in the order given (the city's order)."""
    found = []
    for entry in entries:
        handling = handling_at(entry, city_halls=city_halls)
        if handling is not None:
            modes = entry.modes if handling is Handling.CROSS_REGION else frozenset()
            found.append(Offer(entry.hall, entry.category, handling, modes))
    return found


@dataclass(frozen=True, slots=True)
class Wait:
    """A hall's queue for the category that serves the applicant."""

    hall: str
    eta_minutes: int | None
    """None: no window serves the category now."""
    open: bool = True
    """Whether a kiosk issues tickets of the category now."""
    handling: Handling = Handling.HERE

    @property
    def available(self) -> bool:
        return self.open and self.eta_minutes is not None


W = TypeVar("W", bound=Wait)


def best_first(waits: Sequence[W]) -> list[W]:
    """Shortest wait first; a hall that cannot serve now last; at equal waits a hall that
    decides the matter itself first, then the order given (the city's order)."""
    order = {id(wait): index for index, wait in enumerate(waits)}
    return sorted(
        waits,
        key=lambda w: (
            not w.available,
            w.eta_minutes if w.eta_minutes is not None else 0,
            w.handling is not Handling.HERE,
            order[id(w)],
        ),
    )


def quicker_elsewhere(
    *,
    here: str,
    eta_minutes: int | None,
    target_wait_minutes: int,
    waits: Sequence[W],
    margin: int = QUICKER_BY_MINUTES,
) -> W | None:
    """The hall to suggest instead of this one: only when the wait here is above its target
    and another hall would serve at least `margin` minutes sooner; the quickest such hall."""
    if eta_minutes is None or eta_minutes <= target_wait_minutes:
        return None
    for wait in best_first(waits):
        if wait.hall == here or not wait.available or wait.eta_minutes is None:
            continue
        if wait.eta_minutes <= eta_minutes - margin:
            return wait
        return None
    return None
