"""JSON objects read strictly: a key given twice in one object is refused, not overwritten."""

from __future__ import annotations

from typing import Any


class RepeatedKeyError(ValueError):
    """A key given twice in one object (raised by ``unique_members``; ``key`` names it)."""

    def __init__(self, key: object) -> None:
        super().__init__(key)
        self.key = key


def unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members (an ``object_pairs_hook``); a repeated key would hide a value.

    Raises:
        RepeatedKeyError: When a key appears twice in the object.

    Examples:
        >>> import json
        >>> json.loads('{"a": 1, "b": 2}', object_pairs_hook=unique_members)
        {'a': 1, 'b': 2}
    """
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise RepeatedKeyError(key)
        out[key] = value
    return out
