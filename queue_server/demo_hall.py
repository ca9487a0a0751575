"""The hall configuration `make demo` runs: the shipped hall, with the user's category left to
the user's window alone.

The default hall's windows help with other categories (跨窗通办, `also_serves`), so every
category is also served by some window the demo's bots staff, and a bot would call the user's
own ticket. The demo therefore writes, into its folder, a copy of the first hall's TOML in
which no other window helps with the user's category (a line rewrite of the `also_serves`
lines, checked by loading the copy back), and for a city a copy of the city file whose first
hall points at that copy (the other halls keep their own files). The server runs on these.
"""

import json
import re
import tomllib
from importlib.resources import files
from pathlib import Path

from queue_server.city import CityConfig, CityHall, city_of_one, load_city_config
from queue_server.config import DEFAULT_HALL_CONFIG, HallConfig, load_hall_config

FOLDER = "config"
"""The demo folder's subfolder for the configuration the server runs."""
HALL_FILE = "hall.toml"
CITY_FILE = "city.toml"
HEADER = re.compile(r"^\s*\[")
WINDOW_HEADER = re.compile(r"^\s*\[\[\s*windows\s*\]\]")
NUMBER_LINE = re.compile(r"^\s*number\s*=\s*(\d+)\b")
ALSO_SERVES_LINE = re.compile(r"^(\s*also_serves\s*=\s*)(\[[^\]]*\])(\s*(#.*)?)$")


def own_category(hall: HallConfig, window: int) -> str:
    """The first category `window` has as its own that no other window has as its own."""
    others = {code for w in hall.windows if w.number != window for code in w.categories}
    mine = [c for w in hall.windows if w.number == window for c in w.categories if c not in others]
    if not mine:
        raise RuntimeError(f"window {window} has no category of its own in this hall")
    return mine[0]


def reserved_category(hall: HallConfig, window: int) -> str:
    """The category that only `window` may serve (no other window has it as its own or helps
    with it): the user's own ticket waits there for them, whatever the bots do."""
    others = {code for w in hall.windows if w.number != window for code in w.may_serve}
    mine = [c for w in hall.windows if w.number == window for c in w.categories if c not in others]
    if not mine:
        raise RuntimeError(
            f"every category of window {window} is served or helped with by another window"
            " too: no simulated clerk would leave the user's own ticket alone"
        )
    return mine[0]


def _without(line: str, category: str) -> str:
    """An `also_serves = [...]` line without `category` (other lines as they are)."""
    match = ALSO_SERVES_LINE.match(line)
    if match is None:
        return line
    codes = tomllib.loads(f"value = {match.group(2)}")["value"]
    kept = [code for code in codes if code != category]
    return f"{match.group(1)}{json.dumps(kept, ensure_ascii=False)}{match.group(3)}"


def without_help_lines(text: str, *, category: str, window: int) -> str:
    """The hall TOML `text` with `category` taken out of the `also_serves` of every window but
    `window`. Each `also_serves` array must sit on one line, as in the shipped hall:
    `demo_hall_text` checks the result."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        numbers = [int(m.group(1)) for line in block if (m := NUMBER_LINE.match(line))]
        rewrite = bool(block) and WINDOW_HEADER.match(block[0]) is not None
        rewrite = rewrite and numbers != [window]
        out.extend(_without(line, category) if rewrite else line for line in block)
        block.clear()

    for line in text.splitlines():
        if HEADER.match(line):
            flush()
        block.append(line)
    flush()
    return "\n".join(out) + "\n"


def expected_hall(hall: HallConfig, *, category: str, window: int) -> HallConfig:
    """`hall` with no window but `window` helping with `category`."""
    windows = [
        w
        if w.number == window
        else w.model_copy(update={"also_serves": [c for c in w.also_serves if c != category]})
        for w in hall.windows
    ]
    return hall.model_copy(update={"windows": windows})


def hall_text(entry: CityHall) -> str:
    """The TOML a hall of a city was loaded from (the built-in default hall without a file)."""
    if entry.config_path is None:
        return files("queue_server").joinpath(DEFAULT_HALL_CONFIG).read_text(encoding="utf-8")
    return entry.config_path.read_text(encoding="utf-8")


def demo_hall_text(entry: CityHall, window: int) -> str:
    """The hall's TOML in which only `window` serves its own category (`own_category`);
    RuntimeError when the rewrite did not give exactly that hall."""
    hall = entry.hall
    category = own_category(hall, window)
    written = without_help_lines(hall_text(entry), category=category, window=window)
    heading = (
        f"# Written by the demo: the hall of {entry.config_path or DEFAULT_HALL_CONFIG},"
        f" but no window other than {window} helps with {category!r} (the user's ticket).\n"
    )
    parsed = _parsed(heading + written)
    parsed = parsed.model_copy(update={"hall": parsed.hall.model_copy(update={"code": hall.code})})
    if parsed.model_dump() != expected_hall(hall, category=category, window=window).model_dump():
        raise RuntimeError(
            f"the demo could not take {category!r} out of the other windows' also_serves"
            " (is an also_serves list spread over several lines?)"
        )
    return heading + written


def _parsed(text: str) -> HallConfig:
    """The hall configuration in `text`, as the server reads it."""
    return HallConfig.model_validate(tomllib.loads(text))


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def city_toml(city: CityConfig, configs: dict[str, Path]) -> str:
    """The city file of `city`, each hall's `config` the absolute path in `configs` (by hall
    code) or else the file it was loaded from."""
    lines = [
        "# Written by the demo: the example city, its first hall the demo's copy.",
        "[city]",
        f"name = {_string(city.name)}",
    ]
    for entry in city.halls:
        path = configs.get(entry.code, entry.config_path)
        if path is None:
            raise RuntimeError(f"hall {entry.code!r} has no configuration file")
        lines += ["", "[[halls]]", f"code = {_string(entry.code)}"]
        lines.append(f"config = {_string(str(path.resolve()))}")
        if entry.address is not None:
            lines.append(f"address = {_string(entry.address)}")
        if entry.district is not None:
            lines.append(f"district = {_string(entry.district)}")
    lines += ["", "[cross_region]"]
    deadlines = city.cross_region
    for name in ("forward", "forward_originals", "recheck", "decide", "deliver"):
        lines.append(f"{name} = {getattr(deadlines, name)}")
    return "\n".join(lines) + "\n"


def write_demo_config(city: CityConfig, window: int, folder: Path) -> tuple[CityConfig, Path]:
    """Write the configuration the demo's server runs into `folder`: the first hall's TOML with
    `window` alone serving the user's category, and for several halls a city file naming it.
    Returns the city as the server will load it and the file to start the server with
    (`--city` for several halls, `--config` for one)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    first = city.halls[0]
    hall_file = folder / HALL_FILE
    hall_file.write_text(demo_hall_text(first, window), encoding="utf-8")
    if city.single:
        hall = load_hall_config(hall_file)
        return city_of_one(hall, source=str(hall_file), config_path=hall_file), hall_file
    city_file = folder / CITY_FILE
    city_file.write_text(city_toml(city, {first.code: hall_file}), encoding="utf-8")
    return load_city_config(city_file), city_file
