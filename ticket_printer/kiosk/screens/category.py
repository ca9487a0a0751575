"""The first screen: one big button per category, with its queue and wait, closed ones
shown closed with the reason."""

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Static

from queue_server.protocol import CategoryPublic
from ticket_printer.kiosk.messages import CategoryChosen
from ticket_printer.kiosk.texts import category_label


class CategoryScreen(Screen[None]):
    categories: reactive[list[CategoryPublic]] = reactive(list, recompose=True)
    hall_name: reactive[str] = reactive("", recompose=True)
    notice: reactive[str] = reactive("正在连接服务器…", recompose=True)
    """Shown under the buttons: connection trouble, or an empty hall."""

    def compose(self) -> ComposeResult:
        with Vertical(id="category-page"):
            yield Static(self.hall_name or "自助取号", id="hall-name", classes="title")
            yield Static("请选择您要办理的业务", classes="subtitle")
            with Grid(id="categories"):
                for category in self.categories:
                    yield Button(
                        category_label(category),
                        id=f"category-{category.code}",
                        classes="category" if category.open else "category -closed",
                        disabled=not category.open,
                    )
            yield Static(self.notice, id="notice", classes="notice")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.startswith("category-"):
            self.post_message(CategoryChosen(event.button.id.removeprefix("category-")))
