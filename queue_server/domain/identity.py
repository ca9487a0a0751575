"""An applicant's identity as the hall may keep it: the 居民身份证号 checked (GB 11643, check
digit per ISO 7064 MOD 11-2), a phone number checked, both kept only as a keyed hash (for
matching) and a masked form (for display). Pure: the key comes in as an argument."""

import hashlib
import hmac
import re
from datetime import date

from queue_server.domain.errors import InvalidInput

ID_NUMBER_LENGTH = 18
_ID_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_PHONE_SHAPE = re.compile(r"^1[3-9]\d{9}$")

PURPOSE_ID = b"yimen applicant id number v1"
PURPOSE_PHONE = b"yimen applicant phone v1"


def check_digit(first_seventeen: str) -> str:
    """The 18th character of an ID number whose first 17 digits are given."""
    pairs = zip(first_seventeen, _WEIGHTS, strict=True)
    total = sum(int(digit) * weight for digit, weight in pairs)
    return _CHECK_CHARACTERS[total % 11]


def normalise_id_number(text: str) -> str:
    """The ID number as stored for hashing: trimmed, full-width and lower-case `x` made `X`.

    Raises InvalidInput (in Chinese) for anything but 18 characters with a real birth date and
    the right check digit; the message never repeats the number.
    """
    value = text.strip().replace("ｘ", "X").replace("x", "X")
    value = value.translate({code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)})
    if not _ID_SHAPE.match(value):
        raise InvalidInput("身份证号应为18位：17位数字加1位数字或X")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as error:
        raise InvalidInput("身份证号中的出生日期无效，请核对") from error
    if check_digit(value[:17]) != value[17]:
        raise InvalidInput("身份证号校验位不正确，请核对后重新输入")
    return value


def normalise_phone(text: str) -> str:
    """A mainland mobile number, 11 digits (spaces, dashes and a +86 prefix are dropped)."""
    value = re.sub(r"[\s-]", "", text)
    value = value.removeprefix("+86")
    if not _PHONE_SHAPE.match(value):
        raise InvalidInput("手机号应为11位数字，以1开头")
    return value


def mask(value: str) -> str:
    """First and last character kept, every other one a `*`: `1****************X`."""
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


def keyed_hash(key: bytes, value: str, *, purpose: bytes) -> str:
    """HMAC-SHA-256 of `value` under the server's key, hex. The same person gives the same hash
    (so bookings and tickets can be matched) while the database alone cannot be searched for a
    number: without the key, hashing all 10^17 candidates tells nothing."""
    message = purpose + b"\x00" + value.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
