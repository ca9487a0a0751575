"""The hall configuration's 好差评, case-desk and calendar sections, and evaluator tokens."""

from datetime import date
from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_hall_config, parse_hall_config
from queue_server.domain.cases import CaseClass
from tests.test_cli import queue_server
from tests.test_config import DEFAULT_TEXT, SMALL_HALL, edited


def test_the_default_hall_configures_evaluations_and_the_desk() -> None:
    hall = load_hall_config()
    assert hall.evaluation.default_after_days == 7
    assert hall.evaluation.followup_working_days == 15
    assert "等候时间过长" in hall.evaluation.reasons
    assert hall.case_category == "unresolved"
    ladder = hall.cases.deadline_working_days
    assert [ladder.days(c) for c in CaseClass] == [0, 1, 3, 7, 15]


def test_a_hall_without_the_sections_gets_the_defaults_and_no_desk() -> None:
    hall = parse_hall_config(SMALL_HALL, source="hall.toml")
    assert hall.evaluation.idle_seconds == 60
    assert hall.case_category is None, "no 办不成事 category: transfers open no cases"


def test_calendar_corrections_reach_the_deadlines() -> None:
    text = edited("extra_holidays = []", "extra_holidays = [2026-09-28]")
    hall = parse_hall_config(text, source="hall.toml")
    assert hall.work_calendar.add_working_days(date(2026, 9, 25), 1) == date(2026, 9, 29)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        (
            'category = "unresolved"\ndefault_class',
            'category = "nope"\ndefault_class',
            "cases.category",
        ),
        ("default_after_days = 7", "default_after_days = 0", "evaluation.default_after_days"),
        ('default_class = "ordinary"', 'default_class = "easy"', "cases.default_class"),
        ("hard = 7", "hard = -1", "cases.deadline_working_days.hard"),
        ('"其他"]', '"其他", "其他"]', "reasons"),
    ],
)
def test_bad_sections_are_refused_with_the_key_named(old: str, new: str, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_hall_config(edited(old, new, DEFAULT_TEXT), source="hall.toml")
    assert named in str(raised.value)


def test_evaluator_tokens_are_issued_like_other_device_tokens(tmp_path: Path) -> None:
    db = str(tmp_path / "hall.db")
    unbound = queue_server("token", "issue", "rate-window-3", "--role", "evaluator", "--db", db)
    assert unbound.returncode == 2 and "--window" in unbound.stderr
    issued = queue_server(
        "token", "issue", "rate-window-3", "--role", "evaluator", "--window", "3", "--db", db
    )
    assert issued.returncode == 0, issued.stderr
    assert len(issued.stdout.strip()) >= 40
