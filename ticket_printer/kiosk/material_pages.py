"""Splitting a matter's materials into pages of two columns that fit the space on screen
(pure: the same materials and size always give the same pages)."""

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

from rich.console import Console
from rich.table import Table
from rich.text import Text

COLUMNS = 2
COLUMN_GAP = 2
NUMBER_WIDTH = 3
"""Room for "20." before each material; a cell of padding follows it."""


@dataclass(frozen=True)
class Material:
    number: int
    text: str


@dataclass(frozen=True)
class MaterialPage:
    columns: tuple[tuple[Material, ...], ...]
    """Left to right; each read top to bottom, so the numbers run down and then across."""


def column_width(width: int) -> int:
    return max(1, (width - COLUMN_GAP * (COLUMNS - 1)) // COLUMNS)


def text_rows(text: str, width: int) -> int:
    """How many rows a material takes in a column `width` cells wide, as Rich wraps it."""
    console = Console(width=max(1, width), color_system=None)
    lines = Text(text, overflow="fold").wrap(console, max(1, width - NUMBER_WIDTH - 1))
    return max(1, len(lines))


def _split(materials: Sequence[Material]) -> tuple[tuple[Material, ...], ...]:
    per_column = ceil(len(materials) / COLUMNS)
    return tuple(
        tuple(materials[start : start + per_column])
        for start in range(0, max(1, len(materials)), max(1, per_column))
    )


def _rows(page: Sequence[Material], width: int) -> int:
    cell = column_width(width)
    return max(sum(text_rows(m.text, cell) for m in column) for column in _split(page))


def paginate(materials: Sequence[str], *, width: int, rows: int) -> list[MaterialPage]:
    """The fewest pages, in order, each at most `rows` high in a space `width` cells wide;
    a material too long for any page gets a page of its own."""
    numbered = [Material(index, text) for index, text in enumerate(materials, start=1)]
    pages: list[list[Material]] = []
    for material in numbered:
        if pages and _rows([*pages[-1], material], width) <= rows:
            pages[-1].append(material)
        else:
            pages.append([material])
    return [MaterialPage(_split(page)) for page in pages]


def column_table(column: Sequence[Material]) -> Table:
    """One column: numbers right-aligned, each material wrapped under its own start."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(justify="right", width=NUMBER_WIDTH, no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for material in column:
        table.add_row(f"{material.number}.", material.text)
    return table
