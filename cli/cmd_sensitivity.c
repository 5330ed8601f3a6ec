/* mneedle sensitivity SPEC [--json] [--csv FILE] [--plot FILE] [--threads N]: global
 * sensitivity of the models' outputs to their inputs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command command = {
    .name = "sensitivity",
    .operand = "SPEC",
    .operand_error = "expected one SPEC file (or - for stdin)",
    .about =
        "Global sensitivity analysis: how much of each output's variance each input explains,\n"
        "alone (first-order Sobol' index S1) and with its interactions (total index ST), with\n"
        "bootstrap confidence intervals; optionally Morris elementary effects for screening.\n"
        "Saltelli sampling on the Sobol' sequence (Joe-Kuo direction numbers), Saltelli 2010\n"
        "and Jansen estimators. The same SPEC gives the same numbers for any thread count.\n"
        "Indices describe the model over the ranges given, not patients. Method, outputs and\n"
        "inputs: docs/sensitivity.md.\n"
        "\n"
        "SPEC (JSON; - for standard input):\n"
        "  outputs[]   peak_improvement_pct, durability_days, maintenance_interval_days,\n"
        "              delivered_24h_ug_cm2\n"
        "  inputs[]    {name, uniform: [low, high] | normal: [mean, sd] |\n"
        "              lognormal: [median, sd_log] | triangular: [low, mode, high] |\n"
        "              from: \"posterior\"}; names: age, needle_mm, passes, the healing\n"
        "              model's multipliers (response_gain, depth_fraction_scale, closure_scale,\n"
        "              ageing_rate, inflammation_scale, remodelling_scale, retention_scale,\n"
        "              epidermal_gain), concentration_mg_ml, dose_ul_cm2, logp, mw; a constant\n"
        "              of the healing model by name (response_max, col1_young_tau_d, ...),\n"
        "              from a distribution or from the posterior (its marginal, sampled\n"
        "              independently); posterior (from: \"posterior\"): whole draws, grouped\n"
        "  posterior   the posterior file for from: \"posterior\" (default: the bundled one)\n"
        "  scenario    the simulate SCENARIO the inputs change (object or file name)\n"
        "  absorb      the absorb SCENARIO (for delivered_24h_ug_cm2)\n"
        "  n, bootstrap, confidence, seed   (defaults 1024, 500, 0.95, 1); N (k + 2) runs\n"
        "  morris      {trajectories, levels} (defaults 20, 4): Morris effects as well\n",
    .footer = "Example:\n"
              "  mneedle sensitivity examples/sensitivity/wrinkles-course.json --plot s.svg\n"
              "  mneedle sensitivity examples/sensitivity/healing-posterior.json\n",
};

typedef struct {
    int threads;
    cli_common common; /* --json, --output, --data */
    const char *csv, *file, *plot;
} args;

/* Returns CLI_PARSED, or the exit code to return at once. */
static int parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    const cli_option opts[] = {
        CLI_JSON(&a->common, "one JSON object on standard output"),
        CLI_PATH("csv", 0, &a->csv, "FILE",
                 "also write the indices as CSV (one row per output and input)"),
        CLI_PATH("plot", 0, &a->plot, "FILE",
                 "also draw S1 and ST with their intervals, a panel per output (.svg or .png)"),
        CLI_OUTPUT(&a->common, "write the report to FILE atomically instead of standard output"),
        CLI_INT("threads", &a->threads, "N", 1, 4096,
                "OpenMP threads (default: all cores); the result does not depend on it"),
        CLI_DATA(&a->common, "read catalogue files from DIR instead of the built-in copies"),
        CLI_END,
    };
    return cli_parse(&command, opts, argc, argv, stdout, &a->file);
}

int cmd_sensitivity(int argc, char **argv)
{
    args a;
    int code;
    mn_ctx *ctx = cli_start("sensitivity", parse_args(argc, argv, &a), &a.common, &code);
    if (!ctx)
        return code;
    mn_sens_spec *spec = NULL;
    mn_sens_result res;
    memset(&res, 0, sizeof res);
    mn_outfile *out = NULL, *csv = NULL;
    mn_status st;
    /* Every output is checked before the run, and none is written unless all can be. */
    if ((st = mn_sens_spec_load(ctx, a.file, &spec)) || (st = mn_outfile_batch_begin(ctx)) ||
        (st = mn_outfile_open(ctx, a.common.output ? a.common.output : "-", &out)) ||
        (a.csv && (st = mn_outfile_open(ctx, a.csv, &csv))) ||
        (st = mn_sens_run(ctx, spec, a.threads, &res)))
        goto fail;
    /* The figure before any other output, so a bad --plot leaves nothing behind. */
    if (a.plot && (st = mn_sens_plot_save(ctx, &res, a.plot)))
        goto fail;
    if (csv && (st = mn_sens_write_csv(ctx, &res, mn_outfile_writer, csv)))
        goto fail;
    st = mn_sens_write(ctx, &res, a.common.json, mn_outfile_writer, out);
fail:
    code = cli_finish_outputs("sensitivity", ctx, st, out, csv);
    mn_sens_result_release(&res);
    mn_sens_spec_free(spec);
    mn_ctx_free(ctx);
    if (a.plot)
        mn_plot_global_cleanup();
    return code;
}
