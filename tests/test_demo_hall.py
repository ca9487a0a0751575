"""The hall configuration `make demo` runs (`queue_server.demo_hall`): the default hall, except
that no window but the user's helps with the user's own category, for one hall and for the
example city, as the server loads it from the demo folder."""

from pathlib import Path

import pytest

from queue_server.city import city_of_one, example_city_path, load_city_config
from queue_server.config import load_hall_config
from queue_server.demo import HUMAN_WINDOW
from queue_server.demo_hall import (
    reserved_category,
    without_help_lines,
    write_demo_config,
)


def test_the_default_hall_leaves_no_category_to_the_user_alone() -> None:
    """Its windows help with every category (跨窗通办): a bot would call the user's ticket."""
    with pytest.raises(RuntimeError, match="window 9"):
        reserved_category(load_hall_config(), HUMAN_WINDOW)


def test_the_demo_hall_is_the_default_hall_but_for_help_with_the_users_category(
    tmp_path: Path,
) -> None:
    default = load_hall_config()
    city, config_file = write_demo_config(city_of_one(default), HUMAN_WINDOW, tmp_path)
    assert config_file == tmp_path / "hall.toml"
    [entry] = city.halls
    demo = entry.hall
    assert entry.config_path == config_file
    assert reserved_category(demo, HUMAN_WINDOW) == "cross_region"
    assert not [w.number for w in demo.windows if w.number != 9 and "cross_region" in w.may_serve]
    for shipped, written in zip(default.windows, demo.windows, strict=True):
        assert written.categories == shipped.categories
        assert written.also_serves == [c for c in shipped.also_serves if c != "cross_region"] or (
            written.number == HUMAN_WINDOW and written.also_serves == shipped.also_serves
        )
    assert demo.model_dump(exclude={"windows"}) == default.model_dump(exclude={"windows"})
    assert load_hall_config(config_file) == demo


def test_the_demo_city_runs_its_first_hall_from_the_demo_folder(tmp_path: Path) -> None:
    example = load_city_config(example_city_path())
    city, config_file = write_demo_config(example, HUMAN_WINDOW, tmp_path / "config")
    assert config_file == tmp_path / "config" / "city.toml"
    assert city.name == example.name and city.cross_region == example.cross_region
    assert city.codes == example.codes
    first, *others = city.halls
    assert first.config_path == tmp_path / "config" / "hall.toml"
    assert reserved_category(first.hall, HUMAN_WINDOW) == "cross_region"
    assert (first.address, first.district) == (example.halls[0].address, example.halls[0].district)
    for written, shipped in zip(others, example.halls[1:], strict=True):
        assert written.config_path == shipped.config_path and written.config_path is not None
        assert written.config_path.is_absolute()
        assert written.hall == shipped.hall
        assert (written.address, written.district) == (shipped.address, shipped.district)


def test_the_rewrite_keeps_the_users_window_comments_and_other_tables() -> None:
    text = "\n".join(
        [
            "[[windows]]",
            "number = 1",
            'also_serves = ["a", "g"]  # help',
            "[[windows]]",
            'also_serves = ["g"]',
            "number = 9",
            "[other]",
            'also_serves = ["g"]',
        ]
    )
    assert without_help_lines(text, category="g", window=9).splitlines() == [
        "[[windows]]",
        "number = 1",
        'also_serves = ["a"]  # help',
        "[[windows]]",
        'also_serves = ["g"]',
        "number = 9",
        "[other]",
        'also_serves = ["g"]',
    ]


def test_a_hall_the_rewrite_cannot_handle_stops_the_demo(tmp_path: Path) -> None:
    """An `also_serves` list over several lines is not rewritten: the check says so."""
    text = (Path(__file__).parent.parent / "queue_server" / "default_hall.toml").read_text("utf-8")
    spread = text.replace('also_serves = ["cross_region"]', 'also_serves = [\n  "cross_region",\n]')
    assert spread != text
    shipped = tmp_path / "hall.toml"
    shipped.write_text(spread, encoding="utf-8")
    hall = load_hall_config(shipped)
    city = city_of_one(hall, config_path=shipped)
    with pytest.raises(RuntimeError, match="could not take 'cross_region' out"):
        write_demo_config(city, HUMAN_WINDOW, tmp_path / "demo")
