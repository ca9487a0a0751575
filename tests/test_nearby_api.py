"""就近办 over real HTTP: `GET /api/public/halls?matter=ID` against a server of a city of three
halls, where one matter is decided in 康巴什 only."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.client import QueueClient
from tests.city_support import LiveCity, live_city
from tests.nearby_support import issue, nearby_city, open_window
from tests.ticket_printer.support import run_async

CHOICE_KEYS = {
    "code",
    "name",
    "address",
    "district",
    "open_now",
    "categories",
    "category",
    "category_name",
    "waiting",
    "eta_minutes",
    "category_open",
    "handling",
    "cross_region",
}


@pytest.fixture
def city(tmp_path: Path) -> Iterator[LiveCity]:
    with live_city(tmp_path, city=nearby_city(tmp_path)) as running:
        yield running


def choices(city: LiveCity, **query: str) -> list[dict[str, Any]]:
    response = city.client().get("/api/public/halls", params=query)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    rows: list[dict[str, Any]] = response.json()
    assert all(set(row) == CHOICE_KEYS for row in rows)
    return rows


def test_a_matter_decided_in_one_hall_is_taken_there_or_across_the_city_quickest_first(
    city: LiveCity,
) -> None:
    open_window(city, "main", 2)
    open_window(city, "ejinhoro", 2)
    issue(city, "ejinhoro", "general", 6)
    issue(city, "main", "general", 2)

    rows = choices(city, matter="household_move")
    assert [(row["code"], row["handling"]) for row in rows] == [
        ("main", "cross_region"),
        ("ejinhoro", "cross_region"),
        ("kangbashi", "here"),  # no window serves 综合受理 there now: last
    ]
    main, ejinhoro, kangbashi = rows
    assert (main["category"], main["category_name"], main["waiting"]) == ("general", "综合受理", 2)
    assert main["cross_region"] == ["remote_accept", "remote_handle"]
    assert kangbashi["cross_region"] == []
    assert ejinhoro["waiting"] == 6
    assert main["eta_minutes"] < ejinhoro["eta_minutes"]
    assert kangbashi["eta_minutes"] is None
    assert main["address"] == "内蒙古自治区鄂尔多斯市康巴什区市民中心"

    open_window(city, "kangbashi", 2)
    assert choices(city, matter="household_move")[0]["code"] == "kangbashi"


def test_a_matter_that_must_be_done_where_it_belongs_lists_only_its_hall(city: LiveCity) -> None:
    assert [(row["code"], row["handling"]) for row in choices(city, matter="site_check")] == [
        ("kangbashi", "here")
    ]


def test_a_matter_every_hall_decides_is_handled_at_home_everywhere(city: LiveCity) -> None:
    rows = choices(city, matter="retirement")
    assert sorted(row["code"] for row in rows) == ["ejinhoro", "kangbashi", "main"]
    assert {row["handling"] for row in rows} == {"here"}


def test_by_category_and_through_the_client(city: LiveCity) -> None:
    open_window(city, "kangbashi", 2)
    assert choices(city, category="general")[0]["code"] == "kangbashi"

    async def scenario() -> None:
        async with QueueClient(city.base_url) as anyone:
            plain = await anyone.public_halls()
            assert [hall.code for hall in plain] == ["main", "kangbashi", "ejinhoro"]
            by_matter = await anyone.public_halls(matter="household_move")
            assert by_matter[0].code == "kangbashi"
            assert by_matter[0].handling == "here"
            by_category = await anyone.public_halls(category="general")
            assert [hall.category for hall in by_category] == ["general"] * 3

    run_async(scenario())


def test_unknown_or_malformed_matter_is_refused_with_json(city: LiveCity) -> None:
    anyone = city.client()
    unknown = anyone.get("/api/public/halls", params={"matter": "no_such_matter"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert "no_such_matter" in unknown.json()["detail"]
    for bad in ("新生儿", "A" * 10, "x" * 41):
        refused = anyone.get("/api/public/halls", params={"matter": bad})
        assert refused.status_code == 422, bad
        assert "detail" in refused.json()
    both = anyone.get("/api/public/halls", params={"matter": "site_check", "category": "general"})
    assert [row["code"] for row in both.json()] == ["kangbashi"]  # the matter wins
    unknown_category = anyone.get("/api/public/halls", params={"category": "nothing"})
    assert unknown_category.status_code == 404


def test_no_personal_data_and_no_token_needed(city: LiveCity) -> None:
    kiosk = city.client(city.city.hall("main").kiosk_token)
    response = kiosk.post(
        "/api/tickets", json={"category": "general", "priority": "other", "priority_note": "张三"}
    )
    assert response.status_code == 201
    text = city.client().get("/api/public/halls", params={"matter": "retirement"}).text
    for private in ("张三", "public_code", "token", "clerk"):
        assert private not in text
