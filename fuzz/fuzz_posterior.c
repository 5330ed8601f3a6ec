/*
 * Fuzz target: a posterior file (posterior.h, docs/models/healing.md §4.2).
 * Properties: a refused file gives an input-error status and a message naming the file, and no
 * posterior; an accepted one has draws of constants the model has, each value inside its
 * constant's range and finite, quantiles in order, and every draw (and the medians) turns into
 * a parameter set the model accepts.
 */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "mneedle/posterior.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_ctx *ctx = fuzz_ctx();
    mn_ctx_clear_error(ctx);
    mn_posterior *p = NULL;
    mn_status st = mn_posterior_parse(ctx, "fuzz.json", (const char *)data, size, &p);
    if (st) {
        fuzz_check(mn_status_is_input_error(st) || st == MN_ENOMEM);
        fuzz_check(strncmp(mn_ctx_errmsg(ctx), "fuzz.json", 9) == 0);
        fuzz_check(p == NULL);
        return 0;
    }
    int np = mn_posterior_param_count(p), nd = mn_posterior_draw_count(p);
    fuzz_check(np >= 1 && np <= mn_healing_param_count());
    fuzz_check(nd >= 1 && nd <= MN_POSTERIOR_MAX_DRAWS);
    fuzz_check(mn_posterior_provenance_of(p)->date != NULL);
    for (int j = 0; j < np; j++) {
        int i = mn_healing_param_find(mn_posterior_param_name(p, j));
        fuzz_check(i >= 0);
        double lo, hi;
        fuzz_check(mn_healing_param_range(i, &lo, &hi));
        for (int k = 0; k < nd; k++) {
            double v = mn_posterior_value(p, k, j);
            fuzz_check(isfinite(v) && v >= lo && v <= hi);
        }
        fuzz_check(mn_posterior_quantile(p, j, 0.05) <= mn_posterior_quantile(p, j, 0.95));
    }
    mn_healing_params hp;
    for (int k = MN_POSTERIOR_MEDIAN; k < nd && k < 16; k++)
        fuzz_check(mn_posterior_params(ctx, p, k, &hp) == MN_OK);
    mn_posterior_free(p);
    return 0;
}
