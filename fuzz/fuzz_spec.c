/*
 * Fuzz target: a sensitivity SPEC file, read as `mneedle sensitivity` reads it (the embedded
 * scenarios included). The run itself is not fuzzed: its cost is set by the SPEC's N.
 * Properties: a refused file gives an input-error status and a message naming the file; an
 * accepted one is freed cleanly.
 */
#include <string.h>

#include "fuzz.h"
#include "mneedle/sensitivity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_ctx *ctx = fuzz_ctx();
    mn_ctx_clear_error(ctx);
    mn_sens_spec *spec = NULL;
    mn_status st = mn_sens_spec_parse(ctx, "fuzz.json", (const char *)data, size, &spec);
    if (st) {
        /* A scenario named by file is read from that file, and named in the message. */
        fuzz_check(mn_status_is_input_error(st) || st == MN_EIO);
        fuzz_check(spec == NULL);
        return 0;
    }
    fuzz_check(spec != NULL);
    mn_sens_spec_free(spec);
    return 0;
}
