"""就近办 test support: a city whose halls share a small catalog in which one matter is decided
by one hall only, and a way to fill a hall's queue."""

from pathlib import Path
from typing import Any

from queue_server.city import CityConfig
from tests.city_support import LiveCity, example_city

NEARBY_MATTERS = """
[[matters]]
id = "household_move"
name = "户籍迁入"
category = "general"
cross_region = ["remote_accept", "remote_handle"]
deciding_halls = ["kangbashi"]
items = ["户口迁入登记"]
materials = ["居民户口簿"]

[[matters]]
id = "site_check"
name = "现场踏勘"
category = "general"
deciding_halls = ["kangbashi"]
items = ["现场踏勘"]

[[matters]]
id = "retirement"
name = "退休"
category = "general"
cross_region = ["remote_accept"]
items = ["企业职工退休申请"]
materials = ["中华人民共和国居民身份证"]
"""
"""`household_move` is decided in 康巴什 only and may be taken anywhere across the city;
`site_check` is decided in 康巴什 and must be done there; `retirement` is decided everywhere."""


def nearby_city(tmp_path: Path) -> CityConfig:
    """The example city with every hall serving `NEARBY_MATTERS`."""
    catalog = tmp_path / "nearby-matters.toml"
    catalog.write_text(NEARBY_MATTERS, encoding="utf-8")
    city = example_city()
    halls = tuple(
        entry.model_copy(
            update={
                "hall": entry.hall.model_copy(
                    update={
                        "matters": entry.hall.matters.model_copy(
                            update={"file": catalog, "categories": {}}
                        )
                    }
                )
            }
        )
        for entry in city.halls
    )
    return city.model_copy(update={"halls": halls})


def issue(city: LiveCity, hall: str, category: str, count: int = 1) -> list[dict[str, Any]]:
    """Take `count` tickets at the hall's kiosk."""
    kiosk = city.client(city.city.hall(hall).kiosk_token)
    issued = []
    for _ in range(count):
        response = kiosk.post("/api/tickets", json={"category": category})
        assert response.status_code == 201, response.text
        issued.append(response.json())
    return issued


def open_window(city: LiveCity, hall: str, window_no: int, clerk: int = 1) -> None:
    """A clerk of the hall signs in at the window, which then serves its categories."""
    response = city.as_(f"{hall}-clerk{clerk}").post(f"/api/windows/{window_no}/sign-in")
    assert response.status_code == 200, response.text
