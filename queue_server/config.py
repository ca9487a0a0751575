"""Server settings (environment, flags) and the hall configuration (a TOML file)."""

import tomllib
from datetime import date, datetime, time, timedelta
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Final, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from queue_server.applicant_config import AppointmentsConfig, JourneysConfig, PrivacyConfig
from queue_server.config_base import check_unique
from queue_server.domain.cases import CaseClass
from queue_server.domain.dispatch import POLICIES, OverflowRule
from queue_server.domain.opening_hours import DayKind, Schedule, WeeklyHours, day_kind_from
from queue_server.domain.workdays import WorkCalendar
from queue_server.self_service_config import OpeningHoursConfig, SelfServiceConfig

DEFAULT_HALL_CONFIG = "default_hall.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigError(Exception):
    """The hall configuration cannot be used; the message names the key and the problem."""


class OpeningHours(_Strict):
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be later than start")
        return self

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


class Category(_Strict):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
    prefix: Annotated[str, Field(pattern=r"^[A-Z]$")]
    name: Annotated[str, Field(min_length=1, max_length=32)]
    target_wait_minutes: Annotated[int, Field(gt=0)] = 20
    daily_cap: Annotated[int, Field(gt=0)] | None = None
    priority_ratio: Annotated[int, Field(ge=0)] = 3
    """Most priority tickets a window calls in a row while others wait; 0 turns jumping off."""
    service_minutes: Annotated[float, Field(gt=0)] = 8.0
    """Expected service time, used for estimates until real service times are known."""
    opening_hours: list[OpeningHours] | None = None
    finish_outcome_required: bool = False
    """When true, finishing a ticket needs an outcome (resolved / needs_documents /
    unresolved); the clerk console asks for it."""
    service_limit_minutes: Annotated[float, Field(gt=0)] | None = None
    """A service running longer raises `alert.service_limit`; by default three times
    `service_minutes`."""
    queue_alert_length: Annotated[int, Field(gt=0)] = 20
    """More people than this waiting raises `alert.queue_length`: a hint to open a 潮汐
    (tidal) window."""
    real_name: bool = False
    """实名取号: the kiosk asks for the ID number before issuing, and one person gets at most
    `max_tickets_per_person_per_day` tickets of this category a day in this hall."""
    max_tickets_per_person_per_day: Annotated[int, Field(gt=0, le=100)] = 2
    overflow_waiting: Annotated[int, Field(ge=0)] = 10
    """More people than this waiting lets windows that `also_serves` the category help
    (跨窗通办), even before its longest wait passes the target; 0: as soon as one waits."""

    @property
    def service_limit_seconds(self) -> float:
        return (self.service_limit_minutes or 3 * self.service_minutes) * 60

    def is_open_at(self, local: datetime) -> bool:
        if not self.opening_hours:
            return True
        return any(hours.contains(local.time()) for hours in self.opening_hours)


class Window(_Strict):
    number: Annotated[int, Field(gt=0, lt=1000)]
    name: Annotated[str, Field(min_length=1, max_length=32)]
    zone: Annotated[str, Field(min_length=1, max_length=32)]
    categories: Annotated[list[str], Field(min_length=1)]
    policy: str = "longest_wait"
    also_serves: list[str] = []
    """Categories the window helps with (overflow): when its own queue is empty, or when one
    of them is past its target wait or has more than its `overflow_waiting` waiting, and
    never while one of its own categories is past target (domain/dispatch.py)."""

    @property
    def may_serve(self) -> tuple[str, ...]:
        """Its own categories, then those it helps with."""
        return (*self.categories, *self.also_serves)

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        if value not in POLICIES:
            raise ValueError(f"unknown policy {value!r}; known: {', '.join(sorted(POLICIES))}")
        return value


class Texts(_Strict):
    call_template: str = "请{number}号到{window}号窗口办理"
    board_notice: str = ""

    @field_validator("call_template")
    @classmethod
    def _has_placeholders(cls, value: str) -> str:
        for placeholder in ("{number}", "{window}"):
            if placeholder not in value:
                raise ValueError(f"must contain {placeholder}")
        return value


class BoardSettings(_Strict):
    """How the hall and window boards show calls."""

    recent_calls: Annotated[int, Field(ge=1, le=30)] = 8
    """How many of the latest calls the hall board lists."""
    highlight_seconds: Annotated[float, Field(ge=0, le=600)] = 10.0
    """How long the newest call stays large and highlighted."""


