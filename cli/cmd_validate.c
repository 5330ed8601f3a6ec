/* mneedle validate [--json] [--evidence DIR] [--posterior FILE]: the model against the studies it
 * was not fitted to (docs/validation.md is this command's output for the bundled evidence). */
#include <stdio.h>

#include "cli.h"

static const cli_command command = {
    .name = "validate",
    .operand = "",
    .operand_error = "takes no operand; to add your own studies use --evidence DIR",
    .about = "Runs every study declared `validation` in the evidence base (never used to fit the\n"
             "model) through its observation model and prints, per endpoint and time point, the\n"
             "predicted value for a trial of that size (median and 90 % interval over virtual\n"
             "trials) beside the published one, whether the published value is inside, and the\n"
             "coverage over all checked endpoints. Misses stay in the table; endpoints without an\n"
             "observation model are listed with the reason. The text is Markdown:\n"
             "docs/validation.md is this output. Observation models: docs/models/observation.md.\n",
    .footer = "Examples:\n"
              "  mneedle validate\n"
              "  mneedle validate --json --evidence my-studies/\n"
              "  mneedle validate --posterior my-fit.json\n",
};

int cmd_validate(int argc, char **argv)
{
    cli_common o = {0};
    const char *evidence_dir = NULL, *posterior_file = NULL;
    const cli_option opts[] = {
        CLI_JSON(&o, "one JSON object: studies[], endpoints[].{study, scale, day, observed, "
                     "predicted.{median, low, high}, inside}, not_checked[], coverage"),
        CLI_PATH("evidence", 0, &evidence_dir, "DIR",
                 "add your own studies: every *.json file in DIR, in the same format, each "
                 "named after its id; those with role validation are checked too; a malformed "
                 "file is refused (exit 2, naming the file and the JSON path)"),
        CLI_PATH("posterior", 0, &posterior_file, "FILE",
                 "take each virtual trial's parameters from a draw of this posterior file (a fit "
                 "of your own, as scripts/calibrate/fit.sh --output writes) instead of the "
                 "bundled one, to see how it validates before it replaces it; a malformed file "
                 "is refused (exit 2, naming the file and the JSON path)"),
        CLI_DATA(&o, "read catalogue files from DIR instead of the built-in copies"),
        CLI_OUTPUT(&o, "write to FILE atomically instead of standard output"),
        CLI_END,
    };
    int code = cli_parse_none(&command, opts, argc, argv, stdout);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("validate", o.data, &code);
    if (!ctx)
        return code;
    mn_evidence *ev = NULL;
    mn_posterior *post = NULL;
    mn_validation v = {0};
    mn_status st = mn_evidence_load(ctx, evidence_dir, &ev);
    if (!st && posterior_file)
        st = mn_posterior_load(ctx, posterior_file, &post);
    if (!st)
        st =
            mn_evidence_validate_posterior(ctx, ev, post, MN_VALIDATE_TRIALS, MN_VALIDATE_SEED, &v);
    v.posterior_file = posterior_file;
    if (st) {
        code = cli_fail("validate", ctx, st);
    } else {
        mn_outfile *out = cli_output("validate", ctx, o.output, &code);
        if (out) {
            st = mn_validation_write(ctx, ev, &v, o.json, mn_outfile_writer, out);
            code = st ? cli_fail("validate", ctx, mn_outfile_fail(ctx, out, st))
                      : cli_commit("validate", ctx, out);
        }
    }
    mn_validation_release(&v);
    mn_posterior_free(post);
    mn_evidence_free(ev);
    mn_ctx_free(ctx);
    return code;
}
