"""Rendering a ticket layout to ESC/POS through python-escpos.

Two ways to print Chinese, chosen per printer:

- raster (the default): the text is drawn with Pillow in a CJK font and sent as an image
  (`GS v 0`), so it prints correctly on any ESC/POS printer, whatever fonts it holds;
- text: the printer's resident Chinese font. python-escpos would send Chinese as raw GB18030
  without switching the printer to Chinese mode (and turns lone full-width punctuation into
  "?"), so this renderer sends `FS &` (enter Chinese mode) and `FS .` (leave it) itself and
  encodes every line as GB18030.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PIL import Image

from ticket_printer.fonts import CjkFont
from ticket_printer.layout import Line, Size, TicketLayout, wrap
from ticket_printer.raster import CITY_QR_BOX_FRACTION, QR_BOX_FRACTION, qr_image, render_lines

ENTER_CHINESE_MODE = b"\x1c&"
LEAVE_CHINESE_MODE = b"\x1c."
TEXT_ENCODING = "gb18030"
MAGNIFICATION = {Size.NORMAL: 1, Size.LARGE: 2, Size.HUGE: 4}
DOTS_BY_PAPER = {58: 384, 80: 576}
COLUMNS_BY_PAPER = {58: 32, 80: 48}


class RenderMode(StrEnum):
    RASTER = "raster"
    TEXT = "text"


class QrMode(StrEnum):
    IMAGE = "image"
    """Drawn as a raster image: any printer."""
    NATIVE = "native"
    """The printer draws it (`GS ( k`): sharper, needs a printer that knows the command."""


@dataclass(frozen=True, slots=True)
class PrintOptions:
    mode: RenderMode = RenderMode.RASTER
    paper_mm: int = 80
    qr: QrMode | None = None
    """None: an image in raster mode, native in text mode (a printer with a Chinese font)."""
    cut: bool = True

    def __post_init__(self) -> None:
        if self.paper_mm not in DOTS_BY_PAPER:
            raise ValueError(f"paper width must be one of {sorted(DOTS_BY_PAPER)} mm")

    @property
    def dots(self) -> int:
        return DOTS_BY_PAPER[self.paper_mm]

    @property
    def columns(self) -> int:
        return COLUMNS_BY_PAPER[self.paper_mm]

    @property
    def qr_mode(self) -> QrMode:
        if self.qr is not None:
            return self.qr
        return QrMode.IMAGE if self.mode is RenderMode.RASTER else QrMode.NATIVE


def _text_lines(printer: Any, lines: list[Line], columns: int) -> None:
    for line in lines:
        factor = MAGNIFICATION[line.size]
        printer.set(
            align=line.align.value,
            bold=line.bold,
            custom_size=True,
            width=factor,
            height=factor,
        )
        rows = (
            ["-" * columns] if line.rule else wrap(line.text, columns // factor, indent=line.indent)
        )
        for row in rows:
            printer._raw(row.encode(TEXT_ENCODING) + b"\n")
    printer.set(align="left", bold=False, custom_size=True, width=1, height=1)


def _centred(image: Image.Image, width: int) -> Image.Image:
    strip = Image.new("1", (width, image.height), 1)
    strip.paste(image, ((width - image.width) // 2, 0))
    return strip


def _qr(
    printer: Any, url: str, options: PrintOptions, *, fraction: float = QR_BOX_FRACTION
) -> None:
    if options.qr_mode is QrMode.NATIVE:
        from escpos.constants import QR_ECLEVEL_M

        size = max(3, min(8, int(options.dots * fraction / QR_BOX_FRACTION) // 70))
        printer.set(align="center")
        printer.qr(url, ec=QR_ECLEVEL_M, size=size, native=True)
        printer._raw(b"\n")
        printer.set(align="left")
    else:
        code = qr_image(url, side=int(options.dots * fraction))
        printer.image(_centred(code, options.dots), impl="bitImageRaster")


def write_ticket(
    printer: Any, layout: TicketLayout, options: PrintOptions, font: CjkFont | None
) -> None:
    """Send the whole ticket: initialise, head, QR code, tail, the second QR code (to the
    city's 就近办 page, smaller), cut."""
    printer.hw("INIT")
    if options.mode is RenderMode.RASTER:
        if font is None:
            raise ValueError("raster mode needs a CJK font")
        printer.image(
            render_lines(layout.head, width=options.dots, font=font).image,
            impl="bitImageRaster",
        )
        _qr(printer, layout.status_url, options)
        printer.image(
            render_lines(layout.tail, width=options.dots, font=font).image,
            impl="bitImageRaster",
        )
    else:
        printer._raw(ENTER_CHINESE_MODE)
        _text_lines(printer, layout.head, options.columns)
        printer._raw(LEAVE_CHINESE_MODE)
        _qr(printer, layout.status_url, options)
        printer._raw(ENTER_CHINESE_MODE)
        _text_lines(printer, layout.tail, options.columns)
        printer._raw(LEAVE_CHINESE_MODE)
    if layout.city_url:
        _qr(printer, layout.city_url, options, fraction=CITY_QR_BOX_FRACTION)
    if options.cut:
        printer.cut()
