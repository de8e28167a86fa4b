#!/usr/bin/env Rscript
# make_drivers_goldens.R -- R reference values for netpromoter.drivers.key_drivers.
#
# Usage (from the repository root):
#   Rscript tests/golden/r/make_drivers_goldens.R
#
# Reads tests/golden/drivers_ratings.csv (recommend score 0..10 and three aspects rated
# 1..5, empty = not answered) and writes tests/golden/r_drivers.json.
# Requires only base R and jsonlite. relaimpo is not used (not packaged in Debian):
# Johnson's relative weights are computed from their definition below with eigen() and
# solve(), and, as a second, different decomposition of the same R², the LMG / Shapley
# value of every aspect is computed from lm() fits on all subsets of aspects.

data <- read.csv("tests/golden/drivers_ratings.csv", na.strings = "")
aspects <- c("support", "product", "price")
y <- data$score
level <- 0.95
zc <- qnorm(1 - (1 - level) / 2)

per_aspect <- list()
for (a in aspects) {
  x <- data[[a]]
  ok <- !is.na(x)
  pt <- cor.test(x[ok], y[ok], method = "pearson", conf.level = level)
  rho <- cor(x[ok], y[ok], method = "spearman")
  n <- sum(ok)
  se <- sqrt(1.06 / (n - 3))  # Fieller, Hartley & Pearson (1957)
  low <- y[ok & x < 3]
  high <- y[ok & x > 3]
  nps <- function(s) 100 * (mean(s >= 9) - mean(s <= 6))
  per_aspect[[a]] <- list(
    n = n,
    pearson = unname(pt$estimate),
    pearson_ci = as.numeric(pt$conf.int),
    spearman = rho,
    spearman_ci = tanh(atanh(rho) + c(-1, 1) * zc * se),
    mean = mean(x[ok]),
    n_low = length(low), nps_low = nps(low),
    n_high = length(high), nps_high = nps(high)
  )
}

complete <- na.omit(data[, c(aspects, "score")])
r <- cor(complete)
rxx <- r[aspects, aspects]
rxy <- r[aspects, "score"]
e <- eigen(rxx, symmetric = TRUE)
lambda <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
beta <- solve(lambda, rxy)
johnson <- as.numeric((lambda^2) %*% (beta^2))
r2 <- summary(lm(score ~ support + product + price, data = complete))$r.squared

r2_of <- function(vars) {
  if (length(vars) == 0) return(0)
  summary(lm(reformulate(vars, "score"), data = complete))$r.squared
}
p <- length(aspects)
lmg <- sapply(aspects, function(a) {
  others <- setdiff(aspects, a)
  total <- 0
  for (k in 0:(p - 1)) {
    subsets <- if (k == 0) list(character(0)) else combn(others, k, simplify = FALSE)
    for (s in subsets) {
      total <- total + (r2_of(c(s, a)) - r2_of(s)) / (p * choose(p - 1, k))
    }
  }
  total
})

out <- list(
  source = paste0(
    R.version.string, "; data tests/golden/drivers_ratings.csv; made by ",
    "tests/golden/r/make_drivers_goldens.R"
  ),
  calls = list(
    pearson = "cor.test(x[ok], y[ok], method = 'pearson', conf.level = 0.95): estimate, conf.int",
    spearman = "cor(x[ok], y[ok], method = 'spearman'); interval tanh(atanh(rho) +- qnorm(0.975) * sqrt(1.06 / (n - 3)))",
    low_high = "100 * (mean(s >= 9) - mean(s <= 6)) for s = y[ok & x < 3] and y[ok & x > 3]",
    johnson = "r <- cor(na.omit(data)); e <- eigen(rxx); lambda <- V diag(sqrt(e)) V'; beta <- solve(lambda, rxy); (lambda^2) %*% beta^2",
    r_squared = "summary(lm(score ~ support + product + price, data = na.omit(data)))$r.squared",
    lmg = "Shapley value of R^2 over all subsets of aspects, each subset's R^2 from lm()"
  ),
  n_complete = nrow(complete),
  aspects = per_aspect,
  johnson = setNames(as.list(johnson), aspects),
  lmg = as.list(lmg),
  r_squared = r2
)
# Doubles are written with 17 significant digits (jsonlite alone stops at 15).
exact <- function(v) {
  txt <- sprintf("%.17g", v)
  structure(if (length(v) == 1) txt else paste0("[", paste(txt, collapse = ", "), "]"),
            class = "json")
}
out <- rapply(out, exact, classes = "numeric", how = "replace")
writeLines(
  jsonlite::toJSON(out, auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE),
  "tests/golden/r_drivers.json"
)
