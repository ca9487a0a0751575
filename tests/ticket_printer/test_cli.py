"""`ticket-printer print` against a real server and `ticket-printer preview`."""

from pathlib import Path

import httpx
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.support import LiveServer
from tests.ticket_printer.support import raster_blocks
from ticket_printer.cli import app

runner = CliRunner()


def test_print_issues_on_the_server_then_prints(server: LiveServer, tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    result = runner.invoke(
        app,
        [
            "print",
            "--server",
            server.base_url,
            "--token",
            server.accounts.kiosk_token,
            "--category",
            "general",
            "--matter",
            "newborn",
            "--priority",
            "elderly",
            "--printer",
            f"file:{target}",
        ],
    )
    assert result.exit_code == 0, result.output
    number, _, url = result.output.strip().partition(" → ")
    assert number == "B001 综合受理"
    data = target.read_bytes()
    assert data.startswith(b"\x1b@") and len(raster_blocks(data)) == 4  # with the QR code to /city
    code = url.rsplit("/", 1)[1]
    view = httpx.get(f"{server.base_url}/api/public/tickets/{code}").json()
    assert (view["number"], view["matter"]) == ("B001", "新生儿出生")


def test_print_reports_a_dead_printer_after_the_ticket_is_issued(
    server: LiveServer, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "print",
            "--server",
            server.base_url,
            "--token",
            server.accounts.kiosk_token,
            "--category",
            "consult",
            "--mode",
            "text",
            "--printer",
            f"file:{tmp_path}/gone/lp0",
        ],
    )
    assert result.exit_code == 1
    assert "已取号 A001，但打印失败：打印机未连接" in result.output


@pytest.mark.parametrize(("paper", "width"), [(80, 576), (58, 384)])
def test_preview_writes_a_png_as_wide_as_the_paper(tmp_path: Path, paper: int, width: int) -> None:
    output = tmp_path / "ticket.png"
    result = runner.invoke(app, ["preview", "--output", str(output), "--paper", str(paper)])
    assert result.exit_code == 0, result.output
    with Image.open(output) as image:
        assert image.format == "PNG"
        assert image.width == width
        assert width * 1.2 < image.height < width * 4


def test_preview_takes_the_matter_from_the_server(server: LiveServer, tmp_path: Path) -> None:
    output = tmp_path / "ticket.png"
    plain = tmp_path / "plain.png"
    common = ["preview", "--server", server.base_url, "--token", server.accounts.kiosk_token]
    assert runner.invoke(app, [*common, "--output", str(plain)]).exit_code == 0
    result = runner.invoke(app, [*common, "--output", str(output), "--matter", "公民身后"])
    assert result.exit_code == 0, result.output
    with Image.open(output) as long, Image.open(plain) as short:
        assert long.height > short.height + 20 * 20  # twenty materials listed
    unknown = runner.invoke(app, [*common, "--output", str(output), "--matter", "办护照"])
    assert unknown.exit_code == 2
    assert "没有这个一件事事项" in unknown.output


@pytest.mark.parametrize(
    "command",
    [
        ["print", "--server", "http://x", "--token", "t", "--category", "general"],
        ["kiosk", "--server", "http://x", "--token", "t"],
    ],
)
def test_a_bad_printer_spec_is_explained_before_anything_starts(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--printer", "lpt1"])
    assert result.exit_code == 2
    assert "is not a printer" in result.output


def test_kiosk_help_states_the_supported_terminal_sizes() -> None:
    result = runner.invoke(app, ["kiosk", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "80×24" in result.output and "100×30" in result.output
