"""Printing through python-escpos to the dummy and file printers: initialise, raster or
GB18030 text, QR code, cut; faults reported as states; the PNG preview."""

from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image

from queue_server.protocol import DeviceState
from tests.ticket_printer.support import dark_pixels, raster_blocks, sample_layout
from ticket_printer.escpos_output import (
    ENTER_CHINESE_MODE,
    LEAVE_CHINESE_MODE,
    PrintOptions,
    QrMode,
    RenderMode,
    write_ticket,
)
from ticket_printer.fonts import CjkFont, find_cjk_font
from ticket_printer.layout import CITY_CAPTION
from ticket_printer.printers import (
    BadPrinterSpec,
    Connection,
    PrinterSpec,
    parse_printer_spec,
)
from ticket_printer.printing import EscposPrinter, PrinterFault
from ticket_printer.raster import CITY_QR_BOX_FRACTION, QR_BOX_FRACTION, qr_image, render_lines

INITIALISE = b"\x1b@"
FULL_CUT = b"\x1dV\x00"


@pytest.fixture(scope="module")
def font() -> CjkFont:
    return find_cjk_font()


def printed(options: PrintOptions, font: CjkFont, number: str = "B012") -> bytes:
    printer = EscposPrinter(parse_printer_spec("dummy"), options, font)
    printer.print_ticket(sample_layout(number))
    return printer.last_output


