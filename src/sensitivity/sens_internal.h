/* Internals shared by the sensitivity module's files (layer 4): argument checks, the parallel
 * evaluation loop both methods use. */
#ifndef MN_SENSITIVITY_INTERNAL_H
#define MN_SENSITIVITY_INTERNAL_H

#include <stddef.h>

#include "mneedle/sensitivity.h"

/* The start of a run (mn_sobol_run, mn_morris_run): MN_EINVAL when @p out is NULL; otherwise
 * zeroes the @p out_size bytes of @p out, so a failed run leaves it empty, and returns MN_OK,
 * or MN_EINVAL with a message when the problem is incomplete or a distribution is invalid. */
mn_status mn__sens_begin(mn_ctx *ctx, const mn_sens_problem *p, void *out, size_t out_size);

/* The options a run uses: a copy of *@p opts, or @p init's defaults when @p opts is NULL. */
#define MN__SENS_OPTIONS(o, opts, init)                                                            \
    do {                                                                                           \
        if (opts)                                                                                  \
            (o) = *(opts);                                                                         \
        else                                                                                       \
            init(&(o));                                                                            \
    } while (0)

/* The OpenMP thread count for an options' `threads` (0: OpenMP's default). */
int mn__sens_threads(int threads);

/* Runs the model at evaluations 0..n_eval-1 on OpenMP threads, point(plan, e, x) giving the
 * inputs of evaluation e, and stores its outputs at y[e * n_outputs ..]. Every evaluation
 * runs; the first failure by index (a model error, or an output that is not finite) is
 * returned with its inputs in the message, the same for any thread count. @p stop (may be
 * NULL) is asked on the calling thread (OpenMP thread 0) before each evaluation it takes; once
 * it answers nonzero no evaluation starts, and the run returns MN_ESTOPPED. */
mn_status mn__sens_evaluate(mn_ctx *ctx, const mn_sens_problem *p, long n_eval, int threads,
                            void (*point)(const void *plan, long e, double *x), const void *plan,
                            mn_stop_fn stop, void *stop_userdata, double *y);

/* 1 when @p stop (may be NULL) asks to stop, asked only on OpenMP thread 0 (the thread that
 * started the run, where the caller expects it); sets *@p stopped then. 0 at once when
 * *@p stopped is already set, by any thread. */
int mn__sens_stop_asked(mn_stop_fn stop, void *stop_userdata, int *stopped);

#endif
