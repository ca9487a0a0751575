"""补件 at the clerk console, driven by keys through Pilot against a real server: Ctrl+B while
serving opens the list of the matter's materials to tick, with a field for anything else; the
finish carries them and the clerk is told the return code. A return visit called to the
window shows the journey's earlier visits and what was missing at each."""

from typing import Any

import pytest

from clerk_tui.app import ClerkApp
from clerk_tui.screens.missing_materials import MissingMaterialsDialog
from clerk_tui.widgets.journey_panel import JourneyPanel
from queue_server.catalog import read_catalog
from tests.browser import artifacts
from tests.clerk_tui.console import Hall, console
from tests.clerk_tui.helpers import text_of, type_text, until
from tests.clerk_tui.test_locker_deposit import panel_text
from tests.support import LiveServer

MATTER = "新生儿出生"
TYPED = "户口簿复印件不清晰"


def materials() -> list[str]:
    matter = read_catalog().find(MATTER)
    assert matter is not None and matter.materials
    return list(matter.materials)


def message(app: ClerkApp) -> str:
    return app.hall_state.message if app.hall_state else ""


def current_status(app: ClerkApp) -> str | None:
    state = app.hall_state
    return state.current.status.value if state and state.current else None


def journey(hall: Hall, journey_id: int) -> dict[str, Any]:
    body: dict[str, Any] = hall.manager.get(f"/api/journeys/{journey_id}").json()
    return body


@pytest.mark.anyio
async def test_needs_documents_picks_the_missing_materials(server: LiveServer) -> None:
    hall = Hall(server)
    ticket = hall.issue("general", matter=MATTER)
    async with console(server.base_url, window=3) as (app, pilot):
        await pilot.press("f1")
        await until(pilot, lambda: current_status(app) == "called", "called")
        assert "补件" not in panel_text(app)  # only while serving
        await pilot.press("f3")
        await until(pilot, lambda: current_status(app) == "serving", "serving")
        assert "补件" in panel_text(app)
        await pilot.press("ctrl+b")
        await until(pilot, lambda: isinstance(app.screen, MissingMaterialsDialog), "the dialog")
        assert app.focused is not None and app.focused.id == "materials"
        await pilot.press("ctrl+s")
        assert text_of(app, "#missing-error") == "请至少勾选或填写一项缺少的材料"
        await pilot.press("space")
        await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "other-material"
        await type_text(pilot, TYPED)
        await pilot.press("enter")
        assert text_of(app, "#typed-materials") == f"已添加：{TYPED}"
        app.save_screenshot("journey-missing-materials-dialog.svg", path=str(artifacts()))
        await pilot.press("enter")  # an empty field confirms
        await until(pilot, lambda: "回执码" in message(app), f"the return code: {message(app)}")
        done = hall.ticket(ticket["id"])
        assert done["outcome"] == "needs_documents" and done["journey_id"] is not None
        opened = journey(hall, done["journey_id"])
        assert opened["missing"] == [materials()[0], TYPED]
        assert opened["return_code"] in message(app)
        assert opened["clerk"] == "窗口员1" and opened["window_no"] == 3


@pytest.mark.anyio
async def test_a_return_visit_shows_the_earlier_visits(server: LiveServer) -> None:
    hall = Hall(server)
    first = hall.issue("general", matter=MATTER)
    earlier = hall.clerk(1, 2)
    assert earlier.post("/api/windows/2/call-next").json()["id"] == first["id"]
    assert earlier.post(f"/api/tickets/{first['id']}/start").status_code == 200
    finished = earlier.post(
        f"/api/tickets/{first['id']}/finish",
        json={"outcome": "needs_documents", "missing": [materials()[1], TYPED]},
    ).json()
    back = hall.kiosk.post("/api/journeys/return", json={"return_code": finished["return_code"]})
    assert back.status_code == 201, back.text
    async with console(server.base_url, window=3) as (app, pilot):
        panel = app.screen.query_one(JourneyPanel)
        assert not panel.display
        await pilot.press("f1")
        await until(pilot, lambda: panel.journey is not None, "the journey panel")
        assert panel.display
        text = str(panel.render())
        assert text.startswith(f"回执码 {finished['return_code']} · 补件办理中")
        assert f"{first['number']} 2号窗口 窗口员2 补件" in text
        assert f"· {materials()[1]}" in text and f"· {TYPED}" in text
        app.save_screenshot("journey-return-visit-panel.svg", path=str(artifacts()))
        await pilot.press("f3", "f4")
        await until(pilot, lambda: current_status(app) is None, "finished")
        await until(pilot, lambda: not panel.display, "the panel gone with the ticket")
    assert journey(hall, finished["journey_id"])["status"] == "returned"
