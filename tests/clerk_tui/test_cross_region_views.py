"""The pure side of 市域通办 in the consoles: rows, order, choices and typed materials."""

from datetime import datetime, timedelta
from typing import Any

from clerk_tui.cross_region import views
from queue_server.protocol import CrossRegionCasePublic, MatterPublic
from tests.clerk_tui.test_manager import SHANGHAI

T = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
HALLS = {"main": "一门市民服务中心", "kangbashi": "康巴什区政务服务中心", "ejinhoro": "伊金霍洛旗"}


def case(case_id: int, **changes: Any) -> CrossRegionCasePublic:
    fields: dict[str, Any] = {
        "id": case_id,
        "code": f"TB2026030200{case_id}",
        "status": "forwarded",
        "status_label": "已转递",
        "receiving_hall": "main",
        "owner_hall": "kangbashi",
        "delivering_hall": "main",
        "ticket_id": case_id,
        "number": "B001",
        "matter": "flexible_employment",
        "matter_name": "灵活就业",
        "mode": "remote_accept",
        "delivery": "pickup",
        "originals_by_mail": False,
        "opened_at": T,
        "updated_at": T,
        "steps": [],
    }
    return CrossRegionCasePublic.model_validate({**fields, **changes})


def matter(**changes: Any) -> MatterPublic:
    fields: dict[str, Any] = {
        "id": "m",
        "name": "事项",
        "category": "general",
        "items": [],
        "materials": [],
        "cross_region": ["remote_accept"],
    }
    return MatterPublic.model_validate({**fields, **changes})


def test_soonest_due_first_and_finished_cases_last() -> None:
    late = case(1, due_at=T + timedelta(days=3))
    soon = case(2, due_at=T + timedelta(days=1))
    done = case(3, status="delivered", status_label="已出件")
    assert [c.id for c in views.soonest_due_first([done, late, soon])] == [2, 1, 3]


def test_an_overdue_case_is_marked_and_its_steps_named_short() -> None:
    row = views.case_row(
        case(1, due_at=T, overdue=True, actions=["accept", "return"]), HALLS, "Asia/Shanghai"
    )
    assert row == (
        "TB20260302001",
        "已转递",
        "灵活就业",
        "一门市民服…",
        "康巴什区政…",
        "⚠03-02 09:00",
        "受理/补正",
    )
    assert views.due_text(case(2), "Asia/Shanghai") == "—"
    assert "⚠ 逾期 1 件" in views.list_title([case(1, overdue=True), case(2)])


def test_owner_choices_leave_out_this_hall_and_halls_that_may_not_decide() -> None:
    assert [code for code, _ in views.owner_choices(matter(), HALLS, "main")] == [
        "kangbashi",
        "ejinhoro",
    ]
    only = matter(deciding_halls=["ejinhoro"])
    assert views.owner_choices(only, HALLS, "main") == [("ejinhoro", "伊金霍洛旗")]
    assert views.cross_region_matters([matter(), matter(id="x", cross_region=[])]) == [matter()]


def test_materials_typed_on_one_line() -> None:
    assert views.split_materials("身份证复印件；委托书, 户口簿、 ;") == [
        "身份证复印件",
        "委托书",
        "户口簿",
    ]
