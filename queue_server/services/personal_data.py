"""An applicant's ID and phone number turned into what the hall keeps: keyed hashes for
matching (bookings per person, no-shows, real-name limits) and masked forms for display."""

from dataclasses import dataclass

from queue_server.domain import identity
from queue_server.domain.errors import Unavailable

NO_KEY = "服务器未设置密钥（YIMEN_SECRET_KEY），暂不能办理实名登记和预约"


def person_key(secret: bytes | None) -> bytes:
    """The server's secret key, or 409 when a PostgreSQL city runs without one."""
    if secret is None:
        raise Unavailable(NO_KEY)
    return secret


@dataclass(frozen=True, slots=True)
class Person:
    id_hash: str
    id_masked: str
    phone_hash: str | None = None
    phone_masked: str | None = None


def identify(secret: bytes | None, *, id_number: str, phone: str | None = None) -> Person:
    """What is kept of a person; the numbers themselves are dropped here."""
    key = person_key(secret)
    id_value = identity.normalise_id_number(id_number)
    phone_value = identity.normalise_phone(phone) if phone else None
    return Person(
        id_hash=identity.keyed_hash(key, id_value, purpose=identity.PURPOSE_ID),
        id_masked=identity.mask(id_value),
        phone_hash=(
            identity.keyed_hash(key, phone_value, purpose=identity.PURPOSE_PHONE)
            if phone_value
            else None
        ),
        phone_masked=identity.mask(phone_value) if phone_value else None,
    )
