/*
 * Fuzz target: a simulate SCENARIO file, then what `mneedle simulate` does with it: the run at
 * the report days with its summary, a small uncertainty band, and the result written as JSON
 * and text.
 * Properties: a refused file gives an input-error status and a message naming the file; an
 * accepted one runs (or fails with a documented status and a message), and writes with no
 * numerical failure and no "nan"/"inf".
 */
#include <string.h>

#include "fuzz.h"
#include "mneedle/healing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_ctx *ctx = fuzz_ctx();
    mn_ctx_clear_error(ctx);
    mn_healing_input *in = malloc(sizeof *in);
    if (!in)
        abort();
    mn_status st = mn_healing_scenario_parse(ctx, "fuzz.json", (const char *)data, size, in);
    if (st) {
        fuzz_check(mn_status_is_input_error(st));
        fuzz_check(strncmp(mn_ctx_errmsg(ctx), "fuzz.json", 9) == 0);
        free(in);
        return 0;
    }
    const mn_healing_scenario *sc = &in->scenario;
    int n = in->n_report_days;
    fuzz_check(n >= 1 && n <= (int)MN_MAX_ARRAY_LEN);
    for (int i = 0; i < n; i++)
        fuzz_check(in->report_days[i] >= 0 && in->report_days[i] <= sc->horizon_days &&
                   (i == 0 || in->report_days[i] > in->report_days[i - 1]));
    mn_healing_sample *samples = malloc(sizeof *samples * (size_t)n);
    double *lo = malloc(sizeof *lo * (size_t)n), *hi = malloc(sizeof *hi * (size_t)n);
    if (!samples || !lo || !hi)
        abort();
    mn_healing_summary summary;
    st = mn_healing_run(ctx, sc, NULL, NULL, in->report_days, n, samples, &summary);
    if (st == MN_OK)
        st = mn_healing_band(ctx, sc, in->report_days, n, 4, 1, 0.1, 0.9, lo, hi);
    if (st) {
        /* Documented failures of a validated scenario: none is an input error the parser
         * should have caught, and each says why. */
        fuzz_check(st == MN_ENOCONV || st == MN_ENUMERIC);
        fuzz_check(mn_ctx_errmsg(ctx)[0] != '\0');
    } else {
        for (int i = 0; i < n; i++)
            fuzz_check(samples[i].day == in->report_days[i]);
        mn_healing_result res = {
            sc, samples, n, lo,   hi, 4, &summary, NULL, MN_HEALING_EXACT, &in->warnings,
            0,  NULL,    0, NULL, 0,  0, NULL,     NULL};
        fuzz_sink out = {0, 0, 0, 0};
        fuzz_check(mn_healing_write(ctx, &res, 1, fuzz_sink_write, &out) == MN_OK);
        fuzz_check(mn_healing_write(ctx, &res, 0, fuzz_sink_write, &out) == MN_OK);
        fuzz_check(!out.nan_seen || fuzz_input_says_nan(data, size));
    }
    free(samples);
    free(lo);
    free(hi);
    free(in);
    return 0;
}
