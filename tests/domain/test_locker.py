"""The locker's pure rules: six-digit codes derived from a secret, and the lockout."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.locker import codes_match, locked_until, pickup_code

T0 = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
SECRET = b"k" * 32


def minutes(*values: float) -> list[datetime]:
    return [T0 + timedelta(minutes=value) for value in values]


def test_a_code_is_six_digits_fixed_by_the_secret_the_locker_and_the_salt() -> None:
    code = pickup_code(SECRET, hall="main", locker="locker-1", salt="00ff")
    assert len(code) == 6 and code.isdigit()
    assert code == pickup_code(SECRET, hall="main", locker="locker-1", salt="00ff")
    others = {
        pickup_code(b"x" * 32, hall="main", locker="locker-1", salt="00ff"),
        pickup_code(SECRET, hall="other", locker="locker-1", salt="00ff"),
        pickup_code(SECRET, hall="main", locker="locker-2", salt="00ff"),
        pickup_code(SECRET, hall="main", locker="locker-1", salt="00fe"),
    }
    assert code not in others


@given(st.text(alphabet="0123456789abcdef", min_size=16, max_size=16))
def test_every_salt_gives_six_digits(salt: str) -> None:
    code = pickup_code(SECRET, hall="main", locker="locker-1", salt=salt)
    assert len(code) == 6 and code.isdigit()
    assert codes_match(code, code) and not codes_match(code, f"{(int(code) + 1) % 10**6:06d}")


def test_four_wrong_codes_do_not_lock() -> None:
    assert locked_until(minutes(0, 1, 2, 3), now=T0 + timedelta(minutes=3)) is None


def test_the_fifth_wrong_code_in_ten_minutes_locks_for_ten_minutes_from_it() -> None:
    failures = minutes(0, 2, 4, 6, 8)
    assert locked_until(failures, now=T0 + timedelta(minutes=8)) == T0 + timedelta(minutes=18)
    assert locked_until(failures, now=T0 + timedelta(minutes=17, seconds=59)) is not None
    assert locked_until(failures, now=T0 + timedelta(minutes=18)) is None


def test_five_wrong_codes_spread_over_more_than_ten_minutes_do_not_lock() -> None:
    assert locked_until(minutes(0, 3, 6, 9, 10), now=T0 + timedelta(minutes=10)) is None


def test_codes_before_a_lock_ended_never_count_again() -> None:
    failures = minutes(0, 1, 2, 3, 4, 14, 15, 16, 17)
    assert locked_until(failures, now=T0 + timedelta(minutes=17)) is None
    again = [*failures, T0 + timedelta(minutes=18)]
    assert locked_until(again, now=T0 + timedelta(minutes=18)) == T0 + timedelta(minutes=28)


def test_the_order_of_the_records_does_not_matter() -> None:
    failures = minutes(8, 0, 6, 2, 4)
    assert locked_until(failures, now=T0 + timedelta(minutes=9)) == T0 + timedelta(minutes=18)
