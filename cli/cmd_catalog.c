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

int mn_cmd_catalog(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"data", required_argument, NULL, 'd'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, c, code = MN_EXIT_OK;
    const char *data = NULL, *output = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'd':
            data = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            fputs(mn_catalog_help, stdout);
            return MN_EXIT_OK;
        default:
            return mn_cli_usage_error("catalog", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return mn_cli_usage_error("catalog", "expected one of devices, sites, concerns, "
                                             "products, rules");
    mn_ctx *ctx = mn_cli_open("catalog", data, &code);
    if (!ctx)
        return code;
    mn_outfile *out = mn_cli_output("catalog", ctx, output, &code);
    if (out) {
        mn_status st = mn_report_catalog(ctx, argv[optind], json, mn_outfile_writer, out);
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
