"""The applicant's view of a 市域通办 case, built from the case row and its step rows: plain
words, local dates, the 补正 list, and nothing personal."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.api.status_render import case_due_text, day_text
from queue_server.city import CityConfig, example_city_path, load_city_config
from queue_server.domain.cross_region import (
    CrossRegionMode,
    CrossRegionStatus,
    CrossRegionStep,
    Decision,
    Delivery,
)
from queue_server.models import CrossRegionCase, CrossRegionStepRecord
from queue_server.services.cross_region_applicant import applicant_view

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
S = CrossRegionStatus
P = CrossRegionStep


def city() -> CityConfig:
    return load_city_config(example_city_path())


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI)


def a_case(status: CrossRegionStatus, **changes: object) -> CrossRegionCase:
    fields: dict[str, object] = {
        "id": 1,
        "code": "TB20261207001",
        "receiving_hall": "main",
        "owner_hall": "kangbashi",
        "delivering_hall": "main",
        "pickup_hall": "main",
        "ticket_id": 1,
        "number": "B001",
        "matter": "flexible_employment",
        "matter_name": "灵活就业",
        "mode": CrossRegionMode.REMOTE_ACCEPT,
        "delivery": Delivery.PICKUP,
        "mail_address": None,
        "status": status,
        "opened_at": MONDAY,
        "updated_at": MONDAY,
    }
    return CrossRegionCase.model_validate(fields | changes)


def step(
    row: int, kind: CrossRegionStep, hall: str, day: int, *, done: bool, due: int | None = None
) -> CrossRegionStepRecord:
    """A step of the week of 7 December 2026; `day` and `due` are days of the month."""
    at = MONDAY + timedelta(days=day - 7)
    return CrossRegionStepRecord(
        id=row,
        case_id=1,
        step=kind,
        hall=hall,
        started_at=at,
        due_at=end_of(date(2026, 12, due)) if due else None,
        done_at=at + timedelta(hours=2) if done else None,
        tracking_no="SF1234567890",
        note="申请人张三 手机13800000000",
    )


def test_a_case_just_received_is_waiting_to_be_forwarded() -> None:
    steps = [
        step(1, P.RECEIVE, "main", 7, done=True),
        step(2, P.FORWARD, "main", 7, done=False, due=8),
    ]
    view = applicant_view(a_case(S.RECEIVED), steps, city=city())
    assert (view.status, view.status_label) == (S.RECEIVED, "已收件")
    assert view.summary == "一门市民服务中心已收下您的材料，正在转递给康巴什区政务服务中心"
    assert [(s.label, s.done_on, s.due_on) for s in view.steps] == [
        ("收件", date(2026, 12, 7), None),
        ("转递", None, date(2026, 12, 8)),
    ]
    assert view.due_on == date(2026, 12, 8)
    assert case_due_text(view) == "最晚 12月8日（周二）转递"
    assert (view.owner_hall_name, view.pickup_hall_name) == (
        "康巴什区政务服务中心",
        "一门市民服务中心",
    )


def test_a_returned_case_lists_every_material_and_where_to_bring_it() -> None:
    steps = [
        step(1, P.RECEIVE, "main", 7, done=True),
        step(2, P.FORWARD, "main", 7, done=True, due=8),
        step(3, P.RETURN, "kangbashi", 7, done=True, due=8),
        step(4, P.RESUBMIT, "main", 7, done=False),
    ]
    missing = ["户口簿原件", "近期一寸照片两张"]
    case = a_case(S.RETURNED, returned=True, returned_materials=missing)
    view = applicant_view(case, steps, city=city())
    assert (view.status_label, view.materials) == ("需补正", missing)
    assert "一次性交回一门市民服务中心" in view.summary
    assert view.due_on is None, "the clock waits for the applicant"
    assert [s.label for s in view.steps] == ["收件", "转递", "告知补正", "补正材料转递"]
    assert case_due_text(view) == ""


def test_materials_are_shown_only_while_the_case_waits_for_them() -> None:
    case = a_case(S.ACCEPTED, returned=True, returned_materials=["户口簿原件"])
    view = applicant_view(case, [step(1, P.RECEIVE, "main", 7, done=True)], city=city())
    assert view.materials == []


def test_a_decided_case_says_where_to_pick_the_result_up() -> None:
    steps = [
        step(1, P.RECEIVE, "main", 7, done=True),
        step(2, P.FORWARD, "main", 7, done=True, due=8),
        step(3, P.ACCEPT, "kangbashi", 8, done=True, due=9),
        step(4, P.DECIDE, "kangbashi", 10, done=True, due=15),
        step(5, P.DELIVER, "ejinhoro", 10, done=False, due=11),
    ]
    case = a_case(
        S.DECIDED,
        result=Decision.APPROVED,
        delivering_hall="ejinhoro",
        pickup_hall="ejinhoro",
        reason="内部意见：王科长签字",
    )
    view = applicant_view(case, steps, city=city())
    assert view.status_label == "已办结"
    assert view.summary == "已办结（准予办理），请到伊金霍洛旗政务服务中心领取办理结果"
    assert [(s.label, s.done_on) for s in view.steps][-2:] == [
        ("办结", date(2026, 12, 10)),
        ("出件", None),
    ]
    assert view.due_on == date(2026, 12, 11)
    text = view.model_dump_json()
    for private in ("SF1234567890", "张三", "13800000000", "王科长", "B001", '"id"'):
        assert private not in text


def test_a_mailed_result_reads_as_delivered_and_names_no_address() -> None:
    steps = [
        step(1, P.RECEIVE, "main", 7, done=True),
        step(2, P.DELIVER, "kangbashi", 11, done=True, due=14),
    ]
    case = a_case(
        S.DELIVERED,
        delivery=Delivery.MAIL,
        pickup_hall=None,
        delivering_hall="kangbashi",
        mail_address="康巴什区某小区3号楼 李四收",
        result=Decision.REJECTED,
    )
    view = applicant_view(case, steps, city=city())
    assert (view.status_label, view.pickup_hall_name, view.due_on) == ("已送达", None, None)
    assert view.summary == "办理结果已邮寄送达，本事项办理完毕"
    assert view.steps[-1].label == "送达"
    assert "李四" not in view.model_dump_json()


def test_dates_are_days_of_the_hall_that_took_the_step() -> None:
    late = CrossRegionStepRecord(
        id=1,
        case_id=1,
        step=P.RECEIVE,
        hall="main",
        started_at=datetime(2026, 12, 7, 17, 0, tzinfo=ZoneInfo("UTC")),
        done_at=datetime(2026, 12, 7, 17, 0, tzinfo=ZoneInfo("UTC")),
    )
    view = applicant_view(a_case(S.RECEIVED), [late], city=city())
    assert view.steps[0].done_on == date(2026, 12, 8), "01:00 on the 8th in the hall"
    assert day_text(date(2026, 12, 13)) == "12月13日（周日）"
