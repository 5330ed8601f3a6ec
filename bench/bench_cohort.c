/*
 * Cohort benchmark (DESIGN 5): >= 100,000 virtual patients x 5 years in <= 10 s on 2 cores.
 * Prints patients per second per core, the strong-scaling efficiency from 1 to 2 OpenMP
 * threads and from 1 to 2 MPI ranks (by running itself under `mpirun -np 2` when the build
 * has MPI), the CPU time beside the wall time and the load average (the machine is shared, so
 * wall time alone can mislead), and the machine's memory bandwidth.
 *
 * usage: bench_cohort [N]          (default 100000)
 *        MN_BENCH_NO_MPI=1 bench_cohort   skips the MPI part
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "mneedle/mneedle.h"

/* Lotfi 2013's course (examples/trials/lotfi-2013-acne-scars.json) followed for 5 years. */
static const char trial_json[] =
    "{\"population\": {\"n\": 1000, \"age\": [18, 65], \"sex\": \"any\", \"fitzpatrick\": [1, 6], "
    "\"smoker_fraction\": 0.2, \"sun\": {\"low\": 0.3, \"moderate\": 0.5, \"high\": 0.2}},"
    " \"zone\": \"cheek\", \"concern\": \"acne-scars\","
    " \"protocol\": {\"device\": \"dermaroller-192\", \"needle_mm\": 1.5, \"passes\": 15,"
    " \"session_days\": [0, 30, 60, 90, 120]},"
    " \"endpoints_days\": [176, 365, 730, 1095, 1461, 1826], \"seed\": 2013}";

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

