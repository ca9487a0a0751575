"""A hall for 潮汐 tests: window 7 (企业服务专区) may be switched to 综合受理."""

import tomllib
from importlib.resources import files

from queue_server.config import DEFAULT_HALL_CONFIG, HallConfig

ENTERPRISE_WINDOW = 7
"""企业服务专区; in this hall it also serves 综合受理 (general)."""
GENERAL_WINDOW = 2


def tidal_hall() -> HallConfig:
    """The default hall, with window 7 (enterprise) allowed to serve general, and general's
    overflow thresholds out of reach, so only a switch sends window 7 to general early; a
    general ticket is short (3 minutes against enterprise's 15), so calling general first
    shortens the mean wait of a long general queue."""
    data = tomllib.loads(files("queue_server").joinpath(DEFAULT_HALL_CONFIG).read_text("utf-8"))
    for window in data["windows"]:
        if window["number"] == ENTERPRISE_WINDOW:
            window["also_serves"] = ["general"]
        elif "general" in window.get("also_serves", []):
            window["also_serves"].remove("general")
    for category in data["categories"]:
        if category["code"] == "general":
            category |= {"target_wait_minutes": 120, "overflow_waiting": 50, "service_minutes": 3}
            category["queue_alert_length"] = 20
    return HallConfig.model_validate(data)
