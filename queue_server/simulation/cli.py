"""`queue-server simulate`: a hall day in virtual time, or live against a running server."""

import asyncio
import dataclasses
import json
import logging
from datetime import time
from pathlib import Path
from typing import Annotated

import typer

from queue_server.config import ConfigError, load_hall_config
from queue_server.simulation.profile import load_profile

CLERKS_ENV = "YIMEN_SIM_CLERKS"
KIOSK_TOKEN_ENV = "YIMEN_SIM_KIOSK_TOKEN"


def parse_clerks(text: str) -> list[tuple[str, str]]:
    """`name:password` pairs separated by commas, spaces or new lines."""
    pairs = []
    for item in text.replace(",", "\n").split():
        name, sep, password = item.partition(":")
        if not sep or not name or not password:
            raise typer.BadParameter("clerks are given as name:password, separated by commas")
        pairs.append((name, password))
    return pairs


def _windows(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(part) for part in text.replace(",", " ").split()]
    except ValueError as error:
        raise typer.BadParameter("--windows takes window numbers, e.g. 2,3,4") from error


def simulate(
    virtual: Annotated[
        bool, typer.Option("--virtual", help="Run in virtual time, without a server")
    ] = False,
    days: Annotated[int, typer.Option(min=1, help="Virtual days to simulate")] = 100,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same days")] = 1,
    profile_path: Annotated[
        Path | None, typer.Option("--profile", help="Simulation profile TOML")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Hall configuration TOML (virtual)", envvar="YIMEN_CONFIG"),
    ] = None,
    policy: Annotated[
        list[str] | None,
        typer.Option(
            "--policy",
            help=(
                "Policies to compare (virtual): configured, longest_wait, category_order, "
                "no_overflow, overflow, tidal, fifo"
            ),
        ),
    ] = None,
    no_estimates: Annotated[
        bool, typer.Option("--no-estimates", help="Skip scoring the ETA (faster)")
    ] = False,
    no_oracle: Annotated[
        bool,
        typer.Option(
            "--no-oracle", help="Skip replaying moments for the ETA oracle (about 1 s a day)"
        ),
    ] = False,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the virtual report as JSON here")
    ] = None,
    server: Annotated[
        str | None, typer.Option("--server", help="Live: the queue server's URL")
    ] = None,
    speed: Annotated[
        float, typer.Option(min=0.001, help="Live: how many times faster than real time")
    ] = 60.0,
    day_seconds: Annotated[
        float | None,
        typer.Option("--day-seconds", min=1.0, help="Live: squeeze the whole day into this"),
    ] = None,
    kiosk_token: Annotated[
        str | None,
        typer.Option("--kiosk-token", envvar=KIOSK_TOKEN_ENV, help="Live: a kiosk device token"),
    ] = None,
    clerks: Annotated[
        str | None,
        typer.Option(
            "--clerks",
            envvar=CLERKS_ENV,
            help="Live: clerk logins as name:password,… (better in the environment)",
            show_default=False,
        ),
    ] = None,
    clerks_file: Annotated[
        Path | None,
        typer.Option("--clerks-file", help="Live: a file of name:password lines"),
    ] = None,
    windows: Annotated[
        str | None, typer.Option("--windows", help="Live: staff only these windows, e.g. 2,3,4")
    ] = None,
    arrival_scale: Annotated[
        float, typer.Option("--arrival-scale", min=0.0, help="Multiply the arrival rates")
    ] = 1.0,
) -> None:
    """Simulate a hall day: `--virtual --days N` in virtual time, or live with `--server URL`.

    Live, a kiosk bot and one clerk bot per window work the real server through its API;
    windows somebody else has signed in to are left alone. Credentials come from options or,
    better, the environment (YIMEN_SIM_KIOSK_TOKEN, YIMEN_SIM_CLERKS) and are never printed.
    """
    try:
        profile = load_profile(profile_path)
    except ConfigError as error:
        raise typer.Exit(_fail(str(error))) from error
    if virtual == (server is not None):
        raise typer.Exit(_fail("give either --virtual or --server URL"))
    if virtual:
        _virtual(
            profile_path, config, days, seed, policy, not no_estimates, json_out, not no_oracle
        )
        return
    assert server is not None
    if not kiosk_token:
        raise typer.Exit(
            _fail(f"live runs need a kiosk token (--kiosk-token or {KIOSK_TOKEN_ENV})")
        )
    text = clerks or ""
    if clerks_file is not None:
        text += "\n" + clerks_file.read_text(encoding="utf-8")
    logins = parse_clerks(text)
    if not logins:
        raise typer.Exit(_fail(f"live runs need clerk logins (--clerks-file or {CLERKS_ENV})"))
    if day_seconds is not None:
        length = _seconds(profile.day.closes) - _seconds(profile.day.opens)
        speed = length / day_seconds
    _live(server, profile_path, kiosk_token, logins, speed, seed, _windows(windows), arrival_scale)


