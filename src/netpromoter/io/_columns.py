"""``read_columns``: a file of responses read into columns, without a model per row.

The rows are read and checked exactly as by
[`read_responses`][netpromoter.io.read_responses] (the same rule, the same rejections and
duplicates); the accepted rows are then kept as one column per field, which every
function of the library takes as a mapping of columns.
"""

from __future__ import annotations

from collections.abc import Mapping  # noqa: TC003 - pydantic needs it at runtime
from typing import TYPE_CHECKING, Any

from netpromoter._models import Response
from netpromoter.io._fields import FIELDS
from netpromoter.io._read import FileRead, ReadOptions, as_response, read_rows

if TYPE_CHECKING:
    from collections.abc import Sequence

    from typing_extensions import Unpack

    from netpromoter.io._read import ReadKeywords
    from netpromoter.io._source import Source


class ReadColumns(FileRead):
    """The accepted rows of a file as columns, and every row that was not used.

    The source, rejections and counts are those of [`FileRead`][netpromoter.io.FileRead].

    Attributes:
        data: One tuple per column, one value per accepted row in file order: every
            ``Response`` field (``channel`` as its text; ``None`` where empty), then the
            other columns of the file (``None`` for an empty cell).
    """

    data: Mapping[str, tuple[Any, ...]]

    def take(self, rows: Sequence[int]) -> dict[str, list[Any]]:
        """The columns of the accepted rows at ``rows`` (positions), in that order."""
        return {name: [values[i] for i in rows] for name, values in self.data.items()}

    def responses(self, rows: Sequence[int]) -> list[Response]:
        """``Response`` objects of the accepted rows at ``rows`` (for a few rows, not all)."""
        fields = [f for f in FIELDS if f in self.data]
        segments = [name for name in self.data if name not in FIELDS]
        out = []
        for i in rows:
            values = {f: self.data[f][i] for f in fields if self.data[f][i] is not None}
            extra = {s: self.data[s][i] for s in segments if self.data[s][i] is not None}
            response = as_response(values | ({"segments": extra} if extra else {}), i)
            if not isinstance(response, Response):  # pragma: no cover - checked when read
                raise response.error(self.source)
            out.append(response)
        return out


def read_columns(source: Source, **options: Unpack[ReadKeywords]) -> ReadColumns:
    r"""Read survey responses from a file into columns, reporting bad rows.

    Every option, rule and rejection is that of
    [`read_responses`][netpromoter.io.read_responses]; only the result differs: columns
    instead of a ``Response`` per row, ready for ``score``, ``segment``, ``trend`` or
    ``rake`` as a mapping of columns (``read.data``).

    Returns:
        The accepted rows as columns and the rejection report.

    Raises:
        FileNotFoundError: There is no such file.
        DataFileError: As ``read_responses``.
        RejectedRowError: In ``strict`` mode, at the first bad row.
        DuplicateResponseError: With ``duplicates="error"``, naming the lines.
        InvalidParameterError: An option is not one of its allowed values.

    Examples:
        >>> import io
        >>> read = read_columns(io.StringIO("NPS,region\n9,north\n3,\nten,south\n"))
        >>> read.data["score"], read.data["region"], len(read.rejected)
        ((9, 3), ('north', None), 1)
    """
    settings = ReadOptions(**options)
    rows = read_rows(source, settings)
    kept = [fields for _, fields in rows.kept]
    data: dict[str, tuple[Any, ...]] = {
        f: tuple(_plain(fields.get(f)) for fields in kept) for f in FIELDS
    }
    for name in rows.segment_columns:
        if name not in data:
            data[name] = tuple(fields.get("segments", {}).get(name) for fields in kept)
    return ReadColumns(
        source=rows.source,
        data=data,
        rejected=tuple(problem.rejection() for problem in rows.problems),
        rows_read=rows.rows_read,
        columns=rows.columns,
        segment_columns=rows.segment_columns,
        duplicates=settings.duplicates,
        n_duplicates=rows.n_duplicates,
        notes=rows.notes,
    )


def _plain(value: object) -> object:
    """A field's value as a column holds it: an enumeration as its text."""
    return getattr(value, "value", value)
