/*
 * absorb benchmarks, printed beside the machine's measured memory bandwidth:
 *   1. unit cell, 24 h (DESIGN 5: <= 5 ms): runs per second;
 *   1b. the same open to air (the film evaporating: 225 steps, intact column and unit cell
 *       together, against 153 occluded; most of the difference while it dries);
 *   2. intact skin, caffeine, 24 h, 1D: the case Surrey DPK runs in 2.6 s as a whole Python
 *      process (imports included): compared with mneedle's whole process (the command run
 *      from this bench), like for like; the in-process solve is printed beside it, but the
 *      peer's solve alone was never measured, so no solve-against-solve ratio is claimed;
 *   3. 3D patch: a 2 x 2 mm patch by default; the reference case (1 cm2 x ~2 mm, 10 um
 *      lateral, ~1,000 channels, 24 h) with MN_BENCH_REFERENCE=1. Reports wall time, peak
 *      memory, and the achieved bandwidth of the split step (the main kernel): the DRAM
 *      traffic of its three passes over 8-byte values, reads and writes once each as in the
 *      triad (no write-allocate), over its time. x sweep: read u, write d (16 B/cell); y
 *      sweep forward: read d, write d and the Thomas factors w (24); y backward with the z
 *      sweep fused in: read d and w, write d (24: a thread's rows span more than the caches
 *      on the reference grid). 64 bytes per cell; the responses to the donor and the
 *      channel columns' properties are per class of column, a few kB that stay in cache.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "mneedle/mneedle.h"
#include "transport/absorb_internal.h"

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

static void base(mn_ctx *ctx, mn_absorb_scenario *s, const char *site, const char *device,
                 double needle_mm, double passes, const char *product)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_absorb_scenario_init(s);
    s->site = mn_catalog_find_site(cat, site);
    s->device = device ? mn_catalog_find_device(cat, device) : NULL;
    s->needle_mm = needle_mm;
    s->passes = passes;
    const mn_product *p = mn_catalog_find_product(cat, product);
    s->mw = p->mw;
    s->logp = p->logp;
    s->concentration_mg_ml = p->concentration_mg_ml;
    s->dose_ul_cm2 = 10;
    s->occluded = 1;
    s->hours = 24;
    s->n_report = 4;
    s->report_hours = calloc(4, sizeof(double));
    double hrs[4] = {1, 6, 12, 24};
    memcpy(s->report_hours, hrs, sizeof hrs);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bench_unit_cell(mn_ctx *ctx, int occluded)
{
    mn_absorb_scenario s;
    base(ctx, &s, "cheek", "dermapen-4", 1.0, 2, "ascorbic-acid");
    s.occluded = occluded;
    s.band_runs = 0; /* one run; the band repeats it band_runs times */
    mn_absorb_result r;
    size_t runs = 0, cap = 1024, steps = 0;
    double *times = malloc(cap * sizeof(double)), t_start = mn_bench_now();
    if (!times)
        return 1;
    while (mn_bench_now() - t_start < 2.0) {
        double t0 = mn_bench_now();
        if (mn_absorb_run(ctx, &s, NULL, NULL, &r)) {
            fprintf(stderr, "unit cell: %s\n", mn_ctx_errmsg(ctx));
            free(times);
            return 1;
        }
        double t = mn_bench_now() - t0;
        if (runs == cap) {
            double *more = realloc(times, 2 * cap * sizeof(double));
            if (!more) {
                free(times);
                return 1;
            }
            times = more;
            cap *= 2;
        }
        times[runs++] = t;
        steps = r.steps;
        mn_absorb_result_release(&r);
    }
    double total = mn_bench_now() - t_start;
    /* The median as well as the best: on a shared machine the mean follows the other jobs. */
    qsort(times, runs, sizeof(double), cmp_double);
    printf("unit cell 24 h (dermapen-4 1.0 mm x2, ascorbic acid, %s, intact baseline "
           "included, no band; %zu steps):\n  %.2f ms best, %.2f ms median, %.2f ms mean, "
           "%.0f runs/s   [bar: <= 5 ms]\n",
           occluded ? "occluded" : "open to air, film drying", steps, times[0] * 1e3,
           times[runs / 2] * 1e3, total / (double)runs * 1e3, (double)runs / total);
    free(times);
    mn_absorb_scenario_release(&s);
    return 0;
}

