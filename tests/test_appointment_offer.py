"""What the public may book, through HTTP against a real server on a manual clock: the halls
and categories that take bookings (`GET /api/public/appointments/options`) and the free places
of a day's slots (`GET /api/public/appointments/slots`), with bad input refused as 4xx JSON."""

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from queue_server.client import QueueClient, QueueError
from queue_server.config import load_hall_config
from queue_server.domain.clock import ManualClock
from queue_server.domain.enums import AppointmentStatus
from tests.booking_support import TUESDAY, monday_clock, seed_bookings
from tests.support import LiveServer, live_server

SLOTS = "/api/public/appointments/slots"
OPTIONS = "/api/public/appointments/options"


def slots(booking_server: LiveServer, **query: str) -> httpx.Response:
    return booking_server.client().get(SLOTS, params=query)


def test_the_options_name_every_bookable_category_its_matters_and_the_open_days(
    booking_server: LiveServer, booking_clock: ManualClock
) -> None:
    answer = booking_server.client(booking_server.accounts.kiosk_token).get(
        OPTIONS
    )  # a token is ignored
    assert answer.status_code == 200
    (hall,) = answer.json()
    assert hall["hall"] == "main"
    assert hall["hall_name"] == "一门市民服务中心"
    assert [c["code"] for c in hall["categories"]] == ["general", "enterprise"]
    general = hall["categories"][0]
    assert general["name"] == "综合受理"
    assert general["capacity"] == 4
    assert general["slot_minutes"] == 30
    newborn = next(m for m in general["matters"] if m["id"] == "newborn")
    assert newborn["name"] == "新生儿出生"
    assert "出生医学证明" in newborn["materials"]
    assert all(m["id"] != "newborn" for m in hall["categories"][1]["matters"])
    # Monday 10:00: Tuesday to the next Monday, five working days.
    assert hall["days"] == ["2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11", "2026-12-14"]
    assert hall["cancel_hours"] == 2
    assert hall["check_in_early_minutes"] == 30
    assert hall["check_in_late_minutes"] == 10

    booking_clock.advance(timedelta(hours=7))  # 17:00: booking Tuesday has closed
    (later,) = booking_server.client().get(OPTIONS, params={"hall": "main"}).json()
    assert later["days"][0] == "2026-12-09"

    unknown = booking_server.client().get(OPTIONS, params={"hall": "nowhere"})
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "没有代码为“nowhere”的大厅"


def test_a_days_slots_with_their_free_places(booking_server: LiveServer) -> None:
    seed_bookings(booking_server.database_url, day=TUESDAY, slot="09:30", count=4)
    seed_bookings(booking_server.database_url, day=TUESDAY, slot="10:00", count=1)
    seed_bookings(
        booking_server.database_url,
        day=TUESDAY,
        slot="10:00",
        count=2,
        status=AppointmentStatus.CANCELLED,
    )
    seed_bookings(
        booking_server.database_url, day=TUESDAY, slot="10:00", count=1, category="enterprise"
    )

    answer = slots(booking_server, hall="main", category="general", day="2026-12-08")
    assert answer.status_code == 200
    listed = answer.json()
    assert [s["slot"] for s in listed] == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30",
    ]  # fmt: skip
    assert listed[0] == {"slot": "09:00", "end": "09:30", "capacity": 4, "free": 4}
    assert listed[1] == {"slot": "09:30", "end": "10:00", "capacity": 4, "free": 0}
    # A cancelled booking frees its place; another category's booking takes none here.
    assert listed[2] == {"slot": "10:00", "end": "10:30", "capacity": 4, "free": 3}

    enterprise = slots(booking_server, category="enterprise", day="2026-12-08").json()
    assert enterprise[2] == {"slot": "10:00", "end": "10:30", "capacity": 2, "free": 1}


OPEN_DAYS = "现在可预约12月8日至12月14日的工作日"
HALL = "一门市民服务中心"
WALK_IN = "不接受预约，请现场取号"


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ({"category": "general", "day": "2026-12-07"}, 409, f"12月7日不可预约：{OPEN_DAYS}"),
        ({"category": "general", "day": "2026-12-12"}, 409, f"12月12日不可预约：{OPEN_DAYS}"),
        ({"category": "general", "day": "2026-12-15"}, 409, f"12月15日不可预约：{OPEN_DAYS}"),
        ({"category": "consult", "day": "2026-12-08"}, 404, f"{HALL}的“咨询”{WALK_IN}"),
        ({"category": "nothing", "day": "2026-12-08"}, 404, f"{HALL}没有代码为“nothing”的业务"),
        ({"category": "general", "day": "2026-12-08", "hall": "no"}, 404, "没有代码为“no”的大厅"),
    ],
)  # fmt: skip
def test_a_day_category_or_hall_that_cannot_be_booked_says_why(
    booking_server: LiveServer, query: dict[str, str], status: int, detail: str
) -> None:
    answer = slots(booking_server, **query)
    assert answer.status_code == status
    assert answer.json()["detail"] == detail


@pytest.mark.parametrize(
    "query",
    [
        {"category": "general"},
        {"day": "2026-12-08"},
        {"category": "general", "day": "20261208"},
        {"category": "general", "day": "2026-02-30"},
        {"category": "General!", "day": "2026-12-08"},
        {"category": "general", "day": "2026-12-08", "hall": "x" * 40},
    ],
)
def test_malformed_queries_are_422_json(booking_server: LiveServer, query: dict[str, str]) -> None:
    answer = slots(booking_server, **query)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_request"


def test_slots_already_started_are_not_offered(tmp_path: Path) -> None:
    """A hall that books the same day (`min_days_ahead = 0`) offers only slots still ahead."""
    hall = load_hall_config()
    rules = hall.appointments.model_copy(update={"min_days_ahead": 0})
    same_day = hall.model_copy(update={"appointments": rules})
    with live_server(tmp_path, hall=same_day, clock=monday_clock(10, 15), clerks=1) as running:
        listed = slots(running, category="general", day="2026-12-07").json()
    assert [s["slot"] for s in listed][:2] == ["10:30", "11:00"]


@pytest.mark.anyio
async def test_the_client_reads_the_options_and_slots(booking_server: LiveServer) -> None:
    seed_bookings(booking_server.database_url, day=TUESDAY, slot="09:00", count=1)
    async with QueueClient(booking_server.base_url) as anyone:
        (hall,) = await anyone.appointment_options()
        assert hall.days[0] == TUESDAY
        assert (await anyone.appointment_options(hall="main"))[0].hall == "main"
        first = (await anyone.appointment_slots(category="general", day=TUESDAY))[0]
        assert (first.slot, first.capacity, first.free) == ("09:00", 4, 3)
        with pytest.raises(QueueError) as refused:
            await anyone.appointment_slots(category="general", day=TUESDAY - timedelta(days=1))
        assert refused.value.status_code == 409
