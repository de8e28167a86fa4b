#!/usr/bin/env Rscript
# make_goldens.R -- generate R reference ("golden") values for netpromoter.
#
# Usage (from the repository root):
#   NPS_R_SRC=/path/to/nps_src Rscript tests/golden/r/make_goldens.R
#
# Writes tests/golden/r_nps.json and tests/golden/r_survey.json
# (override the output directory with env var NPS_GOLDEN_OUT).
#
# NPS_R_SRC must point at a directory holding R sources of Brendan Rocks' NPS
# package (GitHub brendan-r/NPS; NOT part of this repository, never commit it):
#   $NPS_R_SRC/v1_1/*.R  -- the 1.x-era API (nps, npc, npvar, nps.var, nps.se,
#                           nps.test; wald only), i.e. R/nps.R @ 14439972.
#   $NPS_R_SRC/dev/*.R   -- the GitHub development API "2.0.999999" (nps_,
#                           nps_var_, nps_se_, nps_test_ with test = "wald",
#                           "adjusted.wald", "iterative"; iterative() from
#                           R/nps_interval_estimators.R @ 2030bb43).
# Each set is sys.source()d into its own environment.  For dev, this script
# supplies nps_format(x, nps.100) and the package's .onLoad options
# (nps.breaks = c(0, 6, 8, 10), nps.100 = FALSE) because the stored dev
# nps_global.R defines a one-argument nps_format() incompatible with dev nps.R.
# If NPS_R_SRC is unset, only r_survey.json is produced.
#
# Requires: survey (Debian r-cran-survey).  JSON is written by hand below
# with sprintf("%.17g"); non-finite numbers become the strings "NaN",
# "Infinity", "-Infinity"; NA/NULL become null.

suppressPackageStartupMessages(library(survey))

out_dir <- Sys.getenv("NPS_GOLDEN_OUT", "tests/golden")
src_dir <- Sys.getenv("NPS_R_SRC", "")

# ---------------------------------------------------------------- JSON writer
json_array <- function(x) structure(list(x), class = "json_array")
num_str <- function(v) {
  if (is.na(v) && !is.nan(v)) return("null")
  if (is.nan(v)) return("\"NaN\"")
  if (is.infinite(v)) return(if (v > 0) "\"Infinity\"" else "\"-Infinity\"")
  sprintf("%.17g", v)
}
str_esc <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  s <- gsub("\n", "\\\\n", s)
  paste0("\"", s, "\"")
}
scalar_json <- function(v) {
  if (is.null(v)) return("null")
  if (is.logical(v)) return(if (is.na(v)) "null" else if (v) "true" else "false")
  if (is.integer(v)) return(if (is.na(v)) "null" else sprintf("%d", v))
  if (is.numeric(v)) return(num_str(v))
  if (is.character(v)) return(if (is.na(v)) "null" else str_esc(v))
  stop("unsupported type ", class(v))
}
to_json <- function(x, ind = "") {
  nxt <- paste0(ind, "  ")
  if (inherits(x, "json_array")) {
    v <- x[[1]]
    if (is.list(v)) return(to_json(unname(v), ind))
    if (length(v) == 0) return("[]")
    return(paste0("[", paste(vapply(seq_along(v), function(i) scalar_json(unname(v[i])), ""),
                             collapse = ", "), "]"))
  }
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    if (is.null(names(x))) {
      return(paste0("[\n", paste0(nxt, vapply(x, to_json, "", ind = nxt), collapse = ",\n"),
                    "\n", ind, "]"))
    }
    return(paste0("{\n", paste0(nxt, vapply(names(x), str_esc, ""), ": ",
                                vapply(x, to_json, "", ind = nxt), collapse = ",\n"),
                  "\n", ind, "}"))
  }
  x <- unname(x)
  if (length(x) == 1) return(scalar_json(x))
  to_json(json_array(x), ind)
}
write_json <- function(obj, path) {
  dir.create(dirname(path), showWarnings = FALSE, recursive = TRUE)
  writeLines(to_json(obj), path)
  message("wrote ", path)
}
vec <- function(x) json_array(as.numeric(unname(x)))   # always a JSON array
# strip names/attributes from any R result, keep vectors as arrays if length>1
clean <- function(v) {
  if (is.null(v)) return(NULL)
  if (is.factor(v)) v <- as.character(v)
  if (is.logical(v)) return(if (length(v) == 1) unname(v) else json_array(unname(v)))
  if (is.numeric(v)) {
    v <- as.numeric(unname(v))
    return(if (length(v) == 1) v else json_array(v))
  }
  unname(v)
}

