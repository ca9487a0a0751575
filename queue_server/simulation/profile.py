"""The simulator's profile of a hall day (a TOML file): arrivals, applicants, clerks."""

import tomllib
from datetime import time
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from queue_server.config import ConfigError, HallConfig

DEFAULT_PROFILE = "default_profile.toml"
MATTERS_PROFILE = "matters_profile.toml"
"""The default hall's day with per-matter service times (`load_profile(builtin=...)`)."""

Share = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DayHours(_Strict):
    opens: time = time(9)
    closes: time = time(17)
    lunch_start: time = time(12)
    lunch_end: time = time(13, 30)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.opens <= self.lunch_start <= self.lunch_end <= self.closes:
            raise ValueError("need opens ≤ lunch_start ≤ lunch_end ≤ closes")
        if self.opens >= self.closes:
            raise ValueError("closes must be later than opens")
        return self


class Arrivals(_Strict):
    per_hour: dict[Annotated[int, Field(ge=0, le=23)], Annotated[float, Field(ge=0)]]
    """Applicants per hour for the whole hall, keyed by the local hour they arrive in."""


class Applicants(_Strict):
    priority_share: Share = 0.06
    no_show_share: Share = 0.05
    return_share: Share = 0.5
    return_after_minutes: tuple[float, float] = (3.0, 25.0)
    walk_seconds: tuple[float, float] = (10.0, 60.0)
    no_show_patience_seconds: Annotated[float, Field(ge=0)] = 120.0
    transfer_share: Share = 0.02
    transfer_to: str | None = "unresolved"


class Breaks(_Strict):
    chance: Share = 0.6
    minutes: tuple[float, float] = (8.0, 20.0)
    morning: tuple[time, time] = (time(10), time(11, 30))
    afternoon: tuple[time, time] = (time(14, 30), time(16, 15))


class MatterLoad(_Strict):
    """One matter (一件事, an id of the hall's catalog) within its category."""

    share: Share
    """Of the category's applicants, the share who choose this matter."""
    median_minutes: Annotated[float, Field(gt=0)]
    sigma: Annotated[float, Field(ge=0, le=3)] = 0.5


class CategoryLoad(_Strict):
    share: Annotated[float, Field(ge=0)]
    median_minutes: Annotated[float, Field(gt=0)]
    """For applicants of the category who choose none of its `matters`."""
    sigma: Annotated[float, Field(ge=0, le=3)] = 0.5
    matters: dict[str, MatterLoad] = {}

    @model_validator(mode="after")
    def _matter_shares(self) -> Self:
        if sum(m.share for m in self.matters.values()) > 1 + 1e-9:
            raise ValueError("the shares of a category's matters add up to more than 1")
        return self


class Profile(_Strict):
    day: DayHours = DayHours()
    arrivals: Arrivals
    applicants: Applicants = Applicants()
    breaks: Breaks = Breaks()
    categories: dict[str, CategoryLoad]

    @model_validator(mode="after")
    def _some_share(self) -> Self:
        if sum(c.share for c in self.categories.values()) <= 0:
            raise ValueError("categories: at least one category needs a share above 0")
        return self

    def check_against(self, hall: HallConfig) -> None:
        """Raise ConfigError when the profile names categories the hall does not have."""
        unknown = sorted(set(self.categories) - set(hall.category_by_code))
        target = self.applicants.transfer_to
        if target is not None and target not in hall.category_by_code:
            unknown.append(target)
        if unknown:
            raise ConfigError(f"simulation profile: unknown categories {', '.join(unknown)}")


def parse_profile(text: str, *, source: str) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from error
    data.setdefault("arrivals", {})
    per_hour = data["arrivals"].get("per_hour", {})
    data["arrivals"]["per_hour"] = {int(hour): rate for hour, rate in per_hour.items()}
    try:
        return Profile.model_validate(data)
    except (ValidationError, ValueError) as error:
        raise ConfigError(f"{source}: invalid simulation profile: {error}") from error


def load_profile(path: Path | None = None, *, builtin: str = DEFAULT_PROFILE) -> Profile:
    """The profile at `path`, or a built-in one (`DEFAULT_PROFILE`, `MATTERS_PROFILE`), which
    fit the default hall."""
    if path is None:
        text = files("queue_server.simulation").joinpath(builtin).read_text("utf-8")
        return parse_profile(text, source=f"(built-in) {builtin}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the simulation profile: {error}") from error
    return parse_profile(text, source=str(path))
