"""`queue-server backup`: a consistent copy of a live SQLite hall, old copies pruned."""

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from queue_server.secret_key import key_file_for
from tests.support import LiveServer

QUEUE_SERVER = [sys.executable, "-m", "queue_server.cli"]


def test_backup_of_a_running_hall(server: LiveServer, tmp_path: Path) -> None:
    kiosk = server.client(server.accounts.kiosk_token)
    for _ in range(3):
        assert kiosk.post("/api/tickets", json={"category": "pickup"}).status_code == 201
    target = tmp_path / "backups"
    target.mkdir()
    for old in ("hall-20000101-000000.db", "hall-20000102-000000.db"):
        (target / old).write_bytes(b"")
        (target / f"{old}.secret").write_bytes(b"")
    run = subprocess.run(
        [*QUEUE_SERVER, "backup", "--db", server.database_url, "--to", str(target), "--keep", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "backed up to" in run.stdout
    copies = sorted(target.glob("hall-*.db"))
    assert copies[0].name == "hall-20000102-000000.db"
    assert len(copies) == 2
    with sqlite3.connect(copies[-1]) as copy:
        assert copy.execute("SELECT count(*) FROM ticket").fetchone() == (3,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert kiosk.post("/api/tickets", json={"category": "pickup"}).status_code == 201
    key_file = key_file_for(server.database_url)
    assert key_file is not None and key_file.exists()
    assert sorted(path.name for path in target.glob("*.secret")) == [
        f"{copy.name}.secret" for copy in copies
    ]
    kept_key = target / f"{copies[-1].name}.secret"
    assert kept_key.read_bytes() == key_file.read_bytes()
    assert stat.S_IMODE(kept_key.stat().st_mode) == 0o600


def test_backup_refuses_what_it_cannot_copy(tmp_path: Path) -> None:
    run = subprocess.run(
        [*QUEUE_SERVER, "backup", "--db", str(tmp_path / "none.db"), "--to", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "no such database" in run.stderr
