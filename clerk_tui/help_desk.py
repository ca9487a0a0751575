"""一键求助 for both consoles: an App base that keeps the hall's open help requests, shows
them in every HelpBanner, and answers the longest waiting one with one key (F12)."""

from typing import ClassVar, Final

from textual import work
from textual.binding import Binding, BindingType

from clerk_tui.cross_region.desk import CrossRegionDesk
from clerk_tui.help_calls import ACK_KEY, is_help_event, oldest, where
from clerk_tui.widgets.help_banner import HelpBanner
from queue_server.client import QueueError
from queue_server.domain.clock import Clock
from queue_server.protocol import EventMessage, HelpRequestPublic

ACK_LABEL: Final = "响应求助"


class HelpDesk(CrossRegionDesk):
    """A subclass sets `client` and `clock`, calls `load_help_calls` once it follows the hall
    (and on each snapshot) and `follow_help` on every event, and says where its words go
    (`desk_say`, `desk_timezone`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(ACK_KEY, "acknowledge_help", ACK_LABEL, id="help_ack", show=False)
    ]
    """Not a priority binding: a clerk's key file that gives F12 to an action keeps it."""
    clock: Clock

    def __init__(self) -> None:
        super().__init__()
        self.help_calls: tuple[HelpRequestPublic, ...] = ()
        """The hall's open help requests, as last read."""

    def follow_help(self, event: EventMessage) -> None:
        """Call on every event of the hall's live feed."""
        if is_help_event(event):
            self.load_help_calls()

    @work(exclusive=True, group="help-read", exit_on_error=False)
    async def load_help_calls(self) -> None:
        try:
            calls = await self.client.help_requests(open_only=True)
        except QueueError:
            return  # offline or refused: the next snapshot reads them again
        self.help_calls = tuple(calls)
        self.show_help_calls()

    def show_help_calls(self) -> None:
        """Attributes down: every banner of every screen on the stack (dialogs included)."""
        for screen in self.screen_stack:
            for banner in screen.query(HelpBanner):
                banner.timezone = self.desk_timezone()
                banner.now = self.clock.now()
                banner.calls = self.help_calls

    def action_acknowledge_help(self) -> None:
        call = oldest(self.help_calls)
        if call is None:
            self.desk_say("没有待响应的一键求助")
            return
        self.acknowledge_help(call)

    @work(exclusive=True, group="help-ack", exit_on_error=False)
    async def acknowledge_help(self, call: HelpRequestPublic) -> None:
        try:
            await self.client.acknowledge_help(call.id)
        except QueueError as error:
            self.desk_say(f"{ACK_LABEL}：{error.detail}", error=True)
        else:
            self.desk_say(f"已响应{where(call)}的一键求助，请前往")
        self.help_calls = tuple(c for c in self.help_calls if c.id != call.id)
        self.show_help_calls()
        self.load_help_calls()
