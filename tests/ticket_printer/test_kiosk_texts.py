"""The words on the kiosk's buttons."""

from queue_server.protocol import CategoryPublic, MatterPublic
from ticket_printer.kiosk.texts import category_label, hall_notice, matches, wait_text

RETIREMENT = MatterPublic(
    id="retirement",
    name="退休",
    category="general",
    items=["职工正常退休(职)申请", "正常退休提取住房公积金"],
    materials=["本人档案"],
)


def category(**changes: object) -> CategoryPublic:
    values: dict[str, object] = {
        "code": "general",
        "prefix": "B",
        "name": "综合受理",
        "target_wait_minutes": 20,
        "waiting": 4,
        "eta_minutes": 12,
        "issued_today": 9,
    }
    values.update(changes)
    return CategoryPublic.model_validate(values)


def test_category_labels_tell_the_wait_or_why_closed() -> None:
    assert category_label(category()) == "综合受理\n等候 4 人 · 约 12 分钟"
    assert category_label(category(eta_minutes=None)) == "综合受理\n等候 4 人"
    closed = category(open=False, closed_reason="不在办理时间")
    assert category_label(closed) == "综合受理\n暂停取号：不在办理时间"
    assert wait_text(None, None) == "等候人数未知"


def test_nobody_ahead_reads_no_wait_as_on_the_board() -> None:
    assert wait_text(0, 4) == "无需等候"
    assert wait_text(0, None) == "无需等候"
    assert category_label(category(waiting=0, eta_minutes=4)) == "综合受理\n无需等候"


def test_search_finds_a_matter_by_its_name_or_items() -> None:
    assert matches(RETIREMENT, "")
    assert matches(RETIREMENT, " 退休 ")
    assert matches(RETIREMENT, "公积金")
    assert not matches(RETIREMENT, "出生")


def test_the_notice_says_when_nothing_can_be_taken() -> None:
    closed = category(open=False, closed_reason="不在办理时间")
    assert hall_notice([category(), closed]) == ""
    assert hall_notice([closed, closed]) == "现在不在取号时间，请在办理时间内再来"
    capped = category(open=False, closed_reason="今日号源已发完")
    assert hall_notice([closed, capped]) == "暂时无法取号，请咨询工作人员"
    assert hall_notice([]) == "暂无可办理的业务"
