"""The report's words in English and Dutch, and numbers written the way each reads them.

Every text of the report (HTML page, charts, terminal tables) comes from here: a key per
phrase, one template per language. Method, field and channel names are shown in plain
words (``adjusted_wald`` → "adjusted Wald", ``customer_type`` → "customer type",
``in_app`` → "in-app"); Dutch numbers use a decimal comma and a point between thousands.

Examples:
    >>> nl = Words("nl")
    >>> nl("responses", n=nl.count(1234)), nl.number("[-3.2, +14.0]"), nl.method("wald")
    ('1.234 antwoorden', '[-3,2; +14,0]', 'Wald')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from netpromoter._results import format as fmt

if TYPE_CHECKING:
    from collections.abc import Iterable

#: A language the report speaks.
ReportLanguage = Literal["en", "nl"]
LANGUAGES: tuple[ReportLanguage, ...] = ("en", "nl")

#: Each phrase as ``(English, Dutch)``.
_TEXT: dict[str, tuple[str, str]] = {
    "default_title": ("Net Promoter Score report", "Net Promoter Score-rapport"),
    "example_title": (
        "Net Promoter Score report: example data",
        "Net Promoter Score-rapport: voorbeelddata",
    ),
    "responses": ("{n} responses", "{n} antwoorden"),
    "meta": (
        "{source} · {used} of {read} rows read · {rejected} rejected · generated {when}",
        "{source} · {used} van {read} gelezen rijen · {rejected} afgewezen · gemaakt {when}",
    ),
    "headline": (
        "NPS, {level} interval {ci}",
        "NPS, {level}-interval {ci}",
    ),
    "margin": (
        "margin of error ±{moe} points ({method})",
        "foutmarge ±{moe} punten ({method})",
    ),
    "how_answered": ("How people answered", "Hoe mensen antwoordden"),
    "category_title": ("Share of each category", "Aandeel per categorie"),
    "histogram_title": ("Answers per score, 0 to 10", "Antwoorden per score, 0 tot 10"),
    "score_n": ("score {score}: {n}", "score {score}: {n}"),
    "detractors": ("Detractors", "Criticasters"),
    "passives": ("Passives", "Passieven"),
    "promoters": ("Promoters", "Promotors"),
    "nps_by": ("NPS by {name}", "NPS per {name}"),
    "forest_title": (
        "NPS by {name} with {level} intervals",
        "NPS per {name} met {level}-intervallen",
    ),
    "overall": ("overall {value}", "totaal {value}"),
    "small": ("small", "klein"),
    "small_sample": ("small sample", "kleine steekproef"),
    "fewer_than": ("fewer than {n}", "minder dan {n}"),
    "nps_per": ("NPS per {period}", "NPS per {period}"),
    "trend_title": ("NPS per {period}, {level} interval", "NPS per {period}, {level}-interval"),
    "trend_note": (
        (
            "The band is each {period}'s {level} interval; changes are tested against the "
            "previous {period}."
        ),
        (
            "De band is het {level}-interval van elke {period}; veranderingen zijn getoetst "
            "tegen de vorige {period}."
        ),
    ),
    "undated_html": (
        " {n} responses without a date are left out.",
        " {n} antwoorden zonder datum zijn weggelaten.",
    ),
    "undated_text": (" ({n} without a date left out)", " ({n} zonder datum weggelaten)"),
    "week": ("week", "week"),
    "month": ("month", "maand"),
    "quarter": ("quarter", "kwartaal"),
    "weighted_title": ("Weighted and unweighted", "Gewogen en ongewogen"),
    "weighted_chart": ("Weighted and unweighted NPS", "Gewogen en ongewogen NPS"),
    "weighted": ("weighted", "gewogen"),
    "unweighted": ("unweighted", "ongewogen"),
    "effective_n": ("effective n", "effectieve n"),
    "weighting_note": (
        (
            "Raked to population margins of {by}: effective sample size {eff} "
            "(design effect {deff}){converged}."
        ),
        (
            "Gewogen (raking) naar populatieverdelingen van {by}: effectieve steekproefomvang "
            "{eff} (designeffect {deff}){converged}."
        ),
    ),
    "not_converged": ("; raking did not converge", "; de weging is niet geconvergeerd"),
    "weighting_caption": (
        "Weighted to population margins of {by} (design effect {deff})",
        "Gewogen naar populatieverdelingen van {by} (designeffect {deff})",
    ),
    "followup_title": ("Follow-up workload", "Opvolgwerk"),
    "followup_note": (
        "{n} follow-ups for responses since {since}, planned at {at}; {overdue} overdue.",
        "{n} opvolgacties voor antwoorden sinds {since}, gepland op {at}; {overdue} te laat.",
    ),
    "followup_caption": (
        "Follow-ups: {n} for responses since {since} ({overdue} overdue)",
        "Opvolging: {n} voor antwoorden sinds {since} ({overdue} te laat)",
    ),
    "followup_chart": ("Follow-ups per due date", "Opvolgacties per vervaldatum"),
    "rejected_title": ("Rows not used", "Niet gebruikte rijen"),
    "rejected_one": ("1 row was not used", "1 rij is niet gebruikt"),
    "rejected_many": ("{n} rows were not used", "{n} rijen zijn niet gebruikt"),
    "rejected_first": ("; the first {n} are listed", "; de eerste {n} staan hieronder"),
    "rejected_privacy": (
        (
            ". Values that could identify someone (ids, comments, whole rows) are not shown: "
            "look them up by line."
        ),
        (
            ". Waarden die iemand kunnen identificeren (id's, opmerkingen, hele rijen) worden "
            "niet getoond: zoek ze op via het regelnummer."
        ),
    ),
    "first_shown": (" (first {n}):", " (eerste {n}):"),
    "all_listed": (" (all listed):", " (alle getoond):"),
    "rejected_n": ("{n} rejected", "{n} afgewezen"),
    "rejected_row": ("{n} rejected row", "{n} afgewezen rij"),
    "rejected_rows": ("{n} rejected rows", "{n} afgewezen rijen"),
    "text_nps": ("NPS", "NPS"),
    "text_interval": ("{level} interval {ci}, {method}", "{level}-interval {ci}, {method}"),
    "text_responses": ("Responses", "Antwoorden"),
    "text_of_rows": ("{n} of {read} rows ({rejected})", "{n} van {read} rijen ({rejected})"),
    "text_file": ("File", "Bestand"),
    "text_ci": ("{level} CI", "{level}-BI"),
    "plan_head": ("{n} follow-ups, most urgent first", "{n} opvolgacties, meest dringend eerst"),
    "plan_written": ("wrote {n} follow-ups to {path}", "{n} opvolgacties geschreven naar {path}"),
    "overdue": ("overdue", "te laat"),
    "by": ("By {name}", "Per {name}"),
    "per": ("Per {period}", "Per {period}"),
    # table headers
    "interval": ("{level} interval", "{level}-interval"),
    "vs_rest": ("vs rest", "t.o.v. rest"),
    "p_adj": ("p (adj.)", "p (gecorr.)"),
    "change": ("change", "verandering"),
    "due": ("due", "vervalt"),
    "detr": ("detr.", "crit."),
    "pass": ("pass.", "pass."),
    "prom": ("prom.", "prom."),
    "total": ("total", "totaal"),
    "channel": ("channel", "kanaal"),
    "follow_ups": ("follow-ups", "opvolgacties"),
    "line": ("line", "regel"),
    "column": ("column", "kolom"),
    "value": ("value", "waarde"),
    "reason": ("reason", "reden"),
    # trend verdicts
    "significant rise": ("significant rise", "significante stijging"),
    "significant fall": ("significant fall", "significante daling"),
    "no significant change": ("no significant change", "geen significante verandering"),
    "not enough data": ("not enough data", "te weinig gegevens"),
}

_METHODS: dict[str, tuple[str, str]] = {
    "adjusted_wald": ("adjusted Wald", "aangepaste Wald"),
    "wald": ("Wald", "Wald"),
}

_CHANNELS: dict[str, tuple[str, str]] = {
    "email": ("e-mail", "e-mail"),
    "sms": ("SMS", "sms"),
    "web": ("web", "web"),
    "in_app": ("in-app", "in-app"),
    "phone": ("phone", "telefoon"),
    "chat": ("chat", "chat"),
    "other": ("other", "overig"),
}


#: English to Dutch number marks: decimal point and thousands comma swap places.
_DUTCH_MARKS = str.maketrans(",.", ".,")


class Words:
    """The report's words and number style in one language.

    Args:
        language: ``"en"`` or ``"nl"``.
    """

    def __init__(self, language: ReportLanguage = "en") -> None:
        """Choose the language."""
        self.language: ReportLanguage = language
        self._at = LANGUAGES.index(language)

    def __call__(self, key: str, **values: object) -> str:
        """The phrase ``key`` with ``values`` filled in."""
        return _TEXT[key][self._at].format(**values)

    def verdict(self, text: str) -> str:
        """A trend verdict (``"significant rise"``) in this language."""
        return self(text) if text in _TEXT else text

    def method(self, name: str) -> str:
        """An interval method in plain words: ``adjusted_wald`` → "adjusted Wald"."""
        return _METHODS[name][self._at] if name in _METHODS else plain(name)

    def channel(self, name: str) -> str:
        """A follow-up channel in plain words: ``in_app`` → "in-app"."""
        return _CHANNELS[name][self._at] if name in _CHANNELS else plain(name)

    def number(self, text: str) -> str:
        """A number already formatted by ``format`` (English style), in this language.

        Dutch swaps the decimal point and the thousands comma; the comma between an
        interval's limits becomes a semicolon.
        """
        if self.language == "en":
            return text
        return text.replace(", ", "; ").translate(_DUTCH_MARKS)

    def count(self, value: float | None) -> str:
        """A count with thousands separators (``1,234`` / ``1.234``)."""
        return self.number(fmt.count(value))

    def signed(self, value: float | None, digits: int = 1) -> str:
        """An NPS or a change with its sign."""
        return self.number(fmt.signed(value, digits))

    def share(self, value: float | None, digits: int = 1) -> str:
        """A share as a percentage."""
        return self.number(fmt.share(value, digits))

    def interval(self, bounds: tuple[float, float] | None) -> str:
        """An interval of NPS points."""
        return self.number(fmt.interval(bounds))

    def decimal(self, value: float | None, digits: int = 1) -> str:
        """A number with fixed decimals."""
        return self.number(fmt.number(value, digits))

    def p_value(self, value: float | None) -> str:
        """A p-value (``< 0.001`` below that)."""
        return self.number(fmt.p_value(value))


def plain(name: str) -> str:
    """A column or code name in plain words: underscores become spaces."""
    return name.replace("_", " ").strip() or name


def language_of(values: Iterable[object]) -> ReportLanguage:
    """The report's default language: the data's own when it is one of ours and uniform.

    Examples:
        >>> language_of(["nl", "NL-be", None]), language_of(["nl", "en"]), language_of([])
        ('nl', 'en', 'en')
    """
    seen = {str(v).strip().lower()[:2] for v in values if v is not None and str(v).strip()}
    if len(seen) == 1:
        (only,) = seen
        if only in LANGUAGES:
            return "nl" if only == "nl" else "en"
    return "en"
