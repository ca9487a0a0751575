"""一次告知: every material of a matter, in two columns, paged when they do not all fit,
with large 上一页 / 下一页 buttons and "第1/2页" between them."""

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from queue_server.protocol import MatterPublic
from ticket_printer.kiosk.material_pages import MaterialPage, column_table, paginate

HEADING_ROWS = 1
PAGER_ROWS = 3
NO_MATERIALS = "所需材料请咨询窗口工作人员。"


class Checklist(Vertical):
    """Pages are worked out again whenever the checklist's size changes."""

    def __init__(self, matter: MatterPublic, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.matter = matter
        self.pages: list[MaterialPage] = []
        self.page = 0

    def compose(self) -> ComposeResult:
        yield Static(
            f"办理事项：{self.matter.name}　请备齐以下材料（一次告知）：", classes="matter-name"
        )
        with Horizontal(id="materials"):
            yield Static(NO_MATERIALS, classes="material-column")
            yield Static("", classes="material-column")
        with Horizontal(id="pager"):
            yield Button("◀ 上一页", id="materials-previous", classes="pager")
            yield Static("", id="materials-page")
            yield Button("下一页 ▶", id="materials-next", classes="pager")

    def on_resize(self, _: events.Resize) -> None:
        self._paginate()

    def _paginate(self) -> None:
        materials = self.matter.materials
        width, height = self.content_size.width, self.content_size.height
        if not materials or width <= 0 or height <= 0:
            self.query_one("#pager").display = False
            return
        pages = paginate(materials, width=width, rows=height - HEADING_ROWS)
        if len(pages) > 1:
            pages = paginate(materials, width=width, rows=height - HEADING_ROWS - PAGER_ROWS)
        self.pages = pages
        self.page = min(self.page, len(pages) - 1)
        self._show()

    def _show(self) -> None:
        page = self.pages[self.page]
        for shown, column in zip(
            self.query(".material-column").results(Static), (*page.columns, ()), strict=False
        ):
            shown.update(column_table(column) if column else "")
        self.query_one("#pager").display = len(self.pages) > 1
        self.query_one("#materials-page", Static).update(f"第{self.page + 1}/{len(self.pages)}页")
        previous = self.query_one("#materials-previous", Button)
        following = self.query_one("#materials-next", Button)
        previous.disabled = self.page == 0
        following.disabled = self.page == len(self.pages) - 1
        for button, other in ((previous, following), (following, previous)):
            if button.disabled and button.has_focus and not other.disabled:
                other.focus()  # the applicant's focus never drops off the screen

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id not in ("materials-previous", "materials-next"):
            return
        event.stop()
        step = 1 if event.button.id == "materials-next" else -1
        self.page = max(0, min(len(self.pages) - 1, self.page + step))
        self._show()
