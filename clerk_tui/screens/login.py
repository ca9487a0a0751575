"""The login form: name first, Tab to the password, Enter to submit."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from clerk_tui.messages import LoginSubmitted


class LoginScreen(Screen[None]):
    """Tab and Shift+Tab are priority bindings: the app moves the focus as soon as it reads the
    key, so the keys typed after a fast Tab go to the password field. (A plain binding runs in
    the focused field's own queue, after the app has already handed it the keys that follow.)"""

    AUTO_FOCUS = "#username"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
    ]

    error: reactive[str] = reactive("")
    busy: reactive[bool] = reactive(False)

    def __init__(self, server_url: str) -> None:
        super().__init__()
        self.server_url = server_url

    def compose(self) -> ComposeResult:
        with Vertical(id="login-form", classes="form"):
            yield Static("一门 · 窗口工作台", classes="form-title")
            yield Static(f"服务器：{self.server_url}", classes="form-note")
            yield Label("用户名")
            yield Input(id="username", placeholder="工号或用户名")
            yield Label("密码")
            yield Input(id="password", password=True, placeholder="密码")
            yield Static("Tab 切换 · Enter 登录 · Ctrl+Q 退出", classes="form-note")
            yield Static("", id="login-error", classes="form-error")

    def watch_error(self, error: str) -> None:
        if self.is_mounted:
            self.query_one("#login-error", Static).update(error)

    def watch_busy(self, busy: bool) -> None:
        if busy and self.is_mounted:
            self.query_one("#login-error", Static).update("正在登录…")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not username:
            self.error = "请输入用户名"
            self.query_one("#username", Input).focus()
            return
        if not password:
            self.error = "请输入密码"
            self.query_one("#password", Input).focus()
            return
        if not self.busy:
            self.post_message(LoginSubmitted(username, password))

    def failed(self, message: str) -> None:
        """Show why the login failed and offer another try, password cleared."""
        self.busy = False
        self.error = message
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()
