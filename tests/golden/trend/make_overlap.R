#!/usr/bin/env Rscript
# make_overlap.R -- reference values for the NPS change between two periods that share
# respondents (tests/golden/trend/overlap.csv), computed with R's survey package.
#
# Usage (from the repository root): Rscript tests/golden/trend/make_overlap.R
# Writes tests/golden/trend/overlap_r.json.
#
# The answers are stacked (one row per answer) and clustered by respondent, sampled
# with replacement; the NPS of a period is the domain mean of s = +1/0/-1 (times 100)
# and the change is the contrast of the two means:
#   d <- svydesign(ids = ~respondent_id, data = x)
#   m <- svyby(~s, ~period, d, svymean, covmat = TRUE)
#   svycontrast(m, c(-1, 1))
suppressPackageStartupMessages(library(survey))
x <- read.csv("tests/golden/trend/overlap.csv", stringsAsFactors = FALSE)
x$s <- ifelse(x$score >= 9, 1, ifelse(x$score <= 6, -1, 0))
d <- svydesign(ids = ~respondent_id, data = x)
m <- svyby(~s, ~period, d, svymean, covmat = TRUE)
ctr <- svycontrast(m, c(-1, 1))
v <- vcov(m)
clusters <- length(unique(x$respondent_id))
f <- function(z) sprintf("%.17g", z)
json <- paste0(
  "{\n",
  '  "source": "R ', as.character(getRversion()), ", survey ", as.character(packageVersion("survey")),
  ': svycontrast(svyby(~s, ~period, svydesign(ids = ~respondent_id, data = x), svymean, covmat = TRUE), c(-1, 1))",\n',
  '  "clusters": ', clusters, ",\n",
  '  "nps": [', f(100 * coef(m)[1]), ", ", f(100 * coef(m)[2]), "],\n",
  '  "var": [', f(1e4 * v[1, 1]), ", ", f(1e4 * v[2, 2]), "],\n",
  '  "cov": ', f(1e4 * v[1, 2]), ",\n",
  '  "delta": ', f(100 * coef(ctr)[1]), ",\n",
  '  "se_delta": ', f(100 * SE(ctr)[1]), "\n",
  "}\n"
)
writeLines(json, "tests/golden/trend/overlap_r.json", sep = "")
