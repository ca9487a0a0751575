"""Live: a planned day played against a real server through `queue_server.client` only.

A kiosk bot issues the day's tickets at their (compressed) arrival times; one clerk bot per
window signs in, calls, serves, marks no-shows, requeues those who come back, transfers and
takes its breaks, all through the public HTTP API. A window that somebody else has signed in
to (a real clerk) is left alone. Times shrink by `speed`: at 60, a minute of the day passes
in a second.
"""

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.client import QueueClient, QueueError
from queue_server.protocol import TicketPublic, TicketStatus, WindowPublic
from queue_server.simulation.plan import Absence, Applicant, DayPlan, plan_day
from queue_server.simulation.profile import Profile

log = logging.getLogger(__name__)

FINAL = frozenset(
    {TicketStatus.DONE, TicketStatus.TRANSFERRED, TicketStatus.CANCELLED, TicketStatus.NO_SHOW}
)
"""How a ticket may end the day; a no-show that never came back is over too."""
FALLBACK_POLL_SECONDS = 1.0
"""An idle clerk bot asks again this often even when no ticket of ours appeared (a real
clerk's transfer, say)."""
CLIENT_TIMEOUT_SECONDS = 60.0
"""Bots are patient: on a busy machine a login (argon2, on purpose slow) can take long."""
OVERTIME_SECONDS = 3 * 3600.0
"""Day time the bots keep serving after closing before they give up on the rest."""


@dataclass(frozen=True, slots=True)
class Clerk:
    name: str
    password: str


@dataclass
class LiveReport:
    issued: int = 0
    skipped_categories: Counter[str] = field(default_factory=Counter)
    """Applicants not issued because no bot staffs a window for their category."""
    staffed: list[int] = field(default_factory=list)
    skipped_windows: list[int] = field(default_factory=list)
    """Windows held by somebody else when their bot came."""
    actions: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    setup_seconds: float = 0.0
    """Logins and sign-ins before the day began."""
    seconds: float = 0.0


class _Doorbell:
    """Wakes idle clerk bots when the simulator itself adds to a queue."""

    def __init__(self) -> None:
        self.generation = 0
        self._event = asyncio.Event()

    def ring(self) -> None:
        self.generation += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seen: int, at_most: float) -> None:
        """Until the bell rings after generation `seen`, or `at_most` seconds."""
        if self.generation != seen:
            return
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), at_most)


class _Hall:
    """What the bots share: the time mapping, who is who, what is still open."""

    def __init__(self, plan: DayPlan, speed: float, report: LiveReport) -> None:
        self.plan = plan
        self.speed = speed
        self.report = report
        self.started = time.monotonic()
        self.applicants: dict[str, Applicant] = {}
        self.returned: set[str] = set()
        self.open_tickets: dict[int, str] = {}
        self.pending_returns = 0
        self.patience = 120.0
        self.returns: set[asyncio.Task[None]] = set()
        self.kiosk_done = False
        self.doorbell = _Doorbell()

    def day_seconds(self) -> float:
        """Seconds of the simulated day since opening."""
        return (time.monotonic() - self.started) * self.speed

    def day_time(self, moment: datetime) -> float:
        return (moment - self.plan.opens).total_seconds()

    async def until(self, day_seconds: float) -> None:
        delay = (day_seconds - self.day_seconds()) / self.speed
        if delay > 0:
            await asyncio.sleep(delay)

    async def spend(self, day_seconds: float) -> None:
        await asyncio.sleep(max(day_seconds, 0.0) / self.speed)

    @property
    def finished(self) -> bool:
        return self.kiosk_done and not self.open_tickets and self.pending_returns == 0

    @property
    def overtime(self) -> bool:
        closing = self.day_time(self.plan.closes)
        return self.kiosk_done and self.day_seconds() > closing + OVERTIME_SECONDS

    def track(self, ticket: TicketPublic) -> None:
        if ticket.status in FINAL:
            self.open_tickets.pop(ticket.id, None)
        else:
            self.open_tickets[ticket.id] = ticket.number


