/*
 * Morris elementary effects (M. D. Morris, "Factorial sampling plans for preliminary
 * computational experiments", Technometrics 33 (1991) 161-174), with mu* (F. Campolongo,
 * J. Cariboni, A. Saltelli, "An effective screening design for sensitivity analysis of large
 * models", Environ. Model. Softw. 22 (2007) 1509-1518).
 *
 * Trajectory t (drawn from stream t of the seed, before any evaluation): each input starts at
 * a level l/(p-1) with l < p/2 chosen at random, moving up by Delta = p/(2(p-1)), or at that
 * level + Delta moving down (a random direction); the inputs move one at a time in a random
 * order. Its k + 1 points are evaluations t (k + 1) .. t (k + 1) + k. The unit-cube value u
 * of an input becomes its quantile at u for a bounded distribution, and at
 * MN_MORRIS_TAIL + (1 - 2 MN_MORRIS_TAIL) u for an unbounded one.
 */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "mneedle/rng.h"
#include "mneedle/sensitivity.h"
#include "sensitivity/sens_internal.h"

void mn_morris_options_init(mn_morris_options *o)
{
    if (!o)
        return;
    o->trajectories = 20; /* Campolongo et al. 2007: r = 10-20 is usually enough to rank */
    o->levels = MN_MORRIS_DEFAULT_LEVELS;
    o->seed = 1;
    o->threads = 0;
    o->stop = NULL;
    o->stop_userdata = NULL;
}

void mn_morris_result_release(mn_morris_result *r)
{
    if (!r)
        return;
    mn__free(r->effect);
    memset(r, 0, sizeof *r);
}

typedef struct {
    const mn_sens_problem *p;
    const double *unit; /* [evaluation][input] unit-cube points */
} morris_plan;

static double unit_to_input(const mn_sens_dist *d, double u)
{
    int bounded =
        d->kind == MN_SENS_UNIFORM || d->kind == MN_SENS_TRIANGULAR || d->kind == MN_SENS_EMPIRICAL;
    return mn_sens_dist_quantile(d, bounded ? u : MN_MORRIS_TAIL + (1 - 2 * MN_MORRIS_TAIL) * u);
}

static void morris_point(const void *plan, long e, double *x)
{
    const morris_plan *m = plan;
    int k = m->p->n_inputs;
    for (int i = 0; i < k; i++)
        x[i] = unit_to_input(&m->p->dists[i], m->unit[e * k + i]);
}

mn_status mn_morris_run(mn_ctx *ctx, const mn_sens_problem *p, const mn_morris_options *opts,
                        mn_morris_result *out)
{
    mn_status st = mn__sens_begin(ctx, p, out, sizeof *out);
    if (st)
        return st;
    mn_morris_options o;
    MN__SENS_OPTIONS(o, opts, mn_morris_options_init);
    if (o.trajectories < 2 || o.trajectories > MN_MORRIS_MAX_TRAJECTORIES || o.levels < 4 ||
        o.levels > 16 || o.levels % 2 || o.threads < 0)
        return mn__error(ctx, MN_EINVAL,
                         "sensitivity: Morris needs 2-%d trajectories and an even number of "
                         "levels from 4 to 16",
                         MN_MORRIS_MAX_TRAJECTORIES);
    int k = p->n_inputs, m = p->n_outputs, r = o.trajectories, lv = o.levels;
    long n_eval = (long)r * (k + 1);
    double delta = lv / (2.0 * (lv - 1));
    double *unit = mn__malloc(sizeof(double) * (size_t)n_eval * (size_t)k);
    double *y = mn__malloc(sizeof(double) * (size_t)n_eval * (size_t)m);
    int *order = mn__malloc(sizeof(int) * (size_t)r * (size_t)k);
    int *dir = mn__malloc(sizeof(int) * (size_t)r * (size_t)k);
    double *ee = mn__malloc(sizeof(double) * (size_t)r);
    out->effect = mn__calloc((size_t)m * (size_t)k, sizeof *out->effect);
    if (!unit || !y || !order || !dir || !ee || !out->effect) {
        st = mn__error(ctx, MN_ENOMEM, "sensitivity: out of memory for %ld evaluations", n_eval);
        goto done;
    }
    for (int t = 0; t < r; t++) {
        mn_rng rng;
        mn_rng_init(&rng, o.seed, (uint64_t)t);
        double *u0 = unit + (size_t)t * (size_t)(k + 1) * (size_t)k;
        int *ord = order + (size_t)t * (size_t)k, *d = dir + (size_t)t * (size_t)k;
        for (int i = 0; i < k; i++) {
            long level = mn_rng_int(&rng, 0, lv / 2 - 1);
            d[i] = mn_rng_int(&rng, 0, 1) ? 1 : -1;
            u0[i] = (double)level / (lv - 1) + (d[i] < 0 ? delta : 0);
            ord[i] = i;
        }
        for (int i = k - 1; i > 0; i--) { /* Fisher-Yates */
            int j = (int)mn_rng_int(&rng, 0, i), tmp = ord[i];
            ord[i] = ord[j];
            ord[j] = tmp;
        }
        for (int s = 1; s <= k; s++) {
            double *prev = u0 + (size_t)(s - 1) * (size_t)k, *cur = prev + k;
            memcpy(cur, prev, sizeof(double) * (size_t)k);
            int i = ord[s - 1];
            cur[i] = prev[i] + d[i] * delta;
        }
    }
    morris_plan plan = {p, unit};
    if ((st = mn__sens_evaluate(ctx, p, n_eval, o.threads, morris_point, &plan, o.stop,
                                o.stop_userdata, y)))
        goto done;
    for (int oi = 0; oi < m; oi++)
        for (int i = 0; i < k; i++) {
            double sum = 0, sum_abs = 0;
            for (int t = 0; t < r; t++) {
                const int *ord = order + (size_t)t * (size_t)k;
                int s = 1;
                while (ord[s - 1] != i)
                    s++;
                long e = (long)t * (k + 1) + s;
                ee[t] = dir[(size_t)t * (size_t)k + (size_t)i] *
                        (y[e * m + oi] - y[(e - 1) * m + oi]) / delta;
                sum += ee[t];
                sum_abs += fabs(ee[t]);
            }
            double mu = sum / r, ss = 0;
            for (int t = 0; t < r; t++)
                ss += (ee[t] - mu) * (ee[t] - mu);
            mn_morris_effect *x = &out->effect[(size_t)oi * (size_t)k + (size_t)i];
            x->mu = mu;
            x->mu_star = sum_abs / r;
            x->sigma = sqrt(ss / (r - 1));
        }
    out->n_inputs = k;
    out->n_outputs = m;
    out->trajectories = r;
    out->levels = lv;
    out->evaluations = n_eval;
done:
    mn__free(unit);
    mn__free(y);
    mn__free(order);
    mn__free(dir);
    mn__free(ee);
    if (st)
        mn_morris_result_release(out);
    return st;
}
