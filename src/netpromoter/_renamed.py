"""Keywords under a former name: accepted with a warning while users move to the new one."""

from __future__ import annotations

import warnings
from typing import TypeVar

from netpromoter.exceptions import InvalidParameterError

_V = TypeVar("_V")


def renamed(old: str, old_value: _V | None, new: str, new_value: _V | None) -> _V | None:
    """The value of a keyword given under its new name or, with a warning, its former one.

    Raises:
        InvalidParameterError: When both names are given.

    Examples:
        >>> renamed("column", None, "score", "nps")
        'nps'
    """
    if old_value is None:
        return new_value
    if new_value is not None:
        msg = f"{old}= is the former name of {new}=: pass only {new}="
        raise InvalidParameterError(msg, name=old, value=old_value)
    warnings.warn(
        f"{old}= is renamed {new}=; the former name will be removed in a future release",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value


def renamed_value(name: str, value: _V, old: str, new: str) -> _V | str:
    """``new`` for a keyword's former value ``old`` (with a warning), else the value as given.

    Examples:
        >>> renamed_value("alternative", "greater", "one-sided", "greater")
        'greater'
    """
    if not (isinstance(value, str) and value == old):
        return value
    warnings.warn(
        f"{name}={old!r} is renamed {name}={new!r}; the former value will be removed in a "
        "future release",
        DeprecationWarning,
        stacklevel=3,
    )
    return new
