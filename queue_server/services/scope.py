"""The one context every service step runs in."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from queue_server.config import HallConfig
from queue_server.domain.numbering import service_day
from queue_server.services.accounts import Principal


@dataclass(frozen=True, slots=True)
class Scope:
    """One transaction (or read), in one hall, at one moment, for one caller (None for the
    server's own work: housekeeping, alert checks)."""

    session: Session
    hall: HallConfig
    now: datetime
    principal: Principal | None = None

    @property
    def code(self) -> str:
        """The hall's code: every hall-scoped row read or written here carries it."""
        return self.hall.code

    @property
    def today(self) -> date:
        """The hall's service day at `now`."""
        return service_day(
            now=self.now, tz=self.hall.tz, start_hour=self.hall.hall.service_day_start_hour
        )

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise RuntimeError("this step needs a caller")
        return self.principal
