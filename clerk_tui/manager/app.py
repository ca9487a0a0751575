"""ManagerApp: the hall manager's console. Log in (manager or admin only), then watch the
hall live, read the statistics of any period, read evaluations, work cases and export. A
city-wide manager also watches every hall on the 全市 page and switches between halls.

All network work runs in workers on the app; pages post messages up and get data down.
"""

import asyncio
import contextlib
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import ClassVar, Final, TypeVar
from zoneinfo import ZoneInfo

from textual import work
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.widgets import Static, TabbedContent

from clerk_tui.cross_region.case_list import CrossRegionList
from clerk_tui.cross_region.case_screen import CrossRegionCaseScreen
from clerk_tui.help_desk import HelpDesk
from clerk_tui.manager import city, views
from clerk_tui.manager.appointment_desk import AppointmentDesk
from clerk_tui.manager.appointment_page import AppointmentsPage
from clerk_tui.manager.case_screen import STEP_LABELS, CaseScreen
from clerk_tui.manager.city_page import CityPage
from clerk_tui.manager.dialogs import ChoiceDialog, Field, FormDialog
from clerk_tui.manager.main_screen import ManagerScreen
from clerk_tui.manager.messages import (
    CaseChosen,
    CaseStep,
    HallChosen,
    HallSwitcherWanted,
    StatsRequested,
)
from clerk_tui.manager.pages import CasesPage, EvaluationsPage, LivePage, StatsPage
from clerk_tui.manager.tidal_desk import TidalDesk
from clerk_tui.manager.zone_desk import ZoneDesk
from clerk_tui.messages import LoginSubmitted
from clerk_tui.screens.login import LoginScreen
from queue_server.client import ConnectionState, QueueClient, QueueError, Unauthorised
from queue_server.domain.clock import Clock, SystemClock
from queue_server.protocol import (
    CaseClass,
    CaseDetail,
    CaseKind,
    CaseLogKind,
    CaseResolution,
    EventMessage,
    HallSnapshot,
    HallSummary,
    LiveStats,
    Role,
    SnapshotMessage,
    StatsGroupBy,
)

MANAGER_ROLES: Final = frozenset({Role.MANAGER, Role.ADMIN})
WRONG_ROLE: Final = (
    "管理控制台只供大厅管理人员（manager）和系统管理员（admin）使用；"
    "窗口工作人员请用 clerk-tui 登录窗口工作台"
)
LIVE_DEBOUNCE_SECONDS: Final = 0.2
LIVE_REFRESH_SECONDS: Final = 5.0
ROLE_LABELS: Final = {Role.MANAGER: "大厅管理", Role.ADMIN: "系统管理员"}
CITY_ROLE_LABELS: Final = {Role.MANAGER: "全市管理", Role.ADMIN: "系统管理员"}
PAGES: Final = ("live", "stats", "evaluations", "cases", "cross_region", "zone", "appointments")
"""The pages that show one hall, read again when the manager switches halls."""

PageT = TypeVar("PageT", LivePage, StatsPage, EvaluationsPage, CasesPage, CityPage)


