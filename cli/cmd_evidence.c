/* mneedle evidence [--json] [--evidence DIR]: the evidence base (docs/evidence.md). */
#include <stdio.h>

#include "cli.h"

static const cli_command command = {
    .name = "evidence",
    .operand = "",
    .operand_error = "takes no operand; to add your own studies use --evidence DIR",
    .about = "Lists the published studies the outcome model is calibrated on and validated\n"
             "against: per study its role (calibration or validation), design, number of\n"
             "participants, concern, how it was verified and its endpoints by family. Values\n"
             "are recorded as published; the format and the declared split are in\n"
             "docs/evidence.md.\n",
    .footer = "Examples:\n"
              "  mneedle evidence\n"
              "  mneedle evidence --json --evidence my-studies/\n",
};

int cmd_evidence(int argc, char **argv)
{
    cli_common o = {0};
    const char *evidence_dir = NULL;
    const cli_option opts[] = {
        CLI_JSON(&o, "one JSON object: counts and, per study, its endpoints"),
        CLI_PATH("evidence", 0, &evidence_dir, "DIR",
                 "add your own studies: every *.json file in DIR, in the same format, each "
                 "named after its id; a malformed file is refused"),
        CLI_DATA(&o, "read catalogue files from DIR instead of the built-in copies"),
        CLI_OUTPUT(&o, "write to FILE atomically instead of standard output"),
        CLI_END,
    };
    int code = cli_parse_none(&command, opts, argc, argv, stdout);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("evidence", o.data, &code);
    if (!ctx)
        return code;
    mn_evidence *ev = NULL;
    mn_status st = mn_evidence_load(ctx, evidence_dir, &ev);
    if (st) {
        code = cli_fail("evidence", ctx, st);
    } else {
        mn_outfile *out = cli_output("evidence", ctx, o.output, &code);
        if (out) {
            st = mn_evidence_write(ctx, ev, o.json, mn_outfile_writer, out);
            code = st ? cli_fail("evidence", ctx, mn_outfile_fail(ctx, out, st))
                      : cli_commit("evidence", ctx, out);
        }
    }
    mn_evidence_free(ev);
    mn_ctx_free(ctx);
    return code;
}
