#!/usr/bin/env Rscript
# make_segment_weighting_goldens.R -- R `survey` reference values for segment() and
# compare() on calibrated designs.
#
# Usage (from the repository root, after make_weighting_goldens.R wrote the sample):
#   Rscript tests/golden/r/make_segment_weighting_goldens.R
#
# Reads  tests/golden/r/weighting_sample.csv
# Writes tests/golden/r_segment_weighting.json: per segment NPS and SE (svyby), the SE of
#        each segment's complement (subset), and a comparison of two independently
#        post-stratified halves, each value with the exact R call that produced it.
# Requires: survey (Debian r-cran-survey). Numbers are written with sprintf("%.17g").

suppressPackageStartupMessages(library(survey))
out_dir <- Sys.getenv("NPS_GOLDEN_OUT", "tests/golden")
df <- read.csv(file.path(out_dir, "r", "weighting_sample.csv"), stringsAsFactors = FALSE)
df$promoter <- as.numeric(df$score >= 9)
df$detractor <- as.numeric(df$score <= 6)

pop_cells <- data.frame(
  role = rep(c("decision_maker", "end_user"), each = 4),
  region = rep(c("east", "north", "south", "west"), 2),
  Freq = c(12000, 11000, 10000, 17000, 13000, 12500, 11500, 13000))
pop_role <- data.frame(role = c("decision_maker", "end_user"), Freq = c(50000, 50000))
pop_region <- data.frame(region = c("east", "north", "south", "west"),
                         Freq = c(25000, 23500, 21500, 30000))
pop_spend <- data.frame(spend_band = c("high", "low", "mid"), Freq = c(30000, 30000, 40000))

num <- function(v) if (length(v) == 1) sprintf("%.17g", v) else
  paste0("[", paste(sprintf("%.17g", v), collapse = ", "), "]")
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
strs <- function(v) paste0("[", paste(str(v), collapse = ", "), "]")
obj <- function(fields) paste0("{", paste(paste0(str(names(fields)), ": ", unlist(fields)),
                                          collapse = ", "), "}")
nps_of <- function(d) {
  ct <- svycontrast(svymean(~promoter + detractor, d), c(1, -1))
  c(nps = 100 * as.numeric(coef(ct)), se = 100 * as.numeric(SE(ct)))
}
# svymean of promoter - detractor is svycontrast(svymean(~promoter + detractor), c(1, -1)):
# the same linear estimate with the same influence values.
BY_CALL <- paste("b <- svyby(~I(promoter - detractor), ~%s, d, svymean);",
                 "nps <- 100 * coef(b); se <- 100 * SE(b)")

segment_case <- function(name, design_call, by) {
  d <- eval(parse(text = design_call))
  b <- svyby(~I(promoter - detractor), as.formula(paste0("~", by)), d, svymean)
  levels <- as.character(b[[by]])
  check <- t(vapply(levels, function(l) nps_of(d[d$variables[[by]] == l, ]), numeric(2)))
  stopifnot(max(abs(check[, "se"] - 100 * SE(b))) < 1e-12)
  rest <- t(vapply(levels, function(l) nps_of(d[d$variables[[by]] != l, ]), numeric(2)))
  # NPS(segment) - NPS(rest) as one domain contrast, covariance included.
  vs_rest <- t(vapply(levels, function(l) {
    dl <- update(d, s = as.numeric(d$variables[[by]] == l), y = promoter - detractor)
    dl <- update(dl, ys = y * s, r = 1 - s, yr = y * (1 - s))
    ct <- svycontrast(svytotal(~ys + s + yr + r, dl), quote(ys / s - yr / r))
    c(delta = 100 * as.numeric(coef(ct)), se = 100 * as.numeric(SE(ct)))
  }, numeric(2)))
  overall <- nps_of(d)
  obj(list(
    name = str(name), by = str(by),
    design_call = str(paste0("d <- ", design_call)),
    r_call = str(sprintf(BY_CALL, by)),
    levels = strs(levels),
    nps = num(100 * as.numeric(coef(b))), se = num(100 * as.numeric(SE(b))),
    rest_call = str(paste0("for each level l: d_rest <- subset(d, ", by, " != l); ",
                           "ct <- svycontrast(svymean(~promoter + detractor, d_rest), c(1, -1))")),
    rest_nps = num(unname(rest[, "nps"])), rest_se = num(unname(rest[, "se"])),
    vs_rest_call = str(paste0("for each level l: dl <- update(d, s = as.numeric(", by, " == l), y = promoter - detractor); ",
                             "dl <- update(dl, ys = y * s, r = 1 - s, yr = y * (1 - s)); ",
                             "ct <- svycontrast(svytotal(~ys + s + yr + r, dl), quote(ys / s - yr / r))")),
    vs_rest = num(unname(vs_rest[, "delta"])), vs_rest_se = num(unname(vs_rest[, "se"])),
    overall_call = str("ct <- svycontrast(svymean(~promoter + detractor, d), c(1, -1))"),
    overall_nps = num(overall[["nps"]]), overall_se = num(overall[["se"]])))
}

