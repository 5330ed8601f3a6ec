/*
 * Sorting doubles and quantiles of sorted values (core/quantile.h).
 */
#include <assert.h>
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
