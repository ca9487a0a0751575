"""Online backups of a SQLite hall database, safe while the server is writing."""

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from queue_server.secret_key import SUFFIX, key_file_for

BACKUP_PATTERN = "hall-*.db"


class BackupError(Exception):
    """The backup cannot be made; the message says why."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError("only SQLite files are backed up this way; use pg_dump for PostgreSQL")
    return Path(url.database)


def backup(*, database_url: str, directory: Path, now: datetime, keep: int) -> Path:
    """Copy the database with SQLite's online backup API into `directory` as
    hall-YYYYMMDD-HHMMSS.db, check the copy, and keep only the newest `keep` copies. The
    server's key file (`<database>.secret`, when the key is not configured) goes beside it as
    hall-YYYYMMDD-HHMMSS.db.secret: without it a restored hall loses its locker codes."""
    source_path = sqlite_path(database_url)
    if not source_path.exists():
        raise BackupError(f"{source_path}: no such database")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"hall-{now:%Y%m%d-%H%M%S}.db"
    partial = target.with_suffix(".partial")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
    finally:
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {verdict}")
    key_file = key_file_for(database_url)
    if key_file is not None and key_file.exists():
        _copy_private(key_file, _key_file_of(target))
    partial.replace(target)
    for old in sorted(directory.glob(BACKUP_PATTERN))[:-keep] if keep > 0 else []:
        old.unlink()
        _key_file_of(old).unlink(missing_ok=True)
    return target


def _key_file_of(copy: Path) -> Path:
    return copy.with_name(copy.name + SUFFIX)


def _copy_private(source: Path, target: Path) -> None:
    """Copy a secret readable by its owner only (0600 from the moment it exists)."""
    target.unlink(missing_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(source.read_bytes())