class VoiceSettings(_Strict):
    """How the voice announcer speaks a call."""

    repeats: Annotated[int, Field(ge=1, le=5)] = 2
    chime: bool = True
    """Play a short two-tone chime before each announcement."""
    rate: Annotated[int, Field(ge=80, le=400)] = 150
    """Speaking rate in words per minute (espeak); slower is easier for elderly applicants."""
    pause_seconds: Annotated[float, Field(ge=0, le=10)] = 0.8
    """Silence between two repeats of the phrase."""


HALL_CODE_PATTERN = r"^[a-z][a-z0-9_-]*$"

HallCode = Annotated[str, Field(pattern=HALL_CODE_PATTERN, max_length=32)]
"""A hall's code in a city: lower-case letters, digits, `_` and `-`, starting with a letter."""

DEFAULT_HALL_CODE = "main"


class Hall(_Strict):
    name: Annotated[str, Field(min_length=1)]
    code: HallCode = DEFAULT_HALL_CODE
    """The hall's code in its city (city.toml); a hall run on its own is `main`."""
    timezone: str = "Asia/Shanghai"
    service_day_start_hour: Annotated[int, Field(ge=0, le=23)] = 4
    requeue_after: Annotated[int, Field(ge=0)] = 3
    """A returning no-show is put back behind this many waiting tickets."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value


class MattersSource(_Strict):
    """Where the hall's 一件事 catalog comes from (see queue_server/catalog.py)."""

    file: Path | None = None
    """A catalog TOML replacing the built-in one; relative to the hall configuration file."""
    categories: dict[str, str] = {}
    """Matter id → category code, for a hall that serves a matter in another category."""


DEFAULT_BAD_REVIEW_REASONS = [
    "等候时间过长",
    "服务态度不好",
    "办事效率低",
    "一次性告知不到位",
    "材料要求不清楚",
    "系统或设备故障",
    "其他",
]


class EvaluationConfig(_Strict):
    """好差评: the reasons offered for a bad review, defaults and the evaluator tablet."""

    reasons: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=32)]], Field(min_length=1)
    ] = DEFAULT_BAD_REVIEW_REASONS
    default_after_days: Annotated[int, Field(ge=1)] = 7
    """A done ticket unrated for this many days is recorded as 基本满意 (defaulted)."""
    followup_working_days: Annotated[int, Field(ge=0)] = 15
    """A bad review opens a follow-up case due in this many working days."""
    idle_seconds: Annotated[int, Field(ge=5, le=600)] = 60
    """The window's evaluator tablet goes back to idle after this long without a touch."""
    window_minutes: Annotated[int, Field(ge=1, le=1440)] = 15
    """The tablet may rate the window's last finished ticket for this long after the finish."""

    @field_validator("reasons")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        check_unique("evaluation", "reasons", list(value))
        return value


class DeadlineLadder(_Strict):
    """Working days a 办不成事 case of each class has until it must be 办结."""

    simple: Annotated[int, Field(ge=0)] = 0
    ordinary: Annotated[int, Field(ge=0)] = 1
    legally_impossible: Annotated[int, Field(ge=0)] = 3
    hard: Annotated[int, Field(ge=0)] = 7
    special: Annotated[int, Field(ge=0)] = 15

    def days(self, case_class: CaseClass) -> int:
        days: int = getattr(self, case_class.value)
        return days


CROSS_REGION_CATEGORY: Final = "cross_region"


class CasesConfig(_Strict):
    """The 办不成事 case desk."""

    category: str | None = "unresolved"
    """Transfers to this category open a case; its windows form the desk. None: no desk."""
    default_class: CaseClass = CaseClass.ORDINARY
    """The class a case gets until the desk classifies it."""
    deadline_working_days: DeadlineLadder = DeadlineLadder()


class CalendarConfig(_Strict):
    """Corrections to the official holiday calendar (e.g. next year's, before the package
    knows it)."""

    extra_holidays: list[date] = []
    extra_workdays: list[date] = []


