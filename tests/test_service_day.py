"""Numbers restart when the service day turns, at the configured hour in the hall's zone."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from queue_server.domain.clock import ManualClock
from tests.support import live_server


def test_numbers_restart_at_four_in_the_morning_shanghai_time(tmp_path: Path) -> None:
    # 19:59 UTC on 1 March is 03:59 on 2 March in Shanghai: still the service day of 1 March.
    clock = ManualClock(datetime(2026, 3, 1, 19, 59, tzinfo=UTC))
    with live_server(tmp_path, clock=clock) as server:
        kiosk = server.client(server.accounts.kiosk_token)
        late = [kiosk.post("/api/tickets", json={"category": "general"}).json() for _ in range(2)]
        assert [t["number"] for t in late] == ["B001", "B002"]
        assert {t["service_day"] for t in late} == {"2026-03-01"}

        clock.advance(timedelta(minutes=1))
        early = kiosk.post("/api/tickets", json={"category": "general"}).json()
        assert (early["number"], early["service_day"]) == ("B001", "2026-03-02")
        assert early["ahead"] == 0  # yesterday's leftovers are not in today's queue

        hall = kiosk.get("/api/hall").json()
        assert hall["service_day"] == date(2026, 3, 2).isoformat()
        general = next(c for c in hall["categories"] if c["code"] == "general")
        assert (general["waiting"], general["issued_today"]) == (1, 1)

        clerk = server.client(server.login(server.accounts.clerks[0]))
        clerk.post("/api/windows/2/sign-in")
        assert clerk.post("/api/windows/2/call-next").json()["id"] == early["id"]
        clerk.post(f"/api/tickets/{early['id']}/no-show")
        assert clerk.post("/api/windows/2/call-next").status_code == 204