r_version <- paste0("R ", R.version$major, ".", R.version$minor)

# =========================================================== r_nps.json
if (nzchar(src_dir)) {
  options(nps.breaks = c(0, 6, 8, 10), nps.100 = FALSE)   # dev .onLoad defaults
  v1 <- new.env()
  for (f in list.files(file.path(src_dir, "v1_1"), "\\.[Rr]$", full.names = TRUE))
    sys.source(f, envir = v1)
  dev <- new.env()
  assign("nps_format", function(x, nps.100 = getOption("nps.100")) {
    if (isTRUE(nps.100)) x * 100 else x
  }, envir = dev)
  for (f in list.files(file.path(src_dir, "dev"), "\\.[Rr]$", full.names = TRUE))
    sys.source(f, envir = dev)

  # ---- samples (scores on 0..10)
  samples <- list(
    n1_promoter        = list(scores = c(10)),
    n1_detractor       = list(scores = c(3)),
    n2_promoter_detractor = list(scores = c(9, 3)),
    n5_mixed           = list(scores = c(10, 9, 8, 6, 2)),
    all_promoters_n20  = list(scores = rep(c(9, 10), 10)),
    all_detractors_n20 = list(scores = c(0:6, 0:6, 0:5)),
    only_passives_n15  = list(scores = c(rep(7, 8), rep(8, 7))),
    skewed_n50         = list(scores = c(rep(10, 30), rep(9, 18), 8, 4)),
    mixed_n37          = list(scores = c(10, 9, 9, 10, 8, 7, 6, 5, 10, 9, 3, 0, 8, 8, 10,
                                         9, 7, 10, 2, 6, 9, 9, 10, 8, 4, 10, 7, 9, 1, 10,
                                         6, 8, 10, 9, 5, 10, 9)),
    mixed_n40_y        = list(scores = c(10, 10, 9, 10, 9, 10, 8, 9, 10, 10, 7, 9, 10, 6, 10,
                                         9, 10, 8, 10, 9, 10, 3, 10, 9, 10, 8, 10, 9, 10, 10,
                                         7, 9, 10, 10, 5, 9, 10, 9, 10, 8)),
    mixed_n10000       = list(score_counts = c(412, 205, 198, 240, 301, 655, 790,
                                               1310, 1689, 1850, 2350)),
    mixed_n8000_y      = list(score_counts = c(380, 160, 170, 215, 260, 520, 640,
                                               1100, 1380, 1390, 1785))
  )
  getx <- function(s) if (!is.null(s$scores)) s$scores else rep(0:10, s$score_counts)
  input_json <- function(s) {
    if (!is.null(s$scores)) list(scores = json_array(as.integer(s$scores)))
    else list(score_counts = json_array(as.integer(s$score_counts)),
              r_build = "x <- rep(0:10, score_counts)")
  }

  ev <- function(expr, env, x, y = NULL) {
    e <- list2env(list(x = x, y = y), parent = env)
    tryCatch(withCallingHandlers(eval(parse(text = expr), envir = e),
                                 warning = function(w) invokeRestart("muffleWarning")),
             error = function(err) structure(list(msg = conditionMessage(err)), class = "r_error"))
  }
  test_fields <- function(r) {
    if (inherits(r, "r_error")) return(list(error = r$msg))
    r <- unclass(r)
    out <- lapply(r, clean)
    names(out) <- names(r)
    out
  }

  cases <- list()
  add <- function(name, sample, api, r_call, expected, notes = NULL, input) {
    cases[[length(cases) + 1]] <<- list(
      name = name, sample = sample, api = api,
      scale = "proportion (-1..1), as returned by R (nps.100 = FALSE)",
      input = input, r_call = r_call, expected = expected,
      notes = if (is.null(notes)) json_array(character(0)) else json_array(notes))
  }

  edge_note <- function(nm) switch(nm,
    n1_promoter = "n=1: variance is 0 (divisor n, not n-1), so se = 0; v1.1 Wald p.value = 1-(2*pnorm(1/0)-1) = 0 and the 'interval' is degenerate [1,1].",
    n1_detractor = "n=1 detractor: variance 0, se 0, p.value 0, degenerate interval.",
    all_promoters_n20 = "All promoters: variance (p+d)-(p-d)^2 = 1-1 = 0, se = 0; Wald p.value 0 and zero-width interval; adjusted Wald adds (0.75,1.5,0.75) so var > 0 and the interval is centred on 20/23 (not on 1) and its upper limit exceeds 1 (no clipping). Iterative: c == n branch sets ul = 1 exactly.",
    all_detractors_n20 = "All detractors: variance 0; iterative b == n branch sets ll = -1 exactly; adjusted-Wald lower limit goes below -1 (no clipping).",
    only_passives_n15 = "Only passives: nps 0, variance 0, se 0; Wald z = 0/0 = NaN so p.value NaN and sig NA.",
    NULL)

  conf_sets <- function(nm) if (nm %in% c("mixed_n37", "mixed_n10000", "n5_mixed")) c(0.95, 0.90) else 0.95
  one_sample <- setdiff(names(samples), c("mixed_n40_y", "mixed_n8000_y"))

  for (nm in one_sample) {
    s <- samples[[nm]]; x <- getx(s); inp <- input_json(s)
    cnt <- as.integer(table(v1$npc(x)))
    en <- edge_note(nm)
    # v1.1 scalar functions
    for (fn in c("nps(x)", "nps.var(x)", "nps.se(x)")) {
      add(paste0(nm, "/v1_1/", sub("\\(x\\)", "", fn)), nm, "v1_1", fn,
          list(value = clean(ev(fn, v1, x)),
               counts_detractor_passive_promoter = json_array(cnt)),
          c(if (fn == "nps.var(x)") "nps.var = (p+d) - (p-d)^2 with p, d sample proportions: the per-respondent variance of the +1/0/-1 score with divisor n (NOT n-1).",
            if (fn == "nps.se(x)") "nps.se = sqrt(nps.var(x)/n), n = number of non-NA categorised responses.",
            en), inp)
    }
    for (cf in conf_sets(nm)) {
      rc <- sprintf("nps.test(x, conf = %s)", format(cf))
      add(sprintf("%s/v1_1/nps.test/one_sample/conf%s", nm, format(cf)), nm, "v1_1", rc,
          test_fields(ev(rc, v1, x)),
          c("v1.1 one-sample Wald: int is returned as c(nps + z*se, nps - z*se), i.e. UPPER limit first. p.value = 1 - (2*pnorm(|nps|/se) - 1), two-sided vs H0 NPS = 0. Not clipped to [-1,1].",
            en), inp)
    }
    # dev API
    for (fn in c("nps_(table(npc(x)))", "nps_var_(table(npc(x)))", "nps_se_(table(npc(x)))")) {
      add(paste0(nm, "/dev/", sub("\\(table.*", "", fn)), nm, "dev", fn,
          list(value = clean(ev(fn, dev, x)),
               counts_detractor_passive_promoter = json_array(cnt)),
          c("dev API on counts table(npc(x)) = c(Detractor, Passive, Promoter); identical formulas to v1.1.", en), inp)
    }
    for (cf in conf_sets(nm)) {
      for (tst in c("wald", "adjusted.wald", "iterative")) {
        rc <- sprintf("nps_test_(table(npc(x)), test = \"%s\", conf = %s)", tst, format(cf))
        nt <- switch(tst,
          wald = "dev Wald: int = c(nps - z*se, nps + z*se) (lower first), se = sqrt(var/n), var divisor n. Not clipped.",
          adjusted.wald = "dev adjusted Wald: pseudo_observations c(0.75, 1.50, 0.75) are added to the (Detractor, Passive, Promoter) counts (n -> n+3); nps, var, se AND the interval centre all come from the adjusted counts; p.value uses the adjusted nps/se; returned nps.x is the RAW nps while se.hat and delta.hat are the adjusted ones. Not clipped to [-1,1].",
          iterative = "dev iterative AS RETURNED BY THE PACKAGE: nps_test_ calls iterative(x, alpha) and iterative() uses z <- qnorm(p) = qnorm(alpha) < 0, so |score| < z is never true; the bisection just halves dp until dp < 1e-7 and returns nps +/- ~1e-7 (a degenerate interval) and sig = min(int) > 0. p.value and se.hat are NULL. This is a package bug; see the iterative_intended case for the presumably-intended interval.")
        add(sprintf("%s/dev/nps_test_/%s/conf%s", nm, tst, format(cf)), nm, "dev", rc,
            test_fields(ev(rc, dev, x)), c(nt, en), inp)
      }
      rc <- sprintf("iterative(table(npc(x)), %s)", format(1 - (1 - cf) / 2))
      add(sprintf("%s/dev/iterative_intended/conf%s", nm, format(cf)), nm, "dev", rc,
          list(int = clean(ev(rc, dev, x))),
          c("Direct call of the package-internal iterative() (Tango-type score interval for the difference of two multinomial proportions) with p = 1 - alpha/2 so z = qnorm(p) > 0. NOT what nps_test_ returns. Algorithm: upper limit searched by step-halving from the point estimate (dp starts at 1 - nps, then dp <- dp/2 each iteration; a probe nps+dp is accepted, i.e. the base moves there, when |score| < z); stops when dp < 1e-7 or |z - score| < 1e-6 or after 50 iterations and returns the LAST PROBE (not the last accepted value). The lower search starts from the (moved) base, with dp = 1 + base. If all promoters ul = 1; if all detractors ll = -1. score = (c - b - n*t)/sqrt(n*(2*q + t*(1-t))) where q is the constrained MLE of the detractor proportion: root of 2n q^2 + (-b-c+(2n-c+b) t) q - b t (1-t) = 0.",
            en), inp)
    }
  }

  # ---- two-sample tests
  pairs <- list(
    pair1_n37_vs_n40 = c("mixed_n37", "mixed_n40_y"),
    pair2_skewed50_vs_n37 = c("skewed_n50", "mixed_n37"),
    pair3_n10000_vs_n8000 = c("mixed_n10000", "mixed_n8000_y"))
  for (pn in names(pairs)) {
    sx <- samples[[pairs[[pn]][1]]]; sy <- samples[[pairs[[pn]][2]]]
    x <- getx(sx); y <- getx(sy)
    inp <- list(x = input_json(sx), y = input_json(sy),
                x_sample = pairs[[pn]][1], y_sample = pairs[[pn]][2])
    signote <- sprintf("x = %s (nps %.6f), y = %s (nps %.6f). R reports delta = abs(nps.x - nps.y): the SIGN IS DROPPED, and the interval is delta +/- z*se (centred on |difference|, so it is an interval for |nps.x - nps.y| only when nps.x >= nps.y). se = sqrt(var.x/n.x + var.y/n.y) (unpooled, divisor n). p.value = 1 - (2*pnorm(delta/se) - 1), two-sided.",
                       pairs[[pn]][1], v1$nps(x), pairs[[pn]][2], v1$nps(y))
    confs <- if (pn == "pair1_n37_vs_n40") c(0.95, 0.90) else 0.95
    for (cf in confs) {
      rc <- sprintf("nps.test(x, y, conf = %s)", format(cf))
      add(sprintf("%s/v1_1/nps.test/two_sample/conf%s", pn, format(cf)), pn, "v1_1", rc,
          test_fields(ev(rc, v1, x, y)), signote, inp)
      for (tst in c("wald", "adjusted.wald")) {
        rc <- sprintf("nps_test_(table(npc(x)), table(npc(y)), test = \"%s\", conf = %s)", tst, format(cf))
        add(sprintf("%s/dev/nps_test_/%s/conf%s", pn, tst, format(cf)), pn, "dev", rc,
            test_fields(ev(rc, dev, x, y)),
            c(signote, if (tst == "adjusted.wald") "adjusted.wald: (0.75,1.5,0.75) pseudo-observations added to EACH sample; delta.hat, se.hat, int and p.value use adjusted values; nps.x/nps.y returned raw." else NULL,
              "dev iterative is not supported for two samples (stop())."), inp)
      }
    }
  }

  nps_obj <- list(
    source = paste0(r_version, "; NPS package sources from GitHub brendan-r/NPS (stored copies, not the CRAN tarball): ",
                    "api 'v1_1' = R/nps.R @ 144399723e478c0690af3d8f37cf379de983042d (1.x API matching CRAN NPS 1.1's function set; the CRAN 1.1 file R/Documented_Small_NPS_Functions.r itself was not available); ",
                    "api 'dev' = DESCRIPTION Version 2.0.999999: R/nps.R @ 43c7ac99b4749d9d328fce67f3ce6321e1e62365, R/nps_interval_estimators.R @ 2030bb432860a1dd544f1c983078cd09c657a6d1, R/nps_tests.R (newest stored version with nps_test_ and pseudo_observations), nps_format()/options shimmed by make_goldens.R"),
    generator = "tests/golden/r/make_goldens.R",
    r_setup = "x (and y) are numeric score vectors on 0..10; for score_counts inputs x <- rep(0:10, score_counts). Each r_call is evaluated in an environment whose parent holds the named API's sources. Non-finite numbers are encoded as the strings \"NaN\", \"Infinity\", \"-Infinity\"; R NA/NULL as null.",
    notes = json_array(c(
      "There is no nps.interval() in either API. v1.1 offers only nps.test(test='wald'); dev offers nps_test_/nps_test with test = 'wald', 'adjusted.wald', 'iterative' (one sample only).",
      "dev nps_test() (raw-score wrapper) is broken: it passes the factor npc(x) to nps_test_, which fails ('sum' not meaningful for factors). Goldens therefore call nps_test_(table(npc(x)), ...) on counts.",
      "Variance everywhere: (p+d) - (p-d)^2, divisor n (population/ML), se = sqrt(var/n).",
      "v1.1 nps() is mean(as.integer(category) - 2), dev nps_() is (c - b)/n: they can differ in the last ulp (e.g. 0.13990000000000005 vs 0.1399 for n = 10000); compare with a relative tolerance ~1e-12.",
      "Wald p.value is computed as 1 - (2*pnorm(|z|) - 1), which underflows to exactly 0 once |z| > ~8.3 (e.g. skewed_n50, mixed_n10000); a Python implementation using 2*norm.sf(|z|) will give tiny positive values instead.",
      "No interval is clipped to [-1, 1] (e.g. n2_promoter_detractor Wald gives +/-1.386).",
      "iterative() limits are only accurate to the bisection tolerance (dp < 1e-7, or |z - score| < 1e-6; the last probe is returned): compare iterative_intended with abs tolerance ~1e-6 unless the exact algorithm is replicated.")),
    cases = cases)
  write_json(nps_obj, file.path(out_dir, "r_nps.json"))
} else {
  message("NPS_R_SRC not set: skipping r_nps.json")
}

