"""Messages the kiosk's screens post up to the app, which decides what comes next."""

from dataclasses import dataclass, field

from textual.message import Message

from queue_server.protocol import MatterPublic, PriorityReason


@dataclass
class CategoryChosen(Message):
    code: str


@dataclass
class MatterChosen(Message):
    matter: MatterPublic | None
    """None: the applicant skipped choosing a matter."""


@dataclass
class TicketRequested(Message):
    priority: PriorityReason | None


@dataclass
class ReprintRequested(Message):
    pass


@dataclass
class StartOver(Message):
    """Back to the category screen (the countdown ended, or 返回首页 was pressed)."""


@dataclass
class ReturnRequested(Message):
    """补件回执 was chosen on the home screen."""


@dataclass
class ReturnCodeEntered(Message):
    """A return code was typed or scanned."""

    code: str


@dataclass
class HelpRequested(Message):
    """一键求助 was pressed, on whichever screen."""


@dataclass
class IdNumberEntered(Message):
    """A real-name category's ID number, checked; the kiosk sends it with the ticket request
    and keeps it nowhere."""

    id_number: str = field(repr=False)


@dataclass
class CheckInChosen(Message):
    """预约签到 was chosen on the home screen (its button or its key)."""


@dataclass
class CheckInRequested(Message):
    """A booking code or an ID number was typed (or scanned) on the check-in screen."""

    text: str = field(repr=False)
    """Left out of the message's repr: it may be an ID number (a crash log shows locals)."""


@dataclass
class WalkInRequested(Message):
    """Too late for the booking: the applicant takes a walk-in ticket of its category."""

    category: str
