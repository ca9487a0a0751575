"""The server's secret key (`YIMEN_SECRET_KEY`): what pickup codes (and, later, other derived
values) are computed from, and where it comes from when it is not set.

- Set: its UTF-8 bytes are the key. Several server processes (PostgreSQL) must all be given
  the same value, or a code shown by one is refused by another.
- Not set, SQLite file: a random key is made once and kept next to the database in
  `<database>.secret` (mode 0600), so codes survive a restart; back it up with the database.
- Not set, SQLite in memory: a random key for this process (its data dies with it anyway).
- Not set, PostgreSQL: no key. The server runs, but what needs the key (locker deposits,
  pickups, the pickup code on the status page) answers 409 saying YIMEN_SECRET_KEY is missing:
  a key made up by one process would not be known to the others.
"""

import logging
import os
import secrets
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger(__name__)

KEY_BYTES = 32
SUFFIX = ".secret"


def key_file_for(database_url: str) -> Path | None:
    """`<database>.secret` beside a SQLite file; None for memory or another database."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).with_name(Path(url.database).name + SUFFIX)


def _read_or_create(path: Path) -> bytes:
    """The key in `path`, made (hex, 0600, never overwritten) if the file does not exist."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text(encoding="ascii").strip()
        if len(text) < KEY_BYTES:
            raise ValueError(f"{path}: the secret key file is too short") from None
        return text.encode("ascii")
    key = secrets.token_hex(KEY_BYTES)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    log.info("made a new secret key in %s (keep it with the database's backups)", path)
    return key.encode("ascii")


def resolve_secret_key(configured: str | None, database_url: str) -> bytes | None:
    """The key the server derives codes with (see the module's docstring), or None."""
    if configured:
        return configured.encode("utf-8")
    if sa.make_url(database_url).get_backend_name() != "sqlite":
        log.warning("YIMEN_SECRET_KEY is not set: the smart locker's pickup codes are off")
        return None
    path = key_file_for(database_url)
    if path is None:
        return secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    return _read_or_create(path)