# =========================================================== r_survey.json
kish <- function(w) sum(w)^2 / sum(w^2)
survey_case <- function(name, df, design_call, notes = NULL, extra_input = list()) {
  df$promoter  <- as.numeric(df$score >= 9)
  df$detractor <- as.numeric(df$score <= 6)
  d  <- eval(parse(text = design_call))
  m  <- svymean(~promoter + detractor, d)
  ct <- svycontrast(m, c(1, -1))
  ci <- confint(ct, level = 0.95)
  n <- nrow(df); p <- mean(df$promoter); dd <- mean(df$detractor)
  unw_var <- (p + dd) - (p - dd)^2
  r_call <- paste0("df$promoter <- as.numeric(df$score >= 9); df$detractor <- as.numeric(df$score <= 6); ",
                   "d <- ", design_call, "; m <- svymean(~promoter + detractor, d); ",
                   "ct <- svycontrast(m, c(1, -1)); list(coef = coef(ct), se = SE(ct), ",
                   "m = coef(m), m_se = SE(m), vcov_m = vcov(m), ci95 = confint(ct, level = 0.95), degf = degf(d), ",
                   "kish = sum(df$w)^2 / sum(df$w^2))")
  input <- c(list(score = json_array(as.integer(df$score)), w = vec(df$w)), extra_input)
  list(name = name, input = input, r_call = r_call,
       expected = list(
         coef = as.numeric(coef(ct)), se = as.numeric(SE(ct)),
         coef_x100 = 100 * as.numeric(coef(ct)), se_x100 = 100 * as.numeric(SE(ct)),
         ci95 = vec(ci), ci95_note = "confint(svycontrast) = coef +/- qnorm(0.975)*SE (normal, df = Inf)",
         mean_promoter = as.numeric(coef(m)[1]), mean_detractor = as.numeric(coef(m)[2]),
         se_promoter = as.numeric(SE(m)[1]), se_detractor = as.numeric(SE(m)[2]),
         vcov_m = vec(vcov(m)), vcov_m_note = "column-major 2x2: [pp, dp, pd, dd]",
         degf = as.numeric(degf(d)),
         kish_n_eff = kish(df$w), n = n, sum_w = sum(df$w),
         unweighted_reference = list(
           nps = p - dd, var_divisor_n = unw_var, se_divisor_n = sqrt(unw_var / n),
           se_divisor_n_minus_1 = sqrt(unw_var / (n - 1)),
           note = "Plain (unweighted) NPS formulas for comparison; divisor n matches the R NPS package.")),
       notes = if (is.null(notes)) json_array(character(0)) else json_array(notes))
}

