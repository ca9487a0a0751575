"""ClerkApp: log in, sign in to a window, then run it from the keyboard.

All network work runs in workers on the app; screens post messages up and receive state down.
"""

import asyncio
import contextlib
from dataclasses import replace
from pathlib import Path, PurePath
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType

from clerk_tui.availability import blocked_reason
from clerk_tui.cross_region import desk as cross_region_desk
from clerk_tui.cross_region import views as cross_region_views
from clerk_tui.cross_region.dialogs import OpenCaseDialog
from clerk_tui.cross_region.list_screen import CrossRegionListScreen
from clerk_tui.help_desk import HelpDesk
from clerk_tui.idempotency import ActionKeys
from clerk_tui.keys import ACTIONS, action_label
from clerk_tui.messages import (
    ActionRefused,
    ActionRequest,
    ActionRequested,
    LoginSubmitted,
    WindowChosen,
)
from clerk_tui.screens.confirm_quit import ConfirmQuitDialog
from clerk_tui.screens.locker_deposit import LockerChoice, LockerDepositDialog
from clerk_tui.screens.login import LoginScreen
from clerk_tui.screens.main import MainScreen
from clerk_tui.screens.missing_materials import MissingMaterialsDialog
from clerk_tui.screens.requeue import RequeueDialog
from clerk_tui.screens.window_choice import WindowChoiceScreen
from clerk_tui.state import (
    ConsoleState,
    needs_refresh,
    with_event,
    with_hall,
    with_queue,
    with_ticket,
    with_window,
)
from queue_server.client import (
    ConnectionState,
    QueueClient,
    QueueError,
    ServerUnreachable,
    Unauthorised,
)
from queue_server.domain.clock import Clock, SystemClock
from queue_server.protocol import (
    EventMessage,
    FinishOutcome,
    Role,
    SnapshotMessage,
    TicketPublic,
    TicketStatus,
    WindowPublic,
)

HISTORY_LENGTH = 8
REFRESH_DEBOUNCE_SECONDS = 0.15
UNCONFIRMED = (
    "服务器没有回应，无法确认“{label}”是否已执行。恢复连接后再按一次会安全重试，不会重复执行"
)


