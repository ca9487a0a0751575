"""A hall where one window helps with another category (跨窗通办)."""

from queue_server.config import HallConfig, load_hall_config

HELPER = 12
"""The 出件 (pickup, target 10 min) window, helping 咨询 (consult, target 10 min)."""


def overflow_hall() -> HallConfig:
    """The default hall, window 12 also serving consult, which asks for help once more than
    two wait."""
    raw = load_hall_config().model_dump()
    for window in raw["windows"]:
        if window["number"] == HELPER:
            window["also_serves"] = ["consult"]
    for category in raw["categories"]:
        if category["code"] == "consult":
            category["overflow_waiting"] = 2
    return HallConfig.model_validate(raw)
