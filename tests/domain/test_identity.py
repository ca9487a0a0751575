"""The ID number's check digit, masks and keyed hashes (domain/identity.py)."""

import pytest

from queue_server.domain.errors import InvalidInput
from queue_server.domain.identity import (
    PURPOSE_ID,
    PURPOSE_PHONE,
    check_digit,
    keyed_hash,
    mask,
    normalise_id_number,
    normalise_phone,
)

# GB 11643's own worked example: 11010519491231002X.
VALID = "11010519491231002X"


def test_the_standard_example_check_digit_is_x() -> None:
    assert check_digit(VALID[:17]) == "X"


@pytest.mark.parametrize("text", [VALID, "11010519491231002x", " 11010519491231002X "])
def test_valid_numbers_are_normalised(text: str) -> None:
    assert normalise_id_number(text) == VALID


def test_full_width_digits_are_accepted() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in VALID)
    assert normalise_id_number(full_width) == VALID


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("110105194912310021", "校验位"),
        ("1101051949123100", "18位"),
        ("01010519491231002X", "18位"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100XX", "18位"),
    ],
)
def test_wrong_numbers_are_refused_without_repeating_them(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalise_id_number(text)
    assert message in raised.value.message
    assert text not in raised.value.message


def test_phone_numbers() -> None:
    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    with pytest.raises(InvalidInput):
        normalise_phone("12800138000")


def test_masks_keep_only_the_first_and_last_character() -> None:
    assert mask(VALID) == "1****************X"
    assert mask("13800138000") == "1*********0"


def test_keyed_hashes_depend_on_key_and_purpose() -> None:
    first = keyed_hash(b"k1", VALID, purpose=PURPOSE_ID)
    assert first == keyed_hash(b"k1", VALID, purpose=PURPOSE_ID)
    assert first != keyed_hash(b"k2", VALID, purpose=PURPOSE_ID)
    assert first != keyed_hash(b"k1", VALID, purpose=PURPOSE_PHONE)
    assert VALID not in first and len(first) == 64
