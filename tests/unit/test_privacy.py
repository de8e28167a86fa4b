"""Unit tests for netpromoter.privacy.pseudonymise."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from netpromoter import InvalidParameterError, pseudonymise

KEY = "a test key of at least sixteen bytes"


def test_pseudonym_is_the_truncated_hmac_sha256() -> None:
    """The pseudonym is the hex HMAC-SHA-256 of the UTF-8 id, cut to length."""
    expected = hmac.new(KEY.encode(), b"r-1", hashlib.sha256).hexdigest()
    assert expected[:32] == pseudonymise("r-1", KEY)
    assert expected == pseudonymise("r-1", KEY, length=64)


def test_pseudonyms_are_stable_and_keyed() -> None:
    """The same id and key give the same pseudonym; another key another one."""
    assert pseudonymise("r-1", KEY) == pseudonymise("r-1", KEY.encode())
    assert pseudonymise("r-1", KEY) != pseudonymise("r-1", KEY + "x")
    assert pseudonymise("r-1", KEY) != pseudonymise("r-2", KEY)


def test_lists_keep_order_and_missing_ids() -> None:
    """A list gives a list in the same order; None stays None; ints hash as text."""
    assert [pseudonymise("a", KEY), None, pseudonymise("7", KEY)] == pseudonymise(
        ["a", None, 7], KEY
    )


def test_short_keys_are_refused_without_echoing_them() -> None:
    """A key under 16 bytes is refused, and the error does not repeat it."""
    with pytest.raises(InvalidParameterError, match="at least 16 bytes") as e:
        pseudonymise("r-1", "short-secret")
    assert "short-secret" not in str(e.value)
    assert e.value.name == "key"


def test_bad_ids_and_lengths_are_refused() -> None:
    """Ids must be text or integers; length must be 16..64."""
    with pytest.raises(InvalidParameterError, match="position 1"):
        pseudonymise(["a", 1.5], KEY)  # type: ignore[list-item]
    with pytest.raises(InvalidParameterError, match="length"):
        pseudonymise("a", KEY, length=8)
    with pytest.raises(InvalidParameterError, match="str or bytes"):
        pseudonymise("a", 12345678901234567890)  # type: ignore[call-overload]
