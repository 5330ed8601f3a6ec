/*
 * Shard benchmark (issue: cohorts on a cluster): the time of one shard per patient and the
 * cost of merging the parts, and from them an EXTRAPOLATION to 10^7 patients x 5 years split
 * into 16 shards, each run on a machine like this one (bar: each shard <= 2 minutes). Only
 * a slice is simulated here; the 10^7 figure is the measured time per patient times the
 * 625,000 patients of a shard, which holds because a shard's work is its patients' (each
 * patient is simulated alone, memory does not grow with n). The merge is measured on real
 * parts written to files and read back; its cost grows with the number of parts and of
 * histogram bins, not with the patients (a part's histograms have a fixed number of bins).
 *
 * usage: bench_shard [SLICE] [THREADS]   (default 10000 patients per shard, all cores)
 * Runs 16 shards of SLICE patients each (a run of 16 x SLICE), writes their parts to a
 * temporary directory, merges them, and checks the merge against a single run of the same
 * 16 x SLICE patients when SLICE <= 20000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "mneedle/mneedle.h"

#define SHARDS    16
#define TARGET_N  10000000L /* 10^7 patients */
#define BAR_S     120.0     /* each shard <= 2 minutes */
#define CHECK_MAX 20000L    /* slices up to this are checked against one run */

/* Lotfi 2013's course followed for 5 years, as bench_cohort runs it. */
static const char trial_json[] =
    "{\"population\": {\"n\": 1000, \"age\": [18, 65], \"sex\": \"any\", \"fitzpatrick\": [1, 6], "
    "\"smoker_fraction\": 0.2, \"sun\": {\"low\": 0.3, \"moderate\": 0.5, \"high\": 0.2}},"
    " \"zone\": \"cheek\", \"concern\": \"acne-scars\","
    " \"protocol\": {\"device\": \"dermaroller-192\", \"needle_mm\": 1.5, \"passes\": 15,"
    " \"session_days\": [0, 30, 60, 90, 120]},"
    " \"endpoints_days\": [176, 365, 730, 1095, 1461, 1826], \"seed\": 2013}";

static int fail(mn_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_shard: %s: %s\n", what, ctx ? mn_ctx_errmsg(ctx) : "no context");
    return 1;
}