static int bench_intact(mn_ctx *ctx)
{
    mn_absorb_scenario s;
    base(ctx, &s, "upper-arm", NULL, 0, 0, "caffeine");
    s.band_runs = 0;
    mn_absorb_result r;
    double t0 = mn_bench_now();
    if (mn_absorb_run(ctx, &s, NULL, NULL, &r)) {
        fprintf(stderr, "intact: %s\n", mn_ctx_errmsg(ctx));
        return 1;
    }
    double t = mn_bench_now() - t0;
    printf("intact skin, caffeine 30 mg/ml x 10 ul/cm2, 24 h, 1D (%zu cells, %zu steps): "
           "%.3f ms solve in one run\n",
           r.n_depth, r.steps, t * 1e3);
    /* Whole process against whole process: the command beside this bench. */
    char exe[PATH_MAX], cli[PATH_MAX + 16], scen[] = "/tmp/mn_bench_intact_XXXXXX";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int fd = mkstemp(scen);
    if (n > 0 && fd >= 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        snprintf(cli, sizeof cli, "%s/../mneedle", exe);
        const char *js = "{\"site\": \"upper-arm\", \"device\": \"none\", \"product\": "
                         "{\"name\": \"caffeine\", \"dose_ul_cm2\": 10}, \"hours\": 24, "
                         "\"report_hours\": [1, 6, 12, 24], \"band_runs\": 0}";
        int ok = write(fd, js, strlen(js)) == (ssize_t)strlen(js);
        close(fd);
        char cmd[3 * PATH_MAX];
        snprintf(cmd, sizeof cmd, "'%s' absorb '%s' > /dev/null", cli, scen);
        double bestp = 1e30;
        for (int i = 0; ok && access(cli, X_OK) == 0 && i < 5; i++) {
            double p0 = mn_bench_now();
            if (system(cmd) != 0)
                break;
            double tp = mn_bench_now() - p0;
            bestp = tp < bestp ? tp : bestp;
        }
        if (bestp < 1e30)
            printf("  whole process (start, catalogues, solve, text written): %.1f ms best of 5;\n"
                   "  Surrey DPK's 2.6 s is a whole Python process: like for like %.0fx; its "
                   "solve alone\n  was not measured, so no solve-against-solve ratio\n",
                   bestp * 1e3, 2.6 / bestp);
        else
            printf("  whole process: %s not found or failed, not timed\n", cli);
        unlink(scen);
    }
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    return 0;
}

