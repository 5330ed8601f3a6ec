/*
 * The likelihood of the calibration studies (issue 16: one evaluation over all calibration
 * studies <= 50 ms on one core): mn_evidence_loglik() with the default options (64 virtual
 * patients per endpoint and time point) on the bundled evidence, at the library's default
 * constants and at a second set (so nothing is cached between calls) with a between-study
 * spread (study_sd_log 0.3, so half the calls integrate the study effect out), repeated. Reported:
 * ms per evaluation (wall, and per CPU-second of the process, which other work on a shared machine
 * does not inflate), the terms that apply and the healing runs behind one evaluation, and, as the
 * peer in the same process, the time of one mn_healing_run() of a virtual patient (the evaluation's
 * cost in healing runs), beside the machine's memory bandwidth.
 *
 * usage: bench_loglik [REPEATS]   (default 50)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "mneedle/mneedle.h"

#define MAX_TERMS 256

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 50;
    if (repeats < 1)
        repeats = 1;
    mn_ctx *ctx;
    mn_evidence *ev;
    if (mn_ctx_create(&ctx) || mn_evidence_load(ctx, NULL, &ev)) {
        fprintf(stderr, "bench_loglik: %s\n", ctx ? mn_ctx_errmsg(ctx) : "no context");
        return 1;
    }
    mn_healing_params set[2];
    mn_healing_params_default(&set[0]);
    mn_healing_params_default(&set[1]);
    if (mn_healing_params_set(ctx, &set[1], "dose_half_sat", 0.5) ||
        mn_healing_params_set(ctx, &set[1], "response_max", 0.4) ||
        mn_healing_params_set(ctx, &set[1], "study_sd_log", 0.3)) {
        fprintf(stderr, "bench_loglik: %s\n", mn_ctx_errmsg(ctx));
        return 1;
    }
    mn_evidence_loglik_options opts;
    mn_evidence_loglik_options_init(&opts);
    static mn_evidence_loglik_term terms[MAX_TERMS];
    int n_terms = 0, applying = 0, healing_runs = 0;
    double ll[2];
    for (int k = 0; k < 2; k++)
        if (mn_evidence_loglik(ctx, ev, &set[k], &opts, &ll[k], terms, MAX_TERMS, &n_terms)) {
            fprintf(stderr, "bench_loglik: %s\n", mn_ctx_errmsg(ctx));
            return 1;
        }
    for (int i = 0; i < n_terms && i < MAX_TERMS; i++) {
        applying += terms[i].applies;
        healing_runs += terms[i].healing_runs;
    }

    double w0 = mn_bench_now(), c0 = cpu_now();
    for (int r = 0; r < repeats; r++) {
        double x;
        if (mn_evidence_loglik(ctx, ev, &set[r % 2], &opts, &x, NULL, 0, NULL))
            return 1;
    }
    double wall_ms = 1e3 * (mn_bench_now() - w0) / repeats;
    double cpu_ms = 1e3 * (cpu_now() - c0) / repeats;

    /* The peer: one healing run of a five-session roller course read on one day, as a virtual
     * patient of Lotfi 2013 is. */
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_healing_session s[5];
    for (int i = 0; i < 5; i++)
        s[i] = (mn_healing_session){30 * i, mn_catalog_find_device(cat, "dermaroller-192"), 1.5, 15,
                                    0};
    mn_healing_scenario sc = {{30, MN_SEX_FEMALE, 3, 0, MN_SUN_MODERATE},
                              mn_catalog_find_site(cat, "cheek"),
                              mn_catalog_find_concern(cat, "acne-scars"),
                              s,
                              5,
                              176};
    mn_healing_options ho;
    mn_healing_options_init(&ho);
    ho.search_limit_days = 0;
    int day = 176, runs = 2000;
    mn_healing_sample smp;
    double c1 = cpu_now();
    for (int i = 0; i < runs; i++)
        if (mn_healing_run(ctx, &sc, NULL, &ho, &day, 1, &smp, NULL))
            return 1;
    double run_us = 1e6 * (cpu_now() - c1) / runs;
    double bw = mn_bench_bandwidth_gbs();

    printf("bench_loglik: log likelihood of the bundled calibration studies, %d virtual "
           "patients per term, %d of %d terms with an observation model (%d healing runs per "
           "evaluation)\n",
           opts.patients, applying, n_terms, healing_runs);
    printf("  one evaluation: %.2f ms wall, %.2f ms CPU (mean of %d, one thread)\n", wall_ms,
           cpu_ms, repeats);
    printf("  peer: one healing run of a virtual patient %.1f us CPU; an evaluation costs %.0f "
           "of them\n",
           run_us, 1e3 * cpu_ms / run_us);
    printf("  target: <= 50 ms on one core: %s\n", cpu_ms <= 50 ? "met" : "NOT met");
    printf("  log likelihood at the defaults %.3f, at the second set %.3f\n", ll[0], ll[1]);
    printf("  memory bandwidth %.1f GB/s (the likelihood is compute-bound; for comparing "
           "machines)\n",
           bw);
    mn_evidence_free(ev);
    mn_ctx_free(ctx);
    return cpu_ms <= 50 ? 0 : 1;
}