def choose_windows(
    windows: Sequence[WindowPublic], clerks: int, wanted: Sequence[int] | None
) -> list[int]:
    """Which windows the bots staff: the `wanted` ones, or first enough windows to cover every
    category, then the others in order, as far as there are clerks."""
    if wanted:
        return [number for number in wanted if any(w.number == number for w in windows)][:clerks]
    chosen: list[int] = []
    covered: set[str] = set()
    remaining = sorted(windows, key=lambda w: w.number)
    while len(chosen) < clerks:
        best = max(
            (w for w in remaining if w.number not in chosen),
            key=lambda w: (len(set(w.categories) - covered), -w.number),
            default=None,
        )
        if best is None or not set(best.categories) - covered:
            break
        chosen.append(best.number)
        covered |= set(best.categories)
    for window in remaining:
        if len(chosen) >= clerks:
            break
        if window.number not in chosen:
            chosen.append(window.number)
    return sorted(chosen)


async def _kiosk(client: QueueClient, hall: _Hall, served: set[str]) -> None:
    try:
        for applicant in hall.plan.applicants:
            if applicant.category not in served:
                hall.report.skipped_categories[applicant.category] += 1
                continue
            await hall.until(hall.day_time(applicant.arrives))
            try:
                ticket = await client.issue_ticket(applicant.category, priority=applicant.priority)
            except QueueError as error:
                hall.report.errors.append(f"issue {applicant.category}: {error.detail}")
                continue
            hall.applicants[ticket.number] = applicant
            hall.track(ticket)
            hall.report.issued += 1
            hall.doorbell.ring()
    finally:
        hall.kiosk_done = True


class _ClerkBot:
    def __init__(
        self, client: QueueClient, window: int, hall: _Hall, absences: Sequence[Absence]
    ) -> None:
        self.client = client
        self.window = window
        self.hall = hall
        self.absences = sorted(absences, key=lambda a: a.start)
        self.helpers: list[_ClerkBot] = []

    async def open(self) -> bool:
        """Sign in; False when somebody else holds the window."""
        try:
            await self.client.sign_in(self.window)
        except QueueError as error:
            if error.status_code == 409:
                self.hall.report.skipped_windows.append(self.window)
                return False
            raise
        self.hall.report.staffed.append(self.window)
        return True

    async def work(self) -> None:
        """Call and serve until the day is done; stop when the window is taken over."""
        try:
            while not self.hall.finished and not self.hall.overtime:
                try:
                    if await self._absence_due():
                        continue
                    seen = self.hall.doorbell.generation
                    ticket = await self.client.call_next(self.window)
                    if ticket is None:
                        await self.hall.doorbell.wait(seen, FALLBACK_POLL_SECONDS)
                        continue
                    self.hall.report.actions["call"] += 1
                    await self._serve(ticket)
                except QueueError as error:
                    taken = error.code in ("forbidden", "conflict")
                    if taken and await self._lost():
                        return
                    self.hall.report.errors.append(f"window {self.window}: {error.detail}")
        finally:
            with contextlib.suppress(QueueError):
                await self.client.sign_out(self.window)

    async def _lost(self) -> bool:
        """Whether somebody else now holds this window (then the bot leaves it to them)."""
        window = await self.client.window(self.window)
        me = await self.client.me()
        if window.clerk is not None and me.window_no != self.window:
            self.hall.report.actions["window_taken_over"] += 1
            return True
        return False

    async def _absence_due(self) -> bool:
        if not self.absences:
            return False
        absence = self.absences[0]
        now = self.hall.day_seconds()
        if now < self.hall.day_time(absence.start):
            return False
        self.absences.pop(0)
        end = self.hall.day_time(absence.end)
        if now >= end:
            return False
        if absence.closed:
            await self.client.sign_out(self.window)
            self.hall.report.actions["sign_out"] += 1
            await self.hall.until(end)
            await self.client.sign_in(self.window)
        else:
            await self.client.pause(self.window, "休息")
            self.hall.report.actions["pause"] += 1
            await self.hall.until(end)
            await self.client.resume(self.window)
        return True

    async def _serve(self, ticket: TicketPublic) -> None:
        hall = self.hall
        applicant = hall.applicants.get(ticket.number)
        if applicant is None:
            await self.client.start(ticket.id)
            await hall.spend(300)
            hall.track(await self.client.finish(ticket.id))
            return
        hop = ticket.transferred_from_id is not None
        first_visit = ticket.number not in hall.returned
        if not hop and applicant.no_show and first_visit:
            patience = hall.patience
            await hall.spend(patience / 2)
            await self.client.recall(ticket.id)
            await hall.spend(patience / 2)
            result = await self.client.no_show(ticket.id)
            self.hall.report.actions["no_show"] += 1
            if applicant.returns_after_seconds is not None:
                hall.pending_returns += 1
                task = asyncio.create_task(self._come_back(ticket, applicant.returns_after_seconds))
                hall.returns.add(task)
                task.add_done_callback(hall.returns.discard)
            hall.track(result)
            return
        await hall.spend(applicant.walk_seconds)
        await self.client.start(ticket.id)
        if hop:
            await hall.spend(applicant.transfer_service_seconds)
        else:
            await hall.spend(applicant.service_seconds)
        if not hop and applicant.transfer_to is not None:
            successor = await self.client.transfer(
                ticket.id, to_category=applicant.transfer_to, reason="转办不成事反映"
            )
            hall.report.actions["transfer"] += 1
            hall.open_tickets.pop(ticket.id, None)
            hall.track(successor)
            hall.doorbell.ring()
            return
        hall.track(await self.client.finish(ticket.id))
        self.hall.report.actions["finish"] += 1

    async def _come_back(self, ticket: TicketPublic, after: float) -> None:
        """The applicant returns and asks a clerk (this one, or any still signed in) to
        put them back in the queue."""
        try:
            await self.hall.spend(after)
            self.hall.returned.add(ticket.number)
            for bot in [self, *self.helpers]:
                try:
                    result = await bot.client.requeue(ticket.id)
                except QueueError:
                    continue
                self.hall.report.actions["requeue"] += 1
                self.hall.track(result)
                self.hall.doorbell.ring()
                return
            self.hall.report.errors.append(f"{ticket.number}: nobody could requeue it")
        finally:
            self.hall.pending_returns -= 1


