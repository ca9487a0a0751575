"""Checks on what a Textual app draws, shared by the terminal programs' tests."""

from textual.widget import Widget


def on_screen(widget: Widget) -> bool:
    """Whether the whole widget is inside the terminal and not cut off by its containers."""
    geometry = widget.screen._compositor.full_map.get(widget)
    if geometry is None or not geometry.region.area:
        return False
    screen = widget.screen.region
    return screen.contains_region(geometry.region) and geometry.clip.contains_region(
        geometry.region
    )