scases <- list()
# 1. n = 5 small weighted
df1 <- data.frame(score = c(10, 9, 7, 5, 0), w = c(1, 2, 1.5, 0.5, 3))
scases[[1]] <- survey_case("n5_small_weighted", df1,
  "svydesign(ids = ~1, weights = ~w, data = df)",
  "With-replacement linearisation: Var = n/(n-1) * sum(w_i^2 (z_i - zbar_w)^2) / (sum w)^2 with z = promoter - detractor.")
# 2. n = 50 varied weights
set.seed(20240601)
sc50 <- sample(0:10, 50, replace = TRUE, prob = c(3, 2, 2, 3, 3, 5, 6, 10, 14, 20, 32))
w50 <- round(runif(50, 0.5, 4), 3)
df2 <- data.frame(score = sc50, w = w50)
scases[[2]] <- survey_case("n50_varied_weights", df2, "svydesign(ids = ~1, weights = ~w, data = df)")
# 3. equal weights (same scores as case 2)
df3 <- data.frame(score = sc50, w = rep(2, 50))
c3 <- survey_case("n50_equal_weights", df3, "svydesign(ids = ~1, weights = ~w, data = df)")
c3$expected$ratio_se_survey_over_se_divisor_n <- c3$expected$se / c3$expected$unweighted_reference$se_divisor_n
c3$expected$sqrt_n_over_n_minus_1 <- sqrt(50 / 49)
c3$notes <- json_array(c("Equal weights: coef equals the unweighted NPS exactly; survey SE = sqrt(var_divisor_n/(n-1)) i.e. sqrt(n/(n-1)) times the R NPS package's se (see ratio fields). Weight scale is irrelevant."))
scases[[3]] <- c3
# 4. n = 2000 lognormal weights
set.seed(42)
sc2000 <- sample(0:10, 2000, replace = TRUE, prob = c(3, 2, 2, 3, 3, 5, 6, 10, 14, 20, 32))
w2000 <- exp(rnorm(2000, mean = 0, sd = 0.7))
df4 <- data.frame(score = sc2000, w = w2000)
scases[[4]] <- survey_case("n2000_lognormal_weights", df4, "svydesign(ids = ~1, weights = ~w, data = df)",
  "Data generated with set.seed(42); score <- sample(0:10, 2000, TRUE, prob = c(3,2,2,3,3,5,6,10,14,20,32)); w <- exp(rnorm(2000, 0, 0.7)). Weights written with %.17g; use the JSON vectors, not the RNG.")
