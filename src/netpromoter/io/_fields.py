"""Which file column holds which ``Response`` field: caller mappings and common aliases."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING

from netpromoter._placeholders import PLACEHOLDERS
from netpromoter.exceptions import DataFileError, InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

#: Fields of [`Response`][netpromoter.core.Response] that can come from a column.
FIELDS = (
    "score",
    "respondent_id",
    "submitted_at",
    "channel",
    "language",
    "comment",
    "account_id",
    "role",
    "spend",
)

#: Follow-up placeholders a column can fill per respondent (``first_name``, ``referral_code``
#: ...): a column mapped to one, or named like one, is kept in each response's
#: ``segments`` under the placeholder's name.
PLACEHOLDER_FIELDS = tuple(name for name in PLACEHOLDERS if name not in (*FIELDS, "score"))

#: Column headers recognised for each field, compared after normalising case, spaces and
#: hyphens (``"Respondent ID"`` matches ``respondent_id``). English and Dutch.
ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "score": (
            "score",
            "nps",
            "nps_score",
            "aanbevelingsscore",
            "aanbeveling",
            "likelihood_to_recommend",
            "ltr",
            "recommend_score",
        ),
        "respondent_id": (
            "respondent_id",
            "respondent",
            "respondentid",
            "respondent_nummer",
            "respondentnummer",
            "response_id",
        ),
        "submitted_at": (
            "submitted_at",
            "submitted",
            "timestamp",
            "date",
            "datum",
            "datum_tijd",
            "ingevuld_op",
            "tijdstip",
            "response_date",
            "created_at",
        ),
        "channel": ("channel", "kanaal"),
        "language": ("language", "lang", "taal"),
        "comment": (
            "comment",
            "comments",
            "opmerking",
            "opmerkingen",
            "toelichting",
            "feedback",
            "verbatim",
        ),
        "account_id": ("account_id", "account", "klant_id", "klantnummer", "customer_id"),
        "role": ("role", "rol", "functie"),
        "spend": ("spend", "revenue", "omzet", "besteding"),
        "first_name": ("first_name", "voornaam", "firstname", "given_name", "roepnaam"),
    }
)


def normalise_header(header: str) -> str:
    """Lower-case a header and turn runs of spaces, hyphens and dots into ``_``.

    Examples:
        >>> normalise_header(" Respondent-ID ")
        'respondent_id'
    """
    return re.sub(r"[\s\-.]+", "_", header.strip().lower())


def resolve_columns(
    headers: Sequence[str],
    mapping: Mapping[str, str] | None,
    *,
    source: str,
) -> dict[str, str]:
    """Return ``{field: header}`` for the fields found among ``headers``.

    A caller's ``mapping`` (``{"score": "Hoe waarschijnlijk ..."}``) wins; other fields are
    found through [`ALIASES`][netpromoter.io._fields.ALIASES]. A mapping may also name a
    follow-up placeholder (``{"first_name": "Voornaam"}``, see
    [`PLACEHOLDER_FIELDS`][netpromoter.io._fields.PLACEHOLDER_FIELDS]); a ``Voornaam``
    column is found as ``first_name`` by itself. Every header not used for a field
    becomes a segment.

    Raises:
        InvalidParameterError: When ``mapping`` names an unknown field.
        DataFileError: When a mapped header is absent, an alias matches twice, or there is
            no score column.
    """
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping) - set(FIELDS) - set(PLACEHOLDER_FIELDS))
    if unknown:
        msg = (
            f"mapping has unknown field(s) {', '.join(map(repr, unknown))}; "
            f"fields are {', '.join(FIELDS)}; placeholder columns are "
            f"{', '.join(PLACEHOLDER_FIELDS)}"
        )
        raise InvalidParameterError(msg, name="mapping", value=unknown)
    present = list(headers)
    shown = ", ".join(map(repr, present))
    for field, header in mapping.items():
        if header not in present:
            msg = f"{source}: mapping {field}={header!r}, but there is no such column; got {shown}"
            raise DataFileError(msg, path=source)
    resolved = dict(mapping)
    taken = set(mapping.values())
    for field in ALIASES:
        if field in resolved:
            continue
        matches = [h for h in present if h not in taken and normalise_header(h) in ALIASES[field]]
        if len(matches) > 1:
            msg = (
                f"{source}: columns {', '.join(map(repr, matches))} could all be {field!r}; "
                f"say which with mapping={{{field!r}: ...}}"
            )
            raise DataFileError(msg, path=source)
        if matches:
            resolved[field] = matches[0]
            taken.add(matches[0])
    if "score" not in resolved:
        msg = (
            f"{source}: no score column; expected one of "
            f"{', '.join(ALIASES['score'])} (any case), or mapping={{'score': <header>}}; "
            f"got {shown}"
        )
        raise DataFileError(msg, path=source)
    return resolved


def column_key(
    name: str, columns: Mapping[str, str], segment_columns: Sequence[str], *, source: str
) -> str:
    """The key a column is read under: a field's name for its header, else the header.

    ``name`` may be a field's name (``"channel"``) or the header it was found under
    (``"Kanaal"``); any other column is its own key.

    Raises:
        DataFileError: There is no such column.

    Examples:
        >>> column_key("Kanaal", {"channel": "Kanaal"}, ["regio"], source="f.csv")
        'channel'
    """
    if name in columns:
        return name
    for field, header in columns.items():
        if header == name:
            return field
    if name in segment_columns:
        return name
    shown = ", ".join(map(repr, [*columns.values(), *segment_columns]))
    msg = f"{source}: no column {name!r}; the file has {shown} (a field name works too)"
    raise DataFileError(msg, path=source)
