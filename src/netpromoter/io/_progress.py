"""A terminal progress bar over bytes read, through ``rich`` when it is installed."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


def wants_progress(progress: bool | None) -> bool:  # noqa: FBT001 - a tri-state flag
    """Whether to draw a bar: ``None`` means "when stderr is a terminal"."""
    if progress is None:
        return sys.stderr.isatty()
    return progress


@contextmanager
def progress_bar(
    total: int | None, label: str, *, enabled: bool
) -> Iterator[Callable[[int], None]]:
    """Yield ``update(bytes_done)``; draws a bar on stderr when enabled and ``rich`` exists.

    Without ``rich`` (the ``netpromoter[cli]`` extra) or when not enabled, ``update`` does
    nothing, so callers never branch on it.
    """
    if not enabled:
        yield _nothing
        return
    try:
        from rich.console import Console  # noqa: PLC0415 - optional dependency
        from rich.progress import (  # noqa: PLC0415 - optional dependency
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
    except ImportError:
        yield _nothing
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int) -> None:
            bar.update(task, completed=done)

        yield update


def _nothing(done: int) -> None:
    """The update of a disabled bar."""
