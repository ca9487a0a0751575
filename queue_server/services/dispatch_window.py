"""The window as dispatch sees it: the one place that turns a configured window and its
live state into the `WindowView` and policy its next call is chosen by."""

from dataclasses import dataclass

from queue_server.config import Window
from queue_server.domain.dispatch import POLICIES, DispatchPolicy, WindowView
from queue_server.models import WindowState


@dataclass(frozen=True, slots=True)
class DispatchWindow:
    view: WindowView
    policy: DispatchPolicy

    @property
    def may_serve(self) -> tuple[str, ...]:
        """Every category the window may call now: its own, then those it helps with."""
        return (*self.view.categories, *self.view.also_serves)


def dispatch_window(window: Window, state: WindowState) -> DispatchWindow:
    """The configured window with its streaks: its own categories, and those it `also_serves`
    (跨窗通办). A temporary change of the window's categories belongs here, so that dispatch
    and everything that describes the window agree."""
    return DispatchWindow(
        view=WindowView(
            number=window.number,
            categories=tuple(window.categories),
            priority_streak=state.priority_streak,
            appointment_streak=state.appointment_streak,
            also_serves=tuple(window.also_serves),
        ),
        policy=POLICIES[window.policy],
    )
