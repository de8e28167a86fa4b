#!/usr/bin/env Rscript
# make_weighting_goldens.R -- R `survey` reference values for netpromoter.weighting.
#
# Usage (from the repository root):
#   Rscript tests/golden/r/make_weighting_goldens.R
#
# Writes
#   tests/golden/r/weighting_sample.csv   the synthetic biased sample (2,000 responses)
#   tests/golden/r/weighting_weights.csv  per-respondent weights of every design below
#   tests/golden/r_weighting.json         population targets, NPS, SE and diagnostics,
#                                         each with the exact R call that produced it.
# Requires: survey (Debian r-cran-survey). Numbers are written with sprintf("%.17g").

suppressPackageStartupMessages(library(survey))
out_dir <- Sys.getenv("NPS_GOLDEN_OUT", "tests/golden")

# ------------------------------------------------------------------ the sample
# A B2B panel with too many end users, too few decision makers, the west region
# under-represented and low spenders over-represented; scores depend on all three,
# so the unweighted NPS is biased. Base (design) weights w0 vary between 0.5 and 2.
set.seed(20261123)
n <- 2000
role <- sample(c("decision_maker", "end_user"), n, TRUE, prob = c(0.22, 0.78))
region <- sample(c("east", "north", "south", "west"), n, TRUE, prob = c(0.3, 0.3, 0.3, 0.1))
spend_band <- sample(c("high", "low", "mid"), n, TRUE, prob = c(0.15, 0.55, 0.30))
n_acc <- 400
account_id <- sprintf("A%03d", sample(seq_len(n_acc), n, TRUE))
lift <- 1.1 * (role == "decision_maker") - 0.6 * (region == "west") +
  0.8 * (spend_band == "high") - 0.3 * (spend_band == "low") +
  rnorm(n_acc, 0, 0.5)[as.integer(substr(account_id, 2, 4))]
base <- c(3, 2, 2, 3, 3, 5, 6, 10, 14, 20, 32)
score <- vapply(seq_len(n), function(i) {
  sample(0:10, 1, prob = base * exp(lift[i] * (0:10 - 5) / 4))
}, numeric(1))
w0 <- round(runif(n, 0.5, 2), 4)
spend <- round(exp(rnorm(n, 7, 1.2) + 1.0 * (spend_band == "high") - 1.0 * (spend_band == "low")), 2)
df <- data.frame(id = seq_len(n), score = as.integer(score), role = role, region = region,
                 spend_band = spend_band, account_id = account_id, w0 = w0, spend = spend,
                 one = 1)
df$promoter <- as.numeric(df$score >= 9)
df$detractor <- as.numeric(df$score <= 6)
write.csv(df[, c("id", "score", "role", "region", "spend_band", "account_id", "w0", "spend")],
          file.path(out_dir, "r", "weighting_sample.csv"), row.names = FALSE, quote = FALSE)

# ------------------------------------------------------------------ population
pop_cells <- data.frame(
  role = rep(c("decision_maker", "end_user"), each = 4),
  region = rep(c("east", "north", "south", "west"), 2),
  Freq = c(12000, 11000, 10000, 17000, 13000, 12500, 11500, 13000))
pop_role <- data.frame(role = c("decision_maker", "end_user"), Freq = c(50000, 50000))
pop_region <- data.frame(region = c("east", "north", "south", "west"),
                         Freq = c(25000, 23500, 21500, 30000))
pop_spend <- data.frame(spend_band = c("high", "low", "mid"), Freq = c(30000, 30000, 40000))

# ------------------------------------------------------------------ helpers
num <- function(v) if (length(v) == 1) sprintf("%.17g", v) else
  paste0("[", paste(sprintf("%.17g", v), collapse = ", "), "]")
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
obj <- function(fields) paste0("{", paste(paste0(str(names(fields)), ": ", unlist(fields)),
                                          collapse = ", "), "}")
nps_of <- function(d) {
  m <- svymean(~promoter + detractor, d)
  ct <- svycontrast(m, c(1, -1))
  c(nps = 100 * as.numeric(coef(ct)), se = 100 * as.numeric(SE(ct)))
}
NPS_CALL <- paste("m <- svymean(~promoter + detractor, d); ct <- svycontrast(m, c(1, -1));",
                  "nps <- 100 * coef(ct); se <- 100 * SE(ct)")
