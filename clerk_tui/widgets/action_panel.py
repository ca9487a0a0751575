"""Every action key, whether it applies now, and if not, why not."""

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from clerk_tui.keys import ConsoleAction


class ActionPanel(Widget):
    """Set `rows`: (action, key shown, label, reason it is blocked or None)."""

    rows: reactive[tuple[tuple[ConsoleAction, str, str, str | None], ...]] = reactive(
        (), layout=True
    )

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (_, key, label, reason) in enumerate(self.rows):
            if index:
                text.append("\n")
            text.append(f"{key:>3} ", style="bold" if reason is None else "dim")
            text.append(label, style="bold" if reason is None else "dim strike")
            if reason is not None:
                text.append(f"  {reason}", style="italic dim")
        return text
