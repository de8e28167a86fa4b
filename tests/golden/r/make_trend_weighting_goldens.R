#!/usr/bin/env Rscript
# make_trend_weighting_goldens.R -- R `survey` reference values for trend() on
# calibrated designs: each period (and period x segment, and rolling window) is a domain.
#
# Usage (from the repository root, after make_weighting_goldens.R wrote the sample):
#   Rscript tests/golden/r/make_trend_weighting_goldens.R
#
# Reads  tests/golden/r/weighting_sample.csv; each row gets the answer date
#        as.Date("2026-01-01") + (id * 37) %% 150 (January to May 2026), period = month.
# Writes tests/golden/r_trend_weighting.json: per period NPS and SE (svyby), per period x
#        region on a raked design, per two- and three-month rolling window (subset on the
#        window's months), and each month's change against the month before as the domain
#        contrast (svycontrast of svytotal), each value with its exact R call.
# Requires: survey (Debian r-cran-survey). Numbers are written with sprintf("%.17g").

suppressPackageStartupMessages(library(survey))
out_dir <- Sys.getenv("NPS_GOLDEN_OUT", "tests/golden")
df <- read.csv(file.path(out_dir, "r", "weighting_sample.csv"), stringsAsFactors = FALSE)
df$promoter <- as.numeric(df$score >= 9)
df$detractor <- as.numeric(df$score <= 6)
df$date <- as.Date("2026-01-01") + (df$id * 37) %% 150
df$period <- format(df$date, "%Y-%m")

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

ps_call <- "postStratify(svydesign(ids = ~1, weights = ~w0, data = df), ~role + region, pop_cells)"
rake_call <- paste("rake(svydesign(ids = ~1, weights = ~w0, data = df), list(~role, ~region, ~spend_band),",
                   "list(pop_role, pop_region, pop_spend), control = list(maxit = 1000, epsilon = 1e-13))")

by_case <- function(name, design_call, by) {
  d <- eval(parse(text = design_call))
  b <- svyby(as.formula("~I(promoter - detractor)"), as.formula(paste0("~", by)), d, svymean)
  keys <- if (by == "period") as.character(b$period) else paste(b$period, b$region, sep = "|")
  nps <- 100 * as.numeric(coef(b))
  se <- 100 * as.numeric(SE(b))
  fields <- list(
    name = str(name), by = str(by),
    design_call = str(paste0("d <- ", design_call)),
    r_call = str(paste0("b <- svyby(~I(promoter - detractor), ~", by,
                        ", d, svymean); nps <- 100 * coef(b); se <- 100 * SE(b)")),
    keys = strs(keys), nps = num(nps), se = num(se))
  if (by == "period") {
    # Each month against the month before: the domain contrast of the two months, with
    # the covariance the calibration induces between them.
    months <- as.character(b$period)
    contrast <- t(vapply(seq_along(months)[-1], function(i) {
      dl <- update(d, s = as.numeric(period == months[i]), r = as.numeric(period == months[i - 1]),
                   y = promoter - detractor)
      dl <- update(dl, ys = y * s, yr = y * r)
      ct <- svycontrast(svytotal(~ys + s + yr + r, dl), quote(ys / s - yr / r))
      c(delta = 100 * as.numeric(coef(ct)), se = 100 * as.numeric(SE(ct)))
    }, numeric(2)))
    z <- contrast[, "delta"] / contrast[, "se"]
    fields <- c(fields, list(
      change_call = str(paste("for each month m after the first and the month before p:",
                              "dl <- update(d, s = as.numeric(period == m), r = as.numeric(period == p), y = promoter - detractor);",
                              "dl <- update(dl, ys = y * s, yr = y * r);",
                              "ct <- svycontrast(svytotal(~ys + s + yr + r, dl), quote(ys / s - yr / r));",
                              "delta <- 100 * coef(ct); se <- 100 * SE(ct); p <- 2 * pnorm(-abs(delta / se))")),
      change_delta = num(unname(contrast[, "delta"])), change_se = num(unname(contrast[, "se"])),
      change_p_value = num(unname(2 * pnorm(-abs(z)))),
      independent_call = str("se_independent <- sqrt(se[-1]^2 + se[-length(se)]^2)  # for comparison only"),
      independent_se = num(sqrt(se[-1]^2 + se[-length(se)]^2))))
  }
  obj(fields)
}

rolling_case <- function(name, design_call, k) {
  d <- eval(parse(text = design_call))
  months <- sort(unique(df$period))
  windows <- lapply(seq_along(months), function(i) months[max(1, i - k + 1):i])
  values <- t(vapply(windows, function(w) nps_of(subset(d, period %in% w)), numeric(2)))
  obj(list(
    name = str(name), rolling = num(k),
    design_call = str(paste0("d <- ", design_call)),
    r_call = str(paste0("for the window w of months ending at each month (", k, " months, fewer at the start): ",
                        "ct <- svycontrast(svymean(~promoter + detractor, subset(d, period %in% w)), c(1, -1))")),
    keys = strs(months), nps = num(unname(values[, "nps"])), se = num(unname(values[, "se"]))))
}

cases <- c(by_case("poststratify_by_month", ps_call, "period"),
           by_case("rake_by_month", rake_call, "period"),
           by_case("rake_by_month_and_region", rake_call, "period + region"),
           rolling_case("poststratify_rolling_2", ps_call, 2),
           rolling_case("rake_rolling_3", rake_call, 3))

json <- paste0("{\n",
  "  \"source\": ", str(paste0("R ", R.version$major, ".", R.version$minor, ", survey ",
                               as.character(packageVersion("survey")))), ",\n",
  "  \"generator\": \"tests/golden/r/make_trend_weighting_goldens.R\",\n",
  "  \"sample\": \"tests/golden/r/weighting_sample.csv\",\n",
  "  \"dates\": \"date <- as.Date(\\\"2026-01-01\\\") + (id * 37) %% 150; period <- format(date, \\\"%Y-%m\\\")\",\n",
  "  \"population\": \"as in tests/golden/r_weighting.json\",\n",
  "  \"nps_of\": \"nps_of(d) = 100 * coef and SE of svycontrast(svymean(~promoter + detractor, d), c(1, -1))\",\n",
  "  \"cases\": [\n    ", paste(cases, collapse = ",\n    "), "\n  ]\n",
  "}\n")
writeLines(json, file.path(out_dir, "r_trend_weighting.json"))
message("wrote ", file.path(out_dir, "r_trend_weighting.json"))
