"""`--windows 1-8,12`: the windows a speaker zone announces."""


def parse_window_ranges(text: str) -> frozenset[int]:
    """ "1-8,12" → {1, …, 8, 12}; raises ValueError with a readable message."""
    windows: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        first, dash, last = part.partition("-")
        try:
            low = int(first)
            high = int(last) if dash else low
        except ValueError:
            raise ValueError(f"不是窗口号或范围：{part!r}（例如 1-8,12）") from None
        if not 1 <= low <= high <= 999:
            raise ValueError(f"窗口范围无效：{part!r}（窗口号 1–999，小的在前）")
        windows.update(range(low, high + 1))
    if not windows:
        raise ValueError("没有给出窗口（例如 1-8,12）")
    return frozenset(windows)
