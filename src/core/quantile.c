/*
 * Sorting doubles, quantiles of sorted values, and the order-statistic confidence interval of
 * a quantile (core/quantile.h).
 */
#include <assert.h>
#include <math.h>

#include "core/normal.h"
#include "core/quantile.h"

int mn__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void mn__quantile_position(long n, double q, long *i, double *f)
{
    assert(n > 0 && q >= 0 && q <= 1);
    double pos = q * (double)(n - 1);
    long k = (long)floor(pos);
    if (k >= n - 1) {
        *i = n - 1;
        *f = 0;
        return;
    }
    *i = k;
    *f = pos - (double)k;
}

double mn__quantile_sorted(const double *sorted, int n, double q)
{
    long i;
    double f;
    mn__quantile_position(n, q, &i, &f);
    if (i >= n - 1)
        return sorted[n - 1];
    return sorted[i] * (1 - f) + sorted[i + 1] * f;
}

/* log of the Binomial(n, q) probability of k. */
static double log_binomial_pmf(long n, double q, long k)
{
    double nk = (double)n, kk = (double)k;
    double c = lgamma(nk + 1) - lgamma(kk + 1) - lgamma(nk - kk + 1);
    double a = k > 0 ? kk * log(q) : 0, b = k < n ? (nk - kk) * log1p(-q) : 0;
    return c + a + b;
}

int mn__quantile_ci_ranks(long n, double q, double level, long *lo, long *hi)
{
    assert(n > 0 && q > 0 && q < 1 && level > 0 && level < 1);
    double tail = (1 - level) / 2;
    *lo = *hi = 0;
    if (n > MN__QUANTILE_CI_EXACT_MAX) {
        /* F(k) ~ Phi((k + 0.5 - n q) / sd): lo - 1 is the largest k with F(k) <= tail, hi the
         * smallest s with F(s - 1) >= 1 - tail. */
        double mu = (double)n * q, sd = sqrt((double)n * q * (1 - q));
        double z = mn__normal_quantile(1 - tail);
        double l = floor(mu - 0.5 - z * sd) + 1, h = ceil(mu + 0.5 + z * sd);
        *lo = l >= 1 ? (long)l : 0;
        *hi = h <= (double)n ? (long)h : 0;
    } else {
        /* Lower end: cumulate F(k) from k = 0 while it stays within the tail. */
        double cum = 0;
        for (long k = 0; k < n; k++) {
            cum += exp(log_binomial_pmf(n, q, k));
            if (cum > tail)
                break;
            *lo = k + 1;
        }
        /* Upper end: U(s) = P(B >= s) from s = n down while it stays within the tail. */
        double up = 0;
        for (long s = n; s >= 1; s--) {
            up += exp(log_binomial_pmf(n, q, s));
            if (up > tail)
                break;
            *hi = s;
        }
    }
    return *lo > 0 && *hi > 0;
}

long mn__quantile_ci_min_n(double q, double level)
{
    /* Both ends exist once P(B = 0) = (1 - q)^n and P(B = n) = q^n are within the tail. */
    double tail = (1 - level) / 2, worst = q < 0.5 ? 1 - q : q;
    return (long)ceil(log(tail) / log(worst));
}
