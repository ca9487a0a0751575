"""One Idempotency-Key per intended action, kept while its outcome is unknown."""

import uuid
from collections.abc import Callable, Hashable


class ActionKeys:
    """Hands out the key for an action, identified by a `signature` (what, on which ticket or
    window, with which choices).

    When the server could not be reached, nobody knows whether the action was applied: the
    key is kept, and pressing the same action again sends the same key, so the server applies
    it at most once. Any real answer (success or refusal) settles the action and forgets it.
    """

    def __init__(self, new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self._new_key = new_key
        self._unsettled: dict[Hashable, str] = {}

    def key_for(self, signature: Hashable) -> str:
        key = self._unsettled.get(signature)
        if key is None:
            key = self._unsettled[signature] = self._new_key()
        return key

    def settled(self, signature: Hashable) -> None:
        self._unsettled.pop(signature, None)

    def unsettled(self) -> int:
        return len(self._unsettled)
