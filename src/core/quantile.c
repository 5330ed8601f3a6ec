/*
 * Sorting doubles and quantiles of sorted values (core/quantile.h).
 */
#include <assert.h>
#include <float.h>
#include <math.h>

#include "core/quantile.h"

int mn__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double mn__quantile_sorted(const double *sorted, int n, double q)
{
    assert(n > 0 && q >= 0 && q <= 1);
    double pos = q * (n - 1);
    int i = (int)floor(pos);
    if (i >= n - 1)
        return sorted[n - 1];
    double f = pos - i;
    return sorted[i] * (1 - f) + sorted[i + 1] * f;
}

long mn__nearest_rank(long n, double q)
{
    assert(n > 0 && q >= 0 && q <= 1);
    double x = q * (double)n;
    /* 4 ulps below: 0.95 x 20 may come out as 19 + 1 ulp; a true fraction of a rank is far
     * larger than 4 ulps for the quantiles asked (whole percents) at any n below 2^40. */
    double r = ceil(x - 4 * DBL_EPSILON * x);
    if (r < 1)
        return 1;
    return r > (double)n ? n : (long)r;
}

double mn__quantile_nearest_sorted(const double *sorted, long n, double q)
{
    return sorted[mn__nearest_rank(n, q) - 1];
}
