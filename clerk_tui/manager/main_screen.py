"""The manager's main screen: the pages on tabs, switched with F1–F4, F9 (市域通办), F10
(自助服务区) and F11 (预约), and F7 全市 for a city-wide manager, who also switches halls with
F8."""

from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from clerk_tui.cross_region.case_list import CrossRegionList
from clerk_tui.manager.appointment_page import AppointmentsPage
from clerk_tui.manager.city_page import CityPage
from clerk_tui.manager.messages import HallSwitcherWanted
from clerk_tui.manager.pages import CasesPage, EvaluationsPage, LivePage, StatsPage
from clerk_tui.manager.zone_page import ZonePage
from clerk_tui.widgets.help_banner import HelpBanner

PAGE_FOCUS = {
    "live": "#live-categories",
    "stats": "#stats-from",
    "evaluations": "#followups",
    "cases": "#case-list",
    "city": "#city-halls",
    "cross_region": "#cross-region-cases",
    "zone": "#zone-devices",
    "appointments": "#appointment-slots",
}


class ManagerScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "page('live')", "实时", priority=True),
        Binding("f2", "page('stats')", "统计", priority=True),
        Binding("f3", "page('evaluations')", "好差评", priority=True),
        Binding("f4", "page('cases')", "办不成事", priority=True),
        Binding("f5", "app.reload", "刷新", priority=True),
        Binding("f6", "app.export", "导出", priority=True),
        Binding("f7", "page('city')", "全市", priority=True),
        Binding("f8", "choose_hall", "切换大厅", priority=True),
        Binding("f9", "page('cross_region')", "市域通办", priority=True),
        Binding("f10", "page('zone')", "自助区", priority=True),
        Binding("f11", "page('appointments')", "预约", priority=True),
    ]

    def __init__(self, title: str, today: date, *, city: bool = False) -> None:
        """`city`: the manager is city-wide in a city of several halls, and gets the 全市 page
        and the hall switcher."""
        super().__init__()
        self.title_text = title
        self.today = today
        self.city = city

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="manager-status")
        yield HelpBanner()
        with TabbedContent(initial="live", id="pages"):
            with TabPane("实时 F1", id="live"):
                yield LivePage(id="live-page")
            with TabPane("统计 F2", id="stats"):
                yield StatsPage(self.today, id="stats-page")
            with TabPane("好差评 F3", id="evaluations"):
                yield EvaluationsPage(id="evaluations-page")
            with TabPane("办不成事 F4", id="cases"):
                yield CasesPage(id="cases-page")
            with TabPane("市域通办 F9", id="cross_region"):
                yield CrossRegionList(id="cross-region-page")
            with TabPane("自助服务区 F10", id="zone"):
                yield ZonePage(id="zone-page")
            with TabPane("预约 F11", id="appointments"):
                yield AppointmentsPage(self.today, id="appointments-page")
            if self.city:
                with TabPane("全市 F7", id="city"):
                    yield CityPage(id="city-page")
        yield Static("", id="manager-message", classes="message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#live-categories").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The 全市 page and the hall switcher exist only for a city-wide manager."""
        if action == "choose_hall" or (action == "page" and parameters == ("city",)):
            return self.city
        return True

    @property
    def page(self) -> str:
        return self.query_one(TabbedContent).active

    def action_page(self, page: str) -> None:
        self.query_one(TabbedContent).active = page
        self.query_one(PAGE_FOCUS[page]).focus()

    def action_choose_hall(self) -> None:
        self.post_message(HallSwitcherWanted())

    def forget_hall(self) -> None:
        """Empty every page of the hall left behind (the 全市 page stays), so nothing of it
        shows under the next hall's name while that hall is read."""
        panes = ("#live", "#stats", "#evaluations", "#cases", "#cross_region", "#zone")
        for pane in (*panes, "#appointments"):
            for table in self.query_one(pane).query(DataTable):
                table.clear()
        self.query_one(LivePage).show_alerts([], "UTC")
        self.query_one("#live-summary", Static).update("正在读取…")

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#manager-message", Static)
        message.update(text)
        message.set_class(error, "-error")
