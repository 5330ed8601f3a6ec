/*
 * Sorting doubles and reading quantiles off the sorted values, shared by the modules that
 * summarise draws (the healing bands, src/healing/project.c; the posterior's constants,
 * src/healing/posterior.c; the absorb band, src/transport/absorb.c; the observation models'
 * trials, src/evidence/observe.c; the Sobol' bootstrap and empirical inputs,
 * src/sensitivity/; the virtual cohort's percentiles and trial-level intervals, src/cohort/,
 * and its figure, src/report/plot_dist.c). One rule for every percentile the program reports:
 * Hyndman & Fan's type 7 (docs/models/cohort.md, "Percentiles"). Private to the library.
 */
#ifndef MN_CORE_QUANTILE_H
#define MN_CORE_QUANTILE_H

/* qsort()'s comparison for doubles in ascending order; infinities sort at their ends, and a
 * NaN compares equal to everything. */
int mn__cmp_double(const void *a, const void *b);

/* Where the q-quantile (0 <= q <= 1) of n >= 1 sorted values lies, by Hyndman & Fan's type 7
 * (R's default): the 0-based index i = floor(q (n - 1)) and the weight f = q (n - 1) - i of
 * the next value, so the quantile is (1 - f) x[i] + f x[i + 1] (x[i] alone when i is n - 1).
 * Re-entrant. */
void mn__quantile_position(long n, double q, long *i, double *f);

/* The q-quantile (0 <= q <= 1) of the n >= 1 ascending values @p sorted by
 * mn__quantile_position() (type 7), as the weighted sum (1 - f) x[i] + f x[i+1]: sorted[0] at
 * q = 0, sorted[n - 1] at q = 1; an infinite neighbour with a positive weight gives that
 * infinity, with a zero weight NaN. Re-entrant. */
double mn__quantile_sorted(const double *sorted, int n, double q);

/*
 * The 1-based ranks [lo, hi] of the order statistics that bound a distribution-free
 * confidence interval of level >= @p level for its q-quantile from n values (the binomial
 * order-statistic method: Conover, Practical Nonparametric Statistics, 3rd ed. 1999, section
 * 3.2; Hahn & Meeker, Statistical Intervals, 1991, section 5.2): with B ~ Binomial(n, q), lo is
 * the largest rank with P(B <= lo - 1) <= (1 - level) / 2 and hi the smallest with
 * P(B <= hi - 1) >= 1 - (1 - level) / 2, so P(x_(lo) <= quantile < x_(hi)) >= level. Exact
 * binomial sums up to n = MN__QUANTILE_CI_EXACT_MAX, the normal approximation with continuity
 * correction above it (Conover's large-sample form). Returns 1, or 0 when n is too small for
 * one of the ends (*lo or *hi is then 0: that end is open). Re-entrant.
 */
#define MN__QUANTILE_CI_EXACT_MAX 100000L
int mn__quantile_ci_ranks(long n, double q, double level, long *lo, long *hi);

/* The fewest values for which mn__quantile_ci_ranks(n, q, level) has both ends. Re-entrant. */
long mn__quantile_ci_min_n(double q, double level);

#endif
