"""`BoardApp`: the hall board, or one window's board, fed by the live subscription."""

from dataclasses import replace
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer

from display_board.state import (
    CALL_EVENTS,
    BoardState,
    apply_event,
    from_snapshot,
    with_connection,
    with_hall,
)
from display_board.widgets.hall_view import HallView
from display_board.widgets.offline_banner import OfflineBanner
from display_board.widgets.window_view import WindowView
from queue_server.client import (
    ConnectionState,
    QueueClient,
    QueueError,
    SubscriptionItem,
    Unauthorised,
)
from queue_server.domain.clock import Clock, SystemClock
from queue_server.protocol import EventMessage, SnapshotMessage

DEFAULT_TIMEZONE = "Asia/Shanghai"
QUEUE_REFRESH_AFTER_EVENT_SECONDS = 1.0
"""Events change the queues' ETAs, which only the server computes: read them again soon
after, at most once a second."""


class BoardApp(App[None]):
    """A full-screen board. `window_no=None` shows the hall board, otherwise that window's.

    The app owns one subscription worker; every snapshot, event and link change goes through
    the pure functions in `display_board.state`, then the view is redrawn from the result.
    Waiting counts and ETAs are read again every `queue_refresh_seconds`, and with them the
    opening hours: after hours the hall board shows 大厅已下班 (or 今日休息), the next opening
    and the 24-hour zone's devices, and goes back to its calls by itself at opening.
    """

    CSS_PATH = Path(__file__).with_name("board.tcss")
    TITLE = "一门 显示屏"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "退出", show=False)]

    def __init__(
        self,
        client: QueueClient,
        *,
        window_no: int | None = None,
        queue_refresh_seconds: float = 30.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.window_no = window_no
        self.queue_refresh_seconds = queue_refresh_seconds
        self.clock: Clock = clock or SystemClock()
        self.board = BoardState()
        self.highlight = False
        self._highlight_timer: Timer | None = None
        self._queue_refresh: Timer | None = None

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline")
        if self.window_no is None:
            yield HallView(self.clock, id="hall")
        else:
            yield WindowView(self.window_no, id="window")

    def on_mount(self) -> None:
        self.show_board()
        self.follow_feed()
        self.set_interval(self.queue_refresh_seconds, self.refresh_queues)

    @work(exclusive=True, exit_on_error=False, group="feed")
    async def follow_feed(self) -> None:
        subscription = self.client.subscribe()
        try:
            async for item in subscription:
                self.receive(item)
        except Unauthorised as error:
            self.board = replace(self.board, connected=False, problem=error.detail)
            self.show_board()
            self.notify(error.detail, title="显示屏令牌被拒绝", severity="error", timeout=60)
        finally:
            await subscription.aclose()

    @work(exclusive=True, exit_on_error=False, group="queues")
    async def refresh_queues(self) -> None:
        if not self.board.connected:
            return
        try:
            hall = await self.client.hall()
        except QueueError as error:
            self.log.warning(f"could not refresh the queues: {error.detail}")
            return
        self.board = with_hall(self.board, hall)
        self.show_board()

    def receive(self, item: SubscriptionItem) -> None:
        """Fold one item of the live feed into the board and redraw it."""
        if isinstance(item, ConnectionState):
            self.board = with_connection(self.board, item)
        elif isinstance(item, SnapshotMessage):
            self.board = from_snapshot(self.board, item.hall, item.seq)
        elif isinstance(item, EventMessage):
            self.board = apply_event(self.board, item)
            if self._concerns_this_board(item):
                self.start_highlight()
            if self._queue_refresh is None:
                self._queue_refresh = self.set_timer(
                    QUEUE_REFRESH_AFTER_EVENT_SECONDS, self._refresh_soon
                )
        else:
            return
        self.show_board()

    def _refresh_soon(self) -> None:
        self._queue_refresh = None
        self.refresh_queues()

    def _concerns_this_board(self, event: EventMessage) -> bool:
        if event.type not in CALL_EVENTS or event.ticket is None:
            return False
        return self.window_no is None or event.ticket.window_no == self.window_no

    def start_highlight(self) -> None:
        if self._highlight_timer is not None:
            self._highlight_timer.stop()
        self.highlight = True
        self._highlight_timer = self.set_timer(
            self.board.settings.highlight_seconds, self.end_highlight
        )

    def end_highlight(self) -> None:
        self.highlight = False
        self._highlight_timer = None
        self.show_board()

    def _timezone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.board.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIMEZONE)

    def show_board(self) -> None:
        board = self.board
        self.query_one(OfflineBanner).show_link(connected=board.connected, problem=board.problem)
        if self.window_no is None:
            self.query_one(HallView).show_state(
                board, highlight=self.highlight, timezone=self._timezone()
            )
        else:
            self.query_one(WindowView).show_state(board, highlight=self.highlight)
