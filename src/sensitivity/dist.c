/*
 * Input distributions and their quantile functions: the map from a point of the unit cube to
 * the inputs of a run.
 *
 * The standard normal quantile is core/normal.c's (Acklam's approximation with a Halley step,
 * about 1e-15).
 */
#include <math.h>

#include "core/normal.h"
#include "core/internal.h"
#include "core/quantile.h"
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

double mn_sens_dist_quantile(const mn_sens_dist *d, double u)
{
    assert(d && u >= 0 && u <= 1);
    switch (d->kind) {
    case MN_SENS_UNIFORM:
        return d->a + (d->b - d->a) * u;
    case MN_SENS_NORMAL:
        return d->a + d->b * mn__normal_quantile(u);
    case MN_SENS_LOGNORMAL:
        return d->a * exp(d->b * mn__normal_quantile(u));
    case MN_SENS_TRIANGULAR: {
        double w = d->b - d->a, fc = (d->c - d->a) / w;
        if (u <= fc)
            return d->a + sqrt(u * w * (d->c - d->a));
        return d->b - sqrt((1 - u) * w * (d->b - d->c));
    }
    case MN_SENS_EMPIRICAL:
        return mn__quantile_sorted(d->values, d->n_values, u);
    }
    return NAN;
}