def test_raster_mode_sends_init_images_qr_and_cut(font: CjkFont) -> None:
    data = printed(PrintOptions(), font)
    assert data.startswith(INITIALISE)
    assert data.rstrip(b"\n").endswith(FULL_CUT)
    assert ENTER_CHINESE_MODE not in data
    assert "综合受理".encode("gb18030") not in data  # drawn, not sent as text
    blocks = raster_blocks(data)
    assert len(blocks) == 3  # head, QR code, footer
    expected_qr = Dummy()
    code = qr_image(sample_layout().status_url, side=int(576 * QR_BOX_FRACTION))
    strip = Image.new("1", (576, code.height), 1)
    strip.paste(code, ((576 - code.width) // 2, 0))
    expected_qr.image(strip, impl="bitImageRaster")
    assert expected_qr.output in data
    assert blocks[1].start == data.index(expected_qr.output)


def test_the_raster_has_dark_pixels_where_the_number_is(font: CjkFont) -> None:
    head = raster_blocks(printed(PrintOptions(), font))[0].image
    other = raster_blocks(printed(PrintOptions(), font, number="C345"))[0].image
    placed = render_lines(sample_layout().head, width=576, font=font).placed
    number_box = next(p.box for p in placed if p.line.text == "B012")
    hall_box = next(p.box for p in placed if p.line.text == "一门市民服务中心")
    area = (number_box[2] - number_box[0]) * (number_box[3] - number_box[1])
    assert head.width == 576
    assert dark_pixels(head, number_box) > area * 0.05
    assert head.crop(number_box).tobytes() != other.crop(number_box).tobytes()
    assert head.crop(hall_box).tobytes() == other.crop(hall_box).tobytes()
    blank = (0, number_box[1], 8, number_box[3])  # the left margin stays white
    assert dark_pixels(head, blank) == 0


def test_text_mode_switches_to_chinese_mode_and_sends_gb18030(font: CjkFont) -> None:
    data = printed(PrintOptions(mode=RenderMode.TEXT, paper_mm=58), font)
    assert data.startswith(INITIALISE + ENTER_CHINESE_MODE)
    assert data.count(ENTER_CHINESE_MODE) == 2 and data.count(LEAVE_CHINESE_MODE) == 2
    head = data[: data.index(LEAVE_CHINESE_MODE)]
    for text in ("综合受理", "前面等候：3 人", "1. 夫妻双方身份证", "B012"):
        assert text.encode("gb18030") in head, text
    assert "：".encode("gb18030") == b"\xa3\xba"  # full-width punctuation, not "?"
    assert b"?" not in head
    assert b"\x1d!\x33" in head  # the number at four times the size
    url = sample_layout().status_url.encode()
    assert b"\x1d(k" + bytes([len(url) + 3, 0]) + b"1P0" + url in data  # native QR code
    assert raster_blocks(data) == []
    assert data.rstrip(b"\n").endswith(FULL_CUT)


def test_text_mode_can_draw_the_qr_code_as_an_image(font: CjkFont) -> None:
    data = printed(PrintOptions(mode=RenderMode.TEXT, qr=QrMode.IMAGE), font)
    assert b"\x1d(k" not in data
    assert len(raster_blocks(data)) == 1


def test_the_file_printer_receives_the_same_bytes(
    tmp_path: Path, font: CjkFont, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "printer.bin"
    printer = EscposPrinter(parse_printer_spec(f"file:{target}"), PrintOptions(), font)
    assert printer.check() == (DeviceState.OK, None)
    printer.print_ticket(sample_layout())
    assert target.read_bytes() == printed(PrintOptions(), font)
    assert capsys.readouterr().out == ""  # python-escpos warns on stdout unless told the width


def test_a_missing_printer_is_a_fault_with_a_state(tmp_path: Path, font: CjkFont) -> None:
    printer = EscposPrinter(
        parse_printer_spec(f"file:{tmp_path}/unplugged/lp0"), PrintOptions(), font
    )
    state, detail = printer.check()
    assert state is DeviceState.PRINTER_OFFLINE and detail
    with pytest.raises(PrinterFault) as raised:
        printer.print_ticket(sample_layout())
    assert raised.value.state is DeviceState.PRINTER_OFFLINE
    assert raised.value.message == "打印机未连接"
    unreachable = EscposPrinter(parse_printer_spec("net:127.0.0.1:9"), PrintOptions(), font)
    with pytest.raises(PrinterFault) as refused:
        unreachable.print_ticket(sample_layout())
    assert refused.value.state is DeviceState.PRINTER_OFFLINE


def test_write_ticket_without_a_cut_leaves_the_cutter_alone(font: CjkFont) -> None:
    printer = Dummy()
    write_ticket(printer, sample_layout(), PrintOptions(cut=False), font)
    assert FULL_CUT not in printer.output


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("dummy", PrinterSpec(Connection.DUMMY)),
        ("file:/dev/usb/lp0", PrinterSpec(Connection.FILE, "/dev/usb/lp0")),
        ("net:192.168.1.50", PrinterSpec(Connection.NETWORK, "192.168.1.50", 9100)),
        ("net:printer.local:9101", PrinterSpec(Connection.NETWORK, "printer.local", 9101)),
        ("serial:/dev/ttyUSB0", PrinterSpec(Connection.SERIAL, "/dev/ttyUSB0", 9600)),
        ("serial:/dev/ttyS1:19200", PrinterSpec(Connection.SERIAL, "/dev/ttyS1", 19200)),
        ("usb:0416:5011", PrinterSpec(Connection.USB, vendor_id=0x0416, product_id=0x5011)),
        (
            "usb:04b8:0202:81:03",
            PrinterSpec(
                Connection.USB,
                vendor_id=0x04B8,
                product_id=0x0202,
                in_endpoint=0x81,
                out_endpoint=0x03,
            ),
        ),
    ],
)
def test_printer_specs(spec: str, parsed: PrinterSpec) -> None:
    assert parse_printer_spec(spec) == parsed


@pytest.mark.parametrize(
    "spec", ["", "usb:0416", "usb:zz:5011", "net:", "net:host:port", "lpt1", "file:", "dummy:x"]
)
def test_bad_printer_specs_are_refused(spec: str) -> None:
    with pytest.raises(BadPrinterSpec):
        parse_printer_spec(spec)


CITY_URL = "http://10.0.0.2:8000/city"


def city_ticket(options: PrintOptions, font: CjkFont) -> bytes:
    printer = EscposPrinter(parse_printer_spec("dummy"), options, font)
    printer.print_ticket(sample_layout(city_url=CITY_URL))
    return printer.last_output


def test_a_second_qr_code_to_the_city_page_follows_the_footer(font: CjkFont) -> None:
    data = city_ticket(PrintOptions(), font)
    blocks = raster_blocks(data)
    assert len(blocks) == 4  # head, QR code, footer with the caption, the city's QR code
    expected = Dummy()
    code = qr_image(CITY_URL, side=int(576 * CITY_QR_BOX_FRACTION))
    strip = Image.new("1", (576, code.height), 1)
    strip.paste(code, ((576 - code.width) // 2, 0))
    expected.image(strip, impl="bitImageRaster")
    assert blocks[3].start == data.index(expected.output)
    assert blocks[3].start > blocks[2].start
    assert data.rstrip(b"\n").endswith(FULL_CUT)
    placed = render_lines(sample_layout(city_url=CITY_URL).tail, width=576, font=font).placed
    caption = next(p.box for p in placed if p.line.text == CITY_CAPTION)
    assert dark_pixels(blocks[2].image, caption) > 0


def test_text_mode_prints_the_city_qr_code_natively_after_the_footer(font: CjkFont) -> None:
    data = city_ticket(PrintOptions(mode=RenderMode.TEXT, paper_mm=58), font)
    status = sample_layout().status_url.encode()
    city = CITY_URL.encode()
    status_at = data.index(b"\x1d(k" + bytes([len(status) + 3, 0]) + b"1P0" + status)
    city_at = data.index(b"\x1d(k" + bytes([len(city) + 3, 0]) + b"1P0" + city)
    caption_at = data.index(CITY_CAPTION[:8].encode("gb18030"))  # wrapped on 58 mm paper
    assert status_at < caption_at < city_at < data.rindex(FULL_CUT)
