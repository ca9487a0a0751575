"""Shared by the ticket printer tests: a sample layout, a decoder for raster images and the
materials of the matter the kiosk tests page through."""

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ticket_printer.layout import TicketLayout

RASTER_HEADER = b"\x1dv0"

RETIREMENT = [
    "企业职工退休一件事办理申请表",
    "中华人民共和国居民身份证",
    "本人档案",
    "本人退休申请",
    "个人档案中最早记载出生年月的档案资料",
    "招工表或劳动合同",
    "人社行政部门审批表",
    "能够证明特殊工种经历的档案资料",
    "个人特殊工种提前退休申请",
    "劳动行政部门出具的完全丧失劳动能力鉴定表",
    "个人因病提前退休申请",
]
"""The eleven materials of 退休 (retirement) as the default hall lists them, in order."""


def run_async(scenario: Coroutine[Any, Any, None]) -> None:
    """`asyncio.run` in a thread of its own: Playwright's sync API leaves an event loop
    running in the main thread once a browser test has run."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario)
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, name="kiosk-scenario")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def sample_layout(number: str = "B012", **changes: object) -> TicketLayout:
    values: dict[str, object] = {
        "hall_name": "一门市民服务中心",
        "number": number,
        "category_name": "综合受理",
        "issued_at": "2026-03-02 09:05",
        "ahead": 3,
        "eta_minutes": 15,
        "status_url": "http://10.0.0.2:8000/t/K7N3Q2XWPAK7N3Q2",
        "matter": "新生儿出生",
        "materials": ("夫妻双方身份证", "夫妻双方户口簿", "出生医学证明"),
        "priority_label": "老年人",
    }
    values.update(changes)
    return TicketLayout(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RasterBlock:
    start: int
    end: int
    image: Image.Image
    """Black pixels are 0, as drawn."""


def raster_blocks(data: bytes) -> list[RasterBlock]:
    """Every `GS v 0` image in an ESC/POS byte stream, decoded back into a picture."""
    blocks = []
    position = data.find(RASTER_HEADER)
    while position != -1:
        width_bytes = data[position + 4] + 256 * data[position + 5]
        height = data[position + 6] + 256 * data[position + 7]
        start = position + 8
        end = start + width_bytes * height
        bits = Image.frombytes("1", (width_bytes * 8, height), data[start:end])
        image = bits.point(lambda value: 255 - value).convert("1")
        blocks.append(RasterBlock(position, end, image))
        position = data.find(RASTER_HEADER, end)
    return blocks


def dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    region = image.crop(box)
    return sum(1 for value in region.get_flattened_data() if value == 0)