weights_out <- data.frame(id = df$id)
cases <- character(0)
add_case <- function(name, design_call, d, note = "") {
  w <- weights(d)
  weights_out[[name]] <<- w
  est <- nps_of(d)
  plain <- nps_of(svydesign(ids = ~1, weights = ~w, data = transform(df, w = w)))
  cases <<- c(cases, obj(list(
    name = str(name), r_call = str(paste0("d <- ", design_call, "; ", NPS_CALL)),
    nps = num(est[["nps"]]), se = num(est[["se"]]),
    se_plain_weights = num(plain[["se"]]),
    se_plain_weights_call = str(paste("svydesign(ids = ~1, weights = ~w, data = df) with w <- weights(d), then",
                                      NPS_CALL)),
    sum_w = num(sum(w)), kish_n_eff = num(sum(w)^2 / sum(w^2)),
    weights_column = str(name), note = str(note))))
  invisible(d)
}

d0 <- svydesign(ids = ~1, weights = ~w0, data = df)
d1 <- svydesign(ids = ~1, weights = ~one, data = df)
unw <- nps_of(d1)

ps_call <- "postStratify(svydesign(ids = ~1, weights = ~w0, data = df), ~role + region, pop_cells)"
ps <- add_case("poststratify_role_region", ps_call, eval(parse(text = ps_call)))
ps1_call <- "postStratify(svydesign(ids = ~1, weights = ~one, data = df), ~role + region, pop_cells)"
add_case("poststratify_role_region_unit_base", ps1_call, eval(parse(text = ps1_call)))

rake_call <- paste("rake(svydesign(ids = ~1, weights = ~w0, data = df), list(~role, ~region, ~spend_band),",
                   "list(pop_role, pop_region, pop_spend), control = list(maxit = 1000, epsilon = 1e-13))")
rk <- add_case("rake_role_region_spend", rake_call, eval(parse(text = rake_call)),
               "epsilon < 1 is relative to the total base weight: converged when no crossed-table cell changes by more than 1e-13 * sum(w0) in a sweep.")
rk_iter_note <- "R rake() keeps the post-stratification weights of its LAST sweep per margin; svyrecvar residualises by 10 backfitting sweeps of unweighted means of x / w within margin levels."

upper <- 3.5 * mean(weights(rk))
trim_call <- sprintf(paste("trimWeights(rake(svydesign(ids = ~1, weights = ~w0, data = df), list(~role, ~region, ~spend_band),",
                           "list(pop_role, pop_region, pop_spend), control = list(maxit = 1000, epsilon = 1e-13)),",
                           "upper = %s, strict = TRUE)"), sprintf("%.17g", upper))
add_case("rake_trimmed", trim_call, eval(parse(text = trim_call)),
         "upper = 3.5 * mean(weights(raked)); trimWeights keeps the raking postStrata, so the SE stays calibration-aware.")

ps_lo <- 0.6 * mean(weights(ps)); ps_hi <- 2.5 * mean(weights(ps))
pstrim_call <- sprintf("trimWeights(%s, upper = %s, lower = %s, strict = TRUE)", ps_call,
                       sprintf("%.17g", ps_hi), sprintf("%.17g", ps_lo))
add_case("poststratify_trimmed", pstrim_call, eval(parse(text = pstrim_call)),
         "upper = 2.5 and lower = 0.6 times the mean post-stratified weight.")

ps_cl_call <- "postStratify(svydesign(ids = ~account_id, weights = ~w0, data = df), ~role + region, pop_cells)"
pscl <- eval(parse(text = ps_cl_call))
add_case("poststratify_clustered", ps_cl_call, pscl,
         "Respondents clustered in accounts: with-replacement cluster variance over account totals.")
cl_call <- "svydesign(ids = ~account_id, weights = ~w0, data = df)"
add_case("base_clustered", cl_call, eval(parse(text = cl_call)))

cal_call <- paste("calibrate(svydesign(ids = ~1, weights = ~w0, data = df), ~role + region + spend_band,",
                  "population = c(`(Intercept)` = 100000, roleend_user = 50000, regionnorth = 23500,",
                  "regionsouth = 21500, regionwest = 30000, spend_bandlow = 30000, spend_bandmid = 40000),",
                  "calfun = \"raking\", epsilon = 1e-13, maxit = 1000)")
cal <- eval(parse(text = cal_call))
cal_est <- nps_of(cal)

# domains: end users only, on the raked design
dom_call <- "subset(d, role == \"end_user\")"
dom <- nps_of(subset(rk, role == "end_user"))
dom_ps <- nps_of(subset(ps, region == "west"))

# what R does with margins whose totals disagree
bad_call <- paste("rake(svydesign(ids = ~1, weights = ~w0, data = df), list(~role, ~region),",
                  "list(data.frame(role = c(\"decision_maker\", \"end_user\"), Freq = c(45000, 45000)), pop_region),",
                  "control = list(maxit = 100, epsilon = 1e-8))")
bad <- withCallingHandlers(eval(parse(text = bad_call)), warning = function(w) invokeRestart("muffleWarning"))
bad_role <- svytable(~role, bad)

