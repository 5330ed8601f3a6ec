/* mneedle simulate SCENARIO [--json] [--csv FILE] [--plot DIR]: healing and collagen over years.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command command = {
    .name = "simulate",
    .operand = "SCENARIO",
    .operand_error = "expected one SCENARIO file (or - for stdin)",
    .about =
        "Simulates one zone of one person: the wound response to each session (redness, barrier,\n"
        "epidermis, fibroblasts, collagen III maturing to collagen I) and dermal collagen over\n"
        "years, beside an untreated twin of the same skin. Answers 'how long will it last?'.\n"
        "The result is a simulation with a 10th-90th percentile band over virtual people, not a\n"
        "promised outcome. Model and sources: docs/models/healing.md. It also gives the\n"
        "course's pigmentation (PIH) risk for the person's phototype, with its factor-of-two\n"
        "range (the PIH law the cohort uses: docs/models/cohort.md).\n"
        "\n"
        "SCENARIO (JSON; - for standard input):\n"
        "  patient.{age, sex, fitzpatrick, smoker, sun}, zone, concern,\n"
        "  sessions[].{day, device, needle_mm, passes}, report_days[], horizon_days\n"
        "  (sessions in day order, at most one a day; report_days default: 0, 1, 3, 7, 28,\n"
        "   90, 180, 365, then yearly, and the horizon; horizon_days default: two years after\n"
        "   the last session, at most 14610)\n"
        "The maintenance interval is searched on the scenario's days (none after day 13790:\n"
        "two yearly cycles would not fit in the 14610 days).\n"
        "A needle length outside the device's range is refused (exit 2). One beyond the\n"
        "zone's depth caps (the planner's: the zone's clinical limit, CAP in 'mneedle\n"
        "catalog sites', or for some scars in phototypes I-III the concern's DEEP FACE in\n"
        "'mneedle catalog concerns'; and the anatomy cap, docs/clinic.md) runs, with a\n"
        "warning on stderr and in the JSON output's warnings[] ({code, path, message}; []\n"
        "when there is none).\n"
        "So do sessions closer than the concern's minimum interval (MIN GAP in 'mneedle\n"
        "catalog concerns'): the planner never books them, and the model is little tested\n"
        "there (interval_below_concern_minimum).\n",
    .footer = "Example:\n"
              "  mneedle simulate examples/scenarios/simulate-wrinkles-course.json\n",
};

typedef struct {
    int band;
    uint64_t seed;
    cli_common common; /* --json, --output, --data */
    const char *csv, *file, *plot;
    mn_healing_integrator integrator;
} args;

static int parse_integrator(const char *name, void *value)
{
    return mn_healing_integrator_parse(name, value);
}

/* Returns CLI_PARSED, or the exit code to return at once. */
static int parse_args(int argc, char **argv, args *a)
{
    cli_seed seed = {MN_BAND_DEFAULT_SEED, 0};
    memset(a, 0, sizeof *a);
    a->band = 64;
    a->integrator = MN_HEALING_EXACT;
    const cli_option opts[] = {
        CLI_JSON(&a->common, "one JSON object on standard output"),
        CLI_PATH("csv", 0, &a->csv, "FILE",
                 "also write daily trajectories (treated and untreated) as CSV"),
        CLI_PATH("plot", 0, &a->plot, "DIR",
                 "write figures into DIR (an existing directory): improvement and collagen "
                 "against the untreated twin, erythema in the first week; each as .png, .svg "
                 "and .csv (the plotted numbers)"),
        CLI_OUTPUT(&a->common, "write the report to FILE atomically instead of standard output"),
        CLI_INT("band", &a->band, "N", 0, 10000,
                "virtual people for the uncertainty band (default 64; 0 = none)"),
        CLI_SEED("seed", &seed, "seed for the band (default 20131001)"),
        CLI_CHOICE("integrator", &a->integrator, "NAME", parse_integrator, "exact or cvode",
                   "exact (default) or cvode (SUNDIALS reference)"),
        CLI_DATA(&a->common, "read catalogue files from DIR instead of the built-in copies"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, stdout, &a->file);
    a->seed = seed.value;
    return code;
}

int cmd_simulate(int argc, char **argv)
{
    args a;
    int code;
    mn_ctx *ctx = cli_start("simulate", parse_args(argc, argv, &a), &a.common, &code);
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
    /* Every output is checked before the run, and none is written unless all can be. */
    if ((st = mn_outfile_batch_begin(ctx)) ||
        (st = mn_outfile_open(ctx, a.common.output ? a.common.output : "-", &out)) ||
        (a.csv && (st = mn_outfile_open(ctx, a.csv, &csv))))
        goto fail;
    cli_warn("simulate", &in->warnings); /* it runs, as asked, but says so first */
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
    if (a.band > 0 && (st = mn_healing_band(ctx, sc, in->report_days, n, a.band, a.seed,
                                            MN_BAND_QUANTILE_LOW, MN_BAND_QUANTILE_HIGH, lo, hi)))
        goto fail;
    /* --band 0 is no band: the projection's ranges collapse to the typical person (-1), not
     * the planner's quick band of two people (0). */
    if ((st = mn_healing_maintenance(ctx, sc, a.band > 0 ? a.band : -1, a.seed, &proj)))
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
            (st = mn_healing_band(ctx, sc, NULL, nd, a.band, a.seed, MN_BAND_QUANTILE_LOW,
                                  MN_BAND_QUANTILE_HIGH, dlo, dhi)))
            goto fail;
        if ((st = mn_healing_write_csv(ctx, daily, nd, a.band > 0 ? dlo : NULL,
                                       a.band > 0 ? dhi : NULL, mn_outfile_writer, csv)))
            goto fail;
    }
    mn_healing_result res = {
        .scenario = sc,
        .samples = samples,
        .n_samples = n,
        .low_pct = a.band > 0 ? lo : NULL,
        .high_pct = a.band > 0 ? hi : NULL,
        .band_draws = a.band,
        .summary = &summary,
        .maintenance = have_proj ? &proj : NULL,
        .integrator = a.integrator,
        .warnings = &in->warnings,
    };
    /* What the evidence base says about the scenario: how far it followed patients (past it,
     * durability is an extrapolation), how shallow it needled the concern, how many studies
     * measured it, how the model fared against the studies it was not fitted to, and the
     * largest changes measured. */
    mn_healing_evidence evidence;
    if ((st = mn_healing_result_evidence(ctx, &res, &evidence)))
        goto fail;
    st = mn_healing_write(ctx, &res, a.common.json, mn_outfile_writer, out);
fail:
    code = cli_finish_outputs("simulate", ctx, st, out, csv);
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
