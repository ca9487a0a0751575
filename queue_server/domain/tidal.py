"""潮汐窗口 (tidal windows): a window switched for a while to serve another category first.

A switch moves a window to one of the categories it `also_serves` (what its clerks may serve)
until a given time: the window then calls that category first and its own categories after
it, in that order. Suggestions of which switch to make are scored by the simulator from the
live state (see queue_server/simulation/).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from queue_server.domain.dispatch import WindowView
from queue_server.domain.estimates import ServiceTime, WindowLoad

SWITCH_POLICY = "category_order"
"""How a switched window picks: the switched-to category first, then its own."""


@dataclass(frozen=True, slots=True)
class TidalMove:
    """Switch window `window` to `category` for the next `minutes` minutes."""

    window: int
    category: str
    minutes: int


@dataclass(frozen=True, slots=True)
class TidalSwitch:
    """A switch in force at a window until `until`."""

    window: int
    category: str
    until: datetime

    def active(self, now: datetime) -> bool:
        return now < self.until


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A move with the hall's expected mean wait without it and with it (seconds)."""

    move: TidalMove
    mean_wait_without_seconds: float
    mean_wait_with_seconds: float

    @property
    def gain_seconds(self) -> float:
        return self.mean_wait_without_seconds - self.mean_wait_with_seconds


@dataclass(frozen=True, slots=True)
class LiveHall:
    """What a suggestion is made from: a snapshot of one hall now."""

    now: datetime
    waiting: Mapping[str, Sequence[datetime]]
    """Per category, the queue keys of its waiting tickets (not sent to a named window)."""
    windows: Sequence[WindowLoad]
    """Every window as configured (its own categories, `also_serves` and policy) and now."""
    service: Mapping[str, ServiceTime]
    arrivals_per_hour: Mapping[str, float]
    """Per category, the recent rate of new tickets."""
    target_wait: Mapping[str, timedelta]
    overflow_waiting: Mapping[str, int]
    switches: Sequence[TidalSwitch] = field(default_factory=tuple)
    """Switches in force now."""


def switched(view: WindowView, category: str) -> WindowView:
    """The window as dispatch sees it while switched to `category` (call it with the
    SWITCH_POLICY): that category first, then its own; it no longer helps with it as overflow."""
    return WindowView(
        number=view.number,
        categories=(category, *(c for c in view.categories if c != category)),
        priority_streak=view.priority_streak,
        appointment_streak=view.appointment_streak,
        also_serves=tuple(c for c in view.also_serves if c != category),
    )


def in_force(
    *, window: int, category: str | None, until: datetime | None, now: datetime
) -> TidalSwitch | None:
    """The switch a window's stored `category` and `until` make, if it is still in force."""
    if category is None or until is None or now >= until:
        return None
    return TidalSwitch(window=window, category=category, until=until)


def switched_load(load: WindowLoad, switch: TidalSwitch | None) -> WindowLoad:
    """The window as the estimator sees it: switched like `dispatch_window` does."""
    if switch is None:
        return load
    return replace(
        load,
        categories=(switch.category, *(c for c in load.categories if c != switch.category)),
        policy=SWITCH_POLICY,
        also_serves=tuple(c for c in load.also_serves if c != switch.category),
    )
