"""The hall's 一件事 catalog: the matters a kiosk offers, each with its items and materials.

The default list (表A.1 of the 高效办成一件事服务规范) ships as `data/matters.toml`; a hall
replaces it with `[matters] file = "…"` in its configuration and may move single matters to
other categories with `[matters.categories]`. A broken file stops the server with a message
naming the file, the key and the problem, like a broken hall configuration.
"""

import logging
import tomllib
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from queue_server.config import ConfigError, HallCode, HallConfig
from queue_server.domain.cross_region import CrossRegionMode, MatterRules
from queue_server.protocol import MatterPublic

log = logging.getLogger(__name__)

DEFAULT_CATALOG = "data/matters.toml"

Text = Annotated[str, Field(min_length=1, max_length=200)]


class CatalogError(ConfigError):
    """The 一件事 catalog cannot be used; the message names the file, the key and the problem."""


class Matter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    category: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
    items: Annotated[list[Text], Field(min_length=1)]
    materials: list[Text] = []
    cross_region: list[CrossRegionMode] = []
    """市域通办: the modes in which another hall of the city may take it; empty: only here."""
    originals_by_mail: bool = False
    deciding_halls: list[HallCode] | None = None
    """The halls that own and decide it; absent: every hall of the city."""
    decide_working_days: Annotated[int, Field(ge=0, le=60)] | None = None
    """承诺时限 of the decision; absent: the city's default."""

    def public(self) -> MatterPublic:
        return MatterPublic(
            id=self.id,
            name=self.name,
            category=self.category,
            items=list(self.items),
            materials=list(self.materials),
            cross_region=list(self.cross_region),
            originals_by_mail=self.originals_by_mail,
            deciding_halls=list(self.deciding_halls) if self.deciding_halls is not None else None,
        )

    def rules(self) -> MatterRules:
        return MatterRules(
            matter=self.name,
            modes=frozenset(self.cross_region),
            deciding_halls=(
                frozenset(self.deciding_halls) if self.deciding_halls is not None else None
            ),
            originals_by_mail=self.originals_by_mail,
            decide_days=self.decide_working_days,
        )


class MatterCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    matters: list[Matter] = []

    @model_validator(mode="after")
    def _unique(self) -> Self:
        for key in ("id", "name"):
            seen: set[str] = set()
            for index, matter in enumerate(self.matters):
                value = getattr(matter, key)
                if value in seen:
                    raise ValueError(f"matters.{index}.{key}: duplicate value {value!r}")
                seen.add(value)
        return self

    @cached_property
    def by_key(self) -> dict[str, Matter]:
        """Every matter under its id and under its name."""
        return {key: m for m in self.matters for key in (m.id, m.name)}

    def find(self, key: str) -> Matter | None:
        """The matter with this id or name, if the catalog has it."""
        return self.by_key.get(key.strip())


def _describe(error: ValidationError, data: Any) -> str:
    matters = data.get("matters") if isinstance(data, dict) else None
    lines = []
    for item in error.errors():
        location = [str(part) for part in item["loc"]]
        if len(location) >= 2 and location[0] == "matters" and isinstance(matters, list):
            index = int(item["loc"][1])
            entry = matters[index] if 0 <= index < len(matters) else None
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                location[1] = f"{index} ({entry['id']})"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  {'.'.join(location) or '(top level)'}: {message}")
    return "\n".join(lines)


def parse_catalog(text: str, *, source: str) -> MatterCatalog:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{source}: not valid TOML: {error}") from error
    try:
        return MatterCatalog.model_validate(data)
    except ValidationError as error:
        raise CatalogError(f"{source}: invalid 一件事 catalog\n{_describe(error, data)}") from error


def read_catalog(path: Path | None = None) -> MatterCatalog:
    """The catalog in `path`, or the default one shipped with the server."""
    if path is None:
        text = files("queue_server").joinpath(DEFAULT_CATALOG).read_text(encoding="utf-8")
        return parse_catalog(text, source=f"(built-in) {DEFAULT_CATALOG}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the 一件事 catalog: {error}") from error
    return parse_catalog(text, source=str(path))


def catalog_for_hall(hall: HallConfig) -> MatterCatalog:
    """The catalog a hall serves: its own file or the default, with its category moves.

    A matter of the hall's own file must name a category the hall has. The default list is
    made for the default hall's categories; a hall without one of them (say, no 企业服务专区)
    simply does not offer those matters unless it moves them with `[matters.categories]`.
    """
    source = hall.matters.file
    catalog = read_catalog(source)
    where = str(source) if source else "(built-in) " + DEFAULT_CATALOG
    known_ids = {m.id for m in catalog.matters}
    for matter_id, category in hall.matters.categories.items():
        if matter_id not in known_ids:
            raise CatalogError(f"matters.categories.{matter_id}: no such matter in {where}")
        if category not in hall.category_by_code:
            raise CatalogError(
                f"matters.categories.{matter_id}: unknown category {category!r} in the hall"
            )
    matters = []
    for index, matter in enumerate(catalog.matters):
        category = hall.matters.categories.get(matter.id, matter.category)
        if category not in hall.category_by_code:
            if source is not None:
                raise CatalogError(
                    f"{where}: matters.{index} ({matter.id}).category: "
                    f"unknown category {category!r} in the hall"
                )
            log.info("the hall has no category %r: matter %s not offered", category, matter.id)
            continue
        matters.append(matter.model_copy(update={"category": category}))
    return MatterCatalog(matters=matters)
