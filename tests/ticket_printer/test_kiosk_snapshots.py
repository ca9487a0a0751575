"""Every kiosk screen pinned as an SVG snapshot at 80×24 (the smallest supported) and 120×40.

The scenarios use the keyboard only: a mouse left over a button would draw it hovered, or not,
depending on timing.

The servers run on frozen clocks and so does the kiosk (its countdown reads the clock), so
every number, wait and countdown is the same on every run. Screens that only read share one
server; each ticket screen takes its number in a category of its own, so the snapshots do not
depend on the order the tests run in.
"""

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from queue_server.client import QueueClient
from queue_server.config import parse_hall_config
from queue_server.domain.clock import ManualClock
from tests.after_hours_support import OPENING_HOURS
from tests.support import LiveServer, live_server
from tests.test_config import DEFAULT_TEXT
from tests.ticket_printer.pilot import file_printer, idle, press, shown, start, until
from ticket_printer.kiosk.app import KioskApp
from ticket_printer.kiosk.screens.confirm import ConfirmScreen
from ticket_printer.kiosk.screens.matter import MatterScreen
from ticket_printer.kiosk.screens.ticket import TicketScreen
from ticket_printer.layout import CITY_PAGE
from ticket_printer.printing import Printer

OPEN_TIME = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in the hall
EVENING = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 20:00 in the hall
SIZES = [(80, 24), (120, 40)]

Compare = Callable[..., bool]
sizes = pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")


def kiosk(server: LiveServer, printer: Printer, *, now: datetime = OPEN_TIME) -> KioskApp:
    client = QueueClient(server.base_url, token=server.accounts.kiosk_token)
    return KioskApp(client, printer, device_name="kiosk-snapshot", clock=ManualClock(now))


def issue(server: LiveServer, category: str, count: int) -> None:
    kiosk_http = server.client(server.accounts.kiosk_token)
    for _ in range(count):
        assert kiosk_http.post("/api/tickets", json={"category": category}).status_code == 201


@pytest.fixture(scope="module")
def busy_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Read only: people waiting, two windows open, 出件 out of numbers for the day."""
    text = DEFAULT_TEXT.replace('name = "出件"\n', 'name = "出件"\ndaily_cap = 1\n')
    hall = parse_hall_config(text, source="snapshot.toml")
    with live_server(
        tmp_path_factory.mktemp("busy"), hall=hall, clock=ManualClock(OPEN_TIME)
    ) as server:
        for category, count in (("general", 5), ("consult", 2), ("enterprise", 1), ("pickup", 1)):
            issue(server, category, count)
        for clerk, window in ((0, 1), (1, 3)):
            token = server.login(server.accounts.clerks[clerk])
            signed_in = server.client(token).post(f"/api/windows/{window}/sign-in")
            assert signed_in.status_code == 200
        yield server


@pytest.fixture(scope="module")
def issuing_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Each ticket screen takes a number in its own category, two already waiting there."""
    with live_server(tmp_path_factory.mktemp("issuing"), clock=ManualClock(OPEN_TIME)) as server:
        for category in ("consult", "assist", "unresolved", "cross_region"):
            issue(server, category, 2)
        yield server


@pytest.fixture(scope="module")
def evening_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hall open on weekdays 09:00–12:00 and 13:30–17:00 (every category 08:30–17:00),
    and it is 20:00 on a Monday: 大厅已下班, with the 24-hour zone."""
    hours = 'opening_hours = [{ start = "08:30", end = "17:00" }]\n'
    text = DEFAULT_TEXT.replace("\nservice_minutes = ", "\n" + hours + "service_minutes = ")
    text += OPENING_HOURS
    hall = parse_hall_config(text, source="evening.toml")
    with live_server(
        tmp_path_factory.mktemp("evening"), hall=hall, clock=ManualClock(EVENING)
    ) as server:
        yield server


Steps = Callable[[Pilot[None], KioskApp], Awaitable[None]]


@dataclass(frozen=True)
class Pin:
    """Runs a kiosk against a server through some steps, then compares its screen with the
    test's snapshot; the kiosk prints to the file `printer` in the test's folder."""

    snap_compare: Compare
    folder: Path

    def __call__(
        self,
        server: LiveServer,
        size: tuple[int, int],
        steps: Steps,
        *,
        printer: str = "lp0",
        now: datetime = OPEN_TIME,
    ) -> bool:
        app = kiosk(server, file_printer(self.folder / printer), now=now)

        async def run_before(pilot: Pilot[None]) -> None:
            await steps(pilot, app)

        return self.snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.fixture
def pin(snap_compare: Compare, tmp_path: Path) -> Pin:
    return Pin(snap_compare, tmp_path)


async def settle(pilot: Pilot[None], app: KioskApp) -> None:
    """Wait until the hall is read and no network or printing work is under way."""
    await until(pilot, lambda: app.hall is not None and idle(app))
    await pilot.pause()


async def ready(pilot: Pilot[None], app: KioskApp) -> None:
    """The categories are laid out and the kiosk has put the focus on the first open one.
    It does that a moment after the buttons appear: a key pressed in between lands on
    whatever the focus moves to (seen on a loaded machine: 咨询 taken instead of 跨域通办)."""
    await start(pilot, app)
    await until(pilot, lambda: isinstance(app.focused, Button))


async def open_general(pilot: Pilot[None], app: KioskApp) -> None:
    """From the categories, by keyboard, to the matters of 综合受理 (general)."""
    await ready(pilot, app)
    await press(pilot, "#category-general")
    await shown(pilot, MatterScreen)


async def confirm_matter(pilot: Pilot[None], app: KioskApp, matter: str) -> None:
    """On to the confirm screen of one of 综合受理's matters."""
    await open_general(pilot, app)
    await press(pilot, f"#matter-{matter}")
    await shown(pilot, ConfirmScreen)


