/*
 * Input distributions and their quantile functions: the map from a point of the unit cube to
 * the inputs of a run.
 *
 * The standard normal quantile is P. J. Acklam's rational approximation ("An algorithm for
 * computing the inverse normal cumulative distribution function", 2003; relative error below
 * 1.15e-9), refined by one Halley step on Phi(z) - u with Phi from erfc (the refinement Acklam
 * gives with it), which brings it to about 1e-15.
 */
#include <math.h>

#include "core/consts.h"
#include "core/internal.h"
#include "mneedle/sensitivity.h"
#include "sensitivity/sens_internal.h"

int mn_sens_dist_valid(const mn_sens_dist *d)
{
    if (d && d->kind == MN_SENS_EMPIRICAL) {
        if (!d->values || d->n_values < 2)
            return 0;
        for (int i = 0; i < d->n_values; i++)
            if (!isfinite(d->values[i]) || (i && d->values[i] < d->values[i - 1]))
                return 0;
        return 1;
    }
    if (!d || !isfinite(d->a) || !isfinite(d->b))
        return 0;
    switch (d->kind) {
    case MN_SENS_UNIFORM:
        return d->a < d->b;
    case MN_SENS_NORMAL:
        return d->b > 0;
    case MN_SENS_LOGNORMAL:
        return d->a > 0 && d->b > 0;
    case MN_SENS_TRIANGULAR:
        return isfinite(d->c) && d->a < d->b && d->a <= d->c && d->c <= d->b;
    case MN_SENS_EMPIRICAL:
        break; /* above */
    }
    return 0;
}

static double normal_quantile(double u)
{
    /* Acklam's coefficients. */
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double low = 0.02425; /* Acklam's break points between the central and tail forms */
    if (u <= 0)
        return -INFINITY;
    if (u >= 1)
        return INFINITY;
    double z;
    if (u < low) {
        double q = sqrt(-2 * log(u));
        z = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (u <= 1 - low) {
        double q = u - 0.5, r = q * q;
        z = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        double q = sqrt(-2 * log1p(-u));
        z = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    /* Halley step: e = Phi(z) - u, Phi(z) = erfc(-z / sqrt 2) / 2. */
    double e = 0.5 * erfc(-z / sqrt(2.0)) - u;
    double g = e * sqrt(2 * MN__PI) * exp(z * z / 2);
    return z - g / (1 + z * g / 2);
}

double mn_sens_dist_quantile(const mn_sens_dist *d, double u)
{
    assert(d && u >= 0 && u <= 1);
    switch (d->kind) {
    case MN_SENS_UNIFORM:
        return d->a + (d->b - d->a) * u;
    case MN_SENS_NORMAL:
        return d->a + d->b * normal_quantile(u);
    case MN_SENS_LOGNORMAL:
        return d->a * exp(d->b * normal_quantile(u));
    case MN_SENS_TRIANGULAR: {
        double w = d->b - d->a, fc = (d->c - d->a) / w;
        if (u <= fc)
            return d->a + sqrt(u * w * (d->c - d->a));
        return d->b - sqrt((1 - u) * w * (d->b - d->c));
    }
    case MN_SENS_EMPIRICAL:
        return mn__sens_quantile_sorted(d->values, d->n_values, u);
    }
    return NAN;
}
