"""The result layer: what every result shares, so each one only says what is its own.

* [`Result`][netpromoter._results.base.Result]: a frozen model that converts
  (``to_dicts``, ``to_pandas``, ``to_polars``, ``to_arrow``) and renders (``repr`` as a
  text table, ``_repr_html_`` as an HTML table, both shortened like pandas shortens long
  frames) from two things a subclass gives: its flat records and its table view.
* [`TableResult`][netpromoter._results.base.TableResult]: a result made of rows, whose
  table is driven by a column spec (``COLUMNS``) and whose records are its rows, flattened
  ([`flatten`][netpromoter._results.base.flatten]) behind their key columns.
* [`ConfidenceInterval`][netpromoter._results.base.ConfidenceInterval]: an interval's
  bounds, a named tuple ``(low, high)`` as scipy's results give.
* [`EstimateFields`][netpromoter._results.base.EstimateFields]: the fields of one NPS
  estimate (counts, shares, NPS, SE, interval, effective n) that a score, a segment row and
  a trend row share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

from netpromoter._model import Model
from netpromoter._results.render import TableView, html_pairs, render_html, render_text

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

RowT = TypeVar("RowT", bound=BaseModel)


class ConfidenceInterval(NamedTuple):
    """The bounds of an interval, as a tuple ``(low, high)`` with named fields.

    It unpacks like the pair it is (``low, high = result.ci``) and names its bounds as
    scipy's ``ConfidenceInterval`` does; JSON holds it as a two-element array.

    Attributes:
        low: The lower bound.
        high: The upper bound.

    Examples:
        >>> ci = ConfidenceInterval(-4.5, 12.0)
        >>> ci.low, ci.high
        (-4.5, 12.0)
        >>> low, high = ci
        >>> ci == (-4.5, 12.0)
        True
    """

    low: float
    high: float


def flatten(record: Mapping[str, Any], intervals: Mapping[str, str]) -> dict[str, Any]:
    """A record with its interval pairs split into ``<name>_lower`` / ``<name>_upper``.

    ``intervals`` maps each interval field to the prefix of its two columns (``"ci"`` →
    ``ci_lower``, ``ci_upper``); a missing interval gives two ``None``.

    Examples:
        >>> flatten({"nps": 10.0, "ci": (1.0, 19.0)}, {"ci": "ci"})
        {'nps': 10.0, 'ci_lower': 1.0, 'ci_upper': 19.0}
    """
    out: dict[str, Any] = {}
    for name, value in record.items():
        prefix = intervals.get(name)
        if prefix is None:
            out[name] = value
            continue
        lower, upper = (None, None) if value is None else value
        out[f"{prefix}_lower"], out[f"{prefix}_upper"] = lower, upper
    return out


def frame_records(records: list[dict[str, Any]], kind: str) -> Any:  # noqa: ANN401 - a frame
    """Records as a pandas, polars or pyarrow table (the library is an optional extra)."""
    if kind == "pandas":
        import pandas as pd  # noqa: PLC0415 - optional dependency

        return pd.DataFrame.from_records(records)
    if kind == "polars":
        import polars as pl  # noqa: PLC0415 - optional dependency

        return pl.DataFrame(records, strict=False, infer_schema_length=None)
    import pyarrow as pa  # noqa: PLC0415 - optional dependency

    try:
        return pa.Table.from_pylist(records)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        # Cells of mixed-type pairs (a keyword and its count) have no arrow type: their
        # items become text, e.g. (("price", 20),) → [["price", "20"]].
        return pa.Table.from_pylist([{k: _as_text_pairs(v) for k, v in r.items()} for r in records])


def _as_text_pairs(value: object) -> object:
    """A tuple of tuples as lists of text (an arrow list of lists); anything else as it is."""
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) for v in value):
        return [[str(item) for item in pair] for pair in value]
    return value


class Result(Model):
    """Base of every result: frozen, convertible and rendered by one renderer.

    Its validation errors are netpromoter's (see [`Model`][netpromoter._model.Model]).
    ``CSS`` names the class of its HTML table.
    """

    CSS: ClassVar[str] = "netpromoter-table"

    def to_dicts(self) -> list[dict[str, Any]]:
        """The result as flat records of plain values (one per row)."""
        raise NotImplementedError  # pragma: no cover - every result defines it

    def _view(self) -> TableView:
        raise NotImplementedError  # pragma: no cover - every result defines it

    def to_pandas(self) -> pd.DataFrame:
        """The records as a pandas DataFrame (needs pandas)."""
        frame: pd.DataFrame = frame_records(self.to_dicts(), "pandas")
        return frame

    def to_polars(self) -> pl.DataFrame:
        """The records as a polars DataFrame (needs polars)."""
        frame: pl.DataFrame = frame_records(self.to_dicts(), "polars")
        return frame

    def to_arrow(self) -> pa.Table:
        """The records as a pyarrow Table (needs pyarrow)."""
        frame: pa.Table = frame_records(self.to_dicts(), "arrow")
        return frame

    def __repr__(self) -> str:
        """The class name and caption, then the table (long tables shortened)."""
        view = self._view()
        table = render_text(TableView(view.header, view.rows, "", view.footer, notes=view.notes))
        return f"{type(self).__name__}({view.caption})\n{table}"

    def __str__(self) -> str:
        """As ``repr``."""
        return repr(self)

    def _repr_html_(self) -> str:
        return render_html(self._view(), css=self.CSS)


class SummaryResult(Result):
    """A result that is one record: shown as labels and values, exported as one row.

    A subclass gives ``to_dict()`` (its flat record), ``_pairs()`` (what it shows, as
    label and value) and a one-line ``__repr__``.
    """

    CSS: ClassVar[str] = "netpromoter-result"

    def to_dict(self) -> dict[str, Any]:
        """The result as a flat dictionary of plain values."""
        raise NotImplementedError  # pragma: no cover - every summary defines it

    def _pairs(self) -> list[list[str]]:
        raise NotImplementedError  # pragma: no cover - every summary defines it

    def to_dicts(self) -> list[dict[str, Any]]:
        """The result as one flat record (see ``to_dict``), for frames and exports."""
        return [self.to_dict()]

    def _view(self) -> TableView:
        return TableView(["", ""], self._pairs())

    def __repr__(self) -> str:
        """A one-line summary."""
        raise NotImplementedError  # pragma: no cover - every summary defines it

    def __str__(self) -> str:
        """As ``repr``."""
        return repr(self)

    def _repr_html_(self) -> str:
        return html_pairs(self._pairs(), css=self.CSS)


@dataclass(frozen=True)
class Column(Generic[RowT]):
    """One column of a result's table: its header and how a row's cell reads.

    Attributes:
        header: The column's header.
        cell: The formatted cell of a row.
        numeric: Whether the column holds numbers (aligned right in HTML).
    """

    header: str
    cell: Callable[[RowT], str]
    numeric: bool = True


class TableResult(Result, Generic[RowT]):
    """A result made of rows: iterable, indexable, and rendered from a column spec.

    A subclass sets ``COLUMNS`` (the table after the key columns), ``INTERVALS`` (which
    interval fields flatten to which column prefix) and, if its rows have a ``key`` of
    labels, a ``by`` field naming the key columns; it may add footer rows (an overall
    row) and a caption.
    """

    rows: tuple[RowT, ...]

    COLUMNS: ClassVar[tuple[Column[Any], ...]] = ()
    INTERVALS: ClassVar[Mapping[str, str]] = {"ci": "ci"}

    def __iter__(self) -> Iterator[RowT]:  # type: ignore[override]
        """Iterate over the rows."""
        return iter(self.rows)

    def __len__(self) -> int:
        """Number of rows."""
        return len(self.rows)

    def __getitem__(self, index: int) -> RowT:
        """The row at a position."""
        return self.rows[index]

    def _keys(self) -> tuple[str, ...]:
        by = getattr(self, "by", ())
        return tuple(by) if isinstance(by, Sequence) and not isinstance(by, str) else ()

    def _record(self, row: RowT) -> dict[str, Any]:
        """One row as a flat record: its key columns, then its fields."""
        keys = self._keys()
        data = row.model_dump(exclude={"key"})
        out: dict[str, Any] = dict(zip(keys, getattr(row, "key", ()), strict=True))
        out.update(flatten(data, self.INTERVALS))
        return out

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dictionary per row: key columns, then the statistics."""
        return [self._record(row) for row in self.rows]

    def _caption(self) -> str:
        return f"{len(self.rows):,} rows"

    def _footer(self) -> Sequence[RowT]:
        return ()

    def _cells(self, row: RowT) -> list[str]:
        keys = [str(label) for label in getattr(row, "key", ())]
        return [*keys, *(column.cell(row) for column in self.COLUMNS)]

    def _view(self) -> TableView:
        keys = self._keys()
        header = [*keys, *(column.header for column in self.COLUMNS)]
        numeric = frozenset(
            len(keys) + i for i, column in enumerate(self.COLUMNS) if column.numeric
        )
        return TableView(
            header,
            [self._cells(row) for row in self.rows],
            self._caption(),
            [self._cells(row) for row in self._footer()],
            numeric,
        )


class CategoryFields(Model):
    """The category totals and shares of a set of responses and its NPS estimate.

    Shared by [`EstimateFields`][netpromoter._results.base.EstimateFields] and the
    score's result (which each put their sizes first and their own fields after):
    ``detractors``, ``passives`` and ``promoters`` are counts (sums of weights when
    weighted), the three ``*_share`` fields their shares 0..1, ``nps`` is
    100 × (promoter share − detractor share) in -100..100, ``se`` the standard error of
    the method's estimate in points and ``ci`` the confidence interval in points,
    clipped to [-100, 100].
    """

    detractors: int | float
    passives: int | float
    promoters: int | float
    detractor_share: float
    passive_share: float
    promoter_share: float
    nps: float
    se: float
    ci: ConfidenceInterval


class _Size(Model):
    """The number of responses: the first field of an estimate."""

    n: int


class EstimateFields(CategoryFields, _Size):
    """The fields of one NPS estimate, shared by segment rows and trend rows.

    ``n``, the [`CategoryFields`][netpromoter._results.base.CategoryFields], then
    ``effective_n``.

    Attributes:
        n: Number of responses.
        effective_n: Kish's effective sample size (Σw)²/Σw² (``n`` when unweighted).
    """

    effective_n: float
