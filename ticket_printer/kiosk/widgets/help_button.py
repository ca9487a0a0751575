"""一键求助: the button in the top left corner of every kiosk screen that calls staff."""

from textual.widgets import Button

from ticket_printer.kiosk.messages import HelpRequested

HELP_LABEL = "一键求助"
HELP_SENT = "已通知工作人员，请稍候"
"""What the applicant reads once staff have been called."""
HELP_FAILED = "求助未能发出，请直接联系工作人员"


class HelpButton(Button):
    """Laid over the screen's corner (it takes no room from the page); the app answers."""

    def __init__(self) -> None:
        super().__init__(HELP_LABEL, id="help", classes="help")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(HelpRequested())
