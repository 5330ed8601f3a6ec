/*
 * The C side of the Python-call benchmark (bench/bench_python.sh): the cost of one `simulate`
 * call as the Python package makes it, from C: mnpy_simulate() (python/mneedle/_glue.c) on a
 * scenario file's text, which parses the scenario, runs the model and its band, and writes the
 * command's JSON into a buffer. bench_python.py times mneedle.simulate() on the same file and
 * divides; both are thread CPU time, best of 5 blocks, so other work on the machine counts in
 * neither.
 *
 * usage: bench_pycall SCENARIO BAND REPEATS   (prints one line: "c_us_per_call VALUE")
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "_glue.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_pycall SCENARIO BAND REPEATS\n");
        return 2;
    }
    int band = atoi(argv[2]), reps = atoi(argv[3]);
    FILE *f = fopen(argv[1], "rb");
    if (!f || reps < 1) {
        fprintf(stderr, "bench_pycall: cannot read %s\n", argv[1]);
        return 2;
    }
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    mn_ctx *ctx;
    if (mn_ctx_create(&ctx))
        return 1;
    double best = 1e30, checksum = 0;
    for (int block = 0; block < 5; block++) {
        double t0 = cpu_now();
        for (int r = 0; r < reps; r++) {
            mnpy_buf out = {0};
            if (mnpy_simulate(ctx, "scenario", text, len, band, MN_BAND_DEFAULT_SEED, "exact",
                              &out) != MN_OK) {
                fprintf(stderr, "bench_pycall: %s\n", mn_ctx_errmsg(ctx));
                return 1;
            }
            checksum += (double)out.len;
            mnpy_buf_free(&out);
        }
        double dt = (cpu_now() - t0) / reps;
        if (dt < best)
            best = dt;
    }
    printf("c_us_per_call %.3f\n", 1e6 * best);
    fprintf(stderr, "(checksum %.0f)\n", checksum);
    mn_ctx_free(ctx);
    return 0;
}
