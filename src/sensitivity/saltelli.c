/*
 * Sobol' indices by Saltelli sampling with the Saltelli 2010 (first order) and Jansen (total)
 * estimators, and percentile-bootstrap intervals (the method and its sources:
 * mneedle/sensitivity.h, docs/sensitivity.md).
 *
 * Evaluation e (0 <= e < N (k + 2)) is row j = e mod N of block e / N: block 0 is A, block 1
 * is B, block 2 + i is A_B^(i). Row j of A and B is Sobol' point j + 1 in 2k dimensions
 * (A the first k, B the last k). The outputs are stored by e and every sum runs over j in
 * order, and bootstrap resample b draws its rows from stream b of the seed, so the numbers do
 * not depend on how OpenMP spreads the work.
 *
 * The first-order sum uses f(B) - mean instead of f(B): the same expectation, since
 * E[f(A_B^(i)) - f(A)] = 0, but without the variance a large mean adds when the output varies
 * little around it (an amount near its dose: S1 intervals of +-100 instead of +-0.01). SALib
 * standardises its outputs before the same estimator for the same reason.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/quantile.h"
#include "mneedle/rng.h"
#include "mneedle/sensitivity.h"
#include "sensitivity/sens_internal.h"

void mn_sobol_options_init(mn_sobol_options *o)
{
    if (!o)
        return;
    o->n_base = 1024;
    o->bootstrap = MN_SENS_DEFAULT_BOOTSTRAP;
    o->confidence = MN_SENS_DEFAULT_CONFIDENCE;
    o->seed = 1;
    o->threads = 0;
    o->stop = NULL;
    o->stop_userdata = NULL;
}

void mn_sobol_result_release(mn_sobol_result *r)
{
    if (!r)
        return;
    mn__free(r->index);
    mn__free(r->mean);
    mn__free(r->variance);
    mn__free(r->bound_share);
    mn__free(r->bound_value);
    memset(r, 0, sizeof *r);
}

mn_status mn__sens_begin(mn_ctx *ctx, const mn_sens_problem *p, void *out, size_t out_size)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "sensitivity: NULL result");
    memset(out, 0, out_size);
    if (!p || !p->fn || !p->dists || p->n_inputs < 1 || p->n_inputs > MN_SENS_MAX_INPUTS ||
        p->n_outputs < 1 || p->n_outputs > MN_SENS_MAX_OUTPUTS)
        return mn__error(ctx, MN_EINVAL,
                         "sensitivity: a problem needs a model, 1-%d inputs and 1-%d outputs",
                         MN_SENS_MAX_INPUTS, MN_SENS_MAX_OUTPUTS);
    for (int i = 0; i < p->n_inputs; i++)
        if (!mn_sens_dist_valid(&p->dists[i]))
            return mn__error(ctx, MN_EINVAL, "sensitivity: input %d has an invalid distribution",
                             i + 1);
    return MN_OK;
}

int mn__sens_threads(int threads)
{
    return threads > 0 ? threads : omp_get_max_threads();
}

int mn__sens_stop_asked(mn_stop_fn stop, void *stop_userdata, int *stopped)
{
    int seen;
#pragma omp atomic read
    seen = *stopped;
    if (seen)
        return 1;
    if (!stop || omp_get_thread_num() != 0 || !stop(stop_userdata))
        return 0;
#pragma omp atomic write
    *stopped = 1;
    return 1;
}

mn_status mn__sens_evaluate(mn_ctx *ctx, const mn_sens_problem *p, long n_eval, int threads,
                            void (*point)(const void *plan, long e, double *x), const void *plan,
                            mn_stop_fn stop, void *stop_userdata, double *y)
{
    long fail_at = n_eval, stopped_at = n_eval;
    mn_status fail_status = MN_OK;
    int stopped = 0;
    /* Every evaluation runs, failing or not, so the first failure (by index) is the same
     * for any number of threads. */
#pragma omp parallel num_threads(mn__sens_threads(threads))
    {
        double x[MN_SENS_MAX_INPUTS];
#pragma omp for schedule(dynamic, 16)
        for (long e = 0; e < n_eval; e++) {
            if (mn__sens_stop_asked(stop, stop_userdata, &stopped)) {
                if (omp_get_thread_num() == 0 && e < stopped_at)
                    stopped_at = e; /* thread 0's own: the first it skipped */
                continue;
            }
            double *ye = y + e * p->n_outputs;
            point(plan, e, x);
            mn_status st = (mn_status)p->fn(p->userdata, x, ye);
            for (int o = 0; !st && o < p->n_outputs; o++)
                if (!isfinite(ye[o]))
                    st = MN_ENUMERIC;
            if (st) {
#pragma omp critical
                if (e < fail_at) {
                    fail_at = e;
                    fail_status = st;
                }
            }
        }
    }
    if (stopped)
        return mn__error(ctx, MN_ESTOPPED,
                         "sensitivity: stopped by the caller near evaluation %ld of %ld",
                         stopped_at < n_eval ? stopped_at + 1 : n_eval, n_eval);
    if (fail_status) {
        double x[MN_SENS_MAX_INPUTS];
        point(plan, fail_at, x);
        char where[512];
        size_t n = 0;
        where[0] = '\0';
        for (int i = 0; i < p->n_inputs && n < sizeof where - 32; i++)
            n += (size_t)snprintf(where + n, sizeof where - n, "%s%.6g", i ? ", " : "", x[i]);
        return mn__error(ctx, fail_status, "sensitivity: evaluation %ld at inputs (%s) %s: %s",
                         fail_at + 1, where,
                         fail_status == MN_ENUMERIC ? "gave an output that is not a finite number"
                                                    : "failed",
                         mn_strerror(fail_status));
    }
    return MN_OK;
}

