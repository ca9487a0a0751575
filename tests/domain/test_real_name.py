"""The rules of a real-name category: the ID number is required, the daily allowance holds."""

import pytest

from queue_server.domain.errors import Conflict, InvalidInput
from queue_server.domain.real_name import check_daily_allowance, require_id_number


def test_a_real_name_category_needs_an_id_number() -> None:
    assert require_id_number(category_name="社保", id_number="11010519491231002X") == (
        "11010519491231002X"
    )
    for missing in (None, ""):
        with pytest.raises(InvalidInput, match="须实名取号"):
            require_id_number(category_name="社保", id_number=missing)


@pytest.mark.parametrize(("taken", "allowed"), [(0, True), (1, True), (2, False), (5, False)])
def test_the_daily_allowance_refuses_the_ticket_after_the_limit(taken: int, allowed: bool) -> None:
    if allowed:
        check_daily_allowance(category_name="社保", taken_today=taken, limit=2)
        return
    with pytest.raises(Conflict) as refusal:
        check_daily_allowance(category_name="社保", taken_today=taken, limit=2)
    assert "每人每天最多取2个号" in refusal.value.message
    assert f"已取{taken}个号" in refusal.value.message
