"""The console's actions, their default keys, and the TOML file that rebinds them."""

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Final


@dataclass(frozen=True, slots=True)
class ConsoleAction:
    """One keyboard action: `id` names it in the key file and is the Textual binding id."""

    id: str
    key: str
    label: str


ACTIONS: Final[tuple[ConsoleAction, ...]] = (
    ConsoleAction("call_next", "f1", "叫号"),
    ConsoleAction("recall", "f2", "重呼"),
    ConsoleAction("start", "f3", "开始办理"),
    ConsoleAction("finish", "f4", "办结"),
    ConsoleAction("no_show", "f5", "过号"),
    ConsoleAction("transfer", "f6", "转移"),
    ConsoleAction("pause", "f7", "暂停/恢复"),
    ConsoleAction("call_number", "f8", "特呼"),
    ConsoleAction("requeue", "f9", "过号重排"),
    ConsoleAction("cross_region", "ctrl+t", "市域通办"),
    ConsoleAction("cross_region_cases", "ctrl+l", "通办件"),
    ConsoleAction("locker_deposit", "ctrl+k", "存入文件柜"),
    ConsoleAction("needs_documents", "ctrl+b", "补件"),
    ConsoleAction("quit", "ctrl+q", "退出"),
)
PANEL_ONLY: Final = frozenset(
    {"cross_region", "cross_region_cases", "locker_deposit", "needs_documents"}
)
"""Actions listed in the 操作 panel but not in the footer, which holds ten keys at 100
columns. Their default keys are no function keys, so no key file written for F1–F12 clashes."""
ACTION_BY_ID: Final = {action.id: action for action in ACTIONS}
_REQUEST_LABELS: Final = {"pause": "暂停服务", "resume": "恢复服务"}


def action_label(action_id: str) -> str:
    """The label of a request: a key's action, or `pause` / `resume`, the two sides of F7."""
    return _REQUEST_LABELS.get(action_id) or ACTION_BY_ID[action_id].label


CONFIG_ENV: Final = "YIMEN_CLERK_CONFIG"


class KeyConfigError(Exception):
    """The key file cannot be used; the message names the file and the problem."""


def default_config_path() -> Path:
    """`$YIMEN_CLERK_CONFIG`, else `$XDG_CONFIG_HOME/yimen/clerk-tui.toml`
    (`~/.config/yimen/clerk-tui.toml`)."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "yimen" / "clerk-tui.toml"


def parse_keymap(text: str, *, source: str) -> dict[str, str]:
    """The `[keys]` table of a key file: action id -> key (e.g. `finish = "f10"`).

    Returns the whole keymap (defaults for actions not named). Unknown actions, non-string keys
    and one key given to two actions are refused.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KeyConfigError(f"{source}: not valid TOML: {error}") from error
    table = data.get("keys", {})
    if not isinstance(table, dict):
        raise KeyConfigError(f"{source}: [keys] must be a table")
    keymap = {action.id: action.key for action in ACTIONS}
    for action_id, key in table.items():
        if action_id not in ACTION_BY_ID:
            known = ", ".join(ACTION_BY_ID)
            raise KeyConfigError(f"{source}: keys.{action_id}: unknown action (known: {known})")
        if not isinstance(key, str) or not key.strip():
            raise KeyConfigError(f"{source}: keys.{action_id}: give the key as a string")
        keymap[action_id] = key.strip().lower()
    seen: dict[str, str] = {}
    for action_id, key in keymap.items():
        for single in key.split(","):
            if single in seen:
                raise KeyConfigError(
                    f"{source}: key {single!r} is bound to both {seen[single]} and {action_id}"
                )
            seen[single] = action_id
    return keymap


def load_keymap(path: Path | None) -> dict[str, str]:
    """The keymap from `path` (an error if it is missing), else from the default path when
    that file exists, else the defaults."""
    if path is None:
        path = default_config_path()
        if not path.exists():
            return {action.id: action.key for action in ACTIONS}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KeyConfigError(f"{path}: cannot read the key file: {error}") from error
    return parse_keymap(text, source=str(path))
