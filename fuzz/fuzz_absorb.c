/*
 * Fuzz target: an absorb SCENARIO file. The loader reads only files, so each input is written
 * to a temporary file first. An accepted scenario has its parameters derived and, when it is a
 * unit-cell run of at most 48 simulated hours, is solved and written as JSON and text (the 3D
 * patch and long runs are left to the tests: a fuzz input must take milliseconds).
 * Properties: a refused file gives an input-error status and a message naming the file; an
 * accepted one derives finite parameters, and a run conserves mass to the stated tolerance and
 * writes with no numerical failure.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "mneedle/transport.h"

static char fuzz_path[64];

static void fuzz_cleanup(void)
{
    unlink(fuzz_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_path[0]) {
        snprintf(fuzz_path, sizeof fuzz_path, "/tmp/mn_fuzz_absorb_XXXXXX");
        int fd = mkstemp(fuzz_path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(fuzz_cleanup);
    }
    FILE *fp = fopen(fuzz_path, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        abort();
    mn_ctx *ctx = fuzz_ctx();
    mn_ctx_clear_error(ctx);
    mn_absorb_scenario s;
    mn_absorb_scenario_init(&s);
    mn_status st = mn_absorb_scenario_load(ctx, fuzz_path, &s);
    if (st) {
        fuzz_check(mn_status_is_input_error(st));
        fuzz_check(strstr(mn_ctx_errmsg(ctx), fuzz_path) != NULL);
        mn_absorb_scenario_release(&s);
        return 0;
    }
    mn_absorb_params p;
    st = mn_absorb_params_compute(ctx, &s, &p);
    fuzz_check(st == MN_OK);
    fuzz_check(isfinite(p.kp_cm_h) && p.kp_cm_h >= 0 && isfinite(p.channel_depth_um) &&
               p.channel_depth_um >= 0 && isfinite(p.punctures_per_cm2) &&
               p.punctures_per_cm2 >= 0 && isfinite(p.dose_ug_cm2) && p.dose_ug_cm2 >= 0);
    if (!s.field && s.hours <= 48 && s.resolution <= 2) {
        mn_absorb_result r;
        mn_absorb_result_init(&r);
        st = mn_absorb_run(ctx, &s, NULL, NULL, &r);
        if (st) {
            fuzz_check(st == MN_ENOCONV || st == MN_ENUMERIC);
            fuzz_check(mn_ctx_errmsg(ctx)[0] != '\0');
        } else {
            /* DESIGN 6: mass conserved to 1e-6 of the dose. */
            fuzz_check(r.mass_balance_error < 1e-6);
            fuzz_sink out = {0, 0, 0, 0};
            fuzz_check(mn_absorb_write_json(ctx, &s, &r, fuzz_sink_write, &out) == MN_OK);
            fuzz_check(mn_absorb_write_text(ctx, &s, &r, fuzz_sink_write, &out) == MN_OK);
            fuzz_check(!out.nan_seen || fuzz_input_says_nan(data, size));
        }
        mn_absorb_result_release(&r);
    }
    mn_absorb_scenario_release(&s);
    return 0;
}
