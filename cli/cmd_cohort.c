/* mneedle cohort TRIAL [--json] [--csv FILE] [--plot DIR] [--threads N] [--n N] [--seed S]
 * [--control none|untreated] [--dropout P] [--shard K/N [--patients]] (also under mpirun) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

static void about_running(FILE *fp);

static const cli_command command = {
    .name = "cohort",
    .operand = "TRIAL",
    .operand_error = "expected one TRIAL file ('-' for standard input)",
    .usage_more = "       mpirun -np R mneedle cohort TRIAL ...\n"
                  "       mneedle cohort TRIAL --shard K/N -o PART; then mneedle merge PART...\n",
    .about =
        "Runs a virtual trial: samples the TRIAL file's population (age range, sex, phototype\n"
        "range, smoker fraction, sun mix), gives each patient a draw of the evidence fit's\n"
        "constants (the posterior 'simulate' and 'plan' draw their ranges from; \"constants\":\n"
        "\"defaults\" in the TRIAL file for the library's own) and his or her own variability,\n"
        "simulates the protocol with the model 'simulate' uses, and reports at each endpoint\n"
        "day: improvement % of baseline (mean, p5, p50, p95), responders >= 50 %, papillary\n"
        "collagen change, PIH incidence and the fraction needing maintenance. A simulation,\n"
        "not a prediction; PIH rests on thin evidence. TRIAL keys: docs/models/cohort.md.\n"
        "\n"
        "Improvement is change from baseline. --control untreated (\"control\": \"untreated\"\n"
        "in the TRIAL file) adds an untreated arm: the same virtual patients with no session\n"
        "(the model's untreated twin: ageing, sun and smoking only), and each patient's\n"
        "treated-minus-untreated difference with its mean, p5, p50 and p95. It is the model's\n"
        "natural course, not a sham or placebo arm: no placebo response or rater noise. No\n"
        "power or sample size is computed. Its worsening is the model's ageing read as the\n"
        "concern's severity, which no study checks; its spread comes mostly from each\n"
        "patient's severity multiplier and smoking (a Caution line says so).\n"
        "\n"
        "--dropout P (\"dropout_per_visit\") is your input, not a sourced figure (default 0):\n"
        "before each visit after the first (the session and endpoint days), a patient still\n"
        "in the trial leaves with probability P and misses every later visit. The output then\n"
        "adds completers (those still in) and intention to treat over all n, each patient who\n"
        "left counted at the last endpoint attended (last observation carried forward), or at\n"
        "0 % before the first. The completers' responders, PIH and maintenance, with\n"
        "--control untreated the completers' untreated arm and difference (one who leaves\n"
        "leaves both arms), and the trial-level intervals are then a completers analysis\n"
        "(those still in at each endpoint); the main table and the untreated arm's own table\n"
        "are every patient's, as designed.\n"
        "\n"
        "Percentiles: Hyndman & Fan type 7, as every range mneedle reports. Each has a 95 %\n"
        "confidence interval of its Monte-Carlo error (order statistics, binomial method);\n"
        "below 72 patients the p5 and p95 intervals have an open end, with a warning.\n"
        "\n"
        "The same seed and population in two TRIAL files give the same people: two files\n"
        "run so are matched twins, not two independent arms. No calibration study compares\n"
        "devices, needle lengths or passes, so a difference between two protocols run here\n"
        "is not supported.\n"
        "\n"
        "The pooled means and fractions average over patients who each take their own draw\n"
        "of the constants, so they carry neither the constants' uncertainty nor a trial's\n"
        "sampling error (the patients' p5-p95 do spread over those draws). Beside them,\n"
        "--trials M virtual trials of n patients, each ONE draw of the constants shared by its\n"
        "patients, give 90 % model intervals for one typical study of n (mean improvement,\n"
        "responders >= 50 % and > 75 %, PIH rate), on the model's scale: no rater noise, no\n"
        "between-study spread, over each trial's completers with --dropout (every patient\n"
        "without), so narrower than what a published trial reports.\n"
        "How often the model's 90 % intervals held published results of studies it was not\n"
        "fitted to is the output's Validation line (JSON: validation; docs/validation.md).\n",
    .about_more = about_running,
    .footer = "Example: mneedle cohort examples/trials/lotfi-2013-acne-scars.json\n",
};

/* The rest of --help's prose (one literal would pass the 4095 bytes C99 guarantees). */
static void about_running(FILE *fp)
{
    fputs(
        "\n"
        "The same seed gives identical output for any number of threads or MPI ranks. Under\n"
        "mpirun (Open MPI or MPICH) the patients are shared among the ranks; without it the same\n"
        "binary runs alone.\n"
        "\n"
        "On a cluster without MPI, --shard K/N runs the K-th of N slices of the patients (each\n"
        "with its own random stream, as in one run) and writes a part file; 'mneedle merge'\n"
        "combines the N parts into output byte-identical to a single run (docs/cluster.md).\n"
        "When srun or mpirun started several tasks but MPI sees one process, the command\n"
        "stops instead of running the same cohort in every task.\n"
        "\n"
        "A needle length outside the device's range is refused (exit 2). One beyond the\n"
        "zone's depth caps (the planner's: the zone's clinical limit, CAP in 'mneedle\n"
        "catalog sites', or for some scars in phototypes I-III the concern's DEEP FACE in\n"
        "'mneedle catalog concerns'; and the anatomy cap, docs/clinic.md) runs, with a\n"
        "warning on stderr and in the JSON output's warnings[] ({code, path, message}; []\n"
        "when there is none).\n"
        "The anatomy cap is the population's thinnest skin's: its oldest age on the last\n"
        "session's day. So do session_days closer than the concern's minimum interval (MIN\n"
        "GAP in 'mneedle catalog concerns'): the planner never books them, and the model is\n"
        "little tested there (interval_below_concern_minimum, as 'mneedle simulate' says).\n",
        fp);
}

