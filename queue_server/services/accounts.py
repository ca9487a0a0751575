"""Users, logins and device tokens."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from queue_server.domain.enums import Role
from queue_server.domain.errors import Conflict, Forbidden, InvalidInput
from queue_server.models import ApiToken, User
from queue_server.security import hash_password, new_token, token_digest, verify_password

PERSON_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.CLERK})
STAFF_ROLES = PERSON_ROLES
"""Roles that see what staff write (reasons, notes); devices see only public texts."""
DEVICE_ROLES = frozenset({Role.KIOSK, Role.BOARD, Role.EVALUATOR, Role.DEVICE})
DEVICE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""What a device may be called (the path parameter of its heartbeat)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a logged-in person or a device."""

    token_id: int
    role: Role
    name: str
    user_id: int | None = None
    display_name: str | None = None
    staff_no: str | None = None
    expires_at: datetime | None = None
    """When the token stops working (login tokens); None for device tokens."""
    devices: frozenset[str] = frozenset()
    """Device tokens: the device names whose heartbeats it may send."""
    window_no: int | None = None
    """Evaluator tokens: the window it rates (None: issued before tokens were bound)."""
    hall: str | None = None
    """The one hall it acts in; None for a city-wide manager or admin."""

    @property
    def key(self) -> str:
        """Stable identity for idempotency records; survives a re-login."""
        return f"user:{self.user_id}" if self.user_id is not None else f"device:{self.token_id}"


def create_user(
    *,
    session: Session,
    name: str,
    role: Role,
    password: str,
    display_name: str | None,
    staff_no: str | None,
    now: datetime,
    hall: str | None = None,
) -> User:
    """`hall`: where a clerk works (required for clerks by the CLI in a city of several
    halls); a manager or admin without one is city-wide."""
    if role not in PERSON_ROLES:
        raise InvalidInput(f"role {role} is for devices: use `queue-server token issue`")
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters")
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise Conflict(f"user {name!r} already exists")
    user = User(
        name=name,
        role=role,
        password_hash=hash_password(password),
        display_name=display_name or name,
        staff_no=staff_no,
        created_at=now,
        hall=hall,
    )
    session.add(user)
    session.flush()
    return user


def issue_device_token(
    *,
    session: Session,
    name: str,
    role: Role,
    now: datetime,
    devices: Sequence[str] = (),
    window_no: int | None = None,
    hall: str | None = None,
) -> str:
    """Create a device token and return it in clear; only its digest is kept. It reports the
    heartbeats of the device `name` and of `devices`; an evaluator token rates `window_no`."""
    if role not in DEVICE_ROLES:
        raise InvalidInput(f"device tokens are for {', '.join(sorted(DEVICE_ROLES))}, not {role}")
    if window_no is not None and role is not Role.EVALUATOR:
        raise InvalidInput("only evaluator tokens are bound to a window (--window)")
    extra = sorted(set(devices) - {name})
    bad = [device for device in [name, *extra] if not DEVICE_NAME.fullmatch(device)]
    if bad:
        raise InvalidInput(f"not a device name (letters, digits, . _ -): {', '.join(bad)}")
    token = new_token()
    session.add(
        ApiToken(
            token_hash=token_digest(token),
            role=role,
            name=name,
            device=True,
            created_at=now,
            device_names=" ".join(extra) or None,
            window_no=window_no,
            hall=hall,
        )
    )
    session.flush()
    return token


def find_user(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.name == name)).first()


def check_password(user: User | None, password: str) -> User:
    """The user, if the password is theirs and the account active. Argon2 is slow on purpose:
    call this outside any transaction, never under the hall's write lock."""
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Forbidden("用户名或密码错误")
    if not user.active:
        raise Forbidden("该账号已停用")
    return user


def open_login(
    *, session: Session, user: User, now: datetime, ttl: timedelta
) -> tuple[str, ApiToken]:
    """Create a login token for a checked user and return it in clear with its record."""
    token = new_token()
    record = ApiToken(
        token_hash=token_digest(token),
        role=user.role,
        name=user.name,
        user_id=user.id,
        created_at=now,
        expires_at=now + ttl,
        hall=user.hall,
    )
    session.add(record)
    session.flush()
    return token, record


def resolve_token(*, session: Session, token: str, now: datetime) -> Principal | None:
    record = session.exec(
        select(ApiToken).where(ApiToken.token_hash == token_digest(token))
    ).first()
    if record is None or record.id is None or record.revoked_at is not None:
        return None
    if record.expires_at is not None and record.expires_at <= now:
        return None
    user = session.get(User, record.user_id) if record.user_id is not None else None
    if record.user_id is not None and (user is None or not user.active):
        return None
    return Principal(
        token_id=record.id,
        role=record.role,
        name=record.name,
        user_id=record.user_id,
        display_name=user.display_name if user else None,
        staff_no=user.staff_no if user else None,
        expires_at=record.expires_at,
        devices=frozenset([record.name, *(record.device_names or "").split()])
        if record.device
        else frozenset(),
        window_no=record.window_no,
        hall=user.hall if user else record.hall,
    )


def revoke_token(*, session: Session, token_id: int, now: datetime) -> None:
    record = session.get(ApiToken, token_id)
    if record is not None and record.revoked_at is None:
        record.revoked_at = now
        session.add(record)
