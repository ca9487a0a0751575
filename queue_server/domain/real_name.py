"""实名取号: the rules of a real-name category — the ID number is required, and one person
takes at most so many tickets of the category a day in one hall (keeps 黄牛 from taking
numbers in bulk)."""

from queue_server.domain.errors import Conflict, InvalidInput

ID_NUMBER_REQUIRED = "该业务须实名取号：请刷身份证或输入身份证号后再取号"


def require_id_number(*, category_name: str, id_number: str | None) -> str:
    """The ID number a real-name category needs; InvalidInput (422) when none was given."""
    if not id_number:
        raise InvalidInput(f"{category_name}：{ID_NUMBER_REQUIRED}")
    return id_number


def check_daily_allowance(*, category_name: str, taken_today: int, limit: int) -> None:
    """Refuse (409) the ticket that would be the person's `limit`+1-th of the day."""
    if taken_today >= limit:
        raise Conflict(
            f"{category_name}为实名取号业务，每人每天最多取{limit}个号；"
            f"您今天已取{taken_today}个号，请明天再来或咨询导办台"
        )