def _save(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


class ManagerLoginScreen(LoginScreen):
    """The clerk console's login form, titled for the manager console."""

    def on_mount(self) -> None:
        self.query_one(".form-title", Static).update("一门 · 管理控制台")


class ManagerApp(HelpDesk, ZoneDesk, AppointmentDesk, TidalDesk):
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        Path(__file__).parent.parent / "clerk.tcss",
        Path(__file__).with_name("manager.tcss"),
        Path(__file__).parent.parent / "cross_region" / "cross_region.tcss",
    ]
    ENABLE_COMMAND_PALETTE = False
    TITLE = "一门 · 管理控制台"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "leave", "退出", id="quit", priority=True),
    ]

    def __init__(
        self,
        client: QueueClient,
        *,
        clock: Clock | None = None,
        heartbeat_seconds: float = 15.0,
        export_dir: Path | None = None,
        live_refresh_seconds: float = LIVE_REFRESH_SECONDS,
        city_refresh_seconds: float = city.CITY_REFRESH_SECONDS,
    ) -> None:
        """`live_refresh_seconds`: how often the hall's live figures are read besides on its
        events; `city_refresh_seconds`: how often every hall's summary is read (全市)."""
        super().__init__()
        self.client = client
        self.clock: Clock = clock or SystemClock()
        self.heartbeat_seconds = heartbeat_seconds
        self.export_dir = export_dir or Path.cwd()
        self.live_refresh_seconds = live_refresh_seconds
        self.city_refresh_seconds = city_refresh_seconds
        self.main: ManagerScreen | None = None
        self.timezone = "Asia/Shanghai"
        self.hall_name = ""
        self.display_name = ""
        self.role: Role | None = None
        self.online = False
        self.alerts: list[EventMessage] = []
        self.period: tuple[date, date, StatsGroupBy] | None = None
        self.live: LiveStats | None = None
        """The live figures last read."""
        self.followed_seq: int | None = None
        """The seq of the last snapshot or event of the current hall's live feed."""
        self.halls: list[HallSummary] = []
        """Every hall this manager may see, as last read (`GET /api/halls`)."""
        self.city_wide = False
        """A city-wide manager in a city of several halls: the 全市 page and the switcher."""
        self.saved: Path | None = None
        """The last file exported."""

    def on_mount(self) -> None:
        self.push_screen(ManagerLoginScreen(self.client.base_url))

    # Logging in

    def on_login_submitted(self, message: LoginSubmitted) -> None:
        self.log_in(message.username, message.password)

    @work(exclusive=True, group="session", exit_on_error=False)
    async def log_in(self, username: str, password: str) -> None:
        screen = self.screen
        if isinstance(screen, LoginScreen):
            screen.busy = True
        try:
            login = await self.client.login(username, password)
            if login.role not in MANAGER_ROLES:
                with contextlib.suppress(QueueError):
                    await self.client.logout()
                raise QueueError(403, WRONG_ROLE, "wrong_role")
            halls = await self.client.halls()
            if len(halls) > 1 and self.client.hall_code not in {hall.code for hall in halls}:
                self.client.hall_code = halls[0].code
            hall = await self.client.hall()
        except QueueError as error:
            if isinstance(screen, LoginScreen):
                screen.failed(error.detail)
            return
        self.role = login.role
        self.display_name = login.display_name or username
        self.halls = halls
        self.city_wide = len(halls) > 1
        self._enter_hall(hall)
        self.main = ManagerScreen(self._status_text(), hall.service_day, city=self.city_wide)
        await self.switch_screen(self.main)
        self.set_interval(1.0, self._show_status)
        self.follow_hall()
        self.refresh_live()
        self.set_interval(self.live_refresh_seconds, self.refresh_live)
        self.set_interval(self.live_refresh_seconds, self.poll_cross_region)
        if self.city_wide:
            self.refresh_city()
            self.set_interval(self.city_refresh_seconds, self.refresh_city)

    def _enter_hall(self, hall: HallSnapshot) -> None:
        self.hall_name = hall.name
        self.timezone = hall.timezone
        self.alerts = []
        self.live = None
        self.followed_seq = None

    def _status_text(self) -> str:
        labels = CITY_ROLE_LABELS if self.city_wide else ROLE_LABELS
        role = labels.get(self.role, "") if self.role else ""
        link = "● 在线" if self.online else "● 离线"
        now = self.clock.now().astimezone(ZoneInfo(self.timezone))
        return (
            f"一门 · 管理控制台 · {self.hall_name} · {self.display_name}（{role}） · {link}"
            f" · {now:%Y-%m-%d %H:%M:%S}"
        )

    def _show_status(self) -> None:
        """The status line, with the hall's clock; redrawn every second and on reconnects."""
        if self.main is None:
            return
        try:
            status = self.main.query_one("#manager-status", Static)
        except NoMatches:
            return  # the clock ticked while the screen is being taken down at exit
        status.update(self._status_text())
        if self.help_calls:
            self.show_help_calls()  # how long each has waited

    def _say(self, text: str, *, error: bool = False) -> None:
        screen = self.screen
        if isinstance(screen, (ManagerScreen, CaseScreen, CrossRegionCaseScreen)):
            screen.say(text, error=error)
        if error:
            self.notify(text, severity="error", timeout=8)

    def _page(self, kind: type[PageT]) -> PageT | None:
        if self.main is None:
            return None
        return self.main.query_one(kind)

    # The live page

    @work(exclusive=True, group="live", exit_on_error=False)
    async def follow_hall(self) -> None:
        """Follow the current hall's live feed; started again (replacing this one) when the
        manager switches halls, so the new feed carries the new `hall=`."""
        subscription = self.client.subscribe(
            heartbeat_seconds=self.heartbeat_seconds, initial_delay=0.2, max_delay=2.0
        )
        hall = self.client.hall_code
        try:
            async for item in subscription:
                if self.client.hall_code != hall:
                    continue  # a hall left behind; this feed is about to be replaced
                if isinstance(item, ConnectionState):
                    self._set_online(item.connected)
                elif isinstance(item, SnapshotMessage):
                    self.followed_seq = item.seq
                    self.refresh_live()
                    self.load_help_calls()
                elif isinstance(item, EventMessage):
                    self.followed_seq = item.seq
                    if views.is_alert(item):
                        self._add_alerts([item])
                    self.refresh_live()
                    self.follow_cross_region(item)
                    self.follow_help(item)
                    self.follow_zone(item)
                    self.follow_appointments(item)
        except Unauthorised as error:
            self._set_online(False)
            self._say(f"登录已失效：{error.detail}。请退出后重新登录", error=True)
        finally:
            await subscription.aclose()

    def _set_online(self, online: bool) -> None:
        self.online = online
        self._show_status()

    def _add_alerts(self, alerts: list[EventMessage]) -> None:
        known = {alert.seq for alert in self.alerts}
        fresh = [alert for alert in alerts if alert.seq not in known]
        if not fresh:
            return
        self.alerts = sorted([*self.alerts, *fresh], key=lambda alert: alert.seq, reverse=True)
        page = self._page(LivePage)
        if page is not None:
            page.show_alerts(self.alerts, self.timezone)

    @work(exclusive=True, group="live-read", exit_on_error=False)
    async def refresh_live(self) -> None:
        """Read the live figures again; a burst of events collapses into one read."""
        await asyncio.sleep(LIVE_DEBOUNCE_SECONDS)
        hall = self.client.hall_code
        try:
            live, suggestion = await asyncio.gather(
                self.client.live_stats(), self.client.tidal_suggestion()
            )
        except QueueError as error:
            self._say(f"实时数据读取失败：{error.detail}", error=True)
            return
        if self.client.hall_code != hall:
            return
        self.live = live
        page = self._page(LivePage)
        if page is not None:
            page.show_live(live)
            page.show_tidal(suggestion, self.timezone)
            self._add_alerts(live.alerts)

    # The city: every hall, and switching between them

    @work(exclusive=True, group="city", exit_on_error=False)
    async def refresh_city(self) -> None:
        """Read every hall's summary again (there is no city-wide live feed)."""
        try:
            halls = await self.client.halls()
        except QueueError as error:
            self._say(f"全市数据读取失败：{error.detail}", error=True)
            return
        self.halls = halls
        self._show_city()

    def _show_city(self) -> None:
        page = self._page(CityPage) if self.city_wide else None
        if page is not None:
            now = self.clock.now()
            page.show_halls(self.halls, self.client.hall_code, now, self.timezone)

    def on_hall_switcher_wanted(self, _: HallSwitcherWanted) -> None:
        if not self.city_wide or self.screen is not self.main:
            return

        def chosen(code: str | None) -> None:
            if code is not None:
                self.switch_hall(code)

        choices = city.hall_choices(self.halls, self.client.hall_code)
        self.push_screen(ChoiceDialog("切换大厅", choices, current=self.client.hall_code), chosen)

    def on_hall_chosen(self, message: HallChosen) -> None:
        self.switch_hall(message.code)

    @work(exclusive=True, group="hall", exit_on_error=False)
    async def switch_hall(self, code: str) -> None:
        """Work on another hall: every page, and the live feed, read again for it."""
        if self.main is None:
            return
        from_city_page = self.main.page == "city"
        if code == self.client.hall_code:
            if from_city_page:
                self.main.action_page("live")
            return
        previous = self.client.hall_code
        self.client.hall_code = code
        self._say("正在切换大厅…")
        try:
            hall = await self.client.hall()
        except QueueError as error:
            self.client.hall_code = previous
            self._say(f"切换大厅失败：{error.detail}", error=True)
            return
        self._enter_hall(hall)
        self.main.forget_hall()
        self.main.query_one(StatsPage).today = hall.service_day
        self.main.query_one(AppointmentsPage).today = hall.service_day
        self._show_status()
        self._show_city()
        self.follow_hall()
        for page in PAGES:
            self.reload_page(page)
        if from_city_page:
            self.main.action_page("live")
        self._say(f"已切换到 {hall.name}")

    # 市域通办: see CrossRegionDesk

    def cross_region_lists(self) -> list[CrossRegionList]:
        return [] if self.main is None else [self.main.query_one(CrossRegionList)]

    def desk_timezone(self) -> str:
        return self.timezone

    def desk_hall_label(self) -> str | None:
        return self.hall_name if self.city_wide else None

    def desk_say(self, text: str, *, error: bool = False) -> None:
        self._say(text, error=error)

    # 自助服务区: see ZoneDesk

    def zone_timezone(self) -> str:
        return self.timezone

    def zone_now(self) -> datetime:
        return self.clock.now()

    def zone_say(self, text: str, *, error: bool = False) -> None:
        self._say(text, error=error)

    # 潮汐: see TidalDesk

    def tidal_timezone(self) -> str:
        return self.timezone

    def tidal_say(self, text: str, *, error: bool = False) -> None:
        self._say(text, error=error)

    # 预约: see AppointmentDesk

    def appointments_say(self, text: str, *, error: bool = False) -> None:
        self._say(text, error=error)

    # Statistics, evaluations and cases

    def on_stats_requested(self, message: StatsRequested) -> None:
        self.load_stats(message.start, message.end, message.group_by)

    @work(exclusive=True, group="stats", exit_on_error=False)
    async def load_stats(self, start: date, end: date, group_by: StatsGroupBy) -> None:
        self._say("正在统计…")
        try:
            report = await self.client.stats(start=start, end=end, group_by=group_by)
        except QueueError as error:
            self._say(f"统计失败：{error.detail}", error=True)
            return
        self.period = (start, end, group_by)
        page = self._page(StatsPage)
        if page is not None:
            page.show_report(report)
        self._say(f"已统计 {views.stats_title(report)}")
        self.load_zone_stats(start, end)

    @work(exclusive=True, group="zone-stats", exit_on_error=False)
    async def load_zone_stats(self, start: date, end: date) -> None:
        """The 24-hour zone's figures for the same period, under the period's own."""
        try:
            report = await self.client.self_service_stats(start=start, end=end)
        except QueueError as error:
            self._say(f"自助服务区统计失败：{error.detail}", error=True)
            return
        page = self._page(StatsPage)
        if page is not None:
            page.show_zone(report)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.reload_page(event.pane.id or "")

    def action_reload(self) -> None:
        if self.main is not None:
            self.reload_page(self.main.page)

    def reload_page(self, page: str) -> None:
        match page:
            case "live":
                self.refresh_live()
            case "stats":
                stats = self._page(StatsPage)
                if stats is not None:
                    stats.request()
            case "evaluations":
                self.load_evaluations()
            case "cases":
                self.load_cases()
            case "cross_region":
                self.load_cross_region_cases()
            case "city":
                self.refresh_city()
            case "zone":
                self.load_zone()
            case "appointments":
                self.load_appointments()

    def _chosen_period(self) -> tuple[date, date]:
        stats = self._page(StatsPage)
        if stats is not None:
            with contextlib.suppress(views.InputError):
                return stats.period()
        if self.period is not None:
            return self.period[0], self.period[1]
        day = self.clock.now().date()
        return day, day

    @work(exclusive=True, group="evaluations", exit_on_error=False)
    async def load_evaluations(self) -> None:
        start, end = self._chosen_period()
        try:
            evaluations, followups = await asyncio.gather(
                self.client.evaluations(day_from=start, day_to=end),
                self.client.cases(kind=CaseKind.FOLLOWUP),
            )
        except QueueError as error:
            self._say(f"评价读取失败：{error.detail}", error=True)
            return
        page = self._page(EvaluationsPage)
        if page is not None:
            page.show_evaluations(start, end, evaluations, self.timezone)
            page.show_followups(followups)

    @work(exclusive=True, group="cases", exit_on_error=False)
    async def load_cases(self) -> None:
        try:
            cases = await self.client.cases(kind=CaseKind.UNRESOLVED)
        except QueueError as error:
            self._say(f"工单读取失败：{error.detail}", error=True)
            return
        page = self._page(CasesPage)
        if page is not None:
            page.show_cases(cases)

    # Working a case

    def on_case_chosen(self, message: CaseChosen) -> None:
        hall = self.hall_name if self.city_wide else None
        screen = CaseScreen(message.case_id, self.timezone, hall=hall)
        self.push_screen(screen, lambda _: self._after_case())
        self.load_case(screen)

    def _after_case(self) -> None:
        self.load_cases()
        self.load_evaluations()

    @work(group="case", exit_on_error=False)
    async def load_case(self, screen: CaseScreen) -> None:
        try:
            case = await self.client.case(screen.case_id)
        except QueueError as error:
            screen.say(f"工单读取失败：{error.detail}", error=True)
            return
        screen.show_case(case)

    def on_case_step(self, message: CaseStep) -> None:
        screen = self.screen
        if isinstance(screen, CaseScreen) and screen.case_id == message.case_id:
            self.work_case(screen, message.step, message.values)

    @work(group="case", exit_on_error=False)
    async def work_case(self, screen: CaseScreen, step: str, values: dict[str, str]) -> None:
        label = STEP_LABELS.get(step, step)
        try:
            case = await self._case_step(screen.case_id, step, values)
        except views.InputError as error:
            screen.say(f"{label}：{error}", error=True)
            return
        except QueueError as error:
            screen.say(f"{label}失败：{error.detail}", error=True)
            return
        screen.show_case(case, done=f"已{label}，当前状态：{case.status_label}。")

    async def _case_step(self, case_id: int, step: str, values: dict[str, str]) -> CaseDetail:
        client = self.client
        note = values.get("note") or None
        match step:
            case "classify":
                return await client.classify_case(case_id, CaseClass(values["case_class"]))
            case "assign":
                return await client.assign_case(
                    case_id,
                    owner=values.get("owner") or None,
                    department=values.get("department") or None,
                    note=note,
                )
            case "log":
                return await client.log_case_action(
                    case_id, values["note"], kind=CaseLogKind(values["kind"])
                )
            case "close":
                return await client.close_case(
                    case_id,
                    CaseResolution(values["resolution"]),
                    values["reply"],
                    reason=values.get("reason") or None,
                )
            case "feedback":
                return await client.case_feedback(case_id, values["note"])
            case "follow_up":
                level = views.parse_level(values["level"]) if "level" in values else None
                return await client.case_follow_up(case_id, values["note"], level=level)
        raise ValueError(f"unknown case step {step!r}")

    # Export

    def action_export(self) -> None:
        stats = self._page(StatsPage)
        if stats is None or self.screen is not self.main:
            return
        try:
            start, end = stats.period()
        except views.InputError as error:
            self._say(f"导出：{error}", error=True)
            return
        group_by = stats.group_by()

        def chosen(fmt: str | None) -> None:
            if fmt is None:
                return
            default = self.export_dir / views.export_file_name(start, end, group_by, fmt)

            def typed(values: dict[str, str] | None) -> None:
                if values is None:
                    return
                try:
                    path = views.export_target(
                        values["path"], start=start, end=end, group_by=group_by, fmt=fmt
                    )
                except views.InputError as error:
                    self._say(f"导出：{error}", error=True)
                    return
                self.export(start, end, group_by, fmt, path)

            self.push_screen(
                FormDialog(
                    f"导出 {start} 至 {end} 的统计（{fmt.upper()}）",
                    [Field("path", "保存到", value=str(default))],
                ),
                typed,
            )

        self.push_screen(
            ChoiceDialog("导出格式", [("csv", "CSV（逗号分隔）"), ("xlsx", "XLSX（Excel）")]),
            chosen,
        )

    @work(exclusive=True, group="export", exit_on_error=False)
    async def export(
        self, start: date, end: date, group_by: StatsGroupBy, fmt: str, path: Path
    ) -> None:
        self._say("正在导出…")
        try:
            content = await self.client.export_stats(
                start=start, end=end, group_by=group_by, format=fmt
            )
        except QueueError as error:
            self._say(f"导出失败：{error.detail}", error=True)
            return
        try:
            await asyncio.to_thread(_save, path, content)
        except OSError as error:
            self._say(f"导出失败：无法写入 {path}：{error.strerror or error}", error=True)
            return
        self.saved = path
        self._say(f"已导出到 {path}（{len(content)} 字节）")

    # Quitting

    @work(exclusive=True, group="session", exit_on_error=False)
    async def action_leave(self) -> None:
        if self.client.token is not None:
            with contextlib.suppress(QueueError):
                await self.client.logout()
        self.exit()
