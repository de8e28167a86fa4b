#!/usr/bin/env Rscript
# make_homogeneity_goldens.R -- R `survey` reference values for SegmentResult.homogeneity,
# the omnibus Wald test that every segment has the same NPS.
#
# Usage (from the repository root):
#   Rscript tests/golden/r/make_homogeneity_goldens.R
#
# Reads  tests/golden/r/weighting_sample.csv (written by make_weighting_goldens.R)
# Writes tests/golden/r_homogeneity.json: per case the Rao-Scott F of
#        regTermTest(svyglm(...), method = "WorkingWald", lrt.approximation =
#        "satterthwaite"), its degrees of freedom and p-value, and each R call.
# Requires: survey (Debian r-cran-survey). Numbers are written with sprintf("%.17g").

suppressPackageStartupMessages(library(survey))
out_dir <- Sys.getenv("NPS_GOLDEN_OUT", "tests/golden")
df <- read.csv(file.path(out_dir, "r", "weighting_sample.csv"), stringsAsFactors = FALSE)
df$promoter <- as.numeric(df$score >= 9)
df$detractor <- as.numeric(df$score <= 6)
df$y <- df$promoter - df$detractor
df$one <- 1  # unweighted: every weight 1 (svyby(covmat = TRUE) needs weights given)

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
obj <- function(fields) paste0("{", paste(paste0(str(names(fields)), ": ", unlist(fields)),
                                          collapse = ", "), "}")

TEST_CALL <- paste("m <- svyglm(y ~ %s, design = d);",
                   "rt <- regTermTest(m, ~%s, method = \"WorkingWald\", lrt.approximation = \"satterthwaite\");",
                   "a <- rt$lambda; tr <- mean(a); tr2 <- mean(a^2) / tr^2;",
                   "ndf <- length(a) / tr2; F <- rt$chisq / ndf / (tr * tr2)")

homogeneity_case <- function(name, design_call, by, rows = "TRUE") {
  data <- df[eval(parse(text = rows), df), ]
  d <- eval(parse(text = gsub("data = df", "data = data", design_call)))
  m <- svyglm(as.formula(paste("y ~", by)), design = d)
  rt <- regTermTest(m, as.formula(paste0("~", by)), method = "WorkingWald",
                    lrt.approximation = "satterthwaite")
  a <- rt$lambda
  tr <- mean(a)
  tr2 <- mean(a^2) / tr^2
  ndf <- length(a) / tr2
  F <- as.numeric(rt$chisq) / ndf / (tr * tr2)
  stopifnot(abs(pf(F, ndf, rt$ddf, lower.tail = FALSE) - as.numeric(rt$p)) < 1e-12)
  obj(list(
    name = str(name), by = str(by), rows = str(rows),
    design_call = str(paste0("d <- ", design_call)),
    r_call = str(sprintf(TEST_CALL, by, by)),
    F = num(F), ndf = num(ndf), ddf = num(rt$ddf), p_value = num(as.numeric(rt$p)),
    chisq = num(as.numeric(rt$chisq)), lambda = num(a)))
}

plain_call <- "svydesign(ids = ~1, weights = ~one, data = df)"
weights_call <- "svydesign(ids = ~1, weights = ~w0, data = df)"
ps_call <- "postStratify(svydesign(ids = ~1, weights = ~w0, data = df), ~role + region, pop_cells)"
rake_call <- paste("rake(svydesign(ids = ~1, weights = ~w0, data = df), list(~role, ~region, ~spend_band),",
                   "list(pop_role, pop_region, pop_spend), control = list(maxit = 1000, epsilon = 1e-13))")
cases <- c(
  homogeneity_case("unweighted_by_region", plain_call, "region"),
  homogeneity_case("unweighted_first_300_by_spend_band", plain_call, "spend_band", "df$id <= 300"),
  homogeneity_case("weighted_by_region", weights_call, "region"),
  homogeneity_case("weighted_by_spend_band", weights_call, "spend_band"),
  homogeneity_case("poststratify_by_spend_band", ps_call, "spend_band"),
  homogeneity_case("rake_by_region", rake_call, "region"))

json <- paste0("{\n",
  "  \"source\": ", str(paste0("R ", R.version$major, ".", R.version$minor, ", survey ",
                               as.character(packageVersion("survey")))), ",\n",
  "  \"generator\": \"tests/golden/r/make_homogeneity_goldens.R\",\n",
  "  \"sample\": \"tests/golden/r/weighting_sample.csv\",\n",
  "  \"y\": \"y = (score >= 9) - (score <= 6); NPS = 100 * mean(y)\",\n",
  "  \"cases\": [\n    ", paste(cases, collapse = ",\n    "), "\n  ]\n",
  "}\n")
writeLines(json, file.path(out_dir, "r_homogeneity.json"))
message("wrote ", file.path(out_dir, "r_homogeneity.json"))
