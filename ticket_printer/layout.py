"""The printed ticket as a pure layout model: built once, rendered to ESC/POS and to PNG.

Every renderer draws the same `TicketLayout`: the lines above the QR code (`head`), the QR
code to the status page, the lines below it (`tail`) and, when the ticket carries one, a
second QR code to the city's 就近办 page (`city_url`). Nothing here does I/O.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from queue_server.domain.enums import PRIORITY_LABELS
from queue_server.protocol import MatterPublic, TicketPublic

DEFAULT_FOOTER = "请留意叫号，过号请到原窗口重新排队。"
CERTIFICATE_NOTE = "请在窗口出示有效证件"
CITY_CAPTION = "扫码查看全市各大厅排队情况（就近办）"
CITY_PAGE = "/city"


class Size(StrEnum):
    NORMAL = "normal"
    LARGE = "large"
    HUGE = "huge"


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    size: Size = Size.NORMAL
    align: Align = Align.LEFT
    bold: bool = False
    indent: int = 0
    """Columns of hanging indent for wrapped continuation lines (the text of a list item)."""
    rule: bool = False
    """A horizontal rule instead of text."""


RULE = Line("", rule=True)


@dataclass(frozen=True, slots=True)
class TicketLayout:
    hall_name: str
    number: str
    category_name: str
    issued_at: str
    ahead: int | None
    eta_minutes: int | None
    status_url: str
    matter: str | None = None
    materials: tuple[str, ...] = ()
    priority_label: str | None = None
    appointment_slot: str | None = None
    """An appointment ticket (预约): its booked slot, printed under the category."""
    footer: str = DEFAULT_FOOTER
    city_url: str | None = None
    """The city's 就近办 page, printed as a second QR code at the end; None: no second code."""

    @property
    def head(self) -> list[Line]:
        """The lines above the QR code."""
        lines = [
            Line(self.hall_name, Size.LARGE, Align.CENTER, bold=True),
            RULE,
            Line("您的号码", align=Align.CENTER),
            Line(self.number, Size.HUGE, Align.CENTER, bold=True),
            Line(self.category_name, Size.LARGE, Align.CENTER, bold=True),
        ]
        if self.appointment_slot:
            lines.append(Line(f"预约 {self.appointment_slot}", Size.LARGE, Align.CENTER, bold=True))
        if self.priority_label:
            lines.append(
                Line(f"优先办理（{self.priority_label}）：{CERTIFICATE_NOTE}", align=Align.CENTER)
            )
        lines += [
            RULE,
            Line(f"取号时间：{self.issued_at}"),
            Line(f"前面等候：{self.ahead} 人" if self.ahead is not None else "前面等候：-"),
            Line(
                f"预计等候：约 {self.eta_minutes} 分钟"
                if self.eta_minutes is not None
                else "预计等候：暂无法估计"
            ),
        ]
        if self.matter:
            lines += [RULE, Line(f"办理事项：{self.matter}", bold=True)]
            if self.materials:
                lines.append(Line("请备齐以下材料（一次告知）："))
                for index, material in enumerate(self.materials, start=1):
                    prefix = f"{index}. "
                    lines.append(Line(prefix + material, indent=display_width(prefix)))
            else:
                lines.append(Line("所需材料请咨询窗口工作人员。"))
        lines += [RULE, Line("扫码查看排队进度", align=Align.CENTER)]
        return lines

    @property
    def tail(self) -> list[Line]:
        """The lines below the QR code (with the caption of the second one, if any)."""
        lines = [Line(self.footer, align=Align.CENTER)]
        if self.city_url:
            lines += [RULE, Line(CITY_CAPTION, align=Align.CENTER)]
        return lines


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def build_layout(
    ticket: TicketPublic,
    *,
    hall_name: str,
    timezone: str,
    server_url: str,
    matter: MatterPublic | None = None,
    footer: str = DEFAULT_FOOTER,
) -> TicketLayout:
    """The ticket as printed; `server_url` is the base address the QR code points into."""
    if ticket.public_code is None:
        raise ValueError("the ticket has no status-page code; only the issuing answer has it")
    return TicketLayout(
        hall_name=hall_name,
        number=ticket.number,
        category_name=ticket.category_name,
        issued_at=local_time(ticket.issued_at, ZoneInfo(timezone)),
        ahead=ticket.ahead,
        eta_minutes=ticket.eta_minutes,
        status_url=f"{server_url.rstrip('/')}/t/{ticket.public_code}",
        matter=ticket.matter,
        materials=tuple(matter.materials) if matter else (),
        priority_label=PRIORITY_LABELS[ticket.priority] if ticket.priority else None,
        appointment_slot=ticket.appointment_slot,
        footer=footer,
        city_url=f"{server_url.rstrip('/')}{CITY_PAGE}",
    )


def char_width(char: str) -> int:
    """Columns a character takes on a receipt printer: CJK and full-width forms take two."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def wrap(text: str, columns: int, *, indent: int = 0) -> list[str]:
    """Break text into lines of at most `columns` columns (by character, as Chinese wraps);
    continuation lines start with `indent` spaces."""
    if columns <= indent:
        raise ValueError("columns must exceed the indent")
    lines: list[str] = []
    current, width = "", 0
    for char in text:
        step = char_width(char)
        if width + step > columns and current:
            lines.append(current)
            current, width = " " * indent, indent
        current += char
        width += step
    lines.append(current)
    return lines