@sizes
def test_categories(pin: Pin, busy_hall: LiveServer, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[None], app: KioskApp) -> None:
        await ready(pilot, app)
        await settle(pilot, app)

    assert pin(busy_hall, size, steps)


@sizes
def test_matters(pin: Pin, busy_hall: LiveServer, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[None], app: KioskApp) -> None:
        await open_general(pilot, app)
        await pilot.pause()

    assert pin(busy_hall, size, steps)


@sizes
def test_confirm_retirement(pin: Pin, busy_hall: LiveServer, size: tuple[int, int]) -> None:
    """退休's eleven materials, all on one page, with 老年人 chosen."""

    async def steps(pilot: Pilot[None], app: KioskApp) -> None:
        await confirm_matter(pilot, app, "retirement")
        await press(pilot, "#priority-elderly")
        app.screen.query_one("#confirm").focus()
        await pilot.pause()

    assert pin(busy_hall, size, steps)


@sizes
def test_confirm_paged_checklist(pin: Pin, busy_hall: LiveServer, size: tuple[int, int]) -> None:
    """公民身后: twenty materials, more than 80×24 holds, on its second page."""

    async def steps(pilot: Pilot[None], app: KioskApp) -> None:
        await confirm_matter(pilot, app, "after_death")
        await pilot.pause()
        if app.screen.query_one("#pager").display:
            await press(pilot, "#materials-next")
        await pilot.pause()

    assert pin(busy_hall, size, steps)


def take_ticket(category: str) -> Steps:
    """Choose `category`, confirm it with Enter and wait for the ticket screen to settle."""

    async def steps(pilot: Pilot[None], app: KioskApp) -> None:
        await ready(pilot, app)
        await press(pilot, f"#category-{category}")
        await shown(pilot, ConfirmScreen)
        await pilot.press("enter")
        await shown(pilot, TicketScreen)
        await until(pilot, lambda: idle(app))
        await pilot.pause()

    return steps


@pytest.mark.parametrize(
    ("size", "category"),
    [((80, 24), "consult"), ((120, 40), "assist")],
    ids=["80x24", "120x40"],
)
def test_ticket_printed(
    pin: Pin, issuing_hall: LiveServer, size: tuple[int, int], category: str
) -> None:
    assert pin(issuing_hall, size, take_ticket(category))


@pytest.mark.parametrize(
    ("size", "category"),
    [((80, 24), "unresolved"), ((120, 40), "cross_region")],
    ids=["80x24", "120x40"],
)
def test_printer_fault(
    pin: Pin, issuing_hall: LiveServer, size: tuple[int, int], category: str
) -> None:
    assert pin(issuing_hall, size, take_ticket(category), printer="unplugged/lp0")


@sizes
def test_closed_hours(pin: Pin, evening_hall: LiveServer, size: tuple[int, int]) -> None:
    """大厅已下班 with the next opening, the zone's devices (none has reported: 状态未知) and the
    QR code to /city, which encodes the server's address, whose port changes every run: the
    snapshot pins one address (test_kiosk_nearby checks the real one)."""

    async def steps(pilot: Pilot[None], app: KioskApp) -> None:
        await until(pilot, lambda: len(app.screen.query(".category")) == 7)
        await settle(pilot, app)
        app.category_screen.city_url = f"http://yimen.example{CITY_PAGE}"
        await pilot.pause()

    assert pin(evening_hall, size, steps, now=EVENING)