def _seconds(moment: time) -> float:
    return moment.hour * 3600.0 + moment.minute * 60.0 + moment.second


def _fail(message: str) -> int:
    typer.echo(message, err=True)
    return 2


def _virtual(
    profile_path: Path | None,
    config: Path | None,
    days: int,
    seed: int,
    policies: list[str] | None,
    estimate: bool,
    json_out: Path | None,
    oracle: bool = True,
) -> None:
    from queue_server.simulation.report import format_report
    from queue_server.simulation.virtual import POLICY_CHOICES, simulate

    chosen = policies or list(POLICY_CHOICES)
    unknown = [p for p in chosen if p not in POLICY_CHOICES]
    if unknown:
        raise typer.Exit(_fail(f"unknown policy {unknown[0]}; known: {', '.join(POLICY_CHOICES)}"))
    try:
        hall = load_hall_config(config)
        profile = load_profile(profile_path)
        report = simulate(
            hall=hall,
            profile=profile,
            days=days,
            seed=seed,
            policies=chosen,
            estimate=estimate,
            oracle=oracle,
        )
    except ConfigError as error:
        raise typer.Exit(_fail(str(error))) from error
    typer.echo(format_report(report))
    if json_out is not None:
        data = dataclasses.asdict(report)
        data["estimates"]["error_ratio"] = report.estimates.error_ratio
        data["estimates"]["oracle_ratio"] = report.estimates.oracle_ratio
        json_out.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _live(
    server: str,
    profile_path: Path | None,
    kiosk_token: str,
    logins: list[tuple[str, str]],
    speed: float,
    seed: int,
    windows: list[int] | None,
    arrival_scale: float,
) -> None:
    from queue_server.client import QueueError
    from queue_server.simulation.live import Clerk, run_live

    logging.basicConfig(level=logging.WARNING)
    typer.echo(f"simulating a day at {server}, {speed:g}× real time …")
    try:
        report = asyncio.run(
            run_live(
                server=server,
                profile=load_profile(profile_path),
                kiosk_token=kiosk_token,
                clerks=[Clerk(name, password) for name, password in logins],
                speed=speed,
                seed=seed,
                windows=windows,
                arrival_scale=arrival_scale,
            )
        )
    except QueueError as error:
        raise typer.Exit(_fail(f"simulation stopped: {error.detail}")) from error
    actions = ", ".join(f"{name} {count}" for name, count in sorted(report.actions.items()))
    typer.echo(
        f"day over in {report.seconds:.1f} s ({report.setup_seconds:.1f} s to log in): "
        f"{report.issued} tickets issued; {actions}; "
        f"windows staffed {report.staffed}"
    )
    if report.skipped_windows:
        typer.echo(f"left to somebody else: windows {sorted(report.skipped_windows)}")
    if report.skipped_categories:
        skipped = ", ".join(f"{c} {n}" for c, n in sorted(report.skipped_categories.items()))
        typer.echo(f"not issued (no window staffed for them): {skipped}")
    for message in report.errors[:20]:
        typer.echo(f"error: {message}", err=True)
    if report.unfinished:
        typer.echo(f"still open at the end: {', '.join(report.unfinished)}", err=True)
    if report.unfinished or report.errors:
        raise typer.Exit(1)