typedef struct {
    const mn_sens_problem *p;
    long n;
} saltelli_plan;

static void saltelli_point(const void *plan, long e, double *x)
{
    const saltelli_plan *s = plan;
    int k = s->p->n_inputs;
    long block = e / s->n, j = e % s->n;
    double u[MN_SOBOL_MAX_DIMS];
    mn_status st = mn_sobol_point(2 * k, (uint64_t)j + 1, u);
    assert(st == MN_OK);
    (void)st;
    for (int i = 0; i < k; i++) {
        /* A takes dimensions 0..k-1, B k..2k-1; A_B^(i) is A with B's column i. */
        int from_b = block == 1 || (block >= 2 && block - 2 == i);
        x[i] = mn_sens_dist_quantile(&s->p->dists[i], u[from_b ? k + i : i]);
    }
}

/* The estimators over rows rows[0..n-1] (NULL: 0..n-1) for output o. y is laid out by
 * evaluation (saltelli_point). Writes S1 and ST for every input; the variance to *var. */
static void estimate(const double *y, int k, int n_out, long n, int o, const long *rows, double *s1,
                     double *st, double *mean_out, double *var_out)
{
#define Y(block, j) y[((block)*n + (j)) * n_out + o]
    double sum = 0;
    for (long r = 0; r < n; r++) {
        long j = rows ? rows[r] : r;
        sum += Y(0, j) + Y(1, j);
    }
    double mean = sum / (double)(2 * n), ss = 0;
    for (long r = 0; r < n; r++) {
        long j = rows ? rows[r] : r;
        double a = Y(0, j) - mean, b = Y(1, j) - mean;
        ss += a * a + b * b;
    }
    double var = ss / (double)(2 * n);
    if (mean_out)
        *mean_out = mean;
    *var_out = var;
    for (int i = 0; i < k; i++) {
        double first = 0, total = 0;
        for (long r = 0; r < n; r++) {
            long j = rows ? rows[r] : r;
            double fa = Y(0, j), fb = Y(1, j), fab = Y(2 + i, j);
            first += (fb - mean) * (fab - fa);
            total += (fa - fab) * (fa - fab);
        }
        s1[i] = var > 0 ? first / (double)n / var : 0;
        st[i] = var > 0 ? total / (double)(2 * n) / var : 0;
    }
#undef Y
}

/* The larger share of output @p o's @p n_eval evaluations that equal its lowest value or its
 * highest, and that value (mn_sobol_result.bound_share). */
static void at_bound(const double *y, int n_out, long n_eval, int o, double *share, double *value)
{
    double lo = y[o], hi = y[o];
    for (long e = 1; e < n_eval; e++) {
        lo = fmin(lo, y[e * n_out + o]);
        hi = fmax(hi, y[e * n_out + o]);
    }
    long at_lo = 0, at_hi = 0;
    for (long e = 0; e < n_eval; e++) {
        at_lo += y[e * n_out + o] == lo;
        at_hi += y[e * n_out + o] == hi;
    }
    *share = (double)(at_hi > at_lo ? at_hi : at_lo) / (double)n_eval;
    *value = at_hi > at_lo ? hi : lo;
}

