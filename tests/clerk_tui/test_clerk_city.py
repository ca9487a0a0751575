"""The clerk console in a city of several halls works unchanged: a clerk bound to a hall logs
in, signs in to a window and calls that hall's numbers without ever naming the hall."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.protocol import TicketPublic
from tests.city_support import LiveCity, live_city
from tests.clerk_tui.console import console
from tests.clerk_tui.helpers import text_of, until
from tests.clerk_tui.test_console import current_number


@pytest.fixture
def city(tmp_path: Path) -> Iterator[LiveCity]:
    with live_city(tmp_path) as running:
        yield running


def issue(city: LiveCity, code: str) -> TicketPublic:
    kiosk = city.client(city.city.hall(code).kiosk_token)
    response = kiosk.post("/api/tickets", json={"category": "general"})
    assert response.status_code == 201, response.text
    return TicketPublic.model_validate(response.json())


@pytest.mark.anyio
async def test_a_hall_bound_clerk_runs_a_window_of_that_hall(city: LiveCity) -> None:
    issue(city, "main")
    issue(city, "main")
    ticket = issue(city, "kangbashi")
    async with console(city.base_url, clerk="kangbashi-clerk1", window=2) as (app, pilot):
        assert app.client.hall_code is None
        await pilot.press("f1")
        await until(pilot, lambda: current_number(app) == ticket.number, "康巴什's number")
        assert text_of(app, "#plain-number").startswith(f"当前号码：{ticket.number}")
    window = city.as_("kangbashi-manager").get("/api/windows/2").json()
    assert window["current"]["id"] == ticket.id
