"""The hall TOML's `[opening_hours]` and `[self_service]`: when the hall is open, and the
24-hour zone's devices, checklists, inspection rounds and clocks."""

from datetime import time
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from queue_server.config_base import check_unique
from queue_server.domain.opening_hours import ALL_DAY, WEEKDAY_KEYS, WeeklyHours, parse_day
from queue_server.domain.self_service import ZoneDeviceKind

DEVICE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"

DEFAULT_CHECKLISTS: dict[ZoneDeviceKind, list[str]] = {
    ZoneDeviceKind.TERMINAL: ["电源", "屏幕", "网络", "读卡器", "打印纸"],
    ZoneDeviceKind.LOCKER: ["电源", "屏幕", "网络", "柜门", "扫码器"],
    ZoneDeviceKind.PRINTER: ["电源", "屏幕", "网络", "打印纸", "耗材"],
    ZoneDeviceKind.OTHER: ["电源", "屏幕", "网络"],
}

Text = Annotated[str, Field(min_length=1, max_length=32)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpeningHoursConfig(_Strict):
    """`[opening_hours]`: each weekday `"09:00-17:00"` (ranges comma-separated) or
    `"closed"`; a weekday left out is closed."""

    mon: str = "closed"
    tue: str = "closed"
    wed: str = "closed"
    thu: str = "closed"
    fri: str = "closed"
    sat: str = "closed"
    sun: str = "closed"

    @field_validator(*WEEKDAY_KEYS)
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_day(value)
        return value

    def weekly(self) -> WeeklyHours:
        return WeeklyHours.parse({key: getattr(self, key) for key in WEEKDAY_KEYS})


class ZoneDevice(_Strict):
    """One device of the zone (`[[self_service.devices]]`)."""

    name: Annotated[str, Field(pattern=DEVICE_NAME_PATTERN)]
    """The name its device token and heartbeats use."""
    kind: ZoneDeviceKind
    label: Text
    """What people read, e.g. 社保自助终端."""
    services: list[Annotated[str, Field(min_length=1, max_length=40)]] = []
    """What a person can do there, in plain Chinese."""
    department: Annotated[str, Field(max_length=40)] = ""
    """Who owns it (and inspects it)."""
    phone: Annotated[str, Field(max_length=32)] = ""
    """Who to call when it fails."""
    compartments: Annotated[int, Field(gt=0, le=500)] | None = None
    """Lockers: compartments numbered 1 … N."""

    @model_validator(mode="after")
    def _lockers_have_compartments(self) -> Self:
        if self.kind is ZoneDeviceKind.LOCKER and self.compartments is None:
            raise ValueError(f"device {self.name!r}: a locker needs compartments = N")
        if self.kind is not ZoneDeviceKind.LOCKER and self.compartments is not None:
            raise ValueError(f"device {self.name!r}: only a locker has compartments")
        return self


class InspectionRound(_Strict):
    """A daily inspection every device is due on working days: done between `start` and
    `end` (local time), or missed."""

    name: Text
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be later than start")
        return self


DEFAULT_ROUNDS = [
    InspectionRound(name="开门前检查", start=time(8, 0), end=time(9, 0)),
    InspectionRound(name="闭门后检查", start=time(17, 0), end=time(18, 0)),
]


class SelfServiceConfig(_Strict):
    """`[self_service]`: the 24-hour zone."""

    hours: str = ALL_DAY
    """When the zone is open, every day: `"00:00-24:00"` (all day) or ranges."""
    devices: list[ZoneDevice] = []
    checklists: dict[ZoneDeviceKind, list[Text]] = DEFAULT_CHECKLISTS
    """The items an inspection checks, per device kind."""
    inspections: list[InspectionRound] = DEFAULT_ROUNDS
    repair_hours: Annotated[float, Field(gt=0)] = 24.0
    """A repair case must be verified within this many hours of opening."""
    help_escalate_minutes: Annotated[float, Field(gt=0)] = 3.0
    """A help request nobody acknowledged within this time raises `alert.help_unanswered`."""
    locker_days: Annotated[int, Field(gt=0)] = 7
    """A deposit not collected within this many days raises `alert.locker_uncollected`."""

    @field_validator("hours")
    @classmethod
    def _parses(cls, value: str) -> str:
        if not parse_day(value):
            raise ValueError('the zone cannot be "closed" every day; leave the zone out instead')
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_unique("devices", "name", [device.name for device in self.devices])
        return self

    def weekly(self) -> WeeklyHours:
        return WeeklyHours.every_day(self.hours)

    @property
    def device_by_name(self) -> dict[str, ZoneDevice]:
        return {device.name: device for device in self.devices}

    def checklist(self, kind: ZoneDeviceKind) -> list[str]:
        return list(self.checklists.get(kind, DEFAULT_CHECKLISTS[kind]))
