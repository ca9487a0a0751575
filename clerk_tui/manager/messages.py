"""Messages the manager console's pages post up to the app."""

from dataclasses import dataclass
from datetime import date

from textual.message import Message

from queue_server.protocol import StatsGroupBy, TidalSuggestionPublic


@dataclass
class StatsRequested(Message):
    start: date
    end: date
    group_by: StatsGroupBy


@dataclass
class CaseChosen(Message):
    case_id: int


@dataclass
class CaseStep(Message):
    """One step on a case, with what the manager filled in (see CaseScreen)."""

    case_id: int
    step: str
    values: dict[str, str]


@dataclass
class HallChosen(Message):
    """The manager chose a hall to work on (a city-wide manager only)."""

    code: str


class HallSwitcherWanted(Message):
    """The manager pressed the hall switcher's key (F8)."""


@dataclass
class ZoneActionWanted(Message):
    """A key on the 自助服务区 page: `inspect` or `fault` on a device, `assign`, `fix` or
    `verify` on a repair case."""

    action: str
    device: str | None = None
    repair_id: int | None = None


@dataclass
class AppointmentDayWanted(Message):
    """A key on the 预约 page: show this day's slots and bookings."""

    day: date


@dataclass
class TidalApplyWanted(Message):
    """The manager pressed the key that applies the 潮汐 suggestion shown."""

    suggestion: TidalSuggestionPublic


@dataclass
class TidalEndWanted(Message):
    """The manager pressed the key that ends the 潮汐 switch at this window."""

    window: int
