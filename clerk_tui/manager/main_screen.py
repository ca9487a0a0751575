"""The manager's main screen: four pages on tabs, switched with F1–F4."""

from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from clerk_tui.manager.pages import CasesPage, EvaluationsPage, LivePage, StatsPage


class ManagerScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "page('live')", "实时", priority=True),
        Binding("f2", "page('stats')", "统计", priority=True),
        Binding("f3", "page('evaluations')", "好差评", priority=True),
        Binding("f4", "page('cases')", "办不成事", priority=True),
        Binding("f5", "app.reload", "刷新", priority=True),
        Binding("f6", "app.export", "导出", priority=True),
    ]

    def __init__(self, title: str, today: date) -> None:
        super().__init__()
        self.title_text = title
        self.today = today

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="manager-status")
        with TabbedContent(initial="live", id="pages"):
            with TabPane("实时 F1", id="live"):
                yield LivePage(id="live-page")
            with TabPane("统计 F2", id="stats"):
                yield StatsPage(self.today, id="stats-page")
            with TabPane("好差评 F3", id="evaluations"):
                yield EvaluationsPage(id="evaluations-page")
            with TabPane("办不成事 F4", id="cases"):
                yield CasesPage(id="cases-page")
        yield Static("", id="manager-message", classes="message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#live-categories").focus()

    @property
    def page(self) -> str:
        return self.query_one(TabbedContent).active

    def action_page(self, page: str) -> None:
        self.query_one(TabbedContent).active = page
        focus = {
            "live": "#live-categories",
            "stats": "#stats-from",
            "evaluations": "#followups",
            "cases": "#case-list",
        }[page]
        self.query_one(focus).focus()

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#manager-message", Static)
        message.update(text)
        message.set_class(error, "-error")
