"""Drawing a ticket layout with Pillow in a CJK font: the raster mode that prints Chinese
correctly on any ESC/POS printer, and the PNG preview."""

from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.image.pil import PilImage

from ticket_printer.fonts import CjkFont
from ticket_printer.layout import Align, Line, Size, TicketLayout

MARGIN = 8
LINE_GAP = 6
QR_BOX_FRACTION = 0.5
"""The QR code's side as a share of the paper width."""
CITY_QR_BOX_FRACTION = 0.4
"""The second QR code's (to the city's 就近办 page): smaller, the status page comes first."""


@dataclass(frozen=True, slots=True)
class PlacedLine:
    line: Line
    box: tuple[int, int, int, int]
    """(left, top, right, bottom) of the space the line's text was given."""


@dataclass(frozen=True, slots=True)
class Raster:
    image: Image.Image
    """Mode "1": black text on white, as wide as the paper."""
    placed: list[PlacedLine]


def font_size(size: Size, width: int) -> int:
    base = max(20, width // 24)
    return {Size.NORMAL: base, Size.LARGE: base * 3 // 2, Size.HUGE: base * 4}[size]


def _wrap_pixels(
    draw: ImageDraw.ImageDraw, line: Line, font: ImageFont.FreeTypeFont, max_width: int
) -> list[str]:
    lines: list[str] = []
    current = ""
    indent = " " * line.indent
    for char in line.text:
        candidate = current + char
        if current.strip() and draw.textlength(candidate, font=font) > max_width:
            lines.append(current)
            candidate = indent + char
        current = candidate
    lines.append(current)
    return lines


def render_lines(lines: list[Line], *, width: int, font: CjkFont) -> Raster:
    """Draw `lines` onto a white strip `width` pixels wide, as tall as they need."""
    scratch = ImageDraw.Draw(Image.new("1", (width, 10), 1))
    usable = width - 2 * MARGIN
    planned: list[tuple[Line, list[str], ImageFont.FreeTypeFont | None, int]] = []
    height = MARGIN
    for line in lines:
        if line.rule:
            planned.append((line, [], None, 9))
            height += 9
            continue
        face = font.face(font_size(line.size, width), bold=line.bold)
        rows = _wrap_pixels(scratch, line, face, usable)
        row_height = int(face.size * 1.15) + LINE_GAP
        planned.append((line, rows, face, row_height * len(rows)))
        height += row_height * len(rows)
    height += MARGIN
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    placed = []
    top = MARGIN
    for line, rows, line_face, block in planned:
        if line_face is None:
            middle = top + block // 2
            draw.line([(MARGIN, middle), (width - MARGIN, middle)], fill=0, width=2)
        else:
            row_height = block // len(rows)
            stroke = 1 if line.bold and font.bold_path is None else 0
            for index, row in enumerate(rows):
                text_width = draw.textlength(row, font=line_face)
                left = MARGIN if line.align is Align.LEFT else int((width - text_width) / 2)
                draw.text(
                    (left, top + index * row_height),
                    row,
                    font=line_face,
                    fill=0,
                    stroke_width=stroke,
                    stroke_fill=0,
                )
        placed.append(PlacedLine(line, (0, top, width, top + block)))
        top += block
    return Raster(image, placed)


def qr_image(url: str, *, side: int) -> Image.Image:
    """The QR code of `url`, scaled to about `side` pixels, black on white."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    modules = code.modules_count + 2 * code.border
    code.box_size = max(1, side // modules)
    rendered = code.make_image(image_factory=PilImage)
    image: Image.Image = rendered.get_image().convert("1")
    return image


def render_preview(layout: TicketLayout, *, width: int, font: CjkFont) -> Image.Image:
    """The whole ticket as one image: head, QR code, tail, the QR code to the city's page;
    what `ticket-printer preview` saves as PNG."""
    parts = [
        render_lines(layout.head, width=width, font=font).image,
        qr_image(layout.status_url, side=int(width * QR_BOX_FRACTION)),
        render_lines(layout.tail, width=width, font=font).image,
    ]
    if layout.city_url:
        parts.append(qr_image(layout.city_url, side=int(width * CITY_QR_BOX_FRACTION)))
    image = Image.new("1", (width, sum(part.height for part in parts)), 1)
    top = 0
    for part in parts:
        image.paste(part, ((width - part.width) // 2, top))
        top += part.height
    return image
