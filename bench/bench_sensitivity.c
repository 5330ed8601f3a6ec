/*
 * Sobol' analysis of the healing model (DESIGN 8 and issue 15: >= 100,000 `simulate`
 * evaluations in <= 10 s on 2 cores): a SPEC over the bundled six-session course with eight
 * inputs (needle length, passes, age and five of the model's multipliers), N = 12,500, so
 * N (k + 2) = 125,000 runs of mn_healing_run with the summary (peak and durability, the
 * 40-year search included), plus 500 bootstrap resamples, on 1 and 2 threads.
 *
 * Reported, as ratios first (this machine is shared: other work stretches wall-clock time, and
 * the ratios and CPU times are what compare between runs):
 * - the analysis's CPU time per evaluation against a peer in the same process: the same
 *   model runs on the same input points in a bare serial loop, no Sobol' machinery (1.0 =
 *   the analysis adds nothing to the model's cost);
 * - the 2-thread run against the 1-thread run: its wall time (0.5 on 2 idle cores) and its
 *   CPU time (1.0 when the threads add no overhead);
 * - then the absolute figures: wall time, user and system CPU time (getrusage), evaluations
 *   per second, per core and per CPU-second, the time on 2 idle cores that the CPU time
 *   implies, the load average at the start, and the machine's memory bandwidth.
 * And that 1 and 2 threads gave the same indices (exit 1 if not).
 *
 * usage: bench_sensitivity [N]   (default 12500)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "mneedle/mneedle.h"

#define SCENARIO "examples/scenarios/simulate-wrinkles-course.json"
#define N_INPUTS 8

/* The inputs, as the SPEC names them and as the peer sets them (same order). */
static const struct {
    const char *name, *kind;
    double a, b;
} INPUTS[N_INPUTS] = {
    {"needle_mm", "uniform", 0.5, 2.0},
    {"passes", "uniform", 1, 6},
    {"age", "uniform", 25, 65},
    {"response_gain", "lognormal", 1.0, 0.35},
    {"depth_fraction_scale", "lognormal", 1.0, 0.15},
    {"ageing_rate", "lognormal", 1.0, 0.25},
    {"remodelling_scale", "lognormal", 1.0, 0.3},
    {"retention_scale", "lognormal", 1.0, 0.35},
};

typedef struct {
    double wall, user, sys;
} timing;