class HallConfig(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    hall: Hall
    texts: Texts = Texts()
    board: BoardSettings = BoardSettings()
    voice: VoiceSettings = VoiceSettings()
    evaluation: EvaluationConfig = EvaluationConfig()
    cases: CasesConfig = CasesConfig()
    calendar: CalendarConfig = CalendarConfig()
    categories: Annotated[list[Category], Field(min_length=1)]
    windows: Annotated[list[Window], Field(min_length=1)]
    matters: MattersSource = MattersSource()
    opening_hours: OpeningHoursConfig | None = None
    """The hall's hours per weekday; None (the table left out): always open."""
    self_service: SelfServiceConfig = SelfServiceConfig()
    appointments: AppointmentsConfig = AppointmentsConfig()
    journeys: JourneysConfig = JourneysConfig()
    privacy: PrivacyConfig = PrivacyConfig()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_unique("categories", "code", [c.code for c in self.categories])
        check_unique("categories", "prefix", [c.prefix for c in self.categories])
        check_unique("windows", "number", [w.number for w in self.windows])
        codes = {c.code for c in self.categories}
        for index, window in enumerate(self.windows):
            for field in ("categories", "also_serves"):
                unknown = [code for code in getattr(window, field) if code not in codes]
                if unknown:
                    raise ValueError(
                        f"windows.{index}.{field}: unknown category {unknown[0]!r} "
                        f"(window {window.number})"
                    )
            both = sorted(set(window.categories) & set(window.also_serves))
            if both:
                raise ValueError(
                    f"windows.{index}.also_serves: {both[0]!r} is already one of the window's "
                    f"own categories (window {window.number})"
                )
        for index, booked in enumerate(self.appointments.categories):
            if booked.code not in codes:
                raise ValueError(
                    f"appointments.categories.{index}.code: unknown category {booked.code!r}"
                )
        pickup = self.journeys.pickup_category
        if "pickup_category" in self.journeys.model_fields_set and pickup not in codes | {None}:
            raise ValueError(f"journeys.pickup_category: unknown category {pickup!r}")
        desk = self.cases.category
        if "cases" in self.model_fields_set and desk is not None and desk not in codes:
            raise ValueError(f"cases.category: unknown category {self.cases.category!r}")
        return self

    @property
    def code(self) -> str:
        """The hall's code in its city."""
        return self.hall.code

    @cached_property
    def case_category(self) -> str | None:
        """The 办不成事 category, when this hall has one."""
        category = self.cases.category
        return category if category in self.category_by_code else None

    @cached_property
    def cross_region_category(self) -> str | None:
        """The 跨域通办 category (code `cross_region`), when this hall has one: its windows
        work the hall's 市域通办 cases."""
        return CROSS_REGION_CATEGORY if CROSS_REGION_CATEGORY in self.category_by_code else None

    @cached_property
    def pickup_category(self) -> str | None:
        """The 出件 category where ready results are collected, when this hall has one."""
        category = self.journeys.pickup_category
        return category if category in self.category_by_code else None

    @cached_property
    def work_calendar(self) -> WorkCalendar:
        return WorkCalendar.with_overrides(
            holidays=self.calendar.extra_holidays, workdays=self.calendar.extra_workdays
        )

    @cached_property
    def schedule(self) -> Schedule:
        """When the hall is open: `[opening_hours]` on the holiday calendar; always, holidays
        included, when the hall has no `[opening_hours]`."""
        if self.opening_hours is None:
            return Schedule(WeeklyHours.always(), self.tz, _every_day_regular)
        calendar = self.work_calendar
        kind = day_kind_from(
            is_workday=calendar.is_workday, is_statutory_holiday=calendar.is_statutory_holiday
        )
        return Schedule(self.opening_hours.weekly(), self.tz, kind)

    @cached_property
    def zone_schedule(self) -> Schedule:
        """When the 24-hour self-service zone is open: every day, holidays included."""
        return Schedule(self.self_service.weekly(), self.tz, _every_day_regular)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.hall.timezone)

    @cached_property
    def category_by_code(self) -> dict[str, Category]:
        return {c.code: c for c in self.categories}

    @cached_property
    def window_by_number(self) -> dict[int, Window]:
        return {w.number: w for w in self.windows}

    @cached_property
    def overflow_rules(self) -> dict[str, OverflowRule]:
        """When each category is due for help from the windows that `also_serves` it."""
        return {
            c.code: OverflowRule(timedelta(minutes=c.target_wait_minutes), c.overflow_waiting)
            for c in self.categories
        }

    def windows_serving(self, category: str) -> list[Window]:
        return [w for w in self.windows if category in w.categories]


def _every_day_regular(day: date) -> DayKind:
    return DayKind.REGULAR


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  {location}: {message}")
    return "\n".join(lines)


def parse_hall_config(text: str, *, source: str) -> HallConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from error
    try:
        return HallConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{source}: invalid hall configuration\n{_describe(error)}") from error


