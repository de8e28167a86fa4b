"""Privacy: stable, keyed pseudonyms for respondent and account ids in shared outputs.

Follow-up needs to know who answered; a report, a dashboard or an export shared with
colleagues does not. [`pseudonymise`][netpromoter.privacy.pseudonymise] replaces an id by
a keyed hash (HMAC-SHA-256, RFC 2104): the same id and key always give the same
pseudonym, so rows can still be joined and counted, but without the key nobody can
recompute or reverse it (a plain, unkeyed hash of an email address or a customer number
can be reversed by hashing every plausible id). Keep the key secret, keep it out of the
data, and use one key per purpose (for example one per recipient of an export) so that
pseudonyms in different exports cannot be linked.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import overload

from netpromoter._validation import shown
from netpromoter.exceptions import InvalidParameterError, ParameterTypeError

__all__ = ["pseudonymise"]

MIN_KEY_BYTES = 16
"""The shortest key accepted, in bytes (128 bits)."""


def _key_bytes(key: object) -> bytes:
    if isinstance(key, str):
        raw = key.encode("utf-8")
    elif isinstance(key, bytes):
        raw = key
    else:
        msg = f"key must be str or bytes, got {type(key).__name__}"
        raise ParameterTypeError(msg, name="key", value=type(key).__name__)
    if len(raw) < MIN_KEY_BYTES:
        # The value itself is a secret: report its length only.
        msg = (
            f"key is {len(raw)} bytes; give a secret of at least {MIN_KEY_BYTES} bytes, "
            "e.g. secrets.token_hex(32), and store it away from the data"
        )
        raise InvalidParameterError(msg, name="key", value=len(raw))
    return raw


def _digest(value: object, key: bytes, length: int, position: int | None) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        where = "" if position is None else f" at position {position}"
        msg = f"ids must be str or int, got {type(value).__name__}{where}"
        raise InvalidParameterError(msg, name="ids", value=value)
    digest = hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:length]


@overload
def pseudonymise(  # type: ignore[overload-overlap]  # a str is also an iterable of str
    ids: str | int, key: str | bytes, *, length: int = 32
) -> str: ...


@overload
def pseudonymise(
    ids: Iterable[str | int | None], key: str | bytes, *, length: int = 32
) -> list[str | None]: ...


def pseudonymise(
    ids: str | int | Iterable[str | int | None], key: str | bytes, *, length: int = 32
) -> str | list[str | None]:
    """Replace ids by stable keyed pseudonyms (HMAC-SHA-256, truncated hex digest).

    ``pseudonym = hex(HMAC-SHA-256(key, utf8(str(id))))[:length]``. The same id and key
    always give the same pseudonym; another key gives unrelated pseudonyms; without the
    key the id cannot be recovered or checked. Integers are hashed as their decimal text,
    so ``123`` and ``"123"`` get the same pseudonym. ``None`` (an unknown id) stays
    ``None``.

    Args:
        ids: One id, or an iterable of ids (``None`` allowed).
        key: The secret, at least 16 bytes (a ``str`` is UTF-8 encoded).
        length: Hex digits kept, 16 to 64 (64 to 256 bits). The default 32 (128 bits)
            makes an accidental collision negligible even for billions of ids.

    Returns:
        The pseudonym for a single id, or a list of pseudonyms in input order.

    Raises:
        InvalidParameterError: The key is too short or not text/bytes, ``length`` is out
            of range, or an id is not a ``str``, ``int`` or ``None`` (position named).

    Examples:
        >>> key = "a secret of at least sixteen bytes"
        >>> pseudonymise("r-1001", key)
        '55832e62db6349d20948c57d3e4ffcff'
        >>> pseudonymise(["r-1001", None], key, length=16)
        ['55832e62db6349d2', None]
    """
    if isinstance(length, bool) or not isinstance(length, int) or not 16 <= length <= 64:  # noqa: PLR2004
        msg = f"length must be an integer from 16 to 64 hex digits, got {length!r}"
        raise InvalidParameterError(msg, name="length", value=length)
    raw = _key_bytes(key)
    if isinstance(ids, str | int):
        return _digest(ids, raw, length, None)
    if isinstance(ids, bytes) or not isinstance(ids, Iterable):
        msg = (
            "ids must be one id (str or int) or an iterable of ids, got "
            f"{shown(ids)} ({type(ids).__name__})"
        )
        raise ParameterTypeError(msg, name="ids", value=ids)
    return [None if v is None else _digest(v, raw, length, i) for i, v in enumerate(ids)]
