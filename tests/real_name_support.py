"""Test support for real-name tickets: a hall whose 综合受理 is a real-name category, and test
applicants' ID numbers (valid check digits, made-up people)."""

from queue_server.config import HallConfig, load_hall_config
from queue_server.domain.identity import check_digit

REAL_NAME_CATEGORY = "general"
REAL_NAME_LIMIT = 2
ID_NUMBER = "11010519491231002X"
"""The foundation's test number (GB 11643 example)."""
PHONE = "13912345678"


def id_number(serial: int) -> str:
    """Another valid ID number: born 1 May 1990 in 北京朝阳, sequence `serial`."""
    first = f"11010519900501{serial:03d}"
    return first + check_digit(first)


def real_name_hall(base: HallConfig | None = None) -> HallConfig:
    """The default hall with 综合受理 (`general`) taken by real name, two tickets a day."""
    base = base or load_hall_config()
    categories = [
        category.model_copy(
            update={"real_name": True, "max_tickets_per_person_per_day": REAL_NAME_LIMIT}
        )
        if category.code == REAL_NAME_CATEGORY
        else category
        for category in base.categories
    ]
    return base.model_copy(update={"categories": categories})
