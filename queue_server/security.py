"""Passwords and bearer tokens. Neither is ever stored or logged in clear."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("yimen-dummy-password")

PUBLIC_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PUBLIC_CODE_LENGTH = 16
"""16 symbols of 31: about 79 bits, so the codes of a year of tickets cannot be guessed."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists, so timing tells nothing."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_public_code() -> str:
    """The code in a ticket's status-page URL: unguessable, short, easy to type."""
    return "".join(secrets.choice(PUBLIC_CODE_ALPHABET) for _ in range(PUBLIC_CODE_LENGTH))


BOOKING_CODE_LENGTH = 8
"""8 symbols of 31 (no 0/O, 1/I/L): about 40 bits, short enough to type at a kiosk."""


def new_short_code(length: int = BOOKING_CODE_LENGTH) -> str:
    """A short code read aloud or typed by applicants (a booking code): unambiguous symbols."""
    return "".join(secrets.choice(PUBLIC_CODE_ALPHABET) for _ in range(length))
