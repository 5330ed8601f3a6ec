/*
 * The standard normal quantile: P. J. Acklam's rational approximation ("An algorithm for
 * computing the inverse normal cumulative distribution function", 2003; relative error below
 * 1.15e-9), refined by one Halley step on Phi(z) - u with Phi from erfc (the refinement Acklam
 * gives with it), which brings it to about 1e-15.
 */
#include <math.h>

#include "core/consts.h"
#include "core/normal.h"

double mn__normal_quantile(double u)
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
