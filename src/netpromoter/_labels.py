"""Group labels: the missing-value label and the one display order of labels.

Every table of groups (segments, series, merged tallies, file tallies) shows its groups in
the order [`label_key`][netpromoter._labels.label_key] gives: numbers by value, then text
(and other values) by type and value, and ``"(missing)"`` last.

Examples:
    >>> sorted(["b", MISSING, "a"], key=label_key)
    ['a', 'b', '(missing)']
    >>> sorted([("s", 2), ("n", 10), ("n", 2)], key=labels_key)
    [('n', 2), ('n', 10), ('s', 2)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Label of the group that holds missing key values (``None``, NaN, null, an empty cell).
MISSING = "(missing)"


def label_key(label: object) -> tuple[bool, str, object]:
    """Sort key of one label: ``"(missing)"`` last, numbers first, then by type and value."""
    if isinstance(label, int | float) and not isinstance(label, bool):
        return (False, "", label)
    return (label == MISSING, type(label).__name__, label)


def labels_key(labels: Sequence[object]) -> tuple[tuple[bool, str, object], ...]:
    """Sort key of a group's labels (one per key column), first key first."""
    return tuple(label_key(label) for label in labels)
