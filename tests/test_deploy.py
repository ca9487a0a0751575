"""The example files in deploy/ parse, and every command they run exists."""

import configparser
import re
import shlex
import tomllib
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
import typer

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))


def _scripts() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    scripts: dict[str, str] = project["project"]["scripts"]
    return scripts


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text("utf-8"), source=str(path))
    return parser


def _command_of(script: str) -> Any:
    module, _, attribute = _scripts()[script].partition(":")
    app = getattr(import_module(module), attribute)
    assert isinstance(app, typer.Typer)
    return typer.main.get_command(app)


def _check_invocation(argv: list[str]) -> None:
    """argv[0] is one of our console scripts, and its subcommands and options exist."""
    command = _command_of(Path(argv[0]).name)
    args = argv[1:]
    while isinstance(getattr(command, "commands", None), dict):
        assert args, f"{argv[0]} needs a subcommand"
        sub = command.commands.get(args[0])
        assert sub is not None, f"{argv[0]} has no subcommand {args[0]!r}"
        command, args = sub, args[1:]
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for arg in args:
        if arg.startswith("--"):
            assert arg.split("=")[0] in known, f"{' '.join(argv[:2])}: unknown option {arg}"


def test_there_are_units_to_check() -> None:
    names = {unit.name for unit in UNITS}
    assert {"yimen-server.service", "yimen-backup.service", "yimen-backup.timer"} <= names


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_parses_and_runs_existing_commands(path: Path) -> None:
    unit = _unit(path)
    assert unit.has_section("Unit") and unit.get("Unit", "Description")
    if path.suffix == ".timer":
        service = unit.get("Timer", "Unit")
        assert (DEPLOY / service).exists()
        assert unit.get("Timer", "OnCalendar")
        return
    argv = shlex.split(unit.get("Service", "ExecStart"))
    program = Path(argv[0])
    if program.name in _scripts():
        assert str(program).startswith("/opt/yimen/.venv/bin/")
        _check_invocation(argv)
    else:
        assert program.is_absolute() and program.exists(), f"{program} is not installed here"
    if unit.has_section("Install"):
        assert unit.get("Install", "WantedBy")


def test_server_unit_keeps_its_database_in_the_state_directory() -> None:
    unit = _unit(DEPLOY / "yimen-server.service")
    assert unit.get("Service", "StateDirectory") == "yimen"
    argv = shlex.split(unit.get("Service", "ExecStart"))
    assert argv[argv.index("--db") + 1].startswith("/var/lib/yimen/")
    assert unit.get("Service", "Restart") == "always"


def test_udev_rules_and_journald_drop_in_are_well_formed() -> None:
    for line in (DEPLOY / "99-yimen-printer.rules").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r'(\w+(\{\w+\})?(==|=)"[^"]*"(, )?)+', line), line
    journal = _unit(DEPLOY / "journald-yimen.conf")
    assert journal.get("Journal", "SystemMaxUse")


def test_operations_guide_names_every_deploy_file() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text("utf-8")
    for path in DEPLOY.iterdir():
        assert f"deploy/{path.name}" in guide, path.name
