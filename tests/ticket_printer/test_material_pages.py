"""Paging a matter's materials into two columns that fit the space the kiosk has."""

from tests.ticket_printer.support import RETIREMENT
from ticket_printer.kiosk.material_pages import paginate, text_rows


def numbers(columns: tuple[tuple[object, ...], ...]) -> list[list[int]]:
    return [[m.number for m in column] for column in columns]  # type: ignore[attr-defined]


def test_materials_that_fit_run_down_the_left_column_then_the_right() -> None:
    [page] = paginate(RETIREMENT, width=72, rows=9)
    assert numbers(page.columns) == [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11]]


def test_too_many_for_the_space_make_pages_in_order_with_nothing_left_out() -> None:
    pages = paginate(RETIREMENT, width=72, rows=3)
    assert len(pages) > 1
    shown = [n for page in pages for column in numbers(page.columns) for n in column]
    assert shown == list(range(1, 12))


def test_a_long_material_wraps_under_its_own_start() -> None:
    assert text_rows("本人档案", 35) == 1
    assert text_rows("劳动行政部门出具的完全丧失劳动能力鉴定表", 35) == 2  # 40 cells in 31
    [page] = paginate(["劳动行政部门出具的完全丧失劳动能力鉴定表" * 4], width=40, rows=2)
    assert numbers(page.columns) == [[1]]  # a page of its own, even when too long