async def run_live(
    *,
    server: str,
    profile: Profile,
    kiosk_token: str,
    clerks: Sequence[Clerk],
    speed: float,
    seed: int,
    windows: Sequence[int] | None = None,
    arrival_scale: float = 1.0,
) -> LiveReport:
    """Play one planned day against the server at `server`, `speed` times faster than life.

    Returns when every ticket the kiosk issued has ended (or after a long overtime)."""
    if speed <= 0:
        raise ValueError("speed must be above 0")
    report = LiveReport()
    started = time.monotonic()
    async with contextlib.AsyncExitStack() as stack:
        kiosk = await stack.enter_async_context(
            QueueClient(server, token=kiosk_token, timeout=CLIENT_TIMEOUT_SECONDS)
        )
        snapshot = await kiosk.hall()
        unknown = sorted(set(profile.categories) - {c.code for c in snapshot.categories})
        if unknown:
            raise QueueError(0, f"服务器没有这些业务类别：{', '.join(unknown)}", "profile")
        chosen = choose_windows(snapshot.windows, len(clerks), windows)
        plan = plan_day(
            profile=profile,
            tz=ZoneInfo(snapshot.timezone),
            windows=chosen,
            day=snapshot.service_day,
            seed=seed,
            arrival_scale=arrival_scale,
        )
        hall = _Hall(plan, speed, report)
        hall.patience = profile.applicants.no_show_patience_seconds
        candidates = []
        for clerk, number in zip(clerks, chosen, strict=False):
            client = await stack.enter_async_context(
                QueueClient(server, timeout=CLIENT_TIMEOUT_SECONDS)
            )
            absences = [a for a in plan.absences if a.window == number]
            candidates.append((clerk, _ClerkBot(client, number, hall, absences)))
        await asyncio.gather(
            *(bot.client.login(clerk.name, clerk.password) for clerk, bot in candidates)
        )
        bots = [bot for _, bot in candidates if await bot.open()]
        for bot in bots:
            bot.helpers = [other for other in bots if other is not bot]
        categories = {w.number: w.categories for w in snapshot.windows}
        served = {code for bot in bots for code in categories[bot.window]}
        hall.started = time.monotonic()
        report.setup_seconds = hall.started - started
        await asyncio.gather(_kiosk(kiosk, hall, served), *(bot.work() for bot in bots))
        for task in list(hall.returns):
            task.cancel()
        report.unfinished = sorted(hall.open_tickets.values())
    report.seconds = time.monotonic() - started
    return report
