"""The finish outcome a category may require (办结 / 补件 / 办不成)."""

from queue_server.domain.enums import OUTCOME_LABELS, FinishOutcome
from queue_server.domain.errors import InvalidInput


def _choices() -> str:
    return "、".join(f"{outcome.value}（{label}）" for outcome, label in OUTCOME_LABELS.items())


def check_finish_outcome(*, category_name: str, required: bool, outcome: str | None) -> None:
    """Refuse a finish without a known outcome when the category requires one.

    Categories that do not require an outcome keep accepting any short text, or none.
    """
    if not required:
        return
    if outcome is None:
        raise InvalidInput(f"“{category_name}”办结时须选择办理结果：{_choices()}")
    if outcome not in set(FinishOutcome):
        raise InvalidInput(f"未知的办理结果“{outcome}”，可选：{_choices()}")
