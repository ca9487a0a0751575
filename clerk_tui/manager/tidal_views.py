"""What the live page says about 潮汐 switches: the suggestion and the switches in force."""

from zoneinfo import ZoneInfo

from queue_server.protocol import LiveStats, LiveWindow, TidalSuggestionPublic

APPLY_KEY = "t"
END_KEY = "r"


def switched_windows(live: LiveStats | None) -> list[LiveWindow]:
    """The windows with a switch in force, in window order."""
    if live is None:
        return []
    return [w for w in live.windows if w.tidal_category is not None and w.tidal_until is not None]


def suggestion_line(suggestion: TidalSuggestionPublic | None) -> str:
    if suggestion is None:
        return ""
    return f"{suggestion.message} · 按 {APPLY_KEY.upper()} 采纳"


def switches_line(live: LiveStats | None, timezone: str) -> str:
    windows = switched_windows(live)
    if live is None or not windows:
        return ""
    names = {category.code: category.name for category in live.categories}
    zone = ZoneInfo(timezone)
    switches = "；".join(
        f"{w.number}号窗口转办 {names.get(w.tidal_category or '', w.tidal_category)}"
        f"（至 {w.tidal_until.astimezone(zone):%H:%M}）"
        for w in windows
        if w.tidal_until is not None
    )
    return f"潮汐转办中：{switches} · 在窗口列表选中后按 {END_KEY.upper()} 提前结束"


def window_to_end(live: LiveStats | None, selected: int | None) -> int | None:
    """The window whose switch the end key ends: the selected window's, or the only one."""
    windows = switched_windows(live)
    chosen = next((w for w in windows if w.number == selected), None)
    if chosen is not None:
        return chosen.number
    return windows[0].number if len(windows) == 1 else None
