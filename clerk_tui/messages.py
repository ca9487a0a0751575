"""Messages that screens post up to the app (attributes go down, messages come up)."""

from dataclasses import dataclass

from textual.message import Message


@dataclass
class LoginSubmitted(Message):
    username: str
    password: str


@dataclass
class WindowChosen(Message):
    number: int


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One press of an action key with the choices made in its dialog.

    The whole request is the action's identity for its Idempotency-Key: pressing the same
    action on the same ticket with the same choices again reuses the key while the first
    outcome is unknown.
    """

    action: str
    ticket_id: int | None = None
    reason: str | None = None
    to_category: str | None = None
    to_window: int | None = None
    number: str | None = None
    outcome: str | None = None
    locker: str | None = None
    compartment: int | None = None
    missing: tuple[str, ...] = ()
    """补件: the materials missing or wrong (with outcome `needs_documents`)."""


@dataclass
class ActionRequested(Message):
    request: ActionRequest


@dataclass
class ActionRefused(Message):
    """A key whose action does not apply now was pressed: show why."""

    reason: str