weights_txt <- weights_out
for (col in names(weights_txt)[-1]) weights_txt[[col]] <- sprintf("%.17g", weights_txt[[col]])
chisq_role <- chisq.test(table(factor(df$role, levels = pop_role$role)), p = pop_role$Freq / sum(pop_role$Freq))
chisq_region <- chisq.test(table(factor(df$region, levels = pop_region$region)), p = pop_region$Freq / sum(pop_region$Freq))
chisq_json <- function(t, call) obj(list(r_call = str(call), statistic = num(unname(t$statistic)),
                                         df = num(unname(t$parameter)), p_value = num(t$p.value)))

write.csv(weights_txt, file.path(out_dir, "r", "weighting_weights.csv"), row.names = FALSE, quote = FALSE)
json <- paste0("{\n",
  "  \"source\": ", str(paste0("R ", R.version$major, ".", R.version$minor, ", survey ",
                               as.character(packageVersion("survey")))), ",\n",
  "  \"generator\": \"tests/golden/r/make_weighting_goldens.R\",\n",
  "  \"sample\": \"tests/golden/r/weighting_sample.csv\",\n",
  "  \"weights\": \"tests/golden/r/weighting_weights.csv (one column per case, rows in sample order)\",\n",
  "  \"nps_definition\": ", str(paste("df$promoter <- as.numeric(df$score >= 9); df$detractor <- as.numeric(df$score <= 6);",
                                       "nps and se in points (x 100)")), ",\n",
  "  \"population\": {\n",
  "    \"cells_role_region\": ", obj(setNames(as.list(sprintf("%.17g", pop_cells$Freq)), paste(pop_cells$role, pop_cells$region, sep = "|"))), ",\n",
  "    \"role\": ", obj(setNames(as.list(sprintf("%.17g", pop_role$Freq)), pop_role$role)), ",\n",
  "    \"region\": ", obj(setNames(as.list(sprintf("%.17g", pop_region$Freq)), pop_region$region)), ",\n",
  "    \"spend_band\": ", obj(setNames(as.list(sprintf("%.17g", pop_spend$Freq)), pop_spend$spend_band)), "\n",
  "  },\n",
  "  \"unweighted\": ", obj(list(r_call = str(paste("d <- svydesign(ids = ~1, weights = ~one, data = df);", NPS_CALL)),
                                nps = num(unw[["nps"]]), se = num(unw[["se"]]))), ",\n",
  "  \"rake_note\": ", str(rk_iter_note), ",\n",
  "  \"cases\": [\n    ", paste(cases, collapse = ",\n    "), "\n  ],\n",
  "  \"calibrate_raking\": ", obj(list(r_call = str(paste0("d <- ", cal_call, "; ", NPS_CALL)),
                                      nps = num(cal_est[["nps"]]), se = num(cal_est[["se"]]),
                                      max_abs_weight_difference_to_rake = num(max(abs(weights(cal) - weights(rk)))),
                                      note = str("calibrate() residualises by an exact weighted least-squares projection (g-calibration), rake() by 10 backfitting sweeps; the weights agree, the SEs differ slightly."))), ",\n",
  "  \"domains\": [\n    ",
  obj(list(name = str("rake_end_user"), r_call = str(paste0("d <- ", dom_call, " with d the rake_role_region_spend design; ", NPS_CALL)),
           nps = num(dom[["nps"]]), se = num(dom[["se"]]))), ",\n    ",
  obj(list(name = str("poststratify_west"), r_call = str(paste0("d <- subset(d, region == \"west\") with d the poststratify_role_region design; ", NPS_CALL)),
           nps = num(dom_ps[["nps"]]), se = num(dom_ps[["se"]]))), "\n  ],\n",
  "  \"composition\": {\n",
  "    \"role\": ", chisq_json(chisq_role, "chisq.test(table(factor(df$role, levels = pop_role$role)), p = pop_role$Freq / sum(pop_role$Freq))"), ",\n",
  "    \"region\": ", chisq_json(chisq_region, "chisq.test(table(factor(df$region, levels = pop_region$region)), p = pop_region$Freq / sum(pop_region$Freq))"), "\n",
  "  },\n",
  "  \"inconsistent_margins\": ", obj(list(r_call = str(bad_call),
      r_role_totals_after = num(as.numeric(bad_role)),
      r_region_total_after = num(sum(svytable(~region, bad))),
      note = str("Role targets sum to 90,000 and region targets to 100,000: R returns without an error with the role margin off target; netpromoter raises MarginTotalsError."))), "\n",
  "}\n")
writeLines(json, file.path(out_dir, "r_weighting.json"))
message("wrote ", file.path(out_dir, "r_weighting.json"))
