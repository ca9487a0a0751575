"""The main screen: the window's current ticket, queue, history, figures and action keys."""

from datetime import UTC, datetime, timedelta
from typing import ClassVar, Final

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from clerk_tui.availability import (
    OFFLINE,
    blocked_reason,
    offers_needs_documents,
    pause_label,
    serves_cross_region,
    serves_pickup,
)
from clerk_tui.keys import ACTIONS, PANEL_ONLY, ConsoleAction
from clerk_tui.messages import ActionRefused, ActionRequest, ActionRequested
from clerk_tui.screens.call_number import CallNumberDialog
from clerk_tui.screens.outcome import OutcomeDialog
from clerk_tui.screens.pause import PauseDialog
from clerk_tui.screens.transfer import TransferChoice, TransferDialog
from clerk_tui.state import ConsoleState
from clerk_tui.widgets.action_panel import ActionPanel
from clerk_tui.widgets.current_ticket import CurrentTicket
from clerk_tui.widgets.help_banner import HelpBanner
from clerk_tui.widgets.history_list import HistoryList
from clerk_tui.widgets.journey_panel import JourneyPanel
from clerk_tui.widgets.queue_list import QueueList
from clerk_tui.widgets.stats_strip import StatsStrip
from clerk_tui.widgets.status_bar import OfflineBanner, StatusBar
from queue_server.protocol import FinishOutcome, WindowStatus


def key_label(key: str) -> str:
    """`f1` -> `F1`, `ctrl+q` -> `Ctrl+Q`: the first key bound, as printed on keyboards."""
    return "+".join(
        part.capitalize() if len(part) > 1 else part.upper()
        for part in key.split(",")[0].split("+")
    )


WINDOW_ACTIONS = tuple(action for action in ACTIONS if action.id != "quit")


def panel_actions(state: ConsoleState) -> list[ConsoleAction]:
    """The keys the 操作 panel lists: the case list's only at a 跨域通办 window, the
    locker's only at an 出件 window."""
    return [action for action in WINDOW_ACTIONS if _offered(action.id, state)]


def _offered(action: str, state: ConsoleState) -> bool:
    if action == "cross_region_cases":
        return serves_cross_region(state)
    if action == "locker_deposit":
        return serves_pickup(state)
    if action == "needs_documents":
        return offers_needs_documents(state)
    return True


def _panel_reason(reason: str | None) -> str | None:
    """Offline, every key is blocked for the same reason, which the banner already gives in
    full: the panel says only 离线, so that all nine keys still fit at 100×30."""
    return "离线" if reason == OFFLINE else reason


NO_SHOW_CONFIRM_WINDOW: Final = timedelta(seconds=5)
"""How long the first press of 过号 waits for the second press that confirms it."""


