"""`queue-server report`: the daily HTML report, rendered in headless Chromium."""

import base64
import re
from datetime import timedelta
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
    assert len(images) == 3  # no evaluations that day: a sentence instead of an empty chart
    assert all(base64.b64decode(image).startswith(PNG) for image in images)
    assert "本日暂无评价" in text
    assert "服务日报 2026-03-02" in text
    assert "<td>咨询</td><td>1</td><td>0</td>" in text
    assert "<td>企业服务专区</td><td>0</td><td>1</td>" in text  # A001, transferred in
    assert "2号窗口 综合受理" in text

    page.goto(out.as_uri())
    widths = page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : -1)")
    assert widths == [800, 800, 800]
    assert "取号 4 人" in page.inner_text("body")
    assert screenshot(page, "daily-report").stat().st_size > 0


def test_a_bad_day_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--day", "yesterday", "--out", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_a_window_that_finishes_transfers_says_why_it_finished_more_than_it_issued(
    hall: LiveServer, clock: ManualClock, tmp_path: Path, page: Page
) -> None:
    """B001 is taken for window 2, transferred to window 3 and finished there, then rated:
    window 3 finished one ticket and issued none, and the report says why."""
    kiosk = hall.client(hall.accounts.kiosk_token)
    first = hall.client(hall.login("clerk1"))
    second = hall.client(hall.login("clerk2"))
    ticket = kiosk.post("/api/tickets", json={"category": "general"}).json()
    assert first.post("/api/windows/2/sign-in").status_code == 200
    assert second.post("/api/windows/3/sign-in").status_code == 200
    assert first.post("/api/windows/2/call-next").json()["id"] == ticket["id"]
    moved = first.post(
        f"/api/tickets/{ticket['id']}/transfer", json={"to_window": 3, "reason": "需复核"}
    ).json()
    clock.advance(timedelta(minutes=3))
    assert second.post("/api/windows/3/call-next").json()["id"] == moved["id"]
    assert second.post(f"/api/tickets/{moved['id']}/start").status_code == 200
    clock.advance(timedelta(minutes=5))
    assert second.post(f"/api/tickets/{moved['id']}/finish").status_code == 200
    rated = hall.client().post(
        f"/api/public/tickets/{ticket['public_code']}/evaluation", json={"level": 5}
    )
    assert rated.status_code == 201, rated.text
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["report", "--day", "2026-03-02", "--out", str(out), "--db", hall.database_url]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert len(re.findall(r'src="data:image/png;base64,', text)) == 3  # evaluations: a chart
    assert "暂无评价" not in text
    window_three = re.search(
        r"<td>3号窗口[^<]*</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", text
    )
    assert window_three is not None
    assert window_three.groups() == ("0", "1", "1")  # 取号 0, 转入 1, 办结 1
    assert "办结可以多于取号" in text
    page.goto(out.as_uri())
    assert screenshot(page, "daily-report-transfer").stat().st_size > 0
