"""The finish outcome a category may require."""

import pytest

from queue_server.domain.errors import InvalidInput
from queue_server.domain.outcomes import check_finish_outcome


def test_not_required_accepts_anything() -> None:
    check_finish_outcome(category_name="综合受理", required=False, outcome=None)
    check_finish_outcome(category_name="综合受理", required=False, outcome="随便写")


@pytest.mark.parametrize("outcome", ["resolved", "needs_documents", "unresolved"])
def test_required_accepts_the_known_outcomes(outcome: str) -> None:
    check_finish_outcome(category_name="办不成事反映", required=True, outcome=outcome)


def test_required_refuses_none_and_unknown_with_the_choices() -> None:
    with pytest.raises(InvalidInput, match=r"办不成事反映.*补件"):
        check_finish_outcome(category_name="办不成事反映", required=True, outcome=None)
    with pytest.raises(InvalidInput, match="未知的办理结果"):
        check_finish_outcome(category_name="办不成事反映", required=True, outcome="办结")
