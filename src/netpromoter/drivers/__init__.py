"""Drivers: which parts of the experience move NPS, and what comments are about.

Two analyses turn follow-up questions into a ranked list of what to work on:

* [`key_drivers`][netpromoter.drivers.key_drivers] relates aspect ratings (support,
  product, price... on any scale, with missing answers) to the 0..10 recommend score:
  correlations with intervals, the NPS of respondents rating an aspect low vs high,
  Johnson's relative weights with bootstrap intervals, and an importance × performance
  table whose "fix first" aspects are important and poorly rated.
* [`themes`][netpromoter.drivers.themes] tags open comments with themes from a dictionary
  of keywords and phrases (English and Dutch; see
  [`starter_themes`][netpromoter.drivers.starter_themes]) and gives, per theme, how many
  mention it, their NPS, the share of detractors mentioning it and example comments.

Both read the same inputs as the rest of the library (a list of
[`Response`][netpromoter.core.Response], a mapping of columns, or a dataframe), and every
NPS they show comes from the shared tally and statistics layer, so it equals
[`score`][netpromoter.core.score] on the same respondents.

Correlation is not causation: an aspect that moves with NPS may share a cause with it
(a bad delivery spoils both the delivery rating and the recommendation) rather than drive
it. Read the ranking as "where to look first", and test changes where you can.
"""

from __future__ import annotations

from netpromoter.drivers.analysis import MAX_RESAMPLES as MAX_RESAMPLES
from netpromoter.drivers.analysis import key_drivers
from netpromoter.drivers.comments import UNTAGGED as UNTAGGED
from netpromoter.drivers.comments import ThemeResult, ThemeRow, starter_themes, themes
from netpromoter.drivers.fields import QUADRANTS as QUADRANTS
from netpromoter.drivers.fields import Interval as Interval
from netpromoter.drivers.fields import Method as Method
from netpromoter.drivers.fields import Quadrant as Quadrant
from netpromoter.drivers.result import DriverRow, KeyDriverResult

__all__ = [
    "DriverRow",
    "KeyDriverResult",
    "ThemeResult",
    "ThemeRow",
    "key_drivers",
    "starter_themes",
    "themes",
]
