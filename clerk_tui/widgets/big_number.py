"""A ticket number three rows high, for every prefix letter A–Z (Textual's Digits stops at F)."""

from typing import Final

from rich.text import Text
from textual.reactive import reactive
from textual.renderables.digits import DIGITS, DIGITS3X3
from textual.widget import Widget

_LETTERS: Final[dict[str, tuple[str, str, str]]] = {
    "G": ("╭─╴", "│╶╮", "╰─╯"),
    "H": ("╷ ╷", "├─┤", "╵ ╵"),
    "I": ("╶┬╴", " │ ", "╶┴╴"),
    "J": ("  ╷", "  │", "╰─╯"),
    "K": ("╷ ╷", "├┬╯", "╵╰╴"),
    "L": ("╷  ", "│  ", "╰─╴"),
    "M": ("╭┬╮", "│││", "╵╵╵"),
    "N": ("╭─╮", "│ │", "╵ ╵"),
    "O": ("╭─╮", "│ │", "╰─╯"),
    "P": ("┌─╮", "├─╯", "╵  "),
    "Q": ("╭─╮", "│ │", "╰┼╯"),
    "R": ("┌─╮", "├┬╯", "╵╰╴"),
    "S": ("╭─╴", "╰─╮", "╶─╯"),
    "T": ("╶┬╴", " │ ", " ╵ "),
    "U": ("╷ ╷", "│ │", "╰─╯"),
    "V": ("╷ ╷", "╲ ╱", " ╵ "),
    "W": ("╷╷╷", "│││", "╰┴╯"),
    "X": ("╲ ╱", " ╳ ", "╱ ╲"),
    "Y": ("╷ ╷", "╰┬╯", " ╵ "),
    "Z": ("╶─┐", " ╱ ", "└─╴"),
}


def glyph(character: str) -> tuple[str, str, str]:
    """The three rows (three cells each) that draw `character`; unknown ones stay small."""
    upper = character.upper()
    if upper in _LETTERS:
        return _LETTERS[upper]
    position = DIGITS.find(upper)
    if position > 0:
        top, middle, bottom = DIGITS3X3[position * 3 : position * 3 + 3]
        return top.ljust(3), middle.ljust(3), bottom.ljust(3)
    return "   ", f" {character[:1]} ", "   "


def big_rows(text: str) -> list[str]:
    glyphs = [glyph(character) for character in text]
    return ["".join(g[row] for g in glyphs) for row in range(3)]


class BigNumber(Widget):
    """Set `number`; draws nothing when it is empty."""

    number: reactive[str] = reactive("", layout=True)

    def render(self) -> Text:
        if not self.number:
            return Text("")
        return Text("\n".join(big_rows(self.number)))
