"""Terminals and the shared protocol load without FastAPI or the database layer, and the
import contracts in pyproject.toml hold."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SERVER_ONLY = ("fastapi", "starlette", "sqlalchemy", "sqlmodel", "alembic", "uvicorn")


@pytest.mark.parametrize(
    "module",
    [
        "queue_server.protocol",
        "queue_server.client",
        "clerk_tui.cli",
        "clerk_tui.app",
        "display_board.cli",
        "ticket_printer.cli",
    ],
)
def test_client_side_modules_do_not_load_the_server(module: str) -> None:
    probe = (
        f"import sys, json, {module}; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {SERVER_ONLY!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout) == []


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[1],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
