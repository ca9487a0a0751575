"""The Mandarin text normaliser: ticket numbers digit by digit, window numbers as numbers."""

import pytest

from display_board.voice.text import (
    call_speech,
    call_text,
    digits_spoken,
    number_spoken,
    ticket_number_spoken,
)

TEMPLATE = "请{number}号到{window}号窗口办理"


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("A001", "A 零零一"),
        ("B010", "B 零一零"),
        ("C100", "C 一零零"),
        ("G000", "G 零零零"),
        ("D999", "D 九九九"),
        ("F1234", "F 一二三四"),
        ("e042", "E 零四二"),
    ],
)
def test_ticket_numbers_are_read_letter_then_digit_by_digit(number: str, spoken: str) -> None:
    assert ticket_number_spoken(number) == spoken


@pytest.mark.parametrize("bad", ["", "001", "A", "1A01", "Ä001", "A0x1"])
def test_ticket_numbers_that_are_not_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        ticket_number_spoken(bad)


def test_digits_keep_leading_zeros() -> None:
    assert digits_spoken("0070") == "零零七零"


WINDOWS = {
    1: "一",
    2: "二",
    9: "九",
    10: "十",
    11: "十一",
    12: "十二",
    19: "十九",
    20: "二十",
    21: "二十一",
    30: "三十",
    45: "四十五",
    90: "九十",
    99: "九十九",
}


@pytest.mark.parametrize(("window", "spoken"), sorted(WINDOWS.items()))
def test_window_numbers_are_read_as_numbers(window: int, spoken: str) -> None:
    assert number_spoken(window) == spoken


def test_every_window_number_from_1_to_99() -> None:
    ones = "一二三四五六七八九"
    for window in range(1, 100):
        tens, unit = divmod(window, 10)
        expected = ("" if tens < 2 else ones[tens - 1]) + ("十" if tens else "")
        expected += ones[unit - 1] if unit else ""
        assert number_spoken(window) == expected, window


@pytest.mark.parametrize(
    ("value", "spoken"),
    [
        (0, "零"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (999, "九百九十九"),
        (1005, "一千零五"),
        (2010, "二千零一十"),
    ],
)
def test_larger_numbers(value: int, spoken: str) -> None:
    assert number_spoken(value) == spoken


@pytest.mark.parametrize("value", [-1, 10000])
def test_numbers_out_of_range_are_refused(value: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        number_spoken(value)


def test_the_call_phrase_for_boards_and_for_the_voice() -> None:
    assert call_text(TEMPLATE, number="A001", window_no=12) == "请A001号到12号窗口办理"
    assert call_speech(TEMPLATE, number="A001", window_no=12) == "请A 零零一号到十二号窗口办理"


def test_other_braces_in_a_template_stay() -> None:
    assert call_speech("{x}{number}/{window}", number="B002", window_no=3) == "{x}B 零零二/三"
