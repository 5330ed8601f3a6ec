/* mneedle catalog devices|sites|concerns|products|rules [--json] */
#include <stdio.h>

#include "cli.h"

static const cli_command command = {
    .name = "catalog",
    .operand = "devices|sites|concerns|products|rules",
    .operand_error = "expected one of devices, sites, concerns, products, rules",
    .about = "Lists what mneedle knows, with the names its input files accept.\n"
             "  devices   pens and rollers: needles, depth range, punctures per cm2 per pass\n"
             "  sites     zones with layer thicknesses and the usual clinic depth cap\n"
             "  concerns  what can be treated, where, how deep, how many sessions and passes;\n"
             "            the deep-face exception (scars on the cheeks) and why\n"
             "  products  molecules for 'mneedle absorb' (MW, logP, typical strength)\n"
             "  rules     screening rules: code, severity and the input that triggers each;\n"
             "            under a caution that changes the plan, what it changes and why\n",
};

int cmd_catalog(int argc, char **argv)
{
    cli_common o = {0};
    const cli_option opts[] = {
        CLI_JSON(&o, "one JSON object, including each entry's sources"),
        CLI_DATA(&o, "read catalogue files from DIR instead of the built-in copies"),
        CLI_OUTPUT(&o, "write to FILE atomically instead of standard output"),
        CLI_END,
    };
    const char *what;
    int code = cli_parse(&command, opts, argc, argv, stdout, &what);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("catalog", o.data, &code);
    if (!ctx)
        return code;
    mn_outfile *out = cli_output("catalog", ctx, o.output, &code);
    if (out) {
        mn_status st = mn_report_catalog(ctx, what, o.json, mn_outfile_writer, out);
        if (st) {
            code = cli_fail("catalog", ctx, mn_outfile_fail(ctx, out, st));
        } else {
            code = cli_commit("catalog", ctx, out);
        }
    }
    mn_ctx_free(ctx);
    return code;
}
