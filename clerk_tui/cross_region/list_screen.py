"""The 市域通办 case list for a clerk at a 跨域通办 window (the manager's page, full screen)."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from clerk_tui.cross_region.case_list import CrossRegionList


class CrossRegionListScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "返回窗口")]
    AUTO_FOCUS = "#cross-region-cases"

    def __init__(self, window_title: str) -> None:
        super().__init__()
        self.window_title = window_title

    def compose(self) -> ComposeResult:
        yield Static(self.window_title, id="case-hall")
        yield CrossRegionList(id="cross-region-page")
        yield Static("", id="case-message", classes="message")
        yield Footer(compact=True)

    def action_back(self) -> None:
        self.dismiss(None)
