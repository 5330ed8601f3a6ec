/*
 * Healing model throughput: a 5-year, 10-session scenario for one person (target <= 100 us,
 * DESIGN 5 and issue 4), as patient-years simulated per second, with the exact integrator and
 * with CVODE, beside the machine's memory bandwidth. Also the cohort-shaped call (report days
 * only, no summary), the planner's projection, and simulate with its 64-person ranges
 * (<= 20 ms per scenario, issue 16).
 *
 * usage: bench_simulate [REPEATS]   (default 2000)
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "mneedle/mneedle.h"

#define YEARS 5

/* Thread CPU time: on a machine shared with other work, it is the cost of the run itself
 * (wall-clock time also counts the time the scheduler gave to others). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double time_runs(const mn_healing_scenario *sc, const mn_healing_options *o, const int *days,
                        int n_days, mn_healing_sample *smp, mn_healing_summary *sum, int reps,
                        double *checksum)
{
    double best = 1e30;
    for (int block = 0; block < 5; block++) {
        double t0 = cpu_now();
        for (int r = 0; r < reps; r++) {
            if (mn_healing_run(NULL, sc, NULL, o, days, n_days, smp, sum) != MN_OK) {
                fprintf(stderr, "bench_simulate: run failed\n");
                exit(1);
            }
            *checksum += smp[n_days - 1].improvement_pct;
        }
        double dt = (cpu_now() - t0) / reps;
        if (dt < best)
            best = dt;
    }
    return best;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 2000;
    if (reps < 1)
        reps = 1;
    mn_ctx *ctx;
    if (mn_ctx_create(&ctx))
        return 1;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_healing_session s[10];
    for (int i = 0; i < 10; i++)
        s[i] = (mn_healing_session){i < 6 ? 28 * i : 140 + 180 * (i - 5),
                                    mn_catalog_find_device(cat, "skinpen"), 1.5, 3, 0};
    mn_healing_scenario sc = {{45, MN_SEX_FEMALE, 2, 0, MN_SUN_MODERATE},
                              mn_catalog_find_site(cat, "cheek"),
                              mn_catalog_find_concern(cat, "fine-lines-wrinkles"),
                              s,
                              10,
                              YEARS * 365};
    int days[] = {0, 7, 28, 90, 180, 365, 730, 1095, 1460, YEARS * 365};
    int n_days = (int)(sizeof days / sizeof days[0]);
    mn_healing_sample smp[sizeof days / sizeof days[0]];
    mn_healing_summary sum;
    mn_healing_options exact, cvode, nosearch;
    mn_healing_options_init(&exact);
    mn_healing_options_init(&cvode);
    cvode.integrator = MN_HEALING_CVODE;
    mn_healing_options_init(&nosearch);
    nosearch.search_limit_days = 0;
    double checksum = 0;

    double t_full = time_runs(&sc, &exact, days, n_days, smp, &sum, reps, &checksum);
    double t_cohort = time_runs(&sc, &exact, days, n_days, smp, NULL, reps, &checksum);
    double t_horizon = time_runs(&sc, &nosearch, days, n_days, smp, &sum, reps, &checksum);
    int creps = reps / 50 > 0 ? reps / 50 : 1;
    double t_cvode = time_runs(&sc, &cvode, days, n_days, smp, &sum, creps, &checksum);

    mn_course_session course[6];
    for (int i = 0; i < 6; i++)
        course[i] = (mn_course_session){28 * i, 1.5, 3};
    mn_healing_projection pr;
    int preps = reps / 100 > 0 ? reps / 100 : 1;
    double t0 = cpu_now();
    for (int r = 0; r < preps; r++) {
        if (mn_healing_project(ctx, &sc.patient, sc.zone, sc.concern, s[0].device, course, 6, NULL,
                               &pr) != MN_OK)
            return 1;
        checksum += pr.maintenance_interval_days;
        mn_healing_projection_release(&pr);
    }
    double t_proj = (cpu_now() - t0) / preps;

    /* simulate with its ranges, as `mneedle simulate` computes them (output aside): the run,
     * the 64-person band on the report days, and the maintenance projection with the
     * posterior-predictive ranges of peak, durability and interval. Target <= 20 ms. */
    double lo[sizeof days / sizeof days[0]], hi[sizeof days / sizeof days[0]];
    t0 = cpu_now();
    for (int r = 0; r < preps; r++) {
        if (mn_healing_run(ctx, &sc, NULL, NULL, days, n_days, smp, &sum) != MN_OK ||
            mn_healing_band(ctx, &sc, days, n_days, 64, MN_BAND_DEFAULT_SEED, MN_BAND_QUANTILE_LOW,
                            MN_BAND_QUANTILE_HIGH, lo, hi) != MN_OK ||
            mn_healing_maintenance(ctx, &sc, 64, MN_BAND_DEFAULT_SEED, &pr) != MN_OK)
            return 1;
        checksum += pr.durability_high_days + lo[n_days - 1];
        mn_healing_projection_release(&pr);
    }
    double t_sim = (cpu_now() - t0) / preps;

    double bw = mn_bench_bandwidth_gbs();
    printf("bench_simulate: %d-year, 10-session scenario, one zone (CPU time, best of 5 x %d)\n",
           YEARS, reps);
    printf("  exact, summary + 40-year search   %8.1f us/run  %10.0f patient-years/s\n",
           1e6 * t_full, YEARS / t_full);
    printf("  exact, summary within horizon     %8.1f us/run  %10.0f patient-years/s\n",
           1e6 * t_horizon, YEARS / t_horizon);
    printf("  exact, report days only (cohort)  %8.1f us/run  %10.0f patient-years/s\n",
           1e6 * t_cohort, YEARS / t_cohort);
    printf("  CVODE reference, same output      %8.1f us/run  %10.0f patient-years/s "
           "(%.0fx slower)\n",
           1e6 * t_cvode, YEARS / t_cvode, t_cvode / t_full);
    printf("  planner projection (interval search + 64-draw band)  %.2f ms\n", 1e3 * t_proj);
    printf("  simulate with 64-person ranges (run, band, maintenance)  %.2f ms = %.0f runs "
           "(target <= 20 ms: %s)\n",
           1e3 * t_sim, t_sim / t_full, t_sim <= 20e-3 ? "met" : "NOT met");
    printf("  target: <= 100 us per run: %s\n", t_full <= 100e-6 ? "met" : "NOT met");
    printf("  memory bandwidth %.1f GB/s (the model's working set is a few KiB: it is "
           "compute-bound, so this is for comparing machines, not a roofline)\n",
           bw);
    printf("  (checksum %.6g)\n", checksum);
    mn_ctx_free(ctx);
    return 0;
}
