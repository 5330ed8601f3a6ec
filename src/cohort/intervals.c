/*
 * Trial-level intervals (mneedle/cohort.h, docs/models/cohort.md "Trial-level intervals"):
 * virtual trials of the TRIAL's size, each with ONE draw of the model's constants shared by
 * its patients, as `mneedle validate` runs a study (src/evidence/observe.c). Each trial runs
 * on one thread, in patient order, into its own slot, so the result does not depend on the
 * thread count; trials are taken in chunks so that progress is reported from the calling
 * thread.
 *
 * Streams: patient i of virtual trial k draws from stream (k + 1) x 2^32 + i of the seed
 * (the main run's patients use streams below MN_COHORT_MAX_N < 2^30, so none is shared);
 * trial k's responsiveness from STUDY_STREAM + k.
 *
 * Dropout (the trial's dropout_per_visit): each patient's dropout is drawn as in the main run,
 * and every statistic of a trial at an endpoint is over its completers, the patients still in
 * on that day (a completers analysis, as a trial that loses patients reports); a trial with no
 * completers on a day is left out of that day's interval.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "cohort/cohort_internal.h"
#include "core/quantile.h"

#define STUDY_STREAM 0x7374756479000000ull /* "study", as observe.c */
/* A trial's statistics: its mean improvement, then counts of its completers (responders, PIH
 * as the law states it and at the two ends of the law's band), whole numbers until the end,
 * and the completers themselves (every patient without dropout). */
enum {
    S_MEAN = 0,
    S_R50 = 1,
    S_R75 = 2,
    S_PIH = 3,
    S_PIH_LOW = 4,
    S_PIH_HIGH = 5,
    S_OBSERVED = 6,
    S_COUNT = 7
};

int mn_cohort_default_trials(long n)
{
    if (n < 1 || n > MN_COHORT_INTERVALS_MAX_PATIENTS / MN_COHORT_DEFAULT_TRIALS)
        return 0;
    return MN_COHORT_DEFAULT_TRIALS;
}

/* One virtual trial: its statistics at every endpoint into stat[e * S_COUNT + s]. */
static mn_status one_trial(const mn__cohort_plan *plan, long k, void *scratch,
                           mn_cohort_outcome *outcomes, double *stat)
{
    const mn_cohort_trial *t = plan->trial;
    mn__healing_params par;
    const mn__healing_params *given = NULL;
    mn_status st;
    if (t->constants != MN_COHORT_CONSTANTS_DEFAULTS) {
        if ((st = mn__healing_param_draw(NULL, t->seed, (uint64_t)k, &par)))
            return st;
        given = &par;
    }
    double f = 1; /* the trial's responsiveness, shared by its patients */
    if (given && par.study_sd_log > 0) {
        mn_rng rng;
        mn_rng_init(&rng, t->seed, STUDY_STREAM + (uint64_t)k);
        f = exp(par.study_sd_log * mn_rng_normal(&rng));
    }
    int ne = t->n_endpoints;
    long n = t->population.n;
    for (int e = 0; e < ne * S_COUNT; e++)
        stat[e] = 0;
    for (long i = 0; i < n; i++) {
        mn_cohort_patient_result res;
        int band_day[2];
        uint64_t stream = ((uint64_t)(k + 1) << 32) + (uint64_t)i;
        if ((st = mn__cohort_patient_with(plan, i, stream, given, scratch, &res, outcomes,
                                          band_day)))
            return st;
        for (int e = 0; e < ne; e++) {
            int day = t->endpoint_days[e];
            if (!outcomes[e].observed)
                continue; /* left before this day: not in the completers analysis */
            double u = outcomes[e].improvement_pct;
            if (f != 1) { /* as observe.c's responsive(): scaled, at most 100 % */
                u *= f;
                u = u > 100 ? 100 : u;
            }
            double *s = stat + (size_t)e * S_COUNT;
            s[S_MEAN] += u;
            s[S_R50] += u >= 50.0;
            s[S_R75] += u > 75.0;
            s[S_PIH] += outcomes[e].pih != 0;
            s[S_PIH_LOW] += band_day[0] >= 0 && band_day[0] <= day;
            s[S_PIH_HIGH] += band_day[1] >= 0 && band_day[1] <= day;
            s[S_OBSERVED] += 1;
        }
    }
    /* The mean over the completers; with dropout the counts too become shares of the trial's
     * own completers here, NaN marking a day on which none is left (the interval leaves it
     * out). Without dropout every trial has n and the counts stay whole until the end. */
    for (int e = 0; e < ne; e++) {
        double *s = stat + (size_t)e * S_COUNT;
        int last = t->dropout_per_visit > 0 ? S_OBSERVED : S_MEAN + 1;
        for (int q = S_MEAN; q < last; q++)
            s[q] = s[S_OBSERVED] > 0 ? s[q] / s[S_OBSERVED] : NAN;
    }
    return MN_OK;
}