static int bench_field(mn_ctx *ctx, int reference, double bw, int kernel_only)
{
    mn_absorb_scenario s;
    /* ~1,000 punctures/cm2: a SkinPen at 40 mm/s gives 681 per pass, so 1.5 passes. */
    base(ctx, &s, "forehead", "skinpen", 1.5, 1.5, "ascorbic-acid");
    s.field = 1;
    s.field_dx_um = 10;
    s.field_width_um = s.field_height_um = reference ? 10000 : 2000;
    s.band_runs = 0;
    if (kernel_only) { /* MN_BENCH_ONLY=kernel: a token run, just to build the field */
        s.hours = 0.01;
        s.n_report = 1;
        s.report_hours[0] = 0.01;
    }
    mn_absorb_result r;
    mn_absorb_work w;
    if (mn_absorb_estimate(ctx, &s, &w)) {
        fprintf(stderr, "3D: %s\n", mn_ctx_errmsg(ctx));
        return 1;
    }
    double t0 = mn_bench_now();
    if (mn_absorb_run(ctx, &s, NULL, NULL, &r)) {
        fprintf(stderr, "3D: %s\n", mn_ctx_errmsg(ctx));
        return 1;
    }
    double t = mn_bench_now() - t0;
    /* The cost per cell and step of the whole run: the source of
     * MN_ABSORB_SECONDS_PER_CELL_STEP (transport.h), which the long-run notice uses. */
    printf("whole 3D run: %.3g cell-steps (estimated before the run: %.0f main steps), %.1f ns "
           "per cell-step; MN_ABSORB_SECONDS_PER_CELL_STEP is %.1f ns (ratio %.2f)\n",
           w.cell_steps, w.steps, t / w.cell_steps * 1e9, MN_ABSORB_SECONDS_PER_CELL_STEP * 1e9,
           t / w.cell_steps / MN_ABSORB_SECONDS_PER_CELL_STEP);
    double cells = (double)r.nx * (double)r.ny * (double)r.n_depth;
    printf("3D patch %s: %.0f x %.0f um at %g um lateral, %zu depth cells (%.3g cells), "
           "%zu punctures, 24 h in %zu 3D steps (and %zu of the intact column):\n  %.1f s wall, "
           "peak RSS %.0f MiB (solver %.0f "
           "MiB), mass balance %.1e, delivered %.4g ug/cm2, coverage %.3f\n",
           reference ? "REFERENCE" : "(small; MN_BENCH_REFERENCE=1 for 1 cm2)", r.field.width_um,
           r.field.height_um, r.dx_um, r.n_depth, cells, r.field.n, r.steps - r.steps_intact,
           r.steps_intact, t, peak_rss_mib(), r.field_bytes / 1048576.0, r.mass_balance_error,
           r.samples[r.n_samples - 1].delivered_ug_cm2, r.samples[r.n_samples - 1].coverage);
    /* Coverage over time: a small molecule under occlusion is delivered within hours and
     * then cleared by blood flow, so the 24 h value alone can read 0. */
    printf("  coverage (dermal volume above %.3g ug/ml) by hour:", r.coverage_threshold_ug_ml);
    for (size_t m = 0; m < r.n_samples; m++)
        printf(" %gh %.3f", r.samples[m].hour, r.samples[m].coverage);
    printf("\n");
    /* The main kernel alone: split steps on the same grid. */
    mn_absorb_params p = r.params;
    mn__adi g;
    if (mn__absorb_field_grid(ctx, &s, &p, &r.field, &g))
        return 1;
    g.u[g.ncell] = p.donor_conc_ug_ml;
    mn__adi_step(&g, 0.01); /* warm up: touch every page */
    int reps = reference ? 5 : 10;
    double best = 1e30;
    /* The machine is shared: measure the triad again right beside the kernel and compare
     * with that one (both are printed). */
    double bw_start = bw;
    bw = mn_bench_bandwidth_gbs();
    for (int i = 0; i < reps; i++) {
        double k0 = mn_bench_now();
        mn__adi_step(&g, 0.1);
        double k = mn_bench_now() - k0;
        if (k < best)
            best = k;
    }
    double bytes = 64.0 * (double)g.ncell;
    double gbs = bytes / best / 1e9;
    printf("  split step (main kernel): %.3f s per step, %.1f B/cell, %.2f GB/s = %.0f %% of the "
           "%.2f GB/s triad measured beside it (%.2f GB/s at start)   [bar: >= 50 %%]\n",
           best, bytes / (double)g.ncell, gbs, 100 * gbs / bw, bw, bw_start);
    printf("  floor: %.0f B/cell x %.3g cells / %.2f GB/s triad = %.3f s per step, beside the "
           "measured %.3f s\n",
           bytes / (double)g.ncell, (double)g.ncell, bw, bytes / (bw * 1e9), best);
    /* Interleaved rounds (triad, then two steps, again and again), so that both see the same
     * load from other jobs: the median of the per-round ratios, and best step against best
     * triad. The first step after a triad runs 15-30 % slower (the triad's dirty lines are
     * still being written back, its pages have displaced the grid's from the TLB), which a
     * run of steps does not see: the second one is timed. */
    enum { ROUNDS = 7 };
    double ratio[ROUNDS], bw_best = 0, step_best = 1e30;
    for (int i = 0; i < ROUNDS; i++) {
        double b = mn_bench_bandwidth_gbs();
        mn__adi_step(&g, 0.1);
        double k0 = mn_bench_now();
        mn__adi_step(&g, 0.1);
        double k = mn_bench_now() - k0;
        ratio[i] = bytes / k / 1e9 / b;
        bw_best = b > bw_best ? b : bw_best;
        step_best = k < step_best ? k : step_best;
    }
    for (int i = 1; i < ROUNDS; i++) /* insertion sort: seven values */
        for (int q = i; q > 0 && ratio[q] < ratio[q - 1]; q--) {
            double tmp = ratio[q];
            ratio[q] = ratio[q - 1];
            ratio[q - 1] = tmp;
        }
    double gbs_best = bytes / step_best / 1e9;
    printf("  interleaved, %d rounds: median %.0f %% (range %.0f-%.0f %%); best step %.3f s = "
           "%.2f GB/s vs best triad %.2f GB/s = %.0f %%   [bar: >= 50 %%]\n",
           ROUNDS, 100 * ratio[ROUNDS / 2], 100 * ratio[0], 100 * ratio[ROUNDS - 1], step_best,
           gbs_best, bw_best, 100 * gbs_best / bw_best);
    mn__adi_free(&g);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    return 0;
}

int main(void)
{
    mn_ctx *ctx = NULL;
    if (mn_ctx_create(&ctx))
        return 1;
    double bw = mn_bench_bandwidth_gbs();
    printf("mneedle absorb benchmarks; machine memory bandwidth (triad): %.2f GB/s\n\n", bw);
    int reference = getenv("MN_BENCH_REFERENCE") && atoi(getenv("MN_BENCH_REFERENCE")) > 0;
    /* MN_BENCH_ONLY=unit runs only the unit cell; MN_BENCH_ONLY=field skips the unit-cell and 1D
     * cases; MN_BENCH_ONLY=kernel also shortens the 3D run to a token one (A/B runs of the kernel).
     */
    const char *only = getenv("MN_BENCH_ONLY");
    int only_field = only && (!strcmp(only, "field") || !strcmp(only, "kernel"));
    int kernel_only = only && !strcmp(only, "kernel");
    if (only && !strcmp(only, "unit")) { /* MN_BENCH_ONLY=unit: the unit cell alone */
        int rc = bench_unit_cell(ctx, 1) || bench_unit_cell(ctx, 0);
        mn_ctx_free(ctx);
        return rc;
    }
    int rc = (!only_field &&
              (bench_unit_cell(ctx, 1) || bench_unit_cell(ctx, 0) || bench_intact(ctx))) ||
             bench_field(ctx, reference, bw, kernel_only);
    mn_ctx_free(ctx);
    return rc;
}
