"""Turn a call into the Mandarin text the speech engine reads correctly.

Ticket numbers are read digit by digit (A001 → "A 零零一"), window numbers as numbers
(12 → 十二): espeak's Mandarin voice reads "001" as a number and "12" digit by digit
otherwise, neither of which a hall uses.
"""

from typing import Final

DIGITS: Final = "零一二三四五六七八九"
UNITS: Final = ("", "十", "百", "千")


def digits_spoken(digits: str) -> str:
    """ "007" → "零零七": every digit on its own."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(f"not a string of digits: {digits!r}")
    return "".join(DIGITS[int(digit)] for digit in digits)


def number_spoken(value: int) -> str:
    """A number as Chinese reads it: 12 → "十二", 20 → "二十", 105 → "一百零五"."""
    if not 0 <= value <= 9999:
        raise ValueError(f"out of range 0–9999: {value}")
    if value == 0:
        return DIGITS[0]
    places = [int(digit) for digit in str(value)]
    parts: list[str] = []
    pending_zero = False
    for index, digit in enumerate(places):
        unit = UNITS[len(places) - 1 - index]
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append(DIGITS[0])
            pending_zero = False
        parts.append(DIGITS[digit] + unit)
    spoken = "".join(parts)
    return spoken.removeprefix("一") if 10 <= value <= 19 else spoken


def ticket_number_spoken(number: str) -> str:
    """ "A001" → "A 零零一": letters kept (the voice reads them as letters), then the digits
    one by one, a space between the two so the letter is not run into the first digit."""
    letters = "".join(char for char in number if not char.isdigit()).upper()
    digits = number[len(letters) :]
    if not letters.isalpha() or not letters.isascii() or not digits:
        raise ValueError(f"not a ticket number: {number!r}")
    return f"{letters} {digits_spoken(digits)}"


def fill_template(template: str, *, number: str, window: str) -> str:
    """The hall's call template with `{number}` and `{window}` filled in; other braces stay."""
    return template.replace("{number}", number).replace("{window}", window)


def call_text(template: str, *, number: str, window_no: int) -> str:
    """What the boards show: "请A001号到12号窗口办理"."""
    return fill_template(template, number=number, window=str(window_no))


def call_speech(template: str, *, number: str, window_no: int) -> str:
    """What the voice says: "请A 零零一号到十二号窗口办理"."""
    return fill_template(
        template, number=ticket_number_spoken(number), window=number_spoken(window_no)
    )


def call_speech_short(*, number: str, window_no: int) -> str:
    """The short form said in a backlog, several calls in a row: "A 零零一号到十二号窗口"."""
    return f"{ticket_number_spoken(number)}号到{number_spoken(window_no)}号窗口"