/* Runs the cohort; returns wall seconds (and CPU seconds of this process), or -1. */
static double run(mn_ctx *ctx, mn_cohort_trial *t, int threads, int use_mpi, double *cpu_s,
                  mn_cohort_result *res)
{
    mn_cohort_options o;
    mn_cohort_options_init(&o);
    o.threads = threads;
    o.use_mpi = use_mpi;
    double c0 = cpu_now(), t0 = mn_bench_now();
    mn_status st = mn_cohort_run(ctx, t, &o, res);
    double wall = mn_bench_now() - t0;
    if (cpu_s)
        *cpu_s = cpu_now() - c0;
    if (st) {
        fprintf(stderr, "bench_cohort: %s\n", mn_ctx_errmsg(ctx));
        return -1;
    }
    return wall;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    int rank_run = argc > 2 && !strcmp(argv[2], "--ranks");
    int rank = 0, size = 1, code = 1;
    mn_ctx *ctx = NULL;
    static mn_cohort_trial t;
    static mn_cohort_result r1, r2;
    if (n < 1) {
        fprintf(stderr, "usage: bench_cohort [N]\n");
        return 2;
    }
    if (mn_cohort_mpi_begin(&argc, &argv, &rank, &size))
        return 1;
    if (mn_ctx_create(&ctx) ||
        mn_cohort_trial_parse(ctx, "bench", trial_json, sizeof trial_json - 1, &t)) {
        fprintf(stderr, "bench_cohort: %s\n", ctx ? mn_ctx_errmsg(ctx) : "no context");
        goto done;
    }
    t.population.n = n;

    if (rank_run) { /* the child run under mpirun: one thread per rank */
        double cpu = 0, w = run(ctx, &t, 1, 1, &cpu, &r1);
        if (w < 0)
            goto done;
        printf("RANKCPU %.6f\n", cpu);
        fflush(stdout);
        if (rank == 0)
            printf("RANKS %d WALL %.6f MEAN %.17g\n", size, w,
                   r1.endpoints[0].improvement_pct.mean);
        code = 0;
        goto done;
    }

    printf("cohort benchmark: %ld patients x %d days (5 monthly 1.5 mm roller sessions), "
           "load average %.2f before\n",
           n, t.horizon_days, loadavg());
    double cpu1, cpu2;
    double w1 = run(ctx, &t, 1, 0, &cpu1, &r1);
    double w2 = run(ctx, &t, 2, 0, &cpu2, &r2);
    if (w1 < 0 || w2 < 0)
        goto done;
    int same = !memcmp(r1.endpoints, r2.endpoints, sizeof r1.endpoints);
    printf("  1 thread : %7.3f s wall, %7.3f s cpu  %9.0f patients/s/core\n", w1, cpu1,
           (double)n / w1);
    printf("  2 threads: %7.3f s wall, %7.3f s cpu  %9.0f patients/s/core  (%s)\n", w2, cpu2,
           (double)n / w2 / 2, same ? "identical result" : "RESULTS DIFFER");
    printf("  strong scaling 1->2 threads: speed-up %.2f, efficiency %.0f %% (wall time)\n",
           w1 / w2, 100 * w1 / w2 / 2);
    printf("  CPU time per patient: %.1f us (1 thread), %.1f us (2 threads); work efficiency "
           "1->2 threads %.1f %% (CPU time: less distorted by other load than wall time)\n",
           1e6 * cpu1 / (double)n, 1e6 * cpu2 / (double)n, 100 * cpu1 / cpu2);
    printf("  on 2 idle cores this would take about %.2f s (n x CPU time per patient / 2)\n",
           cpu2 / 2);
    printf("  bar: %ld patients x 5 years in %.2f s on 2 threads (<= 10 s for 100,000: %s)\n", n,
           w2, (double)w2 * 100000.0 / (double)n <= 10 ? "met" : "NOT met");
    /* A peer in the same process: the same trial with every patient at the library's default
     * constants, so the cost of taking a posterior draw per patient shows as a ratio. */
    static mn_cohort_result r3;
    double cpu3;
    t.constants = MN_COHORT_CONSTANTS_DEFAULTS;
    double w3 = run(ctx, &t, 2, 0, &cpu3, &r3);
    t.constants = MN_COHORT_CONSTANTS_FIT;
    if (w3 < 0)
        goto done;
    printf("  peer, every patient at the default constants (2 threads): %7.3f s wall, %7.3f s "
           "cpu; the evidence fit's draws cost %.2fx its CPU time\n",
           w3, cpu3, cpu2 / cpu3);

    if (mn_cohort_mpi_built() && !getenv("MN_BENCH_NO_MPI")) {
        char cmd[4400], self[4096];
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len > 0) {
            self[len] = 0;
            snprintf(cmd, sizeof cmd,
                     "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun "
                     "--oversubscribe -np 2 '%s' %ld --ranks 2>&1",
                     self, n);
            FILE *p = popen(cmd, "r");
            char line[512];
            double wr = -1, mean = 0, rank_cpu = 0, cpu_sum = 0;
            int ranks = 0;
            while (p && fgets(line, sizeof line, p)) {
                if (sscanf(line, "RANKCPU %lf", &rank_cpu) == 1)
                    cpu_sum += rank_cpu;
                else if (sscanf(line, "RANKS %d WALL %lf MEAN %lf", &ranks, &wr, &mean) != 3)
                    fputs(line, stdout);
            }
            if (p)
                pclose(p);
            if (wr > 0)
                printf("  2 ranks x 1 thread: %7.3f s wall  %9.0f patients/s/core  (%s)\n"
                       "  strong scaling 1->2 ranks: speed-up %.2f, efficiency %.0f %%\n",
                       wr, (double)n / wr / 2,
                       mean == r1.endpoints[0].improvement_pct.mean ? "identical mean"
                                                                    : "MEAN DIFFERS",
                       w1 / wr, 100 * w1 / wr / 2);
            if (wr > 0 && cpu_sum > 0)
                printf("  CPU time over both ranks %.3f s: work efficiency 1->2 ranks %.1f %%\n",
                       cpu_sum, 100 * cpu1 / cpu_sum);
            else
                printf("  MPI run failed (see above)\n");
        }
    }
    printf("  load average after: %.2f\n", loadavg());
    printf("  memory bandwidth: %.1f GB/s (STREAM-like triad, all threads)\n",
           mn_bench_bandwidth_gbs());
    code = 0;
done:
    mn_ctx_free(ctx);
    mn_cohort_mpi_end();
    return code;
}
