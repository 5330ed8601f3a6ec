/* mneedle cohort TRIAL [--json] [--csv FILE] [--plot DIR] [--threads N] [--n N] [--seed S]
 * (also under mpirun) */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

static const char mn_cohort_help[] =
    "usage: mneedle cohort TRIAL [--json] [--csv FILE] [--threads N] [--n N] [--seed S]\n"
    "       mpirun -np R mneedle cohort TRIAL ...\n"
    "\n"
    "Runs a virtual trial: samples the TRIAL file's population (age range, sex, phototype\n"
    "range, smoker fraction, sun mix), gives each patient his or her own variability on the\n"
    "healing model's uncertain parameters, simulates the protocol with the model 'simulate'\n"
    "uses, and reports at each endpoint day: improvement % of baseline (mean, p5, p50, p95),\n"
    "responders >= 50 %, papillary collagen change, PIH incidence and the fraction needing\n"
    "maintenance. A simulation, not a prediction; PIH rests on thin evidence.\n"
    "\n"
    "The same seed gives identical output for any number of threads or MPI ranks. Under\n"
    "mpirun (Open MPI or MPICH) the patients are shared among the ranks; without it the same\n"
    "binary runs alone.\n"
    "\n"
    "Options:\n"
    "  --json           one JSON object (n, seed, endpoints[] with improvement_pct,\n"
    "                   responders_50pct, collagen_change_pct, pih_rate, ...)\n"
    "  --csv FILE       per-patient results, one row per patient and endpoint ('-' = stdout)\n"
    "  --plot DIR       write figures into DIR (an existing directory): improvement at each\n"
    "                   endpoint (violins; the first 20000 patients when n is larger) and the\n"
    "                   responder rate; each as .png, .svg and .csv (the plotted numbers)\n"
    "  --threads N      OpenMP threads per process (default: all cores, shared among the\n"
    "                   ranks on a node)\n"
    "  --n N            override population.n\n"
    "  --seed S         override the trial's seed (0 to 2^53-1)\n"
    "  --quiet          no progress line on a terminal\n"
    "  --timing         print patients, ranks, threads and wall time to stderr\n"
    "  --data DIR       read catalogue files from DIR instead of the built-in copies\n"
    "  -o, --output FILE  write the result to FILE atomically instead of standard output\n"
    "\n"
    "Example: mneedle cohort examples/trials/lotfi-2013-acne-scars.json\n";

typedef struct {
    double last_s;
    int shown;
} mn_progress_state;