class MainScreen(Screen[None]):
    """Set `state` (from the app) and `now` (ticks every second); keys post ActionRequested."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(action.key, action.id, action.label, id=action.id, show=action.id not in PANEL_ONLY)
        for action in WINDOW_ACTIONS
    ]

    state: reactive[ConsoleState] = reactive(ConsoleState(window_no=0), always_update=True)
    now: reactive[datetime] = reactive(datetime(2000, 1, 1, tzinfo=UTC))

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap
        self.no_show_asked: tuple[int, datetime] | None = None
        """(ticket id, when) after a first press of 过号, until confirmed or cancelled."""

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status-bar")
        yield OfflineBanner(id="offline-banner")
        yield HelpBanner()
        with Horizontal(id="main-columns"):
            with Vertical(id="left-column"):
                yield CurrentTicket(id="current-ticket")
                yield ActionPanel(id="action-panel")
            with Vertical(id="right-column"):
                yield QueueList(id="queue-list")
                yield JourneyPanel(id="journey-panel")
                yield HistoryList(id="history-list")
        yield Static("", id="message")
        yield StatsStrip(id="stats-strip")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#current-ticket").border_title = "当前号码"
        self.query_one("#queue-list").border_title = "本窗口队列"
        self.query_one("#history-list").border_title = "本窗口记录"
        self.query_one("#action-panel").border_title = "操作"
        self.query_one("#journey-panel").border_title = "补件回访"
        self._show(self.state)

    def watch_state(self, state: ConsoleState) -> None:
        if self.is_mounted:
            self._show(state)
            self.refresh_bindings()

    def watch_now(self, now: datetime) -> None:
        if not self.is_mounted:
            return
        try:
            status, ticket, queue = (
                self.query_one(StatusBar),
                self.query_one(CurrentTicket),
                self.query_one(QueueList),
            )
        except NoMatches:
            return  # the app's clock ticked while the screen is being taken down at exit
        status.now = now
        asked = self.no_show_asked
        if asked is not None and now - asked[1] > NO_SHOW_CONFIRM_WINDOW:
            self._cancel_no_show()
        ticket.now = now
        queue.now = now

    def _show(self, state: ConsoleState) -> None:
        status = self.query_one(StatusBar)
        status.hall_name = state.hall_name
        status.window = state.window
        status.helps_with = state.helped_names
        status.tidal = state.tidal_note
        status.online = state.online
        status.timezone = state.timezone
        banner = self.query_one(OfflineBanner)
        banner.online = state.online
        banner.note = state.connection_note
        current = self.query_one(CurrentTicket)
        current.ticket = state.current
        current.idle_hint = self._idle_hint(state)
        journey = state.journey
        shown = state.current is not None and journey is not None
        self.query_one(JourneyPanel).journey = journey if shown else None
        if self.no_show_asked is not None and (
            state.current is None or state.current.id != self.no_show_asked[0]
        ):
            self.no_show_asked = None
        self._show_message(state)
        queue = self.query_one(QueueList)
        queue.queues = state.queues
        queue.next_numbers = state.next_numbers
        queue.transferred_here = state.transferred_here
        self.query_one(HistoryList).history = state.history
        stats = self.query_one(StatsStrip)
        stats.my_day = state.my_day
        stats.hall_waiting = state.hall_waiting
        self.query_one(ActionPanel).rows = tuple(
            (
                action,
                self._key_of(action.id),
                pause_label(state) if action.id == "pause" else action.label,
                _panel_reason(blocked_reason(action.id, state)),
            )
            for action in panel_actions(state)
        )

    def _show_message(self, state: ConsoleState) -> None:
        message = self.query_one("#message", Static)
        asking = self.no_show_asked is not None and state.current is not None
        if asking and state.current is not None:
            key = self._key_of("no_show")
            message.update(f"再按 {key} 确认过号（{state.current.number}号）· Esc 或其他键取消")
        else:
            message.update(state.message)
        message.set_class(asking, "-confirm")
        message.set_class(state.message_is_error and not asking, "-error")

    def _idle_hint(self, state: ConsoleState) -> str:
        """What to press when no ticket is at the window: resume first if paused."""
        if state.window is not None and state.window.status == WindowStatus.PAUSED:
            return f"暂停服务中，按 {self._key_of('pause')} 恢复服务"
        return f"按 {self._key_of('call_next')} 叫号"

    def _key_of(self, action_id: str) -> str:
        return key_label(self._keys_of(action_id)[0])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A blocked key is disabled (shown dimmed); the case list exists only at a 跨域通办
        window, and is hidden elsewhere."""
        if not _offered(action, self.state):
            return False
        if action in {a.id for a in WINDOW_ACTIONS}:
            return blocked_reason(action, self.state) is None or None
        return True

    def on_key(self, event: events.Key) -> None:
        """Keys reach the screen before its bindings. While 过号 waits for its confirming
        press, any other key cancels it (Esc only cancels). A key of a blocked action arrives
        here too (Textual skips disabled bindings): say why rather than ignore it."""
        if self.no_show_asked is not None and event.key not in self._keys_of("no_show"):
            self._cancel_no_show()
            if event.key == "escape":
                event.stop()
                return
        for binding in self.active_bindings.values():
            if event.key != binding.binding.key or binding.enabled:
                continue
            reason = blocked_reason(binding.binding.action, self.state)
            if reason is not None:
                event.stop()
                self.post_message(ActionRefused(f"{binding.binding.description}：{reason}"))
                return

    def _request(self, request: ActionRequest) -> None:
        self.post_message(ActionRequested(request))

    def _current_id(self) -> int | None:
        current = self.state.current
        return current.id if current else None

    def action_call_next(self) -> None:
        self._request(ActionRequest("call_next"))

    def action_recall(self) -> None:
        self._request(ActionRequest("recall", ticket_id=self._current_id()))

    def action_start(self) -> None:
        self._request(ActionRequest("start", ticket_id=self._current_id()))

    def action_finish(self) -> None:
        current = self.state.current
        if current is None:
            return
        category = self.state.category(current.category)
        if category is None or not category.finish_outcome_required:
            self._request(ActionRequest("finish", ticket_id=current.id))
            return

        def finish_with(outcome: str | None) -> None:
            if outcome == FinishOutcome.NEEDS_DOCUMENTS:
                self._request(ActionRequest("needs_documents", ticket_id=current.id))
            elif outcome is not None:
                self._request(ActionRequest("finish", ticket_id=current.id, outcome=outcome))

        self.app.push_screen(OutcomeDialog(current.number), finish_with)

    def _keys_of(self, action_id: str) -> list[str]:
        key = self.keymap.get(action_id) or next(a.key for a in ACTIONS if a.id == action_id)
        return key.split(",")

    def _cancel_no_show(self) -> None:
        self.no_show_asked = None
        self._show_message(self.state)

    def action_no_show(self) -> None:
        """过号 takes two presses: the first asks, a second within a few seconds confirms."""
        current = self.state.current
        if current is None:
            return
        asked = self.no_show_asked
        if (
            asked is not None
            and asked[0] == current.id
            and self.now - asked[1] <= (NO_SHOW_CONFIRM_WINDOW)
        ):
            self.no_show_asked = None
            self._request(ActionRequest("no_show", ticket_id=current.id))
            return
        self.no_show_asked = (current.id, self.now)
        self._show_message(self.state)

    def action_transfer(self) -> None:
        current = self.state.current
        if current is None:
            return
        windows = [w for w in self.state.windows if w.number != self.state.window_no]

        def transfer_to(choice: TransferChoice | None) -> None:
            if choice is not None and choice.cross_region:
                self._request(ActionRequest("cross_region", ticket_id=current.id))
            elif choice is not None:
                self._request(
                    ActionRequest(
                        "transfer",
                        ticket_id=current.id,
                        reason=choice.reason,
                        to_category=choice.to_category,
                        to_window=choice.to_window,
                    )
                )

        dialog = TransferDialog(current.number, list(self.state.categories), windows)
        self.app.push_screen(dialog, transfer_to)

    def action_pause(self) -> None:
        window = self.state.window
        if window is not None and window.status == WindowStatus.PAUSED:
            self._request(ActionRequest("resume"))
            return

        def pause_for(reason: str | None) -> None:
            if reason is not None:
                self._request(ActionRequest("pause", reason=reason))

        self.app.push_screen(PauseDialog(), pause_for)

    def action_call_number(self) -> None:
        def call(number: str | None) -> None:
            if number is not None:
                self._request(ActionRequest("call_number", number=number))

        self.app.push_screen(CallNumberDialog(), call)

    def action_requeue(self) -> None:
        self._request(ActionRequest("requeue"))

    def action_cross_region(self) -> None:
        self._request(ActionRequest("cross_region", ticket_id=self._current_id()))

    def action_cross_region_cases(self) -> None:
        self._request(ActionRequest("cross_region_cases"))

    def action_needs_documents(self) -> None:
        self._request(ActionRequest("needs_documents", ticket_id=self._current_id()))

    def action_locker_deposit(self) -> None:
        self._request(ActionRequest("locker_deposit", ticket_id=self._current_id()))
