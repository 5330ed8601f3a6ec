/*
 * Sorting doubles and reading quantiles off the sorted values, shared by the modules that
 * summarise draws (the healing bands, src/healing/project.c; the posterior's constants,
 * src/healing/posterior.c; the absorb band, src/transport/absorb.c; the observation models'
 * trials, src/evidence/observe.c; the Sobol' bootstrap and empirical inputs,
 * src/sensitivity/; the virtual cohort's percentiles, src/cohort/, and its figure,
 * src/report/plot_dist.c). Private to the library.
 */
#ifndef MN_CORE_QUANTILE_H
#define MN_CORE_QUANTILE_H

/* qsort()'s comparison for doubles in ascending order; infinities sort at their ends, and a
 * NaN compares equal to everything. */
int mn__cmp_double(const void *a, const void *b);

/* The q-quantile (0 <= q <= 1) of the n >= 1 ascending values @p sorted, linear between the
 * order statistics at q (n - 1) (Hyndman & Fan's type 7, R's default), as the weighted sum
 * (1 - f) x[i] + f x[i+1]: sorted[0] at q = 0, sorted[n - 1] at q = 1; an infinite neighbour
 * with a positive weight gives that infinity, with a zero weight NaN. Re-entrant. */
double mn__quantile_sorted(const double *sorted, int n, double q);

/* The nearest rank of the q-quantile (0 <= q <= 1) of n >= 1 values (Hyndman & Fan's type 1,
 * the inverse of the empirical distribution): the 1-based rank ceil(q n), at least 1. q n is
 * taken a few units in the last place low first, so a product that is a whole number in exact
 * arithmetic (0.95 x 20) is not rounded up to the next rank. Re-entrant. */
long mn__nearest_rank(long n, double q);

/* The value at mn__nearest_rank(n, q) of the n >= 1 ascending values @p sorted: always one of
 * them (a quantile of counts is a count), never a mixture of two. The virtual cohort's
 * percentiles (src/cohort/stats.c's sketch and its trial-level intervals) and its figure
 * (src/report/plot_dist.c) all take their ranks here. Re-entrant. */
double mn__quantile_nearest_sorted(const double *sorted, long n, double q);

#endif