static double mn_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void mn_cohort_progress(void *userdata, long done, long total)
{
    mn_progress_state *p = userdata;
    double t = mn_now_s();
    if (done < total && t - p->last_s < 0.25)
        return;
    p->last_s = t;
    if (done == total && !p->shown)
        return; /* finished before the first update was due: stay silent */
    p->shown = 1;
    fprintf(stderr, "\rmneedle cohort: %ld / %ld patients (%3.0f%%)", done, total,
            100.0 * (double)done / (double)total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Patients kept for the violins of --plot: each patient is an independent draw (stream i of
 * the seed), so the first ones are a random sample of any larger cohort; 20000 give smooth
 * violins and cap the memory at 20000 x endpoints doubles. */
#define MN_COHORT_PLOT_MAX_PATIENTS 20000L

typedef struct {
    mn_ctx *ctx;
    mn_outfile *out;     /* per-patient CSV, or NULL */
    double *improvement; /* for --plot: [endpoint][kept patient], or NULL */
    long kept, keep;     /* patients stored so far, and how many to store */
} mn_csv_sink;

static int mn_cohort_csv_patient(void *userdata, const mn_cohort_trial *trial,
                                 const mn_cohort_patient_result *patient)
{
    mn_csv_sink *s = userdata;
    if (s->improvement && s->kept < s->keep) {
        for (int e = 0; e < trial->n_endpoints; e++)
            s->improvement[(size_t)e * (size_t)s->keep + (size_t)s->kept] =
                patient->outcomes[e].improvement_pct;
        s->kept++;
    }
    return s->out && mn_cohort_csv_row(s->ctx, trial, patient, mn_outfile_writer, s->out) != MN_OK;
}

/* --plot: improvement at each endpoint and the responder rate of the whole cohort. */
static mn_status mn_cohort_plot(mn_ctx *ctx, const mn_cohort_result *res, const mn_csv_sink *sink,
                                const char *dir)
{
    double day[MN_COHORT_MAX_ENDPOINTS], responders[MN_COHORT_MAX_ENDPOINTS];
    for (int e = 0; e < res->n_endpoints; e++) {
        day[e] = res->endpoints[e].day;
        responders[e] = (double)res->endpoints[e].responders_50pct / (double)res->n;
    }
    mn_plot_cohort c = {0};
    c.endpoint_day = day;
    c.n_endpoints = res->n_endpoints;
    c.improvement_pct = sink->improvement;
    c.n_patients = (int)sink->kept;
    c.responder_fraction = responders;
    c.responder_threshold_pct = 50.0; /* responders_50pct */
    return mn_plot_cohort_save(ctx, &c, dir);
}

static int mn_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int mn_cohort_main(int argc, char **argv, int rank)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},       {"csv", required_argument, NULL, 'c'},
        {"plot", required_argument, NULL, 'p'}, {"threads", required_argument, NULL, 't'},
        {"n", required_argument, NULL, 'n'},    {"seed", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},      {"timing", no_argument, NULL, 'T'},
        {"data", required_argument, NULL, 'd'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    int json = 0, quiet = 0, timing = 0, c, code = MN_EXIT_OK;
    long threads = 0, n = 0, seed = -1;
    const char *data = NULL, *output = NULL, *csv = NULL, *plot = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'c':
            csv = optarg;
            break;
        case 'p':
            plot = optarg;
            break;
        case 't':
            if (!mn_parse_long(optarg, 1, 4096, &threads))
                return mn_cli_usage_error("cohort", "--threads expects 1 to 4096, got '%s'",
                                          optarg);
            break;
        case 'n':
            if (!mn_parse_long(optarg, 1, MN_COHORT_MAX_N, &n))
                return mn_cli_usage_error("cohort", "--n expects 1 to %ld, got '%s'",
                                          MN_COHORT_MAX_N, optarg);
            break;
        case 's':
            if (!mn_parse_long(optarg, 0, 9007199254740991L, &seed))
                return mn_cli_usage_error("cohort", "--seed expects 0 to 2^53-1, got '%s'", optarg);
            break;
        case 'q':
            quiet = 1;
            break;
        case 'T':
            timing = 1;
            break;
        case 'd':
            data = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            if (rank == 0)
                fputs(mn_cohort_help, stdout);
            return MN_EXIT_OK;
        default:
            return mn_cli_usage_error("cohort", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return mn_cli_usage_error("cohort", "expected one TRIAL file ('-' for standard input)");
    if (csv && output && strcmp(csv, "-") && !strcmp(csv, output))
        return mn_cli_usage_error("cohort", "--csv and --output name the same file");
    if (csv && !strcmp(csv, "-") && (!output || !strcmp(output, "-")))
        return mn_cli_usage_error("cohort", "--csv - needs --output FILE for the summary");
    struct stat plot_sb;
    if (plot && (stat(plot, &plot_sb) != 0 || !S_ISDIR(plot_sb.st_mode)))
        return mn_cli_usage_error("cohort", "--plot: '%s' is not an existing directory", plot);

    mn_ctx *ctx = mn_cli_open("cohort", data, &code);
    if (!ctx)
        return code;
    mn_cohort_trial *trial = malloc(sizeof *trial);
    mn_outfile *out = NULL, *csv_out = NULL;
    double *sink_improvement = NULL; /* --plot's patients, owned here */
    mn_cohort_result *res = malloc(sizeof *res);
    mn_status st;
    if (!trial || !res) {
        fprintf(stderr, "mneedle cohort: out of memory\n");
        code = MN_EXIT_RUNTIME;
        goto done;
    }
    if ((st = mn_cohort_trial_load(ctx, argv[optind], trial))) {
        code = mn_cli_fail("cohort", ctx, st);
        goto done;
    }
    if (n > 0)
        trial->population.n = n;
    if (seed >= 0)
        trial->seed = (uint64_t)seed;

    mn_cohort_options copts;
    mn_progress_state progress = {0, 0};
    mn_csv_sink sink = {ctx, NULL, NULL, 0, 0};
    mn_cohort_options_init(&copts);
    copts.threads = (int)threads;
    if (rank == 0) {
        if (!(out = mn_cli_output("cohort", ctx, output, &code)))
            goto done;
        if (csv) {
            if (!(csv_out = mn_cli_output("cohort", ctx, csv, &code)))
                goto done;
            if ((st = mn_cohort_csv_header(ctx, mn_outfile_writer, csv_out))) {
                code = mn_cli_fail("cohort", ctx, st);
                goto done;
            }
            sink.out = csv_out;
            copts.on_patient = mn_cohort_csv_patient;
            copts.patient_userdata = &sink;
        }
        if (plot) {
            long pop = trial->population.n;
            sink.keep = pop < MN_COHORT_PLOT_MAX_PATIENTS ? pop : MN_COHORT_PLOT_MAX_PATIENTS;
            sink_improvement =
                malloc(sizeof *sink_improvement * (size_t)sink.keep * (size_t)trial->n_endpoints);
            sink.improvement = sink_improvement;
            if (!sink_improvement) {
                fprintf(stderr, "mneedle cohort: out of memory\n");
                code = MN_EXIT_RUNTIME;
                goto done;
            }
            copts.on_patient = mn_cohort_csv_patient;
            copts.patient_userdata = &sink;
        }
        if (!quiet && mn_cli_stderr_is_tty()) {
            progress.last_s = mn_now_s();
            copts.on_progress = mn_cohort_progress;
            copts.progress_userdata = &progress;
        }
    }
    if ((st = mn_cohort_run(ctx, trial, &copts, res))) {
        code = rank == 0 ? mn_cli_fail("cohort", ctx, st)
                         : (mn_status_is_input_error(st) ? MN_EXIT_INPUT : MN_EXIT_RUNTIME);
        goto done;
    }
    if (rank == 0) {
        if (timing)
            fprintf(stderr,
                    "mneedle cohort: %ld patients x %d days in %.3f s on %d rank%s x %d "
                    "thread%s (%.0f patients/s)\n",
                    res->n, trial->horizon_days, res->wall_s, res->ranks,
                    res->ranks == 1 ? "" : "s", res->threads, res->threads == 1 ? "" : "s",
                    (double)res->n / (res->wall_s > 0 ? res->wall_s : 1e-9));
        /* Figures before the other outputs are committed, so a failure leaves none of them. */
        if (plot && (st = mn_cohort_plot(ctx, res, &sink, plot))) {
            code = mn_cli_fail("cohort", ctx, st);
            goto done;
        }
        if ((st = mn_cohort_write(ctx, trial, res, json, mn_outfile_writer, out))) {
            code = mn_cli_fail("cohort", ctx, st);
            goto done;
        }
        if (csv_out) {
            code = mn_cli_commit("cohort", ctx, csv_out);
            csv_out = NULL;
            if (code)
                goto done;
        }
        code = mn_cli_commit("cohort", ctx, out);
        out = NULL;
    }
done:
    mn_outfile_abort(csv_out);
    mn_outfile_abort(out);
    free(trial);
    free(res);
    free(sink_improvement);
    mn_ctx_free(ctx);
    if (plot)
        mn_plot_global_cleanup(); /* font caches of the figures, for leak checkers */
    return code;
}

int mn_cmd_cohort(int argc, char **argv)
{
    int rank = 0, size = 1;
    mn_status st = mn_cohort_mpi_begin(&argc, &argv, &rank, &size);
    if (st == MN_EUNSUPPORTED) {
        fprintf(stderr, "mneedle cohort: started by an MPI launcher, but this build has no MPI "
                        "support; run it without mpirun or rebuild with MPI\n");
        return MN_EXIT_RUNTIME;
    }
    if (st) {
        fprintf(stderr, "mneedle cohort: MPI_Init failed\n");
        return MN_EXIT_RUNTIME;
    }
    /* Messages from ranks other than 0 would repeat rank 0's: silence their stderr. */
    if (rank != 0) {
        FILE *quiet = freopen("/dev/null", "w", stderr);
        (void)quiet; /* if it fails, duplicate messages are harmless */
    }
    int code = mn_cohort_main(argc, argv, rank);
    mn_cohort_mpi_end();
    (void)size;
    return code;
}