class ClerkApp(HelpDesk):
    """The clerk console. Collaborators are injected: the client, the keymap and the clock."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [
        Path(__file__).with_name("clerk.tcss"),
        Path(__file__).parent / "cross_region" / "cross_region.tcss",
    ]
    ENABLE_COMMAND_PALETTE = False
    TITLE = "一门 · 窗口工作台"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "request_quit", "退出", id="quit", priority=True),
    ]

    def __init__(
        self,
        client: QueueClient,
        *,
        window_no: int | None = None,
        keymap: dict[str, str] | None = None,
        clock: Clock | None = None,
        heartbeat_seconds: float = 15.0,
        reconnect_max_seconds: float = 2.0,
    ) -> None:
        super().__init__()
        self.client = client
        self.requested_window = window_no
        self.keymap = keymap or {action.id: action.key for action in ACTIONS}
        self.clock: Clock = clock or SystemClock()
        self.heartbeat_seconds = heartbeat_seconds
        self.reconnect_max_seconds = reconnect_max_seconds
        self.keys = ActionKeys()
        self.hall_state: ConsoleState | None = None
        self.main: MainScreen | None = None
        self.display_name = ""
        self.journey_loading: int | None = None
        """The journey being read for the return visit at the window."""

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        self.push_screen(LoginScreen(self.client.base_url))

    # Logging in and signing in

    def on_login_submitted(self, message: LoginSubmitted) -> None:
        self.log_in(message.username, message.password)

    @work(exclusive=True, group="session", exit_on_error=False)
    async def log_in(self, username: str, password: str) -> None:
        screen = self.screen
        if isinstance(screen, LoginScreen):
            screen.busy = True
        try:
            login = await self.client.login(username, password)
            if login.role is not Role.CLERK:
                await self._forget_login()
                raise QueueError(403, "只有窗口工作人员可以使用窗口工作台", "wrong_role")
            self.display_name = login.display_name or username
            if self.requested_window is not None:
                await self._sign_in(self.requested_window)
                return
            me = await self.client.me()
            windows = await self.client.windows()
        except QueueError as error:
            if isinstance(screen, LoginScreen):
                screen.failed(error.detail)
            return
        if me.window_no is not None:
            await self._sign_in(me.window_no)
            return
        await self.switch_screen(WindowChoiceScreen(windows, self.display_name))

    async def _choose_instead(self, screen: LoginScreen, problem: str) -> None:
        """The window named on the command line cannot be had: offer the others."""
        try:
            windows = await self.client.windows()
        except QueueError as error:
            screen.failed(f"{problem}；{error.detail}")
            return
        await self.switch_screen(WindowChoiceScreen(windows, self.display_name, problem))

    async def _forget_login(self) -> None:
        with contextlib.suppress(QueueError):
            await self.client.logout()

    def on_window_chosen(self, message: WindowChosen) -> None:
        self.sign_in(message.number)

    @work(exclusive=True, group="session", exit_on_error=False)
    async def sign_in(self, window_no: int) -> None:
        await self._sign_in(window_no)

    async def _sign_in(self, window_no: int) -> None:
        screen = self.screen
        try:
            window = await self.client.sign_in(window_no)
        except QueueError as error:
            problem = f"签到{window_no}号窗口失败：{error.detail}"
            if isinstance(screen, WindowChoiceScreen):
                screen.error = problem
            elif isinstance(screen, LoginScreen):
                await self._choose_instead(screen, problem)
            return
        self.hall_state = ConsoleState(window_no=window_no, window=window, online=True)
        self.main = MainScreen(self.keymap)
        await self.switch_screen(self.main)
        self.main.state = self.hall_state
        self.main.now = self.clock.now()
        self.set_interval(1.0, self._tick)
        self.set_interval(cross_region_desk.REFRESH_SECONDS, self.poll_cross_region)
        self.follow_hall()

    def _tick(self) -> None:
        if self.main is not None:
            self.main.now = self.clock.now()
        if self.help_calls:
            self.show_help_calls()  # how long each has waited

    # State down

    def _set_state(self, state: ConsoleState) -> None:
        self.hall_state = state
        self._follow_journey(state)
        state = self.hall_state
        if self.main is not None:
            self.main.state = state

    def _say(self, message: str, *, error: bool = False) -> None:
        if self.hall_state is not None:
            self._set_state(replace(self.hall_state, message=message, message_is_error=error))
        if error:
            self.notify(message, severity="error", timeout=8)

    # The live feed

    @work(exclusive=True, group="live", exit_on_error=False)
    async def follow_hall(self) -> None:
        subscription = self.client.subscribe(
            heartbeat_seconds=self.heartbeat_seconds,
            initial_delay=min(0.2, self.reconnect_max_seconds),
            max_delay=self.reconnect_max_seconds,
        )
        try:
            async for item in subscription:
                state = self.hall_state
                if state is None:
                    continue
                if isinstance(item, ConnectionState):
                    note = None if item.connected else _retry_note(item.retry_in)
                    self._set_state(replace(state, online=item.connected, connection_note=note))
                elif isinstance(item, SnapshotMessage):
                    self._set_state(with_hall(state, item.hall, item.seq))
                    self.refresh_views()
                    self.load_help_calls()
                elif isinstance(item, EventMessage):
                    self._set_state(with_event(state, item))
                    if needs_refresh(item, state.window_no):
                        self.refresh_views()
                    self.follow_cross_region(item)
                    self.follow_help(item)
        except Unauthorised as error:
            self._say(f"登录已失效：{error.detail}。请退出后重新登录", error=True)
        finally:
            await subscription.aclose()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_views(self) -> None:
        """Read the queue, the history and the figures again; a burst of events collapses into
        one read because each new call cancels the previous one while it waits."""
        await asyncio.sleep(REFRESH_DEBOUNCE_SECONDS)
        state = self.hall_state
        if state is None:
            return
        try:
            hall, waiting, history, my_day = await asyncio.gather(
                self.client.hall(),
                self.client.list_tickets(status=TicketStatus.WAITING),
                self.client.window_history(state.window_no, limit=HISTORY_LENGTH),
                self.client.my_day(),
            )
        except QueueError:
            return  # offline or refused: the banner and the next snapshot deal with it
        state = self.hall_state
        if state is None:
            return
        fresh = with_queue(with_hall(state, hall), waiting)
        self._set_state(replace(fresh, history=tuple(history), my_day=my_day))

    # Actions

    def on_action_refused(self, message: ActionRefused) -> None:
        self._say(message.reason, error=True)

    def on_action_requested(self, message: ActionRequested) -> None:
        state = self.hall_state
        if state is None:
            return
        request = message.request
        reason = blocked_reason(request.action, state)
        if reason is not None:
            self._say(f"{action_label(request.action)}：{reason}", error=True)
            return
        if request.action == "requeue" and request.ticket_id is None:
            self.choose_no_show()
            return
        if request.action == "cross_region":
            self.offer_cross_region_opening()
            return
        if request.action == "locker_deposit":
            self.offer_locker_deposit()
            return
        if request.action == "needs_documents":
            self.ask_missing_materials()
            return
        if request.action == "cross_region_cases":
            window = state.window.name if state.window is not None else ""
            title = f"{state.hall_name} · {state.window_no}号窗口 {window} · 市域通办件"
            self.push_screen(CrossRegionListScreen(title))
            self.load_cross_region_cases()
            return
        self.perform(request)

    # 补件: what is missing, and a return visit's journey

    @work(exclusive=True, group="journey", exit_on_error=False)
    async def ask_missing_materials(self) -> None:
        """The matter's materials to pick from (一次告知), then finish as 补件."""
        state = self.hall_state
        current = state.current if state is not None else None
        if current is None:
            return
        materials: list[str] = []
        if current.matter:
            try:
                matters = await self.client.matters()
            except QueueError as error:
                self._say(f"补件：{error.detail}", error=True)
                return
            found = next((m for m in matters if current.matter in (m.name, m.id)), None)
            materials = list(found.materials) if found else []

        def finish_with(missing: list[str] | None) -> None:
            if missing is not None:
                self.perform(
                    ActionRequest(
                        "finish",
                        ticket_id=current.id,
                        outcome=FinishOutcome.NEEDS_DOCUMENTS.value,
                        missing=tuple(missing),
                    )
                )

        self.push_screen(MissingMaterialsDialog(current.number, materials), finish_with)

    def _follow_journey(self, state: ConsoleState) -> None:
        """Load the journey of a return visit when one comes to the window."""
        current = state.current
        wanted = current.journey_id if current is not None and current.return_visit else None
        shown = state.journey.id if state.journey is not None else None
        if wanted == shown:
            self.journey_loading = None
        elif wanted is None:
            self.hall_state = replace(state, journey=None)
        elif wanted != self.journey_loading:
            self.journey_loading = wanted
            self.load_journey(wanted)

    @work(exclusive=True, group="journey-panel", exit_on_error=False)
    async def load_journey(self, journey_id: int) -> None:
        try:
            journey = await self.client.journey(journey_id)
        except QueueError as error:
            self._say(f"补件记录：{error.detail}", error=True)
            return
        if self.hall_state is not None:
            self._set_state(replace(self.hall_state, journey=journey))

    # The smart locker (出件 windows)

    @work(exclusive=True, group="locker", exit_on_error=False)
    async def offer_locker_deposit(self) -> None:
        """The hall's lockers with their free compartments, for the ticket at the window."""
        state = self.hall_state
        current = state.current if state is not None else None
        if current is None:
            return
        try:
            lockers = await self.client.lockers()
        except QueueError as error:
            self._say(f"存入文件柜：{error.detail}", error=True)
            return
        if not lockers:
            self._say("存入文件柜：本厅没有智能文件柜", error=True)
            return

        def deposit(choice: LockerChoice | None) -> None:
            if choice is not None:
                self.deposit_in_locker(current, choice)

        self.push_screen(LockerDepositDialog(current.number, lockers), deposit)

    @work(group="action", exit_on_error=False)
    async def deposit_in_locker(self, ticket: TicketPublic, choice: LockerChoice) -> None:
        request = ActionRequest(
            "locker_deposit",
            ticket_id=ticket.id,
            locker=choice.locker,
            compartment=choice.compartment,
        )
        key = self.keys.key_for(request)
        try:
            # The window's view of a ticket leaves its status-page code out; staff read it.
            public_code = (await self.client.get_ticket(ticket.id)).public_code
            deposit = await self.client.deposit_in_locker(
                choice.locker, choice.compartment, ticket_code=public_code, idempotency_key=key
            )
        except ServerUnreachable:
            self._say(UNCONFIRMED.format(label="存入文件柜"), error=True)
            return
        except QueueError as error:
            self.keys.settled(request)
            self._say(f"存入文件柜失败：{error.detail}", error=True)
            return
        self.keys.settled(request)
        self._say(
            f"{ticket.number}号的办理结果已存入 {deposit.compartment} 号格口，"
            f"取件码 {deposit.pickup_code}（已显示在申请人的查询页）"
        )

    # 市域通办: the rest is in CrossRegionDesk

    def desk_timezone(self) -> str:
        return self.hall_state.timezone if self.hall_state is not None else "Asia/Shanghai"

    def desk_say(self, text: str, *, error: bool = False) -> None:
        self._say(text, error=error)

    @work(exclusive=True, group="cross-region-open", exit_on_error=False)
    async def offer_cross_region_opening(self) -> None:
        """The form to open a case from the ticket at the window, with the catalog's matters
        that may be handled across the city and the city's halls to choose from."""
        state = self.hall_state
        current = state.current if state is not None else None
        if state is None or current is None:
            return
        try:
            matters, halls = await asyncio.gather(self.client.matters(), self.client.public_halls())
        except QueueError as error:
            self._say(f"市域通办：{error.detail}", error=True)
            return
        self.hall_names = {hall.code: hall.name for hall in halls}
        here = next((hall.code for hall in halls if hall.name == state.hall_name), None)
        choices = cross_region_views.cross_region_matters(matters)
        if not choices:
            self._say("市域通办：本厅事项清单中没有可市域通办的事项", error=True)
            return
        dialog = OpenCaseDialog(
            ticket_id=current.id,
            number=current.number,
            matters=choices,
            halls=self.hall_names,
            receiving=here,
            matter=current.matter,
        )
        self.push_screen(dialog)

    @work(group="action", exit_on_error=False)
    async def choose_no_show(self) -> None:
        try:
            no_shows = await self.client.list_tickets(status=TicketStatus.NO_SHOW)
        except QueueError as error:
            self._say(f"过号重排：{error.detail}", error=True)
            return
        if not no_shows:
            self._say("过号重排：今日没有过号的号码", error=True)
            return

        def requeue(ticket_id: int | None) -> None:
            if ticket_id is not None:
                self.perform(ActionRequest("requeue", ticket_id=ticket_id))

        self.push_screen(RequeueDialog(no_shows), requeue)

    @work(group="action", exit_on_error=False)
    async def perform(self, request: ActionRequest) -> None:
        state = self.hall_state
        if state is None:
            return
        label = action_label(request.action)
        key = self.keys.key_for(request)
        self._set_state(replace(state, busy=label, message=f"正在{label}…", message_is_error=False))
        try:
            result = await self._send(request, state.window_no, key)
        except ServerUnreachable:
            self._finish_action()
            self._say(UNCONFIRMED.format(label=label), error=True)
            return
        except QueueError as error:
            self.keys.settled(request)
            self._finish_action()
            self._say(f"{label}失败：{error.detail}", error=True)
            return
        self.keys.settled(request)
        self._finish_action()
        self._apply_result(request, result)
        self.refresh_views()

    def _finish_action(self) -> None:
        if self.hall_state is not None:
            self._set_state(replace(self.hall_state, busy=None))

    async def _send(
        self, request: ActionRequest, window_no: int, key: str
    ) -> TicketPublic | WindowPublic | None:
        client = self.client
        ticket_id = request.ticket_id or 0
        match request.action:
            case "call_next":
                return await client.call_next(window_no, idempotency_key=key)
            case "call_number":
                return await client.call_number(
                    window_no, request.number or "", idempotency_key=key
                )
            case "recall":
                return await client.recall(ticket_id, idempotency_key=key)
            case "start":
                return await client.start(ticket_id, idempotency_key=key)
            case "finish":
                return await client.finish(
                    ticket_id, request.outcome, missing=request.missing, idempotency_key=key
                )
            case "no_show":
                return await client.no_show(ticket_id, idempotency_key=key)
            case "transfer":
                return await client.transfer(
                    ticket_id,
                    to_category=request.to_category,
                    to_window=request.to_window,
                    reason=request.reason or "",
                    idempotency_key=key,
                )
            case "requeue":
                return await client.requeue(ticket_id, idempotency_key=key)
            case "pause":
                return await client.pause(window_no, request.reason or "", idempotency_key=key)
            case "resume":
                return await client.resume(window_no, idempotency_key=key)
        raise ValueError(f"unknown action {request.action!r}")

    def _apply_result(
        self, request: ActionRequest, result: TicketPublic | WindowPublic | None
    ) -> None:
        state = self.hall_state
        if state is None:
            return
        label = action_label(request.action)
        if result is None:
            self._say("暂无等候的号码")
            return
        if isinstance(result, WindowPublic):
            state = with_window(state, result)
            done = "已恢复服务" if request.action == "resume" else f"已暂停服务：{request.reason}"
        elif request.action == "transfer":
            current = state.current
            if current is not None and current.id == request.ticket_id:
                state = with_ticket(
                    state, current.model_copy(update={"status": TicketStatus.TRANSFERRED})
                )
            target = result.category_name if request.to_category else f"{request.to_window}号窗口"
            done = f"{result.number}号已转至{target}"
        else:
            state = with_ticket(state, result)
            done = f"{result.number}号：{label}"
            if result.return_code:
                done = f"{result.number}号：补件，回执码 {result.return_code}（已告知申请人查询页）"
        self._set_state(replace(state, message=done, message_is_error=False))

    # Quitting

    def action_request_quit(self) -> None:
        state = self.hall_state
        current = state.current if state else None
        if current is None:
            self.leave()
            return

        def answer(quit_now: bool | None) -> None:
            if quit_now:
                self.leave()

        question = (
            f"{current.number}号仍在窗口（{_status_text(current)}）。"
            "退出将签退本窗口，号码留在窗口等待下一位工作人员。确定退出吗？"
        )
        self.push_screen(ConfirmQuitDialog(question), answer)

    @work(exclusive=True, group="session", exit_on_error=False)
    async def leave(self) -> None:
        """Sign out and log out (best effort when offline), then exit."""
        state = self.hall_state
        if state is not None and state.online:
            with contextlib.suppress(QueueError):
                await self.client.sign_out(state.window_no)
        if self.client.token is not None:
            await self._forget_login()
        self.exit()


def _retry_note(retry_in: float | None) -> str:
    return f"{retry_in:.0f} 秒后重试" if retry_in and retry_in >= 1 else "马上重试"


def _status_text(ticket: TicketPublic) -> str:
    return "办理中" if ticket.status == TicketStatus.SERVING else "已叫号"
