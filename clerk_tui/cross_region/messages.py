"""Messages the 市域通办 widgets and screens post up to the app."""

from dataclasses import dataclass, field

from textual.message import Message

from queue_server.domain.cross_region import CrossRegionMode, CrossRegionStep, Delivery


@dataclass(frozen=True, slots=True)
class StepInput:
    """What the person filled in for one step (only the fields of that step are set)."""

    channel: str | None = None
    tracking_no: str | None = None
    materials: tuple[str, ...] = ()
    note: str | None = None
    result: str | None = None
    reason: str | None = None


@dataclass
class CrossRegionCaseChosen(Message):
    case_id: int


@dataclass
class CrossRegionStepWanted(Message):
    case_id: int
    step: CrossRegionStep
    values: StepInput = field(default_factory=StepInput)


@dataclass(frozen=True, slots=True)
class CaseOpening:
    """A case to open from the ticket at the window, as chosen in the form."""

    ticket_id: int
    matter: str
    owner_hall: str
    mode: CrossRegionMode
    delivery: Delivery
    pickup_hall: str | None = None
    mail_address: str | None = None


@dataclass
class CaseOpeningSubmitted(Message):
    opening: CaseOpening
