"""The window as dispatch sees it: the one place that turns a configured window and its
live state into the `WindowView` and policy its next call is chosen by, 潮汐 switch included
(the estimator's `WindowLoad` follows the same switch, see services/waits.py)."""

from dataclasses import dataclass
from datetime import datetime

from queue_server.config import Window
from queue_server.domain.dispatch import POLICIES, DispatchPolicy, WindowView
from queue_server.domain.live_state import WindowRow
from queue_server.domain.tidal import SWITCH_POLICY, TidalSwitch, in_force, switched
from queue_server.models import WindowState


@dataclass(frozen=True, slots=True)
class DispatchWindow:
    view: WindowView
    policy: DispatchPolicy

    @property
    def may_serve(self) -> tuple[str, ...]:
        """Every category the window may call now: its own, then those it helps with."""
        return (*self.view.categories, *self.view.also_serves)


def stored_switch(state: WindowRow) -> TidalSwitch | None:
    """The 潮汐 switch recorded on the window, until the watch ends it."""
    if state.tidal_category is None or state.tidal_until is None:
        return None
    return TidalSwitch(state.number, state.tidal_category, state.tidal_until)


def switch_in_force(state: WindowState, now: datetime) -> TidalSwitch | None:
    """The switch recorded on the window, if its end has not come yet."""
    return in_force(
        window=state.number, category=state.tidal_category, until=state.tidal_until, now=now
    )


def dispatch_window(window: Window, state: WindowState, *, now: datetime) -> DispatchWindow:
    """The configured window with its streaks: its own categories, and those it `also_serves`
    (跨窗通办); while a 潮汐 switch is in force, the switched-to category first, then its own
    (domain/tidal.py `switched`, called with SWITCH_POLICY)."""
    view = WindowView(
        number=window.number,
        categories=tuple(window.categories),
        priority_streak=state.priority_streak,
        appointment_streak=state.appointment_streak,
        also_serves=tuple(window.also_serves),
    )
    switch = switch_in_force(state, now)
    if switch is None:
        return DispatchWindow(view=view, policy=POLICIES[window.policy])
    return DispatchWindow(view=switched(view, switch.category), policy=POLICIES[SWITCH_POLICY])
