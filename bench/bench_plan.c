/*
 * Plan latency, end to end in-process: read the client file's text, parse and validate it,
 * screen, plan (depths, calendar, aftercare, cost, projection), and write the JSON output to
 * memory. The context (catalogue load) is created once, as a server or a batch run would;
 * its creation is timed separately. Target (DESIGN 5): <= 20 ms per client.
 *
 * usage: bench_plan [repetitions]   (default 200 per example client)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "mneedle/mneedle.h"

static const char *const mn_clients[] = {
    "amelia-wrinkles",     "ravi-acne-scars", "sofia-isotretinoin", "george-keloid",
    "maya-striae-melasma", "tom-hair-loss",   "lena-pregnant"};

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

typedef struct {
    size_t bytes;
} sink;

static int count_writer(void *ud, const char *buf, size_t len)
{
    (void)buf;
    ((sink *)ud)->bytes += len;
    return 0;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 200;
    if (reps < 1)
        reps = 1;
    double bw = mn_bench_bandwidth_gbs();
    double t0 = mn_bench_now();
    mn_ctx *ctx;
    if (mn_ctx_create(&ctx) != MN_OK)
        return 1;
    double t_ctx = mn_bench_now() - t0;
    printf("machine memory bandwidth: %.1f GB/s (triad)\n", bw);
    printf("context creation (parse all catalogues): %.3f ms\n", t_ctx * 1e3);
    printf("%-22s %12s %12s %10s\n", "client", "ms/plan", "plans/s", "JSON bytes");
    double worst = 0;
    for (size_t i = 0; i < sizeof mn_clients / sizeof mn_clients[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/examples/clients/%s.json", MN_SOURCE_DIR, mn_clients[i]);
        size_t len;
        char *text = read_file(path, &len);
        if (!text) {
            fprintf(stderr, "cannot read %s\n", path);
            return 1;
        }
        sink out = {0};
        double best = 1e30;
        for (int r = 0; r < reps; r++) {
            out.bytes = 0;
            double a = mn_bench_now();
            mn_client c;
            mn_plan *p = NULL;
            if (mn_client_parse(ctx, path, text, len, &c) || mn_plan_build(ctx, &c, NULL, &p) ||
                mn_plan_write(ctx, p, 1, count_writer, &out)) {
                fprintf(stderr, "%s: %s\n", mn_clients[i], mn_ctx_errmsg(ctx));
                return 1;
            }
            mn_plan_free(p);
            double t = mn_bench_now() - a;
            if (t < best)
                best = t;
        }
        printf("%-22s %12.4f %12.0f %10zu\n", mn_clients[i], best * 1e3, 1.0 / best, out.bytes);
        if (best > worst)
            worst = best;
        free(text);
    }
    printf("slowest client: %.4f ms per plan (target 20 ms: %.0fx under); including a fresh "
           "context: %.3f ms\n",
           worst * 1e3, 0.020 / worst, (worst + t_ctx) * 1e3);
    mn_ctx_free(ctx);
    return 0;
}
