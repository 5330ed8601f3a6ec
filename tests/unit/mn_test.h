/* Helpers for the cmocka unit tests: tolerant comparison of doubles (GSL's gsl_test_rel). */
#ifndef MN_TEST_H
#define MN_TEST_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

/* Fails unless |got - want| <= abs_tol + rel_tol * |want|, printing both values. */
#define assert_close(got, want, rel_tol, abs_tol)                                                  \
    do {                                                                                           \
        double mn_g_ = (got), mn_w_ = (want);                                                      \
        double mn_tol_ = (abs_tol) + (rel_tol)*fabs(mn_w_);                                        \
        if (!(fabs(mn_g_ - mn_w_) <= mn_tol_)) {                                                   \
            print_error("%s = %.10g, expected %.10g (tolerance %.3g)\n", #got, mn_g_, mn_w_,       \
                        mn_tol_);                                                                  \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#endif