/* One progress line on stderr, for the patients or the intervals' virtual trials: what is
 * counted ("patients", "virtual trials") and a prefix ("" or "intervals: "). */
typedef struct {
    double last_s;
    int shown;
    const char *prefix, *what;
} progress_state;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(void *userdata, long done, long total)
{
    progress_state *p = userdata;
    double t = now_s();
    if (done < total && t - p->last_s < 0.25)
        return;
    p->last_s = t;
    if (done == total && !p->shown)
        return; /* finished before the first update was due: stay silent */
    p->shown = 1;
    fprintf(stderr, "\rmneedle cohort: %s%ld / %ld %s (%3.0f%%)", p->prefix, done, total, p->what,
            100.0 * (double)done / (double)total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Patients kept for the violins of --plot: each patient is an independent draw (stream i of
 * the seed), so the first ones are a random sample of any larger cohort; 20000 give smooth
 * violins and cap the memory at 20000 x endpoints doubles. */
#define PLOT_MAX_PATIENTS 20000L

typedef struct {
    mn_ctx *ctx;
    mn_writer write;     /* per-patient CSV rows go here (the --csv file or a shard's part) */
    void *out;           /* its userdata, or NULL for no rows */
    double *improvement; /* for --plot: [endpoint][kept patient], or NULL */
    long kept, keep;     /* patients stored so far, and how many to store */
} patient_sink;

static int on_patient(void *userdata, const mn_cohort_trial *trial,
                      const mn_cohort_patient_result *patient)
{
    patient_sink *s = userdata;
    if (s->improvement && s->kept < s->keep) {
        for (int e = 0; e < trial->n_endpoints; e++)
            s->improvement[(size_t)e * (size_t)s->keep + (size_t)s->kept] =
                patient->outcomes[e].improvement_pct;
        s->kept++;
    }
    return s->out && mn_cohort_csv_row(s->ctx, trial, patient, s->write, s->out) != MN_OK;
}

/* --plot: improvement at each endpoint and the responder rate of the whole cohort. */
static mn_status plot_cohort(mn_ctx *ctx, const mn_cohort_result *res, const patient_sink *sink,
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

/* --control none|untreated */
typedef struct {
    mn_cohort_control value;
    int given;
} control_option;

static int parse_control(const char *arg, void *value)
{
    control_option *c = value;
    if (!strcmp(arg, "none"))
        c->value = MN_COHORT_CONTROL_NONE;
    else if (!strcmp(arg, "untreated"))
        c->value = MN_COHORT_CONTROL_UNTREATED;
    else
        return 0;
    c->given = 1;
    return 1;
}

/* --dropout P */
typedef struct {
    double value;
    int given;
} dropout_option;

static int parse_dropout(const char *arg, void *value)
{
    dropout_option *d = value;
    char *end;
    double p = strtod(arg, &end);
    if (!*arg || *end || !(p >= 0 && p <= MN_COHORT_MAX_DROPOUT))
        return 0;
    d->value = p;
    d->given = 1;
    return 1;
}

/* --shard K/N */
typedef struct {
    int k, n, given;
} shard_option;

static int parse_shard(const char *arg, void *value)
{
    shard_option *s = value;
    s->given = mn_cohort_shard_parse(arg, &s->k, &s->n);
    return s->given;
}

/* Under srun or mpirun with several tasks, a process that MPI sees alone is one of several
 * identical copies: each would run and write the whole cohort. */
static int copies_refused(int size, const shard_option *shard)
{
    const char *var = NULL;
    long tasks = mn_cohort_launcher_tasks(&var);
    if (size > 1 || tasks <= 1 || shard->given)
        return 0;
    fprintf(stderr,
            "mneedle cohort: error: %s=%ld says %ld tasks were started, but MPI sees this "
            "process alone (%s), so each task would run the same whole cohort. Use an MPI "
            "build under mpirun or 'srun --mpi=pmix', give each task its own --shard K/N and "
            "merge the parts (docs/cluster.md), or start one task.\n",
            var, tasks, tasks,
            mn_cohort_mpi_built() ? "srun without --mpi=pmix, or a foreign MPI"
                                  : "this build has no MPI");
    return 1;
}

static int run(int argc, char **argv, int rank, int size)
{
    cli_common o = {0};
    cli_seed seed = {0, 0};
    shard_option shard = {0, 0, 0};
    control_option control = {MN_COHORT_CONTROL_NONE, 0};
    dropout_option dropout = {0, 0};
    int quiet = 0, timing = 0, threads = 0, n = 0, with_patients = 0, trials = -1;
    const char *csv = NULL, *plot = NULL, *file;
    char trials_help[320];
    snprintf(trials_help, sizeof trials_help,
             "virtual trials of n patients each, one draw of the constants per trial, for the "
             "90 %% model intervals for one typical study of n (default %d while %d x n <= %ld "
             "patients, else 0; 0 = no intervals; else at least %d)",
             MN_COHORT_DEFAULT_TRIALS, MN_COHORT_DEFAULT_TRIALS, MN_COHORT_INTERVALS_MAX_PATIENTS,
             MN_COHORT_MIN_TRIALS);
    const cli_option opts[] = {
        CLI_JSON(&o, "one JSON object (n, seed, endpoints[] with improvement_pct, "
                     "responders_50pct, collagen_change_pct, pih_rate, ...)"),
        CLI_PATH("csv", 0, &csv, "FILE",
                 "per-patient results, one row per patient and endpoint ('-' = stdout); columns: "
                 "docs/trials.md"),
        CLI_PATH("plot", 0, &plot, "DIR",
                 "write figures into DIR (an existing directory): improvement at each endpoint "
                 "(violins; the first 20000 patients when n is larger) and the responder rate; "
                 "each as .png, .svg and .csv (the plotted numbers)"),
        CLI_INT("threads", &threads, "N", 1, 4096,
                "OpenMP threads per process (default: all cores, shared among the ranks on a "
                "node)"),
        CLI_INT("n", &n, "N", 1, MN_COHORT_MAX_N, "override population.n"),
        CLI_INT("trials", &trials, "M", 0, MN_COHORT_MAX_TRIALS, trials_help),
        CLI_SEED("seed", &seed, "override the trial's seed (0 to 2^53-1)"),
        CLI_CHOICE("control", &control, "ARM", parse_control, "none or untreated",
                   "untreated: also report the same patients untreated (the model's natural "
                   "course) and each patient's treated-minus-untreated difference; overrides "
                   "the trial's \"control\""),
        CLI_CHOICE("dropout", &dropout, "P", parse_dropout, "a probability from 0 to 0.99",
                   "chance per visit after the first that a patient still in the trial leaves "
                   "(your input, not a sourced figure; default 0): adds completers and an "
                   "intention-to-treat summary (last observation carried forward); overrides "
                   "the trial's \"dropout_per_visit\""),
        CLI_CHOICE("shard", &shard, "K/N", parse_shard, "K/N with 1 <= K <= N (e.g. 3/16)",
                   "run only the K-th of N slices of the patients and write its part file "
                   "(JSON, for 'mneedle merge') instead of the result; N may exceed n"),
        CLI_FLAG("patients", &with_patients,
                 "with --shard: the part also carries the slice's per-patient "
                 "CSV rows, for 'mneedle merge --csv'"),
        CLI_FLAG("quiet", &quiet, "no progress line on a terminal"),
        CLI_FLAG("timing", &timing, "print patients, ranks, threads and wall time to stderr"),
        CLI_DATA(&o, "read catalogue files from DIR instead of the built-in copies"),
        CLI_OUTPUT(&o, "write the result to FILE atomically instead of standard output"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, rank == 0 ? stdout : NULL, &file);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    if (copies_refused(size, &shard))
        return CLI_EXIT_INPUT;
    if (shard.given && (o.json || csv || plot))
        return cli_usage_error("cohort",
                               "--shard writes a part file: --%s belongs to 'mneedle "
                               "merge' (--patients carries the CSV rows to it)",
                               o.json ? "json"
                               : csv  ? "csv"
                                      : "plot");
    if (trials > 0 && trials < MN_COHORT_MIN_TRIALS)
        return cli_usage_error("cohort",
                               "--trials %d: 0 (no intervals) or at least %d; the intervals "
                               "run from the %dth to the %dth percentile of the virtual "
                               "trials, and with fewer than %d trials those are just the "
                               "smallest and the largest",
                               trials, MN_COHORT_MIN_TRIALS, MN_COHORT_INTERVAL_TAIL_PCT,
                               100 - MN_COHORT_INTERVAL_TAIL_PCT, MN_COHORT_MIN_TRIALS);
    if ((control.given || dropout.given) && shard.given)
        return cli_usage_error("cohort",
                               "--%s with --shard: a part carries the TRIAL file, not the "
                               "command line; put \"%s\" in the TRIAL file so that 'mneedle "
                               "merge' sees it",
                               control.given ? "control" : "dropout",
                               control.given ? "control" : "dropout_per_visit");
    if (trials >= 0 && shard.given)
        return cli_usage_error("cohort", "--trials belongs to a whole run: 'mneedle merge' "
                                         "runs the default intervals");
    if (with_patients && !shard.given)
        return cli_usage_error("cohort", "--patients goes with --shard K/N (use --csv FILE "
                                         "for a single run)");
    if (csv && o.output && strcmp(csv, "-") && !strcmp(csv, o.output))
        return cli_usage_error("cohort", "--csv and --output name the same file");
    if (csv && !strcmp(csv, "-") && (!o.output || !strcmp(o.output, "-")))
        return cli_usage_error("cohort", "--csv - needs --output FILE for the summary");
    struct stat plot_sb;
    if (plot && (stat(plot, &plot_sb) != 0 || !S_ISDIR(plot_sb.st_mode)))
        return cli_usage_error("cohort", "--plot: '%s' is not an existing directory", plot);

    mn_ctx *ctx = cli_open("cohort", o.data, &code);
    if (!ctx)
        return code;
    mn_cohort_trial *trial = malloc(sizeof *trial);
    mn_outfile *out = NULL, *csv_out = NULL;
    double *sink_improvement = NULL; /* --plot's patients, owned here */
    mn_cohort_result *res = malloc(sizeof *res);
    mn_cohort_part *part = NULL;
    mn_status st;
    if (!trial || !res) {
        fprintf(stderr, "mneedle cohort: out of memory\n");
        code = CLI_EXIT_RUNTIME;
        goto done;
    }
    st = shard.given
             ? mn_cohort_part_create(ctx, file, shard.k, shard.n, with_patients, trial, &part)
             : mn_cohort_trial_load(ctx, file, trial);
    if (st) {
        code = cli_fail("cohort", ctx, st);
        goto done;
    }
    if (rank == 0)
        cli_warn("cohort", &trial->warnings); /* it runs, as asked, but says so first */
    if (n > 0)
        trial->population.n = n;
    if (seed.given)
        trial->seed = seed.value;
    if (control.given)
        trial->control = control.value;
    if (dropout.given)
        trial->dropout_per_visit = dropout.value;
    if (rank == 0 && trial->population.n < mn_cohort_percentile_ci_min_n())
        fprintf(stderr,
                "mneedle cohort: warning: $.population.n: %ld patients are too few for the "
                "5th and 95th percentiles' %.0f %% confidence intervals (at least %ld): one end "
                "of each is open\n",
                trial->population.n, 100 * MN_COHORT_PERCENTILE_CI_LEVEL,
                mn_cohort_percentile_ci_min_n());

    mn_cohort_options copts;
    progress_state progress = {0, 0, "", "patients"};
    patient_sink sink = {ctx, mn_outfile_writer, NULL, NULL, 0, 0};
    mn_cohort_options_init(&copts);
    copts.threads = threads;
    if (rank == 0) {
        if ((code = cli_hold_outputs("cohort", ctx)) ||
            !(out = cli_output("cohort", ctx, o.output, &code)))
            goto done;
        if (part && with_patients) {
            sink.write = mn_cohort_part_csv_writer;
            sink.out = part;
            copts.on_patient = on_patient;
            copts.patient_userdata = &sink;
        }
        if (csv) {
            if (!(csv_out = cli_output("cohort", ctx, csv, &code)))
                goto done;
            if ((st = mn_cohort_csv_header(ctx, mn_outfile_writer, csv_out))) {
                code = cli_fail("cohort", ctx, st);
                goto done;
            }
            sink.out = csv_out;
            copts.on_patient = on_patient;
            copts.patient_userdata = &sink;
        }
        if (plot) {
            long pop = trial->population.n;
            sink.keep = pop < PLOT_MAX_PATIENTS ? pop : PLOT_MAX_PATIENTS;
            sink_improvement =
                malloc(sizeof *sink_improvement * (size_t)sink.keep * (size_t)trial->n_endpoints);
            sink.improvement = sink_improvement;
            if (!sink_improvement) {
                fprintf(stderr, "mneedle cohort: out of memory\n");
                code = CLI_EXIT_RUNTIME;
                goto done;
            }
            copts.on_patient = on_patient;
            copts.patient_userdata = &sink;
        }
        if (!quiet && cli_stderr_is_tty()) {
            progress.last_s = now_s();
            copts.on_progress = show_progress;
            copts.progress_userdata = &progress;
        }
    }
    st = part ? mn_cohort_part_run(ctx, part, trial, &copts, res)
              : mn_cohort_run(ctx, trial, &copts, res);
    if (st) {
        /* A CSV row that could not be written stopped the run (MN_ESTOPPED): the file's own
         * failure is named instead, as MN_EIO. */
        st = mn_outfile_fail(ctx, csv_out, st);
        csv_out = NULL;
        code = rank == 0 ? cli_fail("cohort", ctx, st)
                         : (mn_status_is_input_error(st) ? CLI_EXIT_INPUT : CLI_EXIT_RUNTIME);
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
        if (part) {
            if ((st = mn_cohort_part_write(ctx, part, mn_outfile_writer, out))) {
                code = cli_fail("cohort", ctx, mn_outfile_fail(ctx, out, st));
                out = NULL;
                goto done;
            }
            code = cli_commit("cohort", ctx, out);
            out = NULL;
            goto done;
        }
        /* Figures before the other outputs are committed, so a failure leaves none of them. */
        if (plot && (st = plot_cohort(ctx, res, &sink, plot))) {
            code = cli_fail("cohort", ctx, st);
            goto done;
        }
        code = cli_cohort_finish("cohort", ctx, trial, res, o.json, trials, threads,
                                 !quiet && cli_stderr_is_tty(), &csv_out, &out);
    }
done:
    mn_outfile_abort(csv_out);
    mn_outfile_abort(out);
    free(trial);
    free(res);
    free(sink_improvement);
    mn_cohort_part_free(part);
    mn_ctx_free(ctx);
    if (plot)
        mn_plot_global_cleanup(); /* font caches of the figures, for leak checkers */
    return code;
}

int cmd_cohort(int argc, char **argv)
{
    int rank = 0, size = 1;
    mn_status st = mn_cohort_mpi_begin(&argc, &argv, &rank, &size);
    if (st == MN_EUNSUPPORTED) {
        fprintf(stderr, "mneedle cohort: started by an MPI launcher, but this build has no MPI "
                        "support; run it without mpirun or rebuild with MPI\n");
        return CLI_EXIT_RUNTIME;
    }
    if (st) {
        fprintf(stderr, "mneedle cohort: MPI_Init failed\n");
        return CLI_EXIT_RUNTIME;
    }
    /* Messages from ranks other than 0 would repeat rank 0's: silence their stderr. */
    if (rank != 0) {
        FILE *quiet = freopen("/dev/null", "w", stderr);
        (void)quiet; /* if it fails, duplicate messages are harmless */
    }
    int code = run(argc, argv, rank, size);
    mn_cohort_mpi_end();
    return code;
}

int cli_cohort_finish(const char *cmd, mn_ctx *ctx, const mn_cohort_trial *trial,
                      mn_cohort_result *res, int json, int n_trials, int threads, int progress,
                      mn_outfile **csv_out, mn_outfile **out)
{
    mn_cohort_intervals *iv = malloc(sizeof *iv);
    progress_state ps = {now_s(), 0, "intervals: ", "virtual trials"};
    mn_status st = iv ? MN_OK : MN_ENOMEM;
    if (iv)
        st = mn_cohort_intervals_run(
            ctx, trial, n_trials >= 0 ? n_trials : mn_cohort_default_trials(trial->population.n),
            threads, progress ? show_progress : NULL, &ps, iv);
    if (st) {
        mn_outfile *outs[] = {*csv_out, *out};
        *csv_out = *out = NULL;
        int code = cli_finish_all(cmd, ctx, st, outs, 2);
        free(iv);
        return code;
    }
    res->intervals = iv;
    st = mn_cohort_write(ctx, trial, res, json, mn_outfile_writer, *out);
    res->intervals = NULL;
    free(iv);
    mn_outfile *outs[] = {*csv_out, *out}; /* the CSV first, the summary last */
    *csv_out = *out = NULL;
    return cli_finish_all(cmd, ctx, st, outs, 2);
}
