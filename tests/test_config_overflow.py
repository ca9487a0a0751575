"""跨窗通办 in the hall TOML: a window's `also_serves` and a category's `overflow_waiting`,
read into dispatch's overflow rules, and refused with the key and the reason when wrong."""

from datetime import timedelta

import pytest

from queue_server.config import ConfigError, HallConfig, parse_hall_config
from queue_server.domain.dispatch import OverflowRule

HALL = """
[hall]
name = "测试大厅"

[[categories]]
code = "consult"
prefix = "A"
name = "咨询"
target_wait_minutes = 10
overflow_waiting = 4

[[categories]]
code = "pickup"
prefix = "F"
name = "出件"

[[windows]]
number = 1
name = "咨询台"
zone = "咨询区"
categories = ["consult"]

[[windows]]
number = 2
name = "出件"
zone = "出件区"
categories = ["pickup"]
{also_serves}
"""


def parsed(also_serves: str = 'also_serves = ["consult"]', hall: str = HALL) -> HallConfig:
    return parse_hall_config(hall.format(also_serves=also_serves), source="hall.toml")


def refusal(also_serves: str, hall: str = HALL) -> str:
    with pytest.raises(ConfigError) as raised:
        parsed(also_serves, hall)
    return str(raised.value)


def test_a_window_helps_with_what_it_also_serves() -> None:
    hall = parsed()
    helper = hall.window_by_number[2]
    assert (helper.categories, helper.also_serves) == (["pickup"], ["consult"])
    assert helper.may_serve == ("pickup", "consult")
    assert hall.window_by_number[1].also_serves == []
    assert hall.overflow_rules == {
        "consult": OverflowRule(timedelta(minutes=10), waiting_limit=4),
        "pickup": OverflowRule(timedelta(minutes=20), waiting_limit=10),
    }


@pytest.mark.parametrize(
    ("also_serves", "fragments"),
    [
        pytest.param(
            'also_serves = ["passport"]',
            ["windows.1.also_serves", "unknown category 'passport'", "window 2"],
            id="unknown category",
        ),
        pytest.param(
            'also_serves = ["consult", "pickup"]',
            ["windows.1.also_serves", "'pickup' is already one of the window's own", "window 2"],
            id="its own category",
        ),
        pytest.param('also_serves = "consult"', ["windows.1.also_serves", "list"], id="not a list"),
    ],
)
def test_a_wrong_also_serves_is_refused(also_serves: str, fragments: list[str]) -> None:
    message = refusal(also_serves)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


@pytest.mark.parametrize("limit", ["-1", '"many"'])
def test_overflow_waiting_must_be_a_count(limit: str) -> None:
    hall = HALL.replace("overflow_waiting = 4", f"overflow_waiting = {limit}")
    assert "categories.0.overflow_waiting" in refusal("", hall)


def test_overflow_waiting_zero_calls_for_help_as_soon_as_one_waits() -> None:
    hall = parsed(hall=HALL.replace("overflow_waiting = 4", "overflow_waiting = 0"))
    assert hall.overflow_rules["consult"] == OverflowRule(timedelta(minutes=10), waiting_limit=0)