# 5. fpc
df5 <- data.frame(score = sc50, w = w50, N = 500)
c5 <- survey_case("n50_varied_weights_fpc500", df5, "svydesign(ids = ~1, weights = ~w, fpc = ~N, data = df)",
  "Same data as n50_varied_weights with fpc = population size N = 500: variance multiplied by (1 - n/N) = 0.9 (SE by sqrt(0.9)); the weights are NOT rescaled to sum to N.", list(N = 500L))
c5$expected$se_ratio_to_no_fpc <- c5$expected$se / scases[[2]]$expected$se
scases[[5]] <- c5
# 6. cluster
set.seed(7)
n_acc <- 40
sizes <- as.vector(rmultinom(1, 300 - n_acc, prob = rep(1, n_acc))) + 1L
acc <- rep(seq_len(n_acc), sizes)
acc_eff <- rnorm(n_acc, 0, 1.2)[acc]
base <- c(3, 2, 2, 3, 3, 5, 6, 10, 14, 20, 32)
sc300 <- vapply(seq_along(acc), function(i) {
  pr <- base * exp(acc_eff[i] * (0:10 - 5) / 5); sample(0:10, 1, prob = pr)
}, numeric(1))
w300 <- round(exp(rnorm(300, 0, 0.5)), 4)
df6 <- data.frame(score = sc300, w = w300, account_id = acc)
c6 <- survey_case("cluster_40_accounts_300_respondents", df6,
  "svydesign(ids = ~account_id, weights = ~w, data = df)",
  "One-stage cluster sample (with replacement): variance from account totals, factor n_clusters/(n_clusters-1) = 40/39; degf = 39.",
  list(account_id = json_array(as.integer(acc))))
c6$expected$se_if_ids_1 <- as.numeric(SE(svycontrast(svymean(~promoter + detractor,
  svydesign(ids = ~1, weights = ~w, data = transform(df6, promoter = as.numeric(score >= 9),
  detractor = as.numeric(score <= 6)))), c(1, -1))))
c6$expected$design_effect_se_ratio <- c6$expected$se / c6$expected$se_if_ids_1
scases[[6]] <- c6

survey_obj <- list(
  source = paste0(r_version, ", survey ", as.character(packageVersion("survey"))),
  generator = "tests/golden/r/make_goldens.R",
  notes = json_array(c(
    "NPS = svycontrast(svymean(~promoter + detractor, d), c(1, -1)) on the -1..1 scale; *_x100 fields are the same on the -100..100 scale.",
    "score is 0..10; promoter = score >= 9, detractor = score <= 6.")),
  cases = scases)
write_json(survey_obj, file.path(out_dir, "r_survey.json"))
