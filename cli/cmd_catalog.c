/* mneedle catalog devices|sites|concerns|products|rules [--json] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char mn_catalog_help[] =
    "usage: mneedle catalog devices|sites|concerns|products|rules [--json] [--data DIR]\n"
    "\n"
    "Lists what mneedle knows, with the names its input files accept.\n"
    "  devices   pens and rollers: needles, depth range, punctures per cm2 per pass\n"
    "  sites     zones with layer thicknesses and the usual clinic depth cap\n"
    "  concerns  what can be treated, where, how deep, how many sessions\n"
    "  products  molecules for 'mneedle absorb' (MW, logP, typical strength)\n"
    "  rules     screening rules: code, severity and the input that triggers each\n"
    "\n"
    "Options:\n"
    "  --json        one JSON object, including each entry's sources\n"
    "  --data DIR    read catalogue files from DIR instead of the built-in copies\n"
    "  -o, --output FILE  write to FILE atomically instead of standard output\n";

static void mn_catalog_help_print(void)
{
    fputs(mn_catalog_help, stdout);
}

int mn_cmd_catalog(int argc, char **argv)
{
    mn_cli_common o;
    int code = mn_cli_parse_common("catalog", argc, argv, mn_catalog_help_print, &o);
    if (code >= 0)
        return code;
    code = MN_EXIT_OK;
    if (optind != argc - 1)
        return mn_cli_usage_error("catalog", "expected one of devices, sites, concerns, "
                                             "products, rules");
    mn_ctx *ctx = mn_cli_open("catalog", o.data, &code);
    if (!ctx)
        return code;
    mn_outfile *out = mn_cli_output("catalog", ctx, o.output, &code);
    if (out) {
        mn_status st = mn_report_catalog(ctx, argv[optind], o.json, mn_outfile_writer, out);
        if (st) {
            mn_outfile_abort(out);
            code = mn_cli_fail("catalog", ctx, st);
        } else {
            code = mn_cli_commit("catalog", ctx, out);
        }
    }
    mn_ctx_free(ctx);
    return code;
}
