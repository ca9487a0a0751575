"""The hall board: newest call, recent calls, windows, queues, the notice and the clock;
after hours, the closed notice and the 24-hour zone in place of the calls."""

from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from display_board.state import BoardState
from display_board.widgets.after_hours import AfterHours
from display_board.widgets.clock import ClockFace
from display_board.widgets.latest_call import LatestCall
from display_board.widgets.notice import Notice
from display_board.widgets.queue_summary import QueueSummary
from display_board.widgets.recent_calls import RecentCalls
from display_board.widgets.window_grid import WindowGrid
from queue_server.domain.clock import Clock


class HallView(Vertical):
    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Horizontal(id="title-bar"):
            yield Static("", id="hall-name")
            yield ClockFace(self.clock, id="clock")
        yield AfterHours(id="after-hours")
        with Horizontal(id="calls"):
            yield LatestCall(id="latest")
            with Vertical(id="recent-panel"):
                yield Static("最近叫号", classes="caption")
                yield RecentCalls(id="recent")
        with Horizontal(id="overview"):
            yield WindowGrid(id="windows")
            yield QueueSummary(id="queues")
        yield Notice(self.clock, id="notice")

    def show_state(self, state: BoardState, *, highlight: bool, timezone: ZoneInfo) -> None:
        self.query_one("#hall-name", Static).update(state.hall_name)
        self.query_one(ClockFace).timezone = timezone
        self.query_one(LatestCall).show_call(state.latest, highlight=highlight)
        self.query_one(RecentCalls).show_calls(state.recent)
        self.query_one(WindowGrid).show_windows(state.windows)
        self.query_one(QueueSummary).show_categories(state.categories)
        self.query_one(Notice).show_notice(state.notice)
        closed = not state.open_now and state.seq is not None
        self.set_class(closed, "-closed")
        if closed:
            self.query_one(AfterHours).show_closed(
                day_off=state.day_off,
                opens_at=state.opens_at,
                zone=state.zone,
                now=self.clock.now(),
            )
