/*
 * The fixed point of the cohort's exact sums (stats.c), in a header of its own so the writer
 * that reports their resolution (src/report/cohort_out.c) need not see the cohort's internals.
 */
#ifndef MN_COHORT_XSUM_H
#define MN_COHORT_XSUM_H

/* Fixed point for exact sums: values are rounded to 2^-20 (about 1e-6) of their unit. */
#define MN__XSUM_FRAC_BITS 20

#endif
