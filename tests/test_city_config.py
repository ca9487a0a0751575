"""The city configuration: city.toml naming each hall's TOML, a hall file alone as a city of
one hall, and bad city files refused with the file and the key named."""

import fnmatch
import tomllib
from pathlib import Path

import pytest

from queue_server.catalog import catalog_for_hall
from queue_server.city import (
    CityConfig,
    city_of_one,
    example_city_path,
    load_city,
    load_city_config,
)
from queue_server.config import ConfigError, Settings, load_hall_config, parse_hall_config
from tests.test_config import SMALL_HALL

REPOSITORY = Path(__file__).parents[1]
DEFAULT_HALL = REPOSITORY / "queue_server" / "default_hall.toml"


def small_hall(name: str, code: str | None = None) -> str:
    """test_config's one-window hall, with this name and, when given, this `[hall] code`."""
    code_line = f'\ncode = "{code}"' if code is not None else ""
    return SMALL_HALL.replace('name = "测试大厅"', f'name = "{name}"{code_line}')


def hall_entry(code: str, config: str, extra: str = "") -> str:
    return f'\n[[halls]]\ncode = "{code}"\nconfig = "{config}"\n{extra}\n'


CITY_HEAD = '[city]\nname = "示例市"\n'
EAST = hall_entry("east", "halls/east.toml")
WEST = hall_entry("west", "halls/west.toml")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def city_toml(folder: Path, *entries: str) -> Path:
    """A city.toml in `folder` with the [city] table and these [[halls]] entries."""
    return write(folder / "city.toml", CITY_HEAD + "".join(entries))


