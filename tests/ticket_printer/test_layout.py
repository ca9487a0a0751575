"""The ticket layout model: what a ticket says, built from the server's answer."""

from datetime import UTC, datetime

import pytest

from queue_server.protocol import MatterPublic, PriorityReason, TicketPublic, TicketStatus
from ticket_printer.layout import Size, build_layout, display_width, wrap

TICKET = TicketPublic(
    id=7,
    number="B007",
    category="general",
    category_name="综合受理",
    status=TicketStatus.WAITING,
    issued_at=datetime(2026, 3, 2, 1, 5, tzinfo=UTC),
    service_day=datetime(2026, 3, 2).date(),
    priority=PriorityReason.ELDERLY,
    matter="新生儿出生",
    public_code="K7N3Q2XWPAK7N3Q2",
    ahead=4,
    eta_minutes=None,
)
NEWBORN = MatterPublic(
    id="newborn",
    name="新生儿出生",
    category="general",
    items=["出生登记"],
    materials=["夫妻双方身份证", "出生医学证明"],
)


def test_the_layout_says_everything_once() -> None:
    layout = build_layout(
        TICKET,
        hall_name="一门市民服务中心",
        timezone="Asia/Shanghai",
        server_url="http://10.0.0.2:8000/",
        matter=NEWBORN,
    )
    texts = [line.text for line in layout.head]
    assert layout.status_url == "http://10.0.0.2:8000/t/K7N3Q2XWPAK7N3Q2"
    assert "取号时间：2026-03-02 09:05" in texts  # local time, not UTC
    assert "前面等候：4 人" in texts
    assert "预计等候：暂无法估计" in texts
    assert "优先办理（老年人）：请在窗口出示有效证件" in texts
    assert texts[texts.index("请备齐以下材料（一次告知）：") + 1 :][:2] == [
        "1. 夫妻双方身份证",
        "2. 出生医学证明",
    ]
    number = next(line for line in layout.head if line.text == "B007")
    assert number.size is Size.HUGE and number.bold
    assert layout.tail[0].text.startswith("请留意叫号")
    assert layout.city_url == "http://10.0.0.2:8000/city"  # the second QR code: 就近办
    assert layout.tail[-1].text == "扫码查看全市各大厅排队情况（就近办）"


def test_a_ticket_without_its_code_cannot_be_laid_out() -> None:
    with pytest.raises(ValueError, match="status-page code"):
        build_layout(
            TICKET.model_copy(update={"public_code": None}),
            hall_name="h",
            timezone="Asia/Shanghai",
            server_url="http://x",
        )


def test_wrapping_counts_chinese_as_two_columns() -> None:
    assert display_width("B012 综合受理") == 13
    assert wrap("1. 夫妻双方身份证和户口簿", 16, indent=3) == ["1. 夫妻双方身份", "   证和户口簿"]
    assert all(display_width(row) <= 16 for row in wrap("一二三四五六七八九十" * 3, 16))
