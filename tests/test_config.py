"""The hall configuration: the default hall, and bad files refused with the key and the
problem named."""

from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from queue_server.config import (
    ConfigError,
    HallConfig,
    Settings,
    database_url_from,
    load_hall_config,
    parse_hall_config,
)
from queue_server.domain.dispatch import POLICIES

DEFAULT_TEXT = files("queue_server").joinpath("default_hall.toml").read_text(encoding="utf-8")

SEVEN_CATEGORIES = [
    ("consult", "A", "咨询"),
    ("general", "B", "综合受理"),
    ("enterprise", "C", "企业服务专区"),
    ("unresolved", "D", "办不成事反映"),
    ("assist", "E", "帮办代办"),
    ("pickup", "F", "出件"),
    ("cross_region", "G", "跨域通办"),
]

SMALL_HALL = """
[hall]
name = "测试大厅"

[[categories]]
code = "consult"
prefix = "A"
name = "咨询"

[[windows]]
number = 1
name = "咨询台"
zone = "咨询区"
categories = ["consult"]
"""


def edited(old: str, new: str, text: str = DEFAULT_TEXT) -> str:
    """The default hall with one exact edit; fails loudly if the text to replace is gone."""
    assert text.count(old) == 1, f"{old!r} is not in the default hall exactly once"
    return text.replace(old, new)


def refusal(text: str) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_hall_config(text, source="hall.toml")
    message = str(raised.value)
    assert message.startswith("hall.toml: "), "the message names the file"
    return message


# --- the default hall -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hall() -> HallConfig:
    return load_hall_config()


def test_default_hall_has_the_seven_categories(hall: HallConfig) -> None:
    assert [(c.code, c.prefix, c.name) for c in hall.categories] == SEVEN_CATEGORIES
    assert set(hall.category_by_code) == {code for code, _, _ in SEVEN_CATEGORIES}


def test_default_hall_has_twelve_windows_serving_every_category(hall: HallConfig) -> None:
    assert [w.number for w in hall.windows] == list(range(1, 13))
    assert set(hall.window_by_number) == set(range(1, 13))
    for window in hall.windows:
        assert window.categories, f"window {window.number} serves nothing"
        assert set(window.categories) <= set(hall.category_by_code)
        assert window.policy in POLICIES
    for category in hall.categories:
        assert hall.windows_serving(category.code), f"nobody serves {category.code}"


def test_default_hall_settings(hall: HallConfig) -> None:
    assert hall.hall.name == "一门市民服务中心"
    assert hall.tz == ZoneInfo("Asia/Shanghai")
    assert hall.hall.service_day_start_hour == 4
    assert hall.hall.requeue_after == 3
    assert "{number}" in hall.texts.call_template
    assert "{window}" in hall.texts.call_template
    assert hall.category_by_code["unresolved"].priority_ratio == 1
    assert hall.category_by_code["general"].priority_ratio == 3
    assert [w.number for w in hall.windows_serving("general")] == [2, 3, 4, 5, 6, 8, 9]
    assert hall.window_by_number[8].policy == "category_order"


def test_loading_a_file_gives_the_same_hall(tmp_path: Path, hall: HallConfig) -> None:
    path = tmp_path / "hall.toml"
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    assert load_hall_config(path) == hall


def test_a_minimal_hall_takes_the_defaults() -> None:
    small = parse_hall_config(SMALL_HALL, source="small.toml")
    assert small.hall.timezone == "Asia/Shanghai"
    assert small.hall.service_day_start_hour == 4
    assert small.texts.call_template == "请{number}号到{window}号窗口办理"
    consult = small.category_by_code["consult"]
    assert (consult.priority_ratio, consult.target_wait_minutes, consult.daily_cap) == (3, 20, None)
    assert small.windows[0].policy == "longest_wait"


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError, match="cannot read the hall configuration") as raised:
        load_hall_config(missing)
    assert str(missing) in str(raised.value)


# --- bad files ------------------------------------------------------------------------------