int main(int argc, char **argv)
{
    long slice = argc > 1 ? atol(argv[1]) : 10000;
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    char dir[] = "/tmp/mn_bench_shard.XXXXXX", trial_path[64], paths[SHARDS][96];
    static mn_cohort_trial trial, merged_trial;
    static mn_cohort_result info, merged, single;
    mn_cohort_part *parts[SHARDS] = {NULL};
    mn_ctx *ctx = NULL;
    int code = 1;
    if (slice < 1 || threads < 0) {
        fprintf(stderr, "usage: bench_shard [SLICE] [THREADS]\n");
        return 2;
    }
    if (!mkdtemp(dir)) {
        perror("bench_shard: mkdtemp");
        return 1;
    }
    snprintf(trial_path, sizeof trial_path, "%s/trial.json", dir);
    if (mn_ctx_create(&ctx) ||
        mn_write_file_atomic(ctx, trial_path, trial_json, sizeof trial_json - 1))
        return fail(ctx, "setup");

    long n = slice * SHARDS;
    double run_s = 0, write_s = 0, max_shard_s = 0;
    int used_threads = 1;
    long part_bytes = 0;
    printf("shard benchmark: %d shards of %ld patients x 5 years (a run of %ld)\n", SHARDS, slice,
           n);
    for (int k = 1; k <= SHARDS; k++) {
        mn_cohort_options o;
        mn_cohort_options_init(&o);
        o.threads = threads;
        o.use_mpi = 0;
        if (mn_cohort_part_create(ctx, trial_path, k, SHARDS, 0, &trial, &parts[k - 1]))
            return fail(ctx, "part");
        trial.population.n = n;
        double t0 = mn_bench_now();
        if (mn_cohort_part_run(ctx, parts[k - 1], &trial, &o, &info))
            return fail(ctx, "run");
        double t1 = mn_bench_now();
        snprintf(paths[k - 1], sizeof paths[k - 1], "%s/part-%d.json", dir, k);
        mn_outfile *f = NULL;
        if (mn_outfile_open(ctx, paths[k - 1], &f) ||
            mn_cohort_part_write(ctx, parts[k - 1], mn_outfile_writer, f) ||
            mn_outfile_commit(ctx, f))
            return fail(ctx, "write");
        double t2 = mn_bench_now();
        run_s += t1 - t0;
        write_s += t2 - t1;
        if (t1 - t0 > max_shard_s)
            max_shard_s = t1 - t0;
        used_threads = info.threads;
        struct stat sb;
        if (stat(paths[k - 1], &sb) == 0)
            part_bytes += (long)sb.st_size;
        mn_cohort_part_free(parts[k - 1]);
        parts[k - 1] = NULL;
    }
    double per_patient = run_s / (double)n;
    printf("  per shard (%ld patients, %d thread%s): %.3f s mean, %.3f s slowest; %.1f us per "
           "patient\n",
           slice, used_threads, used_threads == 1 ? "" : "s", run_s / SHARDS, max_shard_s,
           1e6 * per_patient);
    printf("  writing a part: %.2f ms mean, %.0f KiB mean\n", 1e3 * write_s / SHARDS,
           (double)part_bytes / SHARDS / 1024);

    double t0 = mn_bench_now();
    for (int k = 0; k < SHARDS; k++)
        if (mn_cohort_part_load(ctx, paths[k], &parts[k]))
            return fail(ctx, "load");
    double t1 = mn_bench_now();
    if (mn_cohort_merge(ctx, parts, SHARDS, &merged_trial, &merged))
        return fail(ctx, "merge");
    double t2 = mn_bench_now();
    printf("  merge of %d parts: %.1f ms reading and checking, %.1f ms adding (%.1f ms in all)\n",
           SHARDS, 1e3 * (t1 - t0), 1e3 * (t2 - t1), 1e3 * (t2 - t0));

    if (slice <= CHECK_MAX) {
        mn_cohort_options o;
        mn_cohort_options_init(&o);
        o.threads = threads;
        o.use_mpi = 0;
        trial.population.n = n;
        if (mn_cohort_run(ctx, &trial, &o, &single))
            return fail(ctx, "single run");
        int same = !memcmp(single.endpoints, merged.endpoints, sizeof single.endpoints) &&
                   !memcmp(&single.demographics, &merged.demographics, sizeof single.demographics);
        printf("  merged result vs one run of %ld patients: %s\n", n,
               same ? "identical" : "DIFFERENT");
        if (!same)
            goto done;
    }

    /* A part of 625,000 patients fills more histogram bins than these; the bins are fixed, so
     * a part is at most every bin as an "index,count," pair (6 + 6 digits and 2 commas) and
     * reading scales with the bytes. Per endpoint (src/cohort/stats.c): five histograms on the
     * improvement's range (treated, untreated, intention to treat, and the completers' treated
     * and untreated), two on the change's (collagen, epidermis) and two on the difference's
     * (every patient's and the completers'), each with an under- and an overflow bin. */
    double bins_per_endpoint =
        5 * (MN_COHORT_IMPROVEMENT_HI_PCT - MN_COHORT_IMPROVEMENT_LO_PCT) / MN_COHORT_BIN_PCT +
        2 * (MN_COHORT_CHANGE_HI_PCT - MN_COHORT_CHANGE_LO_PCT) / MN_COHORT_BIN_PCT +
        2 * (MN_COHORT_DIFFERENCE_HI_PCT - MN_COHORT_DIFFERENCE_LO_PCT) / MN_COHORT_BIN_PCT + 9 * 2;
    double max_part_bytes = bins_per_endpoint * merged_trial.n_endpoints * 14;
    double merge_bound_s = (t2 - t0) * max_part_bytes / ((double)part_bytes / SHARDS);
    long per_shard = TARGET_N / SHARDS;
    double shard_s = per_patient * (double)per_shard;
    printf("  EXTRAPOLATION (not measured at that size): 10^7 patients x 5 years as %d shards of "
           "%ld patients, each on a machine like this one with %d thread%s: about %.0f s per "
           "shard (bar <= %.0f s: %s); merging the %d parts at most %.1f s (every histogram bin "
           "filled: parts of %.0f KiB at most)\n",
           SHARDS, per_shard, used_threads, used_threads == 1 ? "" : "s", shard_s, BAR_S,
           shard_s <= BAR_S ? "met" : "NOT met", SHARDS, merge_bound_s, max_part_bytes / 1024);
    code = 0;
done:
    for (int k = 0; k < SHARDS; k++) {
        mn_cohort_part_free(parts[k]);
        unlink(paths[k]);
    }
    unlink(trial_path);
    rmdir(dir);
    mn_ctx_free(ctx);
    return code;
}
