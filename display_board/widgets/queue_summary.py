"""Waiting counts and the estimated wait per category."""

from rich.table import Table
from textual.widgets import Static

from queue_server.protocol import CategoryPublic


def eta_label(category: CategoryPublic) -> str:
    if category.waiting == 0:
        return "无需等候"
    if category.eta_minutes is None:
        return "—"
    return f"约 {category.eta_minutes} 分钟"


class QueueSummary(Static):
    def show_categories(self, categories: tuple[CategoryPublic, ...]) -> None:
        table = Table(expand=True, box=None, show_edge=False, header_style="bold")
        for heading in ("业务类别", "等候人数", "预计等候"):
            table.add_column(heading, justify="center")
        for category in categories:
            table.add_row(
                f"{category.prefix} {category.name}", str(category.waiting), eta_label(category)
            )
        self.update(table)