def load_hall_config(path: Path | None = None) -> HallConfig:
    """Load the hall configuration from `path`, or the default hall shipped in the package."""
    if path is None:
        text = files("queue_server").joinpath(DEFAULT_HALL_CONFIG).read_text(encoding="utf-8")
        return parse_hall_config(text, source=f"(built-in) {DEFAULT_HALL_CONFIG}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the hall configuration: {error}") from error
    config = parse_hall_config(text, source=str(path))
    matters_file = config.matters.file
    if matters_file is not None and not matters_file.is_absolute():
        located = config.matters.model_copy(update={"file": path.parent / matters_file})
        config = config.model_copy(update={"matters": located})
    return config


def database_url_from(value: str) -> str:
    """A bare path means a SQLite file; `postgresql://` (or `postgres://`) means PostgreSQL
    through psycopg 3, the driver the server ships with; any other URL is used as it is."""
    for plain in ("postgresql://", "postgres://"):
        if value.startswith(plain):
            return "postgresql+psycopg://" + value.removeprefix(plain)
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


class Settings(BaseSettings):
    """Server settings; every field can be set as YIMEN_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="YIMEN_", extra="ignore")

    database_url: str = "sqlite:///yimen.db"
    config: Path | None = None
    city: Path | None = None
    """A city configuration (city.toml) naming every hall; instead of `config`."""
    host: str = "127.0.0.1"
    port: int = 8000
    login_ttl_hours: Annotated[float, Field(gt=0)] = 12.0
    max_body_bytes: Annotated[int, Field(gt=0)] = 16 * 1024
    ws_queue_size: Annotated[int, Field(gt=0)] = 256
    ws_replay_size: Annotated[int, Field(gt=0)] = 4096
    ws_per_message_deflate: bool = False
    """Compress websocket frames (permessage-deflate). Off by default: a hall's frames are a
    few hundred bytes on a local network, while each compressed connection keeps its own zlib
    state (~45 KB) and compresses every frame anew — a thousand boards, a thousand times."""
    heartbeat_seconds: Annotated[float, Field(gt=0)] = 15.0
    device_offline_seconds: Annotated[float, Field(gt=0)] = 90.0
    """A kiosk, board or announcer silent this long is listed as offline."""
    poll_seconds: Annotated[float, Field(gt=0)] = 1.0
    """How often the server looks for events written by other server processes."""
    token_cache_seconds: Annotated[float, Field(ge=0)] = 5.0
    """How long a resolved token is trusted without reading the database again: a token
    revoked by another process (or an account switched off) stops working within this time;
    a logout through this process takes effect at once. 0 turns the cache off."""
    alert_check_seconds: Annotated[float, Field(gt=0)] = 15.0
    """How often the server checks waits, services and queues against their alert limits,
    and rolls up finished service days for the statistics."""
    ws_token_check_seconds: Annotated[float, Field(gt=0)] = 5.0
    """How often an open websocket's token is checked again: a logged-out, revoked or
    expired token's stream is closed (4401) within this time (plus `token_cache_seconds`
    for a revocation by another process)."""
    login_failures_per_name: Annotated[int, Field(gt=0)] = 5
    """Failed logins for one name within five minutes before that name is refused a while."""
    login_failures_per_address: Annotated[int, Field(gt=0)] = 20
    """Failed logins from one client address within five minutes before it is refused."""
    password_check_threads: Annotated[int, Field(gt=0)] = 2
    """Password checks (argon2, slow on purpose) run at most this many at a time."""
    password_check_queue: Annotated[int, Field(ge=0)] = 16
    """Logins waiting for a password check beyond this many get 429 at once."""
    kiosk_issue_burst: Annotated[int, Field(gt=0)] = 5
    """Tickets a kiosk token may issue in a row before it is slowed to the steady rate."""
    kiosk_issue_seconds: Annotated[float, Field(ge=0)] = 2.0
    """The steady rate of a kiosk token: one ticket per this many seconds (0: no limit)."""
    booking_burst: Annotated[int, Field(gt=0)] = 10
    """Public booking requests (book, read, cancel by code) one client address may send in a
    row before it is slowed to the steady rate."""
    booking_seconds: Annotated[float, Field(ge=0)] = 6.0
    """The steady rate of one client address: one booking request per this many seconds
    (0: no limit)."""
    secret_key: SecretStr | None = None
    """What the smart locker's pickup codes are derived from (HMAC-SHA-256). Unset: a random
    key kept in `<database>.secret` beside a SQLite file; with PostgreSQL every server
    process must be given the same key (see queue_server/secret_key.py)."""

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return database_url_from(value)