static void cpu_now(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec;
    *sys = (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static void start(timing *t)
{
    t->wall = mn_bench_now();
    cpu_now(&t->user, &t->sys);
}

static void stop(timing *t)
{
    double u, s;
    cpu_now(&u, &s);
    t->wall = mn_bench_now() - t->wall;
    t->user = u - t->user;
    t->sys = s - t->sys;
}

/* The peer: the evaluations of the analysis (its points: block b of row j as the Saltelli
 * scheme makes them, sensitivity.h) as plain mn_healing_run calls on one thread. Returns the
 * number run, or -1. */
static long peer(const mn_healing_input *in, long n, long n_eval)
{
    mn_sens_dist d[N_INPUTS];
    for (int i = 0; i < N_INPUTS; i++) {
        d[i].kind = strcmp(INPUTS[i].kind, "uniform") ? MN_SENS_LOGNORMAL : MN_SENS_UNIFORM;
        d[i].a = INPUTS[i].a;
        d[i].b = INPUTS[i].b;
        d[i].c = 0;
        d[i].values = NULL;
        d[i].n_values = 0;
    }
    mn_healing_options opts;
    mn_healing_options_init(&opts);
    mn_healing_session s[MN_HEALING_MAX_SESSIONS];
    double sink = 0;
    for (long e = 0; e < n_eval; e++) {
        long block = e / n, j = e % n;
        double u[2 * N_INPUTS], x[N_INPUTS];
        if (mn_sobol_point(2 * N_INPUTS, (uint64_t)j + 1, u))
            return -1;
        for (int i = 0; i < N_INPUTS; i++) {
            int from_b = block == 1 || (block >= 2 && block - 2 == i);
            x[i] = mn_sens_dist_quantile(&d[i], u[from_b ? N_INPUTS + i : i]);
        }
        mn_healing_scenario sc = in->scenario;
        memcpy(s, sc.sessions, sizeof *s * (size_t)sc.n_sessions);
        for (int k = 0; k < sc.n_sessions; k++) {
            s[k].needle_mm = x[0];
            s[k].passes = x[1];
        }
        sc.sessions = s;
        sc.patient.age_years = x[2];
        mn_healing_variability v;
        mn_healing_variability_init(&v);
        v.response_gain = x[3];
        v.depth_fraction_scale = x[4];
        v.ageing_rate = x[5];
        v.remodelling_scale = x[6];
        v.retention_scale = x[7];
        mn_healing_summary sum;
        if (mn_healing_run(NULL, &sc, &v, &opts, NULL, 0, NULL, &sum))
            return -1;
        sink += sum.peak_improvement_pct + sum.durability_days;
    }
    return sink != sink ? -1 : n_eval; /* uses the results, so no run is optimised away */
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 12500;
    if (n < 2)
        n = 2;
    double load = -1; /* the 1-minute load average (Linux), -1 where unknown */
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) {
        if (fscanf(lf, "%lf", &load) != 1)
            load = -1;
        fclose(lf);
    }
    char spec[4096];
    size_t at = (size_t)snprintf(spec, sizeof spec,
                                 "{\"scenario\": \"%s/" SCENARIO "\","
                                 " \"outputs\": [\"peak_improvement_pct\", \"durability_days\"],"
                                 " \"inputs\": [",
                                 MN_SOURCE_DIR);
    for (int i = 0; i < N_INPUTS; i++)
        at += (size_t)snprintf(spec + at, sizeof spec - at,
                               "%s{\"name\": \"%s\", \"%s\": [%g, %g]}", i ? ", " : "",
                               INPUTS[i].name, INPUTS[i].kind, INPUTS[i].a, INPUTS[i].b);
    snprintf(spec + at, sizeof spec - at, "], \"n\": %ld, \"bootstrap\": 500, \"seed\": 1}", n);
    mn_ctx *ctx;
    mn_sens_spec *s;
    mn_healing_input *in = malloc(sizeof *in);
    if (!in || mn_ctx_create(&ctx) || mn_sens_spec_parse(ctx, "bench", spec, strlen(spec), &s) ||
        mn_healing_scenario_load(ctx, MN_SOURCE_DIR "/" SCENARIO, in)) {
        fprintf(stderr, "bench_sensitivity: %s\n", ctx ? mn_ctx_errmsg(ctx) : "no context");
        return 1;
    }
    mn_sens_result r[2];
    timing t[2], tp;
    for (int k = 0; k < 2; k++) {
        start(&t[k]);
        if (mn_sens_run(ctx, s, k + 1, &r[k])) {
            fprintf(stderr, "bench_sensitivity: %s\n", mn_ctx_errmsg(ctx));
            return 1;
        }
        stop(&t[k]);
    }
    long n_evals = r[0].sobol.evaluations;
    start(&tp);
    if (peer(in, n, n_evals) != n_evals) {
        fprintf(stderr, "bench_sensitivity: the peer's model run failed\n");
        return 1;
    }
    stop(&tp);
    double evals = (double)n_evals;
    int same = !memcmp(r[0].sobol.index, r[1].sobol.index,
                       sizeof *r[0].sobol.index * (size_t)(r[0].n_inputs * r[0].n_outputs));
    double bw = mn_bench_bandwidth_gbs();
    double cpu1 = t[0].user + t[0].sys, cpu2 = t[1].user + t[1].sys, cpup = tp.user + tp.sys;
    printf("bench_sensitivity: Sobol' indices, %d inputs x 2 outputs of the healing model, "
           "N = %ld: %ld simulate evaluations + 500 bootstrap resamples\n",
           N_INPUTS, n, n_evals);
    printf("  machine shared with other work: load average %.1f at the start, on %ld cores\n", load,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("  ratio, CPU time per evaluation, analysis (1 thread) / bare model loop: %.3f\n",
           cpu1 / cpup);
    printf("  ratio, 2 threads / 1 thread: wall time %.2f (0.5 on 2 idle cores), CPU time %.2f "
           "(1.0: no parallel overhead)\n",
           t[1].wall / t[0].wall, cpu2 / cpu1);
    for (int k = 0; k < 2; k++)
        printf("  %d thread%s  %7.2f s wall  %7.2f s user  %5.2f s sys  %9.0f evaluations/s  "
               "%8.0f per core (wall)  %8.0f per CPU-second\n",
               k + 1, k ? "s" : " ", t[k].wall, t[k].user, t[k].sys, evals / t[k].wall,
               evals / t[k].wall / (k + 1), evals / (t[k].user + t[k].sys));
    printf("  bare loop %7.2f s wall  %7.2f s user  %5.2f s sys  %8.0f per CPU-second "
           "(%.1f us an evaluation)\n",
           tp.wall, tp.user, tp.sys, evals / cpup, 1e6 * cpup / evals);
    /* Two idle cores do 2 CPU-seconds a second: the time the run would take on them. A busy
     * machine stretches the wall-clock time, not the CPU time. */
    double idle2 = cpu2 / 2;
    printf("  target: >= 100000 evaluations in <= 10 s on 2 cores: %s from CPU time (%ld in "
           "%.2f s on 2 idle cores); %s in wall time here (%.2f s)\n",
           n_evals >= 100000 && idle2 <= 10 ? "met" : "NOT met", n_evals, idle2,
           n_evals >= 100000 && t[1].wall <= 10 ? "met" : "not met", t[1].wall);
    printf("  1 and 2 threads give the same indices: %s\n", same ? "yes" : "NO");
    printf("  response_gain on peak improvement: S1 %.3f [%.3f, %.3f], ST %.3f [%.3f, %.3f]\n",
           r[1].sobol.index[3].first_order, r[1].sobol.index[3].first_order_lo,
           r[1].sobol.index[3].first_order_hi, r[1].sobol.index[3].total,
           r[1].sobol.index[3].total_lo, r[1].sobol.index[3].total_hi);
    printf("  memory bandwidth %.1f GB/s (the model is compute-bound; for comparing machines)\n",
           bw);
    mn_sens_result_release(&r[0]);
    mn_sens_result_release(&r[1]);
    mn_sens_spec_free(s);
    free(in);
    mn_ctx_free(ctx);
    return same ? 0 : 1;
}