def refusal(city_file: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        load_city_config(city_file)
    message = str(raised.value)
    assert message.startswith(f"{city_file}: "), "the message names the city file first"
    return message


@pytest.fixture
def two_halls(tmp_path: Path) -> Path:
    """A city folder with two hall files beside an (as yet unwritten) city.toml."""
    write(tmp_path / "halls" / "east.toml", small_hall("东区政务服务中心"))
    write(tmp_path / "halls" / "west.toml", small_hall("西区政务服务中心"))
    return tmp_path


# --- the example city shipped in the package ------------------------------------------------


@pytest.fixture(scope="module")
def example() -> CityConfig:
    return load_city_config(example_city_path())


def test_the_example_city_has_the_default_hall_and_two_district_halls(
    example: CityConfig,
) -> None:
    assert example.name == "鄂尔多斯市"
    assert example.codes == ("main", "kangbashi", "ejinhoro")
    assert example.default_code == "main"
    assert not example.single
    assert example.source == str(example_city_path())
    names = [entry.hall.hall.name for entry in example.halls]
    assert names == ["一门市民服务中心", "康巴什区政务服务中心", "伊金霍洛旗政务服务中心"]
    assert [entry.district for entry in example.halls] == ["市本级", "康巴什区", "伊金霍洛旗"]
    assert all(entry.address for entry in example.halls)


def test_the_example_main_hall_is_the_default_hall(example: CityConfig) -> None:
    main = example.entry("main")
    assert main.config_path is not None
    assert main.config_path.resolve() == DEFAULT_HALL.resolve()
    assert main.hall == load_hall_config()


def test_the_example_district_halls_are_smaller_full_halls(example: CityConfig) -> None:
    default_windows = len(example.hall("main").windows)
    standard = {category.code: category.prefix for category in example.hall("main").categories}
    for code in ("kangbashi", "ejinhoro"):
        hall = example.hall(code)
        assert hall.code == code
        assert example.entry(code).code == code
        assert 0 < len(hall.windows) < default_windows
        assert {c.code: c.prefix for c in hall.categories}.items() <= standard.items()
        assert hall.case_category == "unresolved", f"{code} has a 办不成事 desk"
        served = {category for window in hall.windows for category in window.categories}
        assert served == set(hall.category_by_code), f"{code}: every category has a window"
        assert catalog_for_hall(hall).matters, f"{code} offers 一件事 matters"


def test_the_example_city_is_in_the_package_data() -> None:
    """Every file of the example city is matched by pyproject's package-data, so the wheel
    carries it next to default_hall.toml (which the example's main hall points to)."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["queue_server"]
    package = REPOSITORY / "queue_server"
    city_files = [p for p in example_city_path().parent.rglob("*") if p.is_file()]
    assert len(city_files) == 3
    for path in [*city_files, DEFAULT_HALL]:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns), relative


def test_an_unknown_code_is_a_key_error(example: CityConfig) -> None:
    with pytest.raises(KeyError):
        example.hall("wushen")
    with pytest.raises(KeyError):
        example.entry("wushen")


# --- a city of one hall ---------------------------------------------------------------------


def test_a_hall_file_alone_is_a_city_of_one_hall_called_main(tmp_path: Path) -> None:
    hall_file = write(tmp_path / "hall.toml", small_hall("东胜区政务服务中心"))
    city = load_city(Settings(config=hall_file))
    assert city.single
    assert city.codes == ("main",)
    assert city.default_code == "main"
    assert city.name == "东胜区政务服务中心"
    assert city.source == str(hall_file)
    assert city.entry("main").config_path == hall_file
    assert city.hall("main") == load_hall_config(hall_file)


def test_a_hall_file_with_a_code_is_a_city_of_that_hall() -> None:
    hall = parse_hall_config(small_hall("乌审旗政务服务中心", "wushen"), source="wushen.toml")
    city = city_of_one(hall, source="wushen.toml")
    assert city.codes == ("wushen",)
    assert city.hall("wushen") is hall
    assert city.source == "wushen.toml"


def test_no_city_and_no_hall_file_is_the_built_in_default_hall() -> None:
    city = load_city(Settings())
    assert city.codes == ("main",)
    assert city.entry("main").config_path is None
    assert city.hall("main") == load_hall_config()
    assert "default_hall.toml" in city.source


@pytest.mark.parametrize("code", ["Main", "1st", "east hall", "x" * 33, ""])
def test_a_hall_file_with_a_bad_code_is_refused(code: str) -> None:
    with pytest.raises(ConfigError, match=r"hall\.toml: invalid hall configuration\n  hall\.code"):
        parse_hall_config(small_hall("某大厅", code), source="hall.toml")


# --- city files -----------------------------------------------------------------------------


def test_hall_files_are_found_relative_to_the_city_file(two_halls: Path) -> None:
    city_file = city_toml(
        two_halls,
        hall_entry("east", "halls/east.toml", 'address = "东区某路1号"\ndistrict = "东区"'),
        hall_entry("west", str(two_halls / "halls" / "west.toml")),
    )
    city = load_city_config(city_file)
    assert city.codes == ("east", "west")
    east, west = city.halls
    assert east.config_path == two_halls / "halls" / "east.toml"
    assert (east.address, east.district) == ("东区某路1号", "东区")
    assert (west.address, west.district) == (None, None)
    assert city.hall("west").hall.name == "西区政务服务中心"
    assert city.hall("east").code == "east", "the hall takes the city's code"


def test_a_hall_file_setting_the_same_code_is_accepted(tmp_path: Path) -> None:
    write(tmp_path / "east.toml", small_hall("东区政务服务中心", "east"))
    city_file = city_toml(tmp_path, hall_entry("east", "east.toml"))
    assert load_city_config(city_file).hall("east").code == "east"


def test_the_matters_file_of_a_hall_is_relative_to_the_hall_file(tmp_path: Path) -> None:
    text = small_hall("东区政务服务中心") + '\n[matters]\nfile = "matters.toml"\n'
    write(tmp_path / "halls" / "east.toml", text)
    city_file = city_toml(tmp_path, EAST)
    assert (
        load_city_config(city_file).hall("east").matters.file == tmp_path / "halls" / "matters.toml"
    )


def test_a_missing_hall_file_names_its_entry(two_halls: Path) -> None:
    city_file = city_toml(
        two_halls,
        EAST,
        WEST,
        hall_entry("north", "halls/north.toml"),
    )
    message = refusal(city_file)
    assert "halls[2].config" in message
    assert str(two_halls / "halls" / "north.toml") in message


def test_a_repeated_code_names_the_second_entry(two_halls: Path) -> None:
    city_file = city_toml(
        two_halls,
        EAST,
        hall_entry("east", "halls/west.toml"),
    )
    message = refusal(city_file)
    assert "halls[1].code" in message
    assert "'east'" in message
    assert "halls[0]" in message


def test_a_hall_file_with_another_code_names_both_files(two_halls: Path) -> None:
    write(two_halls / "halls" / "west.toml", small_hall("西区政务服务中心", "westside"))
    city_file = city_toml(two_halls, EAST, WEST)
    message = refusal(city_file)
    assert "halls[1].code" in message
    assert str(two_halls / "halls" / "west.toml") in message
    assert "'west'" in message
    assert "'westside'" in message


def test_a_bad_hall_file_names_the_entry_and_the_hall_file(two_halls: Path) -> None:
    write(
        two_halls / "halls" / "west.toml",
        small_hall("西区").replace('prefix = "A"', 'prefix = "AA"'),
    )
    city_file = city_toml(two_halls, EAST, WEST)
    message = refusal(city_file)
    assert "halls[1].config" in message
    assert f"{two_halls / 'halls' / 'west.toml'}: invalid hall configuration" in message
    assert "categories.0.prefix" in message


def test_bad_toml_is_refused(tmp_path: Path) -> None:
    city_file = write(tmp_path / "city.toml", '[city]\nname = "示例市\n')
    assert "not valid TOML" in refusal(city_file)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (CITY_HEAD + 'capital = "east"\n', "city.capital"),
        (
            CITY_HEAD + hall_entry("east", "halls/east.toml", 'adress = "东区"'),
            "halls[0].adress",
        ),
        (CITY_HEAD + EAST + '[[hall]]\ncode = "x"\n', "hall"),
    ],
)
def test_unknown_keys_are_refused_by_name(two_halls: Path, text: str, key: str) -> None:
    message = refusal(write(two_halls / "city.toml", text))
    assert f"\n  {key}: Extra inputs are not permitted" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[city]\n" + EAST, "city.name"),
        (CITY_HEAD + '[[halls]]\ncode = "east"\n', "halls[0].config"),
        (CITY_HEAD + hall_entry("East", "halls/east.toml"), "halls[0].code"),
        (EAST, "city"),
    ],
)
def test_missing_and_bad_keys_are_refused_by_name(two_halls: Path, text: str, key: str) -> None:
    message = refusal(write(two_halls / "city.toml", text))
    assert f"\n  {key}: " in message


def test_a_city_without_halls_is_refused(tmp_path: Path) -> None:
    message = refusal(city_toml(tmp_path))
    assert ": halls: no halls" in message


def test_a_missing_city_file_is_refused(tmp_path: Path) -> None:
    assert "cannot read the city configuration" in refusal(tmp_path / "city.toml")


# --- settings and the environment -----------------------------------------------------------


def test_yimen_city_names_the_city_file(two_halls: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    city_file = city_toml(two_halls, EAST, WEST)
    monkeypatch.setenv("YIMEN_CITY", str(city_file))
    monkeypatch.delenv("YIMEN_CONFIG", raising=False)
    settings = Settings()
    assert settings.city == city_file
    city = load_city(settings)
    assert city.codes == ("east", "west")
    assert city.name == "示例市"
    assert city.source == str(city_file)


def test_a_city_and_a_hall_file_together_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIMEN_CITY", str(example_city_path()))
    monkeypatch.setenv("YIMEN_CONFIG", str(DEFAULT_HALL))
    with pytest.raises(ConfigError, match="use one") as raised:
        load_city(Settings())
    assert "--city" in str(raised.value) and "--config" in str(raised.value)