BAD_FILES: list[tuple[str, str, list[str]]] = [
    (
        "duplicate prefix",
        edited('prefix = "B"', 'prefix = "A"'),
        ["categories.1.prefix", "duplicate value 'A'"],
    ),
    (
        "duplicate category code",
        edited('code = "pickup"', 'code = "assist"'),
        ["categories.5.code", "duplicate value 'assist'"],
    ),
    (
        "duplicate window number",
        edited("number = 12", "number = 11"),
        ["windows.11.number", "duplicate value 11"],
    ),
    (
        "unknown category in a window",
        edited('categories = ["pickup"]', 'categories = ["pickup", "passport"]'),
        ["windows.11.categories", "unknown category 'passport'", "window 12"],
    ),
    (
        "unknown time zone",
        edited('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'),
        ["hall.timezone", "unknown time zone 'Mars/Olympus'"],
    ),
    (
        "time zone as a path",
        edited('timezone = "Asia/Shanghai"', 'timezone = "/etc/localtime"'),
        ["hall.timezone", "unknown time zone '/etc/localtime'"],
    ),
    (
        "call template without {window}",
        edited(
            'call_template = "请{number}号到{window}号窗口办理"', 'call_template = "请{number}号"'
        ),
        ["texts.call_template", "must contain {window}"],
    ),
    (
        "call template without {number}",
        edited(
            'call_template = "请{number}号到{window}号窗口办理"', 'call_template = "请到{window}号"'
        ),
        ["texts.call_template", "must contain {number}"],
    ),
    (
        "invalid TOML",
        edited("[hall]\n", "[hall\n"),
        ["not valid TOML", "line"],
    ),
    (
        "unknown policy",
        edited(
            'policy = "category_order"\n\n[[windows]]\nnumber = 9',
            'policy = "round_robin"\n\n[[windows]]\nnumber = 9',
        ),
        ["windows.7.policy", "unknown policy 'round_robin'", "category_order", "longest_wait"],
    ),
    (
        "unknown key in a table",
        edited("requeue_after = 3\n", 'requeue_after = 3\ncolour = "red"\n'),
        ["hall.colour", "Extra inputs are not permitted"],
    ),
    (
        "unknown top-level table",
        DEFAULT_TEXT + '\n[printer]\nmodel = "TM-T88"\n',
        ["printer", "Extra inputs are not permitted"],
    ),
    (
        "lower-case prefix",
        edited('prefix = "G"', 'prefix = "g"'),
        ["categories.6.prefix", "should match pattern"],
    ),
    (
        "start hour out of range",
        edited("service_day_start_hour = 4", "service_day_start_hour = 24"),
        ["hall.service_day_start_hour", "less than or equal to 23"],
    ),
    (
        "negative priority ratio",
        edited("priority_ratio = 1", "priority_ratio = -1"),
        ["categories.3.priority_ratio", "greater than or equal to 0"],
    ),
    (
        "opening hours ending before they start",
        edited(
            "service_minutes = 3\n",
            'service_minutes = 3\nopening_hours = [{ start = "17:00", end = "09:00" }]\n',
        ),
        ["categories.5.opening_hours.0", "end must be later than start"],
    ),
    (
        "no windows",
        "windows = []\n" + SMALL_HALL.split("[[windows]]")[0],
        ["windows", "at least 1 item"],
    ),
    (
        "missing hall name",
        edited('name = "一门市民服务中心"\n', ""),
        ["hall.name", "Field required"],
    ),
]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [pytest.param(text, fragments, id=name) for name, text, fragments in BAD_FILES],
)
def test_bad_file_is_refused_naming_the_key_and_the_problem(
    text: str, fragments: list[str]
) -> None:
    message = refusal(text)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


def test_every_problem_is_reported_at_once() -> None:
    text = edited('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"')
    text = edited(
        'call_template = "请{number}号到{window}号窗口办理"', 'call_template = "请"', text
    )
    message = refusal(text)
    assert "hall.timezone" in message
    assert "texts.call_template" in message


def test_a_time_zone_that_names_a_directory_is_a_config_error() -> None:
    message = refusal(edited('timezone = "Asia/Shanghai"', 'timezone = "Asia"'))
    assert "hall.timezone" in message


# --- server settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("hall.db", "sqlite:///hall.db"),
        ("/srv/yimen/hall.db", "sqlite:////srv/yimen/hall.db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("postgresql://u:p@db/yimen", "postgresql+psycopg://u:p@db/yimen"),
        ("postgres://u:p@db/yimen", "postgresql+psycopg://u:p@db/yimen"),
        ("postgresql+psycopg://u:p@db/yimen", "postgresql+psycopg://u:p@db/yimen"),
    ],
)
def test_database_url_from_a_path_or_a_url(value: str, url: str) -> None:
    assert database_url_from(value) == url


def test_settings_use_psycopg_for_a_plain_postgresql_url() -> None:
    settings = Settings(database_url="postgresql://yimen@db.example/yimen")
    assert settings.database_url == "postgresql+psycopg://yimen@db.example/yimen"


def test_database_url_expands_the_home_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/clerk")
    assert database_url_from("~/hall.db") == "sqlite:////home/clerk/hall.db"


def test_settings_come_from_yimen_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIMEN_DATABASE_URL", "/var/lib/yimen/hall.db")
    monkeypatch.setenv("YIMEN_PORT", "8123")
    settings = Settings()
    assert settings.database_url == "sqlite:////var/lib/yimen/hall.db"
    assert settings.port == 8123
