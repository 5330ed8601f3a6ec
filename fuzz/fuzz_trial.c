/*
 * Fuzz target: a cohort TRIAL file, then a small run of it (the population capped at 16
 * patients, one thread, so each input stays fast) written as JSON and text.
 * Properties: a refused file gives an input-error status and a message naming the file; an
 * accepted one has its ranges in order, runs (or fails with a documented status and a
 * message), and writes with no numerical failure; the realised population has the size asked
 * for and only phototypes from the trial's range.
 */
#include <string.h>

#include "fuzz.h"
#include "mneedle/cohort.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_ctx *ctx = fuzz_ctx();
    mn_ctx_clear_error(ctx);
    mn_cohort_trial *t = malloc(sizeof *t);
    mn_cohort_result *r = malloc(sizeof *r);
    if (!t || !r)
        abort();
    mn_status st = mn_cohort_trial_parse(ctx, "fuzz.json", (const char *)data, size, t);
    if (st) {
        fuzz_check(mn_status_is_input_error(st));
        fuzz_check(strncmp(mn_ctx_errmsg(ctx), "fuzz.json", 9) == 0);
        goto done;
    }
    fuzz_check(t->population.n >= 1 && t->population.n <= MN_COHORT_MAX_N);
    fuzz_check(t->n_sessions >= 1 && t->n_sessions <= MN_COHORT_MAX_SESSIONS);
    fuzz_check(t->n_endpoints >= 1 && t->n_endpoints <= MN_COHORT_MAX_ENDPOINTS);
    for (int i = 1; i < t->n_endpoints; i++)
        fuzz_check(t->endpoint_days[i] > t->endpoint_days[i - 1]);
    for (int i = 1; i < t->n_sessions; i++)
        fuzz_check(t->sessions[i].day >= t->sessions[i - 1].day);
    if (t->population.n > 16)
        t->population.n = 16;
    mn_cohort_options o;
    mn_cohort_options_init(&o);
    o.threads = 1;
    o.use_mpi = 0;
    st = mn_cohort_run(ctx, t, &o, r);
    if (st) {
        fuzz_check(st == MN_ENUMERIC || st == MN_ENOCONV);
        fuzz_check(mn_ctx_errmsg(ctx)[0] != '\0');
        goto done;
    }
    fuzz_check(r->n == t->population.n && r->n_endpoints == t->n_endpoints);
    long by_type = 0;
    for (int k = 0; k < 6; k++) {
        by_type += r->demographics.fitzpatrick[k];
        if (k + 1 < t->population.fitzpatrick_lo || k + 1 > t->population.fitzpatrick_hi)
            fuzz_check(r->demographics.fitzpatrick[k] == 0);
    }
    fuzz_check(by_type == t->population.n);
    fuzz_sink out = {0, 0, 0, 0};
    fuzz_check(mn_cohort_write(ctx, t, r, 1, fuzz_sink_write, &out) == MN_OK);
    fuzz_check(mn_cohort_write(ctx, t, r, 0, fuzz_sink_write, &out) == MN_OK);
    fuzz_check(!out.nan_seen || fuzz_input_says_nan(data, size));
done:
    free(t);
    free(r);
    return 0;
}