mn_status mn_cohort_intervals_run(mn_ctx *ctx, const mn_cohort_trial *trial, int n_trials,
                                  int threads, mn_cohort_progress_fn on_progress,
                                  void *progress_userdata, mn_cohort_intervals *out)
{
    if (!trial || !out || !trial->zone || !trial->concern || !trial->device)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_intervals_run: NULL or incomplete argument");
    if (n_trials < 0 || (n_trials > 0 && n_trials < MN_COHORT_MIN_TRIALS) ||
        n_trials > MN_COHORT_MAX_TRIALS)
        return mn__error(ctx, MN_EINVAL,
                         "cohort: virtual trials must be 0 (none) or %d to %d, got %d: fewer "
                         "than %d leave no trial beyond the %d-%d %% interval's ends",
                         MN_COHORT_MIN_TRIALS, MN_COHORT_MAX_TRIALS, n_trials, MN_COHORT_MIN_TRIALS,
                         MN_COHORT_INTERVAL_TAIL_PCT, 100 - MN_COHORT_INTERVAL_TAIL_PCT);
    if (threads < 0 || threads > 4096)
        return mn__error(ctx, MN_EINVAL, "cohort: threads must be 0 (default) to 4096, got %d",
                         threads);
    if (trial->n_endpoints < 1 || trial->n_endpoints > MN_COHORT_MAX_ENDPOINTS ||
        trial->population.n < 1 || trial->population.n > MN_COHORT_MAX_N)
        return mn__error(ctx, MN_EINVAL,
                         "cohort: the trial is not valid; load it with "
                         "mn_cohort_trial_load()");
    memset(out, 0, sizeof *out);
    out->n = trial->population.n;
    out->level = 1 - 2 * MN_COHORT_INTERVAL_TAIL_PCT / 100.0;
    out->n_endpoints = trial->n_endpoints;
    for (int e = 0; e < trial->n_endpoints; e++)
        out->endpoints[e].day = trial->endpoint_days[e];
    if (trial->constants != MN_COHORT_CONSTANTS_DEFAULTS) {
        int d = mn__healing_param_draws(ctx, NULL);
        if (d < 0)
            return mn__error(ctx, MN_ENOMEM, "cohort: out of memory for the posterior's draws");
        out->n_draws = d;
    }
    if (n_trials == 0)
        return MN_OK;

    /* The endpoints alone: the maintenance grid is not needed for these statistics. */
    mn_cohort_trial *t = mn__malloc(sizeof *t);
    if (!t)
        return mn__error(ctx, MN_ENOMEM, "cohort: out of memory for the intervals");
    *t = *trial;
    t->maintenance_check_days = t->horizon_days + 1;
    mn__cohort_plan plan;
    int ne = t->n_endpoints;
    int nt = threads > 0 ? threads : omp_get_max_threads();
    nt = nt < 1 ? 1 : nt;
    mn_status st = mn__cohort_plan_init(&plan, t);
    if (st) {
        mn__free(t);
        return mn__error(ctx, MN_ENOMEM, "cohort: out of memory for the intervals");
    }
    size_t stride = (mn__cohort_healing_model.scratch_per_grid_day * (size_t)plan.n_grid +
                     sizeof(mn_cohort_outcome) * (size_t)ne + 63) /
                        64 * 64 +
                    64;
    unsigned char *scratch = mn__malloc(stride * (size_t)nt);
    double *stat = mn__malloc(sizeof(double) * (size_t)n_trials * (size_t)ne * S_COUNT);
    mn_status *status = mn__calloc((size_t)n_trials, sizeof *status);
    double *col = mn__malloc(sizeof(double) * (size_t)n_trials);
    if (!scratch || !stat || !status || !col) {
        st = mn__error(ctx, MN_ENOMEM, "cohort: out of memory for %d virtual trials", n_trials);
        goto done;
    }
    size_t model_bytes = mn__cohort_healing_model.scratch_per_grid_day * (size_t)plan.n_grid;
    int chunk = 4 * nt;
    for (int first = 0; first < n_trials; first += chunk) {
        int last = first + chunk < n_trials ? first + chunk : n_trials;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (int k = first; k < last; k++) {
            unsigned char *mine = scratch + stride * (size_t)omp_get_thread_num();
            mn_cohort_outcome *oc =
                (mn_cohort_outcome *)(void *)(mine + (model_bytes + 63) / 64 * 64);
            status[k] = one_trial(&plan, k, mine, oc, stat + (size_t)k * (size_t)ne * S_COUNT);
        }
        for (int k = first; k < last; k++)
            if (status[k]) {
                st = mn__error(ctx, status[k],
                               "cohort: virtual trial %d of seed %llu: the healing model "
                               "failed: %s",
                               k, (unsigned long long)t->seed, mn_strerror(status[k]));
                goto done;
            }
        if (on_progress)
            on_progress(progress_userdata, last, n_trials);
    }
    /* Each end by the program's one percentile rule (type 7, core/quantile.h): between two
     * neighbouring trials' figures. The band's low end is the low-end trials' lower percentile,
     * its high end the high-end trials' upper one. */
    double q_lo = MN_COHORT_INTERVAL_TAIL_PCT / 100.0, q_hi = 1 - q_lo;
    for (int e = 0; e < ne; e++) {
        mn_cohort_endpoint_interval *ei = &out->endpoints[e];
        double lo[S_COUNT], hi[S_COUNT];
        int m = 0; /* trials with a completer on the day (n_trials without dropout) */
        for (int s = 0; s < S_OBSERVED; s++) {
            m = 0;
            for (int k = 0; k < n_trials; k++) {
                double x = stat[((size_t)k * (size_t)ne + (size_t)e) * S_COUNT + (size_t)s];
                if (x == x)
                    col[m++] = x;
            }
            qsort(col, (size_t)m, sizeof *col, mn__cmp_double);
            /* a count, without dropout: its share of the n patients */
            double per = s == S_MEAN || t->dropout_per_visit > 0 ? 1 : (double)t->population.n;
            lo[s] = m > 0 ? mn__quantile_sorted(col, m, q_lo) / per : 0;
            hi[s] = m > 0 ? mn__quantile_sorted(col, m, q_hi) / per : 0;
        }
        ei->trials_with_completers = m;
        ei->mean_improvement_pct = (mn_cohort_interval){lo[S_MEAN], hi[S_MEAN]};
        ei->responders_50pct = (mn_cohort_interval){lo[S_R50], hi[S_R50]};
        ei->responders_75pct = (mn_cohort_interval){lo[S_R75], hi[S_R75]};
        ei->pih_rate = (mn_cohort_interval){lo[S_PIH], hi[S_PIH]};
        ei->pih_rate_with_law_band = (mn_cohort_interval){lo[S_PIH_LOW], hi[S_PIH_HIGH]};
    }
    out->n_trials = n_trials;
done:
    mn__free(scratch);
    mn__free(stat);
    mn__free(status);
    mn__free(col);
    mn__cohort_plan_release(&plan);
    mn__free(t);
    return st;
}