ps_call <- "postStratify(svydesign(ids = ~1, weights = ~w0, data = df), ~role + region, pop_cells)"
rake_call <- paste("rake(svydesign(ids = ~1, weights = ~w0, data = df), list(~role, ~region, ~spend_band),",
                   "list(pop_role, pop_region, pop_spend), control = list(maxit = 1000, epsilon = 1e-13))")
cases <- c(segment_case("poststratify_by_spend_band", ps_call, "spend_band"),
           segment_case("rake_by_region", rake_call, "region"))

# Two independent samples (first and second half of the rows), each post-stratified
# to the same population: compare the second with the first.
half_call <- paste("postStratify(svydesign(ids = ~1, weights = ~w0, data = df[%s, ]),",
                   "~role + region, pop_cells)")
first <- nps_of(eval(parse(text = sprintf(half_call, "df$id <= 1000"))))
second <- nps_of(eval(parse(text = sprintf(half_call, "df$id > 1000"))))
delta <- second[["nps"]] - first[["nps"]]
se <- sqrt(first[["se"]]^2 + second[["se"]]^2)
z <- delta / se
compare <- obj(list(
  first_call = str(sprintf(half_call, "df$id <= 1000")),
  second_call = str(sprintf(half_call, "df$id > 1000")),
  r_call = str(paste("a <- nps_of(first); b <- nps_of(second); delta <- b[\"nps\"] - a[\"nps\"];",
                     "se <- sqrt(a[\"se\"]^2 + b[\"se\"]^2); z <- delta / se; p <- 2 * pnorm(-abs(z))")),
  first_nps = num(first[["nps"]]), first_se = num(first[["se"]]),
  second_nps = num(second[["nps"]]), second_se = num(second[["se"]]),
  delta = num(delta), se = num(se), z = num(z), p_value = num(2 * pnorm(-abs(z))),
  lower = num(delta - qnorm(0.975) * se), upper = num(delta + qnorm(0.975) * se)))

json <- paste0("{\n",
  "  \"source\": ", str(paste0("R ", R.version$major, ".", R.version$minor, ", survey ",
                               as.character(packageVersion("survey")))), ",\n",
  "  \"generator\": \"tests/golden/r/make_segment_weighting_goldens.R\",\n",
  "  \"sample\": \"tests/golden/r/weighting_sample.csv\",\n",
  "  \"population\": \"as in tests/golden/r_weighting.json\",\n",
  "  \"nps_of\": \"nps_of(d) = 100 * coef and SE of svycontrast(svymean(~promoter + detractor, d), c(1, -1))\",\n",
  "  \"segments\": [\n    ", paste(cases, collapse = ",\n    "), "\n  ],\n",
  "  \"compare_halves\": ", compare, "\n",
  "}\n")
writeLines(json, file.path(out_dir, "r_segment_weighting.json"))
message("wrote ", file.path(out_dir, "r_segment_weighting.json"))