mn_status mn_sobol_run(mn_ctx *ctx, const mn_sens_problem *p, const mn_sobol_options *opts,
                       mn_sobol_result *out)
{
    mn_status st = mn__sens_begin(ctx, p, out, sizeof *out);
    if (st)
        return st;
    mn_sobol_options o;
    MN__SENS_OPTIONS(o, opts, mn_sobol_options_init);
    if (o.n_base < 1 || o.n_base > MN_SENS_MAX_BASE || o.bootstrap < 0 ||
        o.bootstrap > MN_SENS_MAX_BOOTSTRAP || !(o.confidence > 0 && o.confidence < 1) ||
        o.threads < 0)
        return mn__error(ctx, MN_EINVAL,
                         "sensitivity: N must be 1-%ld, bootstrap 0-%d, confidence in (0, 1)",
                         MN_SENS_MAX_BASE, MN_SENS_MAX_BOOTSTRAP);
    int k = p->n_inputs, m = p->n_outputs, R = o.bootstrap;
    long n = o.n_base, n_eval = n * (k + 2);
    size_t nk = (size_t)m * (size_t)k;
    double *y = mn__malloc(sizeof(double) * (size_t)n_eval * (size_t)m);
    double *boot = R ? mn__malloc(sizeof(double) * nk * 2 * (size_t)R) : NULL;
    out->index = mn__calloc(nk, sizeof *out->index);
    out->mean = mn__calloc((size_t)m, sizeof(double));
    out->variance = mn__calloc((size_t)m, sizeof(double));
    out->bound_share = mn__calloc((size_t)m, sizeof(double));
    out->bound_value = mn__calloc((size_t)m, sizeof(double));
    if (!y || (R && !boot) || !out->index || !out->mean || !out->variance || !out->bound_share ||
        !out->bound_value) {
        st = mn__error(ctx, MN_ENOMEM, "sensitivity: out of memory for %ld evaluations", n_eval);
        goto done;
    }
    saltelli_plan plan = {p, n};
    if ((st = mn__sens_evaluate(ctx, p, n_eval, o.threads, saltelli_point, &plan, o.stop,
                                o.stop_userdata, y)))
        goto done;

    for (int oi = 0; oi < m; oi++)
        at_bound(y, m, n_eval, oi, &out->bound_share[oi], &out->bound_value[oi]);
    for (int oi = 0; oi < m; oi++) {
        double s1[MN_SENS_MAX_INPUTS], stot[MN_SENS_MAX_INPUTS];
        estimate(y, k, m, n, oi, NULL, s1, stot, &out->mean[oi], &out->variance[oi]);
        for (int i = 0; i < k; i++) {
            mn_sobol_index *x = &out->index[(size_t)oi * (size_t)k + (size_t)i];
            x->first_order = x->first_order_lo = x->first_order_hi = s1[i];
            x->total = x->total_lo = x->total_hi = stot[i];
        }
    }

    if (R) {
        /* boot[((o * k + i) * 2 + w) * R + b]: w 0 first order, 1 total. */
        int failed = 0, stopped = 0;
#pragma omp parallel num_threads(mn__sens_threads(o.threads))
        {
            long *rows = mn__malloc(sizeof(long) * (size_t)n);
            if (!rows) {
#pragma omp atomic write
                failed = 1;
            }
#pragma omp for schedule(static)
            for (int b = 0; b < R; b++) {
                if (!rows || mn__sens_stop_asked(o.stop, o.stop_userdata, &stopped))
                    continue;
                mn_rng rng;
                mn_rng_init(&rng, o.seed, (uint64_t)b);
                for (long r = 0; r < n; r++)
                    rows[r] = mn_rng_int(&rng, 0, n - 1);
                for (int oi = 0; oi < m; oi++) {
                    double s1[MN_SENS_MAX_INPUTS], stot[MN_SENS_MAX_INPUTS], var;
                    estimate(y, k, m, n, oi, rows, s1, stot, NULL, &var);
                    for (int i = 0; i < k; i++) {
                        size_t at = ((size_t)oi * (size_t)k + (size_t)i) * 2;
                        boot[at * (size_t)R + (size_t)b] = s1[i];
                        boot[(at + 1) * (size_t)R + (size_t)b] = stot[i];
                    }
                }
            }
            mn__free(rows);
        }
        if (failed) {
            st = mn__error(ctx, MN_ENOMEM, "sensitivity: out of memory for the bootstrap");
            goto done;
        }
        if (stopped) {
            st = mn__error(ctx, MN_ESTOPPED,
                           "sensitivity: stopped by the caller during the bootstrap, after all "
                           "%ld evaluations",
                           n_eval);
            goto done;
        }
        double q = (1 - o.confidence) / 2;
        for (size_t at = 0; at < nk; at++) {
            mn_sobol_index *x = &out->index[at];
            double *v1 = boot + at * 2 * (size_t)R, *vt = v1 + R;
            qsort(v1, (size_t)R, sizeof(double), mn__cmp_double);
            qsort(vt, (size_t)R, sizeof(double), mn__cmp_double);
            x->first_order_lo = mn__quantile_sorted(v1, R, q);
            x->first_order_hi = mn__quantile_sorted(v1, R, 1 - q);
            x->total_lo = mn__quantile_sorted(vt, R, q);
            x->total_hi = mn__quantile_sorted(vt, R, 1 - q);
        }
    }
    out->n_inputs = k;
    out->n_outputs = m;
    out->n_base = n;
    out->evaluations = n_eval;
    out->bootstrap = R;
    out->confidence = o.confidence;
done:
    mn__free(y);
    mn__free(boot);
    if (st)
        mn_sobol_result_release(out);
    return st;
}
