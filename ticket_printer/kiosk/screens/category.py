"""The first screen: one big button per category, with its queue and wait, closed ones
shown closed with the reason. When nothing can be taken now (after hours), the buttons give
way to 大厅已下班 (or 今日休息) with the next opening, the 24-hour zone's devices and a QR code
to the city's 就近办 page; the buttons come back by themselves when the hall opens.

A refresh of the hall changes the buttons in place, so the applicant's focus stays on the
choice they were on; the buttons are rebuilt only when the hall's categories change, and then
the focus goes back to the same category.
"""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Static

from queue_server.protocol import CategoryPublic, SelfServiceZonePublic
from ticket_printer.kiosk.messages import CategoryChosen, CheckInChosen, ReturnRequested
from ticket_printer.kiosk.qr_text import qr_text
from ticket_printer.kiosk.texts import CITY_QR_CAPTION, category_label
from ticket_printer.kiosk.widgets.help_button import HelpButton
from ticket_printer.kiosk.widgets.zone_list import ZoneList

PREFIX = "category-"
CHECK_IN_KEY = "y"
CHECK_IN_LABEL = "预约签到（按 Y 键）"
RETURN_LABEL = "补件回执 F4"
"""The way back for a 补件 applicant: laid over the top right corner, like 一键求助 on the
left, so the category buttons keep their room."""


def grid_columns(count: int) -> int:
    """Columns of category buttons: two while every button still gets rows enough for its
    two-line label at 80×24, more for a larger hall."""
    if count <= 8:
        return 2
    return 3 if count <= 12 else 4


class CategoryScreen(Screen[None]):
    AUTO_FOCUS = "Button.category"
    """The first category, never the 一键求助 button in the corner."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(CHECK_IN_KEY, "check_in", "预约签到", show=False)
    ]
    categories: reactive[list[CategoryPublic]] = reactive(list)
    hall_name: reactive[str] = reactive("")
    notice: reactive[str] = reactive("正在连接服务器…")
    """Shown under the buttons: connection trouble, or an empty hall."""
    city_url: reactive[str] = reactive("")
    """The city's 就近办 page, shown as a QR code when nothing can be taken here now."""
    closed_title: reactive[str] = reactive("")
    """大厅已下班 or 今日休息 while the hall is closed; "" while it is open."""
    next_opening: reactive[str] = reactive("")
    """下次开放：明天 09:00, while the hall is closed."""
    zone: reactive[SelfServiceZonePublic | None] = reactive(None)
    """The hall's 24-hour self-service zone, shown after hours."""

    def compose(self) -> ComposeResult:
        with Vertical(id="category-page"):
            yield Static(self.hall_name or "自助取号", id="hall-name", classes="title")
            yield Static("请选择您要办理的业务", classes="subtitle")
            yield Grid(id="categories")
            with Vertical(id="after-hours"):
                yield Static("", id="closed-title")
                with Horizontal(id="after-hours-body"):
                    yield ZoneList(id="zone")
                    with Vertical(id="city"):
                        yield Static(qr_text(self.city_url) if self.city_url else "", id="city-qr")
                        yield Static(CITY_QR_CAPTION, id="city-caption")
            yield Static(self.notice, id="notice", classes="notice")
        entry = Button(RETURN_LABEL, id="return", classes="return-entry")
        entry.can_focus = False  # from the keyboard it is F4, as its label says
        yield entry
        yield HelpButton()

    async def on_mount(self) -> None:
        self.watch_notice(self.notice)
        await self.watch_categories(self.categories)
        self.watch_city_url(self.city_url)
        self._show_closed()
        self.watch_zone(self.zone)

    def watch_hall_name(self, name: str) -> None:
        if self.is_mounted:
            self.query_one("#hall-name", Static).update(name or "自助取号")

    def watch_notice(self, notice: str) -> None:
        if self.is_mounted:
            shown = self.query_one("#notice", Static)
            shown.update(notice)
            shown.display = bool(notice)

    def watch_city_url(self, url: str) -> None:
        if self.is_mounted:
            self.query_one("#city-qr", Static).update(qr_text(url) if url else "")
            self._show_after_hours()

    def watch_closed_title(self) -> None:
        self._show_closed()

    def watch_next_opening(self) -> None:
        self._show_closed()

    def watch_zone(self, zone: SelfServiceZonePublic | None) -> None:
        if self.is_mounted:
            self.query_one(ZoneList).show_zone(zone)

    def _show_closed(self) -> None:
        if self.is_mounted:
            title = self.query_one("#closed-title", Static)
            title.update(f"{self.closed_title}　{self.next_opening}".strip())
            title.display = bool(self.closed_title)
            self._show_after_hours()

    def _show_after_hours(self) -> None:
        """The after-hours page instead of the buttons while the hall is closed, or while no
        category can be taken and there is a city page to point to."""
        closed = bool(self.categories) and not any(c.open for c in self.categories)
        after_hours = bool(self.closed_title) or (closed and bool(self.city_url))
        self.query_one("#category-page").set_class(after_hours, "-after-hours")
        self.query_one("#return").display = not after_hours  # no return ticket after hours
        self.query_one("#city").display = bool(self.city_url)

    async def watch_categories(self, categories: list[CategoryPublic]) -> None:
        if not self.is_mounted:
            return
        self._show_after_hours()
        grid = self.query_one("#categories", Grid)
        buttons = list(grid.query(".category").results(Button))
        if [button.id for button in buttons] == [PREFIX + c.code for c in categories]:
            for button, category in zip(buttons, categories, strict=True):
                self._show(button, category)
            return
        focused = self.focused.id if self.focused is not None else None
        await grid.remove_children()
        for index in range(2, 5):
            grid.set_class(grid_columns(len(categories) + 1) == index, f"columns-{index}")
        fresh = [Button("", id=PREFIX + category.code) for category in categories]
        for button, category in zip(fresh, categories, strict=True):
            self._show(button, category)
        # 预约签到 takes the grid's next cell, after the categories.
        entry = Button(CHECK_IN_LABEL, id="check-in-entry", classes="check-in")
        await grid.mount_all([*fresh, entry])
        self._restore_focus(focused)

    def _restore_focus(self, focused: str | None) -> None:
        """Back to the category that had the focus, else the first open one."""
        buttons = list(self.query(".category").results(Button))
        again = [b for b in buttons if b.id == focused and not b.disabled]
        open_buttons = [b for b in buttons if not b.disabled]
        if again or (open_buttons and (focused is None or focused.startswith(PREFIX))):
            (again or open_buttons)[0].focus()

    @staticmethod
    def _show(button: Button, category: CategoryPublic) -> None:
        button.label = category_label(category)
        button.set_classes("category" if category.open else "category -closed")
        button.disabled = not category.open

    def action_check_in(self) -> None:
        self.post_message(CheckInChosen())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "check-in-entry":
            self.post_message(CheckInChosen())
        elif event.button.id == "return":
            self.post_message(ReturnRequested())
        elif event.button.id and event.button.id.startswith(PREFIX):
            self.post_message(CategoryChosen(event.button.id.removeprefix(PREFIX)))
