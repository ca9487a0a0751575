"""Where the server's secret key comes from when YIMEN_SECRET_KEY is not set."""

import stat
from pathlib import Path

import pytest

from queue_server.secret_key import key_file_for, resolve_secret_key


def test_a_configured_key_is_used_as_it_is(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    assert resolve_secret_key("shared by every process", url) == b"shared by every process"
    assert not (tmp_path / "hall.db.secret").exists()


def test_a_sqlite_file_gets_a_key_file_beside_it_kept_across_restarts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'hall.db'}"
    first = resolve_secret_key(None, url)
    path = tmp_path / "data" / "hall.db.secret"
    assert key_file_for(url) == path
    assert first is not None and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_secret_key(None, url) == first


def test_a_damaged_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "hall.db.secret").write_text("short\n")
    with pytest.raises(ValueError, match="too short"):
        resolve_secret_key(None, f"sqlite:///{tmp_path / 'hall.db'}")
    assert (tmp_path / "hall.db.secret").read_text() == "short\n"


def test_memory_gets_a_key_per_process_and_postgresql_none() -> None:
    assert len(resolve_secret_key(None, "sqlite://") or b"") == 32
    assert resolve_secret_key(None, "postgresql+psycopg://yimen@db.example/yimen") is None
