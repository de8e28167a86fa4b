"""The statistics layer: shares, NPS, standard errors, intervals and tests, from tallies.

All functions are vectorised over groups: they take ``(G, 11)`` (or ``(G, 3)``) tally
arrays and return length-``G`` arrays, so a single score, a segment table and a trend use
the same code.

* ``estimate``: one NPS per group (Wald, adjusted Wald, score and exact intervals, design
  sizes, the finite population correction, planning margins);
* ``score`` and ``exact``: the score statistic, and the exact interval built on it;
* ``compare``: two samples (independent, paired or two domains of one design), a
  benchmark, and corrections for many comparisons;
* ``design``: the calibration-aware standard errors of a weighting design;
* ``tests``: homogeneity across segments (Rao-Scott) and the shift-share decomposition;
* ``bayes``: the Dirichlet-multinomial prior of fair ranks;
* ``distributions``: normal, t, chi-square and F tails.

The docs page "Inference" gives every formula with its references.
"""

from __future__ import annotations

from netpromoter._scale import CATEGORY_VALUE, by_category
from netpromoter._stats.bayes import (
    CONCENTRATION_GRID,
    Shrunken,
    concentration_posterior,
    dirichlet_multinomial_loglik,
    mean_information,
    shrink,
)
from netpromoter._stats.compare import (
    BenchmarkTest,
    CrossSums,
    Difference,
    Overlap,
    OwnSums,
    adjust,
    adjusted_covariance,
    benchmark_test,
    benjamini_hochberg,
    complement,
    difference,
    difference_method,
    holm,
    overlap_covariance,
)
from netpromoter._stats.distributions import (
    ALTERNATIVES,
    Alternative,
    beta_incomplete,
    chi_square_sf,
    f_sf,
    log_gamma,
    normal_quantile,
    normal_sf,
    p_values,
    student_quantile,
    student_quantiles,
    student_sf,
    z_value,
)
from netpromoter._stats.estimate import (
    ADJUSTMENT,
    DIFFERENCE_METHODS,
    METHODS,
    DifferenceMethod,
    Estimate,
    Method,
    Precision,
    _centre_and_se,
    check_exact,
    design_n,
    domain_variance,
    effective_n,
    estimate,
    linearisation_se,
    nps_of,
    per_response_variance,
    population_factor,
    shares,
    wald_se,
)
from netpromoter._stats.score import score_statistic
from netpromoter._stats.tests import Homogeneity, rao_scott_homogeneity, shift_share

__all__ = [
    "ADJUSTMENT",
    "ALTERNATIVES",
    "CATEGORY_VALUE",
    "CONCENTRATION_GRID",
    "DIFFERENCE_METHODS",
    "METHODS",
    "Alternative",
    "BenchmarkTest",
    "CrossSums",
    "Difference",
    "DifferenceMethod",
    "Estimate",
    "Homogeneity",
    "Method",
    "Overlap",
    "OwnSums",
    "Precision",
    "Shrunken",
    "_centre_and_se",
    "adjust",
    "adjusted_covariance",
    "benchmark_test",
    "benjamini_hochberg",
    "beta_incomplete",
    "by_category",
    "check_exact",
    "chi_square_sf",
    "complement",
    "concentration_posterior",
    "design_n",
    "difference",
    "difference_method",
    "dirichlet_multinomial_loglik",
    "domain_variance",
    "effective_n",
    "estimate",
    "f_sf",
    "holm",
    "linearisation_se",
    "log_gamma",
    "mean_information",
    "normal_quantile",
    "normal_sf",
    "nps_of",
    "overlap_covariance",
    "p_values",
    "per_response_variance",
    "population_factor",
    "rao_scott_homogeneity",
    "score_statistic",
    "shares",
    "shift_share",
    "shrink",
    "student_quantile",
    "student_quantiles",
    "student_sf",
    "wald_se",
    "z_value",
]
