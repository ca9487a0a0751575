"""The demo's 24-hour self-service zone: its devices' heartbeats and one 一键求助.

`make demo` starts this as its own process per hall with a zone (`python -m
queue_server.demo_zone --server URL`, the hall's zone device token in `YIMEN_ZONE_TOKEN`). It
learns the zone's devices from `GET /api/hall`, then reports every device's heartbeat each
`--interval` seconds (well within the server's offline limit): all work, except the 证照打印机,
whose paper tray is empty (`paper_out`, which opens its repair case: 暂停使用 on the kiosks and
boards, a case on the manager console's 自助服务区 page) until staff mark that case fixed
(`repair.fixed`): then it has paper again. Early in the day a person at a terminal presses
一键求助, so the consoles' help banner has something to show.
"""

import asyncio
import dataclasses
import os
import sys
import time
from dataclasses import dataclass
from typing import Annotated

import httpx
import typer

from queue_server.client import QueueClient, QueueError
from queue_server.domain.enums import DeviceKind, DeviceState, EventType
from queue_server.domain.self_service import ZoneDeviceKind, ZoneStatus
from queue_server.protocol import EventMessage, ZoneDevicePublic

TOKEN_ENV = "YIMEN_ZONE_TOKEN"
HEARTBEAT_SECONDS = 20.0
"""A quarter of the default offline limit (90 s): a late round never makes a device offline."""
EMPTY_PRINTER = "ss-print"
"""The device that ran out of paper in the night."""
EMPTY_DETAIL = "纸盒已空"
HELP_NOTE = "不会操作，请工作人员帮忙"
TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Report:
    """One device's heartbeat."""

    name: str
    kind: DeviceKind
    state: DeviceState
    detail: str | None = None


def reports(devices: list[ZoneDevicePublic]) -> list[Report]:
    """What each zone device reports in the demo: all well but the empty printer."""
    return [
        Report(
            device.name,
            DeviceKind.LOCKER if device.kind is ZoneDeviceKind.LOCKER else DeviceKind.SELF_SERVICE,
            DeviceState.PAPER_OUT if device.name == EMPTY_PRINTER else DeviceState.OK,
            EMPTY_DETAIL if device.name == EMPTY_PRINTER else None,
        )
        for device in devices
    ]


def help_device(devices: list[ZoneDevicePublic]) -> str | None:
    """The terminal where someone asks for help: the zone's first."""
    terminals = [device.name for device in devices if device.kind is ZoneDeviceKind.TERMINAL]
    return terminals[0] if terminals else None


def expected_statuses(devices: list[ZoneDevicePublic]) -> dict[str, ZoneStatus]:
    """How the zone shows each device once its reports are in."""
    return {
        report.name: ZoneStatus.OK if report.state is DeviceState.OK else ZoneStatus.FAULT
        for report in reports(devices)
    }


async def zone_problems(
    base: str, *, kiosk: str, admin_password: str, hall: str | None, within: float = 30.0
) -> list[str]:
    """What is wrong with the hall's zone as a kiosk and the admin see it, if anything: every
    device shown as its reports say (waiting up to `within` seconds for the first round), and
    the 一键求助 raised."""
    async with QueueClient(base, token=kiosk, timeout=TIMEOUT_SECONDS) as client:
        deadline = time.monotonic() + within
        while True:
            zone = (await client.hall()).self_service
            if zone is None:
                return []
            expected = expected_statuses(zone.devices)
            shown = {device.name: device.status for device in zone.devices}
            if shown == expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
    problems = [
        f"zone device {name} shows {shown[name]}, not {status}"
        for name, status in expected.items()
        if shown[name] != status
    ]
    async with QueueClient(base, hall=hall, timeout=TIMEOUT_SECONDS) as client:
        await client.login("admin", admin_password)
        if help_device(zone.devices) and not await client.help_requests(open_only=True):
            problems.append("no 一键求助 was raised in the zone")
    return problems


def _say(text: str) -> None:
    typer.echo(f"{time.strftime('%H:%M:%S')}  {text}")


async def _beat(client: QueueClient, report: Report) -> None:
    try:
        await client.heartbeat(
            report.name, kind=report.kind, state=report.state, detail=report.detail
        )
    except (QueueError, httpx.HTTPError) as error:
        _say(f"heartbeat of {report.name} failed: {error}")


async def _refill_when_fixed(client: QueueClient, plan: dict[str, Report]) -> None:
    """Staff put paper in and mark the printer's repair case fixed (`repair.fixed`): from then
    on it reports ok, at once, so verifying the case shows it 正常使用 again."""
    async for item in client.subscribe():
        if not isinstance(item, EventMessage) or item.type is not EventType.REPAIR_FIXED:
            continue
        name = (item.payload or {}).get("device")
        report = plan.get(name) if isinstance(name, str) else None
        if report is not None and report.state is not DeviceState.OK:
            plan[report.name] = dataclasses.replace(report, state=DeviceState.OK, detail=None)
            _say(f"{report.name} was repaired: it reports ok")
            await _beat(client, plan[report.name])


async def _beat_rounds(
    client: QueueClient, plan: dict[str, Report], help_at: str | None, *, interval: float
) -> None:
    """Every device's heartbeat each `interval`; 一键求助 at `help_at` after the first round."""
    while True:
        for report in list(plan.values()):
            await _beat(client, report)
        if help_at is not None:
            try:
                await client.request_help(device=help_at, note=HELP_NOTE)
                _say(f"一键求助 pressed at {help_at}")
                help_at = None
            except (QueueError, httpx.HTTPError) as error:
                _say(f"一键求助 at {help_at} failed: {error}")
        await asyncio.sleep(interval)


async def run_zone(base: str, token: str, *, interval: float) -> None:
    """Report the zone's heartbeats until stopped; ask for help once, after the first round;
    refill the printer when staff fix it."""
    async with QueueClient(base, token=token, timeout=TIMEOUT_SECONDS) as client:
        zone = (await client.hall()).self_service
        if zone is None or not zone.devices:
            _say("this hall has no self-service zone: nothing to report")
            return
        plan = {report.name: report for report in reports(zone.devices)}
        _say(f"zone devices: {', '.join(plan)}")
        await asyncio.gather(
            _beat_rounds(client, plan, help_device(zone.devices), interval=interval),
            _refill_when_fixed(client, plan),
        )


def main(
    server: Annotated[str, typer.Option("--server", help="The queue server's base URL")],
    interval: Annotated[
        float, typer.Option("--interval", min=1.0, help="Seconds between heartbeat rounds")
    ] = HEARTBEAT_SECONDS,
) -> None:
    """Simulate the hall's self-service zone (its device token in YIMEN_ZONE_TOKEN)."""
    token = os.environ.get(TOKEN_ENV)
    if not token:
        typer.echo(f"{TOKEN_ENV} is not set (the hall's zone device token)", err=True)
        raise typer.Exit(2)
    try:
        asyncio.run(run_zone(server, token, interval=interval))
    except KeyboardInterrupt:
        pass
    except QueueError as error:
        typer.echo(f"zone simulation stopped: {error.detail}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    typer.run(main)
