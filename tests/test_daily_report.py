"""`queue-server report`: the daily HTML report, rendered in headless Chromium."""

import base64
import re
from pathlib import Path

from playwright.sync_api import Page
from typer.testing import CliRunner

from queue_server.cli import app
from queue_server.domain.clock import ManualClock
from tests.browser import screenshot
from tests.support import LiveServer
from tests.test_statistics_api import clock, hall, play_a_day

__all__ = ["clock", "hall"]

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_daily_report_holds_its_tables_and_charts(
    hall: LiveServer, clock: ManualClock, tmp_path: Path, page: Page
) -> None:
    play_a_day(hall, clock)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["report", "--day", "2026-03-02", "--out", str(out), "--db", hall.database_url]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 4
    assert all(base64.b64decode(image).startswith(PNG) for image in images)
    assert "服务日报 2026-03-02" in text
    assert "<td>咨询</td><td>1</td>" in text
    assert "2号窗口 综合受理" in text

    page.goto(out.as_uri())
    widths = page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : -1)")
    assert widths == [800, 800, 800, 800]
    assert "取号 4 人" in page.inner_text("body")
    assert screenshot(page, "daily-report").stat().st_size > 0


def test_a_bad_day_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--day", "yesterday", "--out", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
