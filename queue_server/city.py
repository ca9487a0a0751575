"""The city: every hall of one system, from a city.toml naming each hall's configuration."""

import tomllib
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from queue_server.config import (
    DEFAULT_HALL_CONFIG,
    ConfigError,
    HallCode,
    HallConfig,
    Settings,
    load_hall_config,
)
from queue_server.domain.cross_region import Deadlines

EXAMPLE_CITY = Path(__file__).parent / "cities" / "example" / "city.toml"


class CityHall(BaseModel):
    """One hall of the city: its code, where its configuration came from, and that
    configuration (whose `code` is this hall's code)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: HallCode
    config_path: Path | None = None
    """The hall's TOML file; None for the built-in default hall."""
    address: str | None = None
    district: str | None = None
    hall: HallConfig

    @model_validator(mode="after")
    def _same_code(self) -> Self:
        if self.hall.code != self.code:
            raise ValueError(
                f"the hall's configuration has code {self.hall.code!r}, not {self.code!r}"
            )
        return self


class CityConfig(BaseModel):
    """Every hall of the city, in the order of the city file; the first is the default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1)]
    halls: Annotated[tuple[CityHall, ...], Field(min_length=1)]
    source: str
    """Where the city came from (the city file, or the one hall's file), for messages."""
    cross_region: Deadlines = Deadlines()
    """市域通办: working days each step may take (`[cross_region]` of the city file)."""

    @model_validator(mode="after")
    def _distinct_codes(self) -> Self:
        codes = self.codes
        for index, code in enumerate(codes):
            if code in codes[:index]:
                raise ValueError(f"halls[{index}].code: {code!r} is used by two halls")
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(entry.code for entry in self.halls)

    @property
    def default_code(self) -> str:
        return self.halls[0].code

    @property
    def single(self) -> bool:
        """True for a city of one hall, where no caller ever needs to name the hall."""
        return len(self.halls) == 1

    def entry(self, code: str) -> CityHall:
        """The hall with this code; KeyError for a code the city does not have."""
        for entry in self.halls:
            if entry.code == code:
                return entry
        raise KeyError(code)

    def hall(self, code: str) -> HallConfig:
        """The configuration of the hall with this code; KeyError for an unknown code."""
        return self.entry(code).hall


class _CityFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _CitySection(_CityFileModel):
    name: Annotated[str, Field(min_length=1)]


WorkingDays = Annotated[int, Field(ge=0, le=60)]
_DEADLINES = Deadlines()


class _CrossRegionSection(_CityFileModel):
    """Defaults: 内政办发〔2023〕39号 (the decision's days are an assumption)."""

    forward: WorkingDays = _DEADLINES.forward
    forward_originals: WorkingDays = _DEADLINES.forward_originals
    recheck: WorkingDays = _DEADLINES.recheck
    decide: WorkingDays = _DEADLINES.decide
    deliver: WorkingDays = _DEADLINES.deliver

    def deadlines(self) -> Deadlines:
        return Deadlines(**self.model_dump())


class _HallEntry(_CityFileModel):
    code: HallCode
    config: Path
    """The hall's TOML file, relative to the city file."""
    address: Annotated[str, Field(min_length=1)] | None = None
    district: Annotated[str, Field(min_length=1)] | None = None


class _CityFile(_CityFileModel):
    city: _CitySection
    halls: list[_HallEntry] = []
    cross_region: _CrossRegionSection = _CrossRegionSection()


def _key(location: tuple[int | str, ...]) -> str:
    """`("halls", 2, "config")` → `halls[2].config`."""
    key = ""
    for part in location:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else part
    return key or "(top level)"


def _describe(error: ValidationError) -> str:
    return "\n".join(
        f"  {_key(item['loc'])}: {item['msg'].removeprefix('Value error, ')}"
        for item in error.errors()
    )


def _with_code(hall: HallConfig, code: str) -> HallConfig:
    return hall.model_copy(update={"hall": hall.hall.model_copy(update={"code": code})})


def _load_hall(city_path: Path, index: int, entry: _HallEntry) -> CityHall:
    key = f"halls[{index}]"
    hall_path = entry.config if entry.config.is_absolute() else city_path.parent / entry.config
    if not hall_path.is_file():
        raise ConfigError(f"{city_path}: {key}.config: no hall configuration file at {hall_path}")
    try:
        hall = load_hall_config(hall_path)
    except ConfigError as error:
        raise ConfigError(
            f"{city_path}: {key}.config: hall {entry.code!r} cannot be used:\n{error}"
        ) from error
    if "code" in hall.hall.model_fields_set and hall.code != entry.code:
        raise ConfigError(
            f"{city_path}: {key}.code is {entry.code!r} but {hall_path} has [hall] code = "
            f"{hall.code!r}; make them equal, or remove the code from the hall file"
        )
    return CityHall(
        code=entry.code,
        config_path=hall_path,
        address=entry.address,
        district=entry.district,
        hall=_with_code(hall, entry.code),
    )


def load_city_config(path: Path) -> CityConfig:
    """Load a city.toml and every hall configuration it names (relative to the city file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the city configuration: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    try:
        city_file = _CityFile.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{path}: invalid city configuration\n{_describe(error)}") from error
    if not city_file.halls:
        raise ConfigError(f"{path}: halls: no halls; add one [[halls]] table for each hall")
    first_index: dict[str, int] = {}
    for index, entry in enumerate(city_file.halls):
        if entry.code in first_index:
            raise ConfigError(
                f"{path}: halls[{index}].code: {entry.code!r} is already the code of "
                f"halls[{first_index[entry.code]}]"
            )
        first_index[entry.code] = index
    halls = tuple(_load_hall(path, index, entry) for index, entry in enumerate(city_file.halls))
    return CityConfig(
        name=city_file.city.name,
        halls=halls,
        source=str(path),
        cross_region=city_file.cross_region.deadlines(),
    )


def city_of_one(
    hall: HallConfig, *, source: str = "(one hall)", config_path: Path | None = None
) -> CityConfig:
    """A city of just this hall (`--config hall.toml`): its code is the hall's `[hall] code`
    (`main` unless set), the city's name the hall's name."""
    entry = CityHall(code=hall.code, config_path=config_path, hall=hall)
    return CityConfig(name=hall.hall.name, halls=(entry,), source=source)


def load_city(settings: Settings) -> CityConfig:
    """The city the settings name: the city file (`--city`, YIMEN_CITY), or else a city of the
    one hall of `--config` (YIMEN_CONFIG) or of the built-in default hall."""
    if settings.city is not None:
        if settings.config is not None:
            raise ConfigError(
                f"both a city ({settings.city}) and a hall configuration ({settings.config}) "
                "are given: use one, --city (YIMEN_CITY) or --config (YIMEN_CONFIG)"
            )
        return load_city_config(settings.city)
    hall = load_hall_config(settings.config)
    if settings.config is None:
        return city_of_one(hall, source=f"(built-in) {DEFAULT_HALL_CONFIG}")
    return city_of_one(hall, source=str(settings.config), config_path=settings.config)


def example_city_path() -> Path:
    """The example city shipped in the package: the default hall and two district halls."""
    return EXAMPLE_CITY
