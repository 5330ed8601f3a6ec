/* mneedle simulate SCENARIO [--json] [--csv FILE] [--plot DIR]: healing and collagen over years.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char mn_simulate_help[] =
    "usage: mneedle simulate SCENARIO [--json] [--csv FILE] [options]\n"
    "\n"
    "Simulates one zone of one person: the wound response to each session (redness, barrier,\n"
    "epidermis, fibroblasts, collagen III maturing to collagen I) and dermal collagen over\n"
    "years, beside an untreated twin of the same skin. Answers 'how long will it last?'.\n"
    "The result is a simulation with a 10th-90th percentile band over virtual people, not a\n"
    "promised outcome. Model and sources: docs/models/healing.md.\n"
    "\n"
    "SCENARIO (JSON; - for standard input):\n"
    "  patient.{age, sex, fitzpatrick, smoker, sun}, zone, concern,\n"
    "  sessions[].{day, device, needle_mm, passes}, report_days[], horizon_days\n"
    "  (report_days default: 0, 1, 3, 7, 28, 90, 180, 365, then yearly, and the horizon;\n"
    "   horizon_days default: two years after the last session)\n"
    "\n"
    "Options:\n"
    "  --json              one JSON object on standard output\n"
    "  --csv FILE          also write daily trajectories (treated and untreated) as CSV\n"
    "  --plot DIR          write figures into DIR (an existing directory): improvement and\n"
    "                      collagen against the untreated twin, erythema in the first week;\n"
    "                      each as .png, .svg and .csv (the plotted numbers)\n"
    "  -o, --output FILE   write the report to FILE atomically instead of standard output\n"
    "  --band N            virtual people for the uncertainty band (default 64; 0 = none)\n"
    "  --seed N            seed for the band (default 20131001)\n"
    "  --integrator NAME   exact (default) or cvode (SUNDIALS reference)\n"
    "  --data DIR          read catalogue files from DIR instead of the built-in copies\n"
    "\n"
    "Example:\n"
    "  mneedle simulate examples/scenarios/simulate-wrinkles-course.json\n";

typedef struct {
    int json, band;
    unsigned long long seed;
    const char *csv, *output, *data, *file, *plot;
    mn_healing_integrator integrator;
} mn_simulate_args;

static int mn_parse_args(int argc, char **argv, mn_simulate_args *a, int *done)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},         {"csv", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'}, {"band", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},   {"integrator", required_argument, NULL, 'i'},
        {"data", required_argument, NULL, 'd'},   {"plot", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int c;
    char *end;
    *done = 0;
    memset(a, 0, sizeof *a);
    a->band = 64;
    a->seed = 20131001u;
    a->integrator = MN_HEALING_EXACT;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            a->json = 1;
            break;
        case 'c':
            a->csv = optarg;
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'b': {
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 0 || v > 10000)
                return mn_cli_usage_error("simulate", "--band expects 0 to 10000, got '%s'",
                                          optarg);
            a->band = (int)v;
            break;
        }
        case 's':
            a->seed = strtoull(optarg, &end, 10);
            if (*optarg == '\0' || *optarg == '-' || *end != '\0')
                return mn_cli_usage_error("simulate",
                                          "--seed expects a non-negative integer, "
                                          "got '%s'",
                                          optarg);
            break;
        case 'i':
            if (!mn_healing_integrator_parse(optarg, &a->integrator))
                return mn_cli_usage_error("simulate",
                                          "--integrator expects exact or cvode, got "
                                          "'%s'",
                                          optarg);
            break;
        case 'd':
            a->data = optarg;
            break;
        case 'p':
            a->plot = optarg;
            break;
        case 'h':
            fputs(mn_simulate_help, stdout);
            *done = 1;
            return MN_EXIT_OK;
        default:
            return mn_cli_usage_error("simulate", "unknown option or missing value '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return mn_cli_usage_error("simulate", "expected one SCENARIO file (or - for stdin)");
    a->file = argv[optind];
    return MN_EXIT_OK;
}

int mn_cmd_simulate(int argc, char **argv)
{
    mn_simulate_args a;
    int done, code = mn_parse_args(argc, argv, &a, &done);
    if (code != MN_EXIT_OK || done)
        return code;
    mn_ctx *ctx = mn_cli_open("simulate", a.data, &code);
    if (!ctx)
        return code;
    mn_status st = MN_OK;
    mn_healing_input *in = malloc(sizeof *in);
    mn_healing_sample *samples = NULL, *daily = NULL;
    double *lo = NULL, *hi = NULL, *dlo = NULL, *dhi = NULL;
    mn_outfile *out = NULL, *csv = NULL;
    mn_healing_projection proj;
    int have_proj = 0;
    memset(&proj, 0, sizeof proj);
    if (!in) {
        st = MN_ENOMEM;
        goto fail;
    }
    if ((st = mn_healing_scenario_load(ctx, a.file, in)))
        goto fail;
    const mn_healing_scenario *sc = &in->scenario;
    int n = in->n_report_days, nd = sc->horizon_days + 1;
    samples = malloc(sizeof *samples * (size_t)n);
    lo = malloc(sizeof *lo * (size_t)n);
    hi = malloc(sizeof *hi * (size_t)n);
    if (!samples || !lo || !hi) {
        st = MN_ENOMEM;
        goto fail;
    }
    mn_healing_options opts;
    mn_healing_options_init(&opts);
    opts.integrator = a.integrator;
    mn_healing_summary summary;
    if ((st = mn_healing_run(ctx, sc, NULL, &opts, in->report_days, n, samples, &summary)))
        goto fail;
    if (a.band > 0 &&
        (st = mn_healing_band(ctx, sc, in->report_days, n, a.band, a.seed, 0.1, 0.9, lo, hi)))
        goto fail;
    if ((st = mn_healing_maintenance(ctx, sc, a.band, a.seed, &proj)))
        goto fail;
    have_proj = proj.maintenance_interval_days > 0;
    /* Figures before any other output, so a bad --plot leaves nothing behind. */
    if (a.plot && (st = mn_healing_plot(ctx, sc, &opts, &summary, have_proj ? &proj : NULL, a.band,
                                        a.seed, a.plot)))
        goto fail;
    if (a.csv) {
        daily = malloc(sizeof *daily * (size_t)nd);
        dlo = malloc(sizeof *dlo * (size_t)nd);
        dhi = malloc(sizeof *dhi * (size_t)nd);
        if (!daily || !dlo || !dhi) {
            st = MN_ENOMEM;
            goto fail;
        }
        if ((st = mn_healing_run(ctx, sc, NULL, &opts, NULL, nd, daily, NULL)))
            goto fail;
        if (a.band > 0 &&
            (st = mn_healing_band(ctx, sc, NULL, nd, a.band, a.seed, 0.1, 0.9, dlo, dhi)))
            goto fail;
        if ((st = mn_outfile_open(ctx, a.csv, &csv)) ||
            (st = mn_healing_write_csv(ctx, daily, nd, a.band > 0 ? dlo : NULL,
                                       a.band > 0 ? dhi : NULL, mn_outfile_writer, csv)))
            goto fail;
    }
    mn_healing_result res = {sc,
                             samples,
                             n,
                             a.band > 0 ? lo : NULL,
                             a.band > 0 ? hi : NULL,
                             a.band,
                             &summary,
                             have_proj ? &proj : NULL,
                             a.integrator};
    if ((st = mn_outfile_open(ctx, a.output ? a.output : "-", &out)) ||
        (st = mn_healing_write(ctx, &res, a.json, mn_outfile_writer, out)))
        goto fail;
    if (csv) {
        st = mn_outfile_commit(ctx, csv);
        csv = NULL;
        if (st)
            goto fail;
    }
    st = mn_outfile_commit(ctx, out);
    out = NULL;
fail:
    if (st)
        code = mn_cli_fail("simulate", ctx, st);
    mn_outfile_abort(csv);
    mn_outfile_abort(out);
    mn_healing_projection_release(&proj);
    free(in);
    free(samples);
    free(daily);
    free(lo);
    free(hi);
    free(dlo);
    free(dhi);
    mn_ctx_free(ctx);
    if (a.plot)
        mn_plot_global_cleanup(); /* font caches of the figures, for leak checkers */
    return code;
}
