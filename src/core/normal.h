/*
 * The standard normal distribution's quantile, shared by the modules that need it (the
 * observation models' t statistics, src/evidence/observe.c; the sensitivity inputs' normal
 * and lognormal quantiles, src/sensitivity/dist.c). Private to the library.
 */
#ifndef MN_CORE_NORMAL_H
#define MN_CORE_NORMAL_H

/* z with Phi(z) = u (Phi the standard normal CDF), to about 1e-15 relative for u in (0, 1);
 * -INFINITY for u <= 0, +INFINITY for u >= 1. Re-entrant. */
double mn__normal_quantile(double u);

#endif
