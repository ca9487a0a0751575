"""`python -m queue_server.demo --city`: the example city's three halls on one server, worked
by simulated clerks at once; a city-wide manager sees each hall's tickets issued and called
(naming the hall with `hall=`), every printed board opens, and a district hall's board shows
that hall's calls."""

import re
import subprocess
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.browser import screenshot
from tests.support import free_port
from tests.test_demo import ZONE_ALIVE, _demo, _passwords, _wait_for, zone_labels

HALLS = {
    "main": "一门市民服务中心",
    "kangbashi": "康巴什区政务服务中心",
    "ejinhoro": "伊金霍洛旗政务服务中心",
}
MOVED_ON = {"called", "serving", "done", "no_show", "transferred"}
"""A ticket in one of these has been called at a window."""


def _board_lines(text: str, base: str) -> dict[str, str]:
    """The printed board URL of each hall, by hall code."""
    found = re.findall(rf"({re.escape(base)}/board\?token=\S+)\s+(\w+): ", text)
    return {code: url for url, code in found}


def _called_by_hall(base: str, token: str) -> dict[str, tuple[int, int]]:
    """(tickets issued, tickets called) in each hall, as the city-wide manager sees them."""
    counts = {}
    for code in HALLS:
        tickets = httpx.get(
            f"{base}/api/tickets",
            params={"hall": code},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert tickets.status_code == 200, tickets.text
        statuses = [ticket["status"] for ticket in tickets.json()]
        counts[code] = (len(statuses), sum(status in MOVED_ON for status in statuses))
    return counts


def test_city_demo_works_three_halls_at_once(tmp_path: Path, page: Page) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.log"
    with log.open("w") as output:
        demo = subprocess.Popen(
            _demo(tmp_path / "demo", port, "--city", "--speed", "10"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        text = _wait_for(log, demo, "Press Ctrl+C", within=180)
        assert "一门 demo city: 鄂尔多斯市, 3 halls" in text, text
        assert f"Public halls:  {base}/api/public/halls" in text, text
        assert re.search(rf"clerk-tui --server {re.escape(base)} --window 9\b", text), text
        assert "log in as manager: city-wide" in text, text
        boards = _board_lines(text, base)
        assert boards.keys() == HALLS.keys(), text
        assert len(set(boards.values())) == 3, "each hall has a board token of its own"

        # The manager is city-wide: it names the hall it looks at.
        login = httpx.post(
            f"{base}/api/auth/login",
            json={"username": "manager", "password": _passwords(text)["manager"]},
            timeout=60,
        )
        assert login.status_code == 200, login.text
        manager = login.json()["token"]
        deadline = time.monotonic() + 60
        counts = _called_by_hall(base, manager)
        while not all(issued and called for issued, called in counts.values()):
            assert demo.poll() is None, log.read_text("utf-8")
            assert time.monotonic() < deadline, counts
            time.sleep(0.5)
            counts = _called_by_hall(base, manager)
        free = httpx.get(
            f"{base}/api/windows/9",
            params={"hall": "main"},
            headers={"Authorization": f"Bearer {manager}"},
            timeout=60,
        )
        assert free.status_code == 200, free.text
        assert free.json()["clerk"] is None, "the printed clerk window is left to a person"
        needs_hall = httpx.get(
            f"{base}/api/tickets", headers={"Authorization": f"Bearer {manager}"}, timeout=60
        )
        assert needs_hall.status_code == 422, needs_hall.text

        # The municipal hall's self-service zone is alive; the district halls have none.
        assert zone_labels(base, manager, hall="main") == ZONE_ALIVE
        assert "zone     token" in text and "自助服务区:" in text, text

        for url in boards.values():
            assert httpx.get(url, timeout=60).status_code == 200, url

        # A 市域通办 case under way: received at main, forwarded to kangbashi.
        case_line = re.search(r"市域通办: +case (TB\d+) .* at (\S+/t/\S+)$", text, re.MULTILINE)
        assert case_line is not None, text
        waiting = httpx.get(
            f"{base}/api/cross-region-cases",
            params={"hall": "kangbashi", "hall_role": "owning"},
            headers={"Authorization": f"Bearer {manager}"},
            timeout=60,
        )
        assert waiting.status_code == 200, waiting.text
        [case] = waiting.json()
        assert (case["code"], case["status"]) == (case_line[1], "forwarded")
        assert case["actions"] == ["accept", "return"]
        assert "已转递" in httpx.get(case_line[2], timeout=60).text

        # A district hall's board: its own name, its own calls.
        page.goto(boards["kangbashi"])
        expect(page.locator("#hall-name")).to_have_text(HALLS["kangbashi"], timeout=30_000)
        expect(page.locator("#latest-number")).to_have_text(re.compile(r"[A-F]\d{3}"))
        expect(page.locator("#recent li").first).to_be_visible()
        screenshot(page, "demo-city-kangbashi-board")
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    text = log.read_text("utf-8")
    assert "The city's data is in" in text, text
    simulator_logs = sorted(p.name for p in (tmp_path / "demo" / "logs").glob("simulator-*"))
    assert simulator_logs == [f"simulator-{code}.log" for code in sorted(HALLS)]
