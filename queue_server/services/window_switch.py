"""The 潮汐 switch stored on a window's state: the one place that turns it into the window
dispatch, the estimator and the views see (domain/tidal.py)."""

from datetime import datetime

from queue_server.domain.tidal import TidalSwitch, in_force
from queue_server.models import WindowState


def stored_switch(state: WindowState) -> TidalSwitch | None:
    """The switch recorded on the window, until the watch ends it."""
    if state.tidal_category is None or state.tidal_until is None:
        return None
    return TidalSwitch(state.number, state.tidal_category, state.tidal_until)


def switch_in_force(state: WindowState, now: datetime) -> TidalSwitch | None:
    """The switch recorded on the window, if its end has not come yet."""
    return in_force(
        window=state.number, category=state.tidal_category, until=state.tidal_until, now=now
    )
