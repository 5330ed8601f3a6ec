/* mneedle screen CLIENT [--json] */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void mn_screen_help(void)
{
    printf("usage: mneedle screen CLIENT [--json] [--output FILE] [--data DIR]\n"
           "\n"
           "Checks a client file for reasons not to needle, or to wait. Each finding has a\n"
           "stable code, a severity (decline, defer, caution) and a message the client can\n"
           "read. The decision is the most severe: decline > defer > proceed_with_caution >\n"
           "proceed. A deferral names the earliest date to re-screen when it is known\n"
           "(isotretinoin, radiotherapy, fillers, sunburn).\n"
           "\n"
           "CLIENT is a JSON file (- for standard input), for example:\n"
           "  {\"client\": {\"age\": 46, \"sex\": \"female\", \"fitzpatrick\": 2},\n"
           "   \"concerns\": [{\"concern\": \"fine-lines-wrinkles\", \"zones\": [\"forehead\"]}],\n"
           "   \"history\": {\"isotretinoin_months_ago\": 2, \"anticoagulants\": true},\n"
           "   \"lifestyle\": {\"smoker\": false, \"sun\": \"moderate\"},\n"
           "   \"clinic\": {\"device\": \"skinpen\", \"price_per_session\": 300,\n"
           "              \"currency\": \"GBP\", \"start\": \"2026-12-01\"}}\n"
           "\n"
           "History items (booleans unless marked; absent means no or never):\n");
    for (int i = 0; i < MN_HISTORY_COUNT; i++)
        printf("  %s%s\n", mn_history_name((mn_history_item)i),
               mn_history_is_numeric((mn_history_item)i) ? " (number)" : "");
    printf("\nOptions:\n"
           "  --json             one JSON object: screening.decision, screening.findings[]\n"
           "  -o, --output FILE  write to FILE atomically\n"
           "  --data DIR         read catalogues (rules.json, ...) from DIR\n"
           "\nAll rules with their codes: mneedle catalog rules\n");
}

int mn_cmd_screen(int argc, char **argv)
{
    mn_cli_common o;
    int code = mn_cli_parse_common("screen", argc, argv, mn_screen_help, &o);
    if (code >= 0)
        return code;
    code = MN_EXIT_OK;
    if (optind != argc - 1)
        return mn_cli_usage_error("screen", "expected one CLIENT file");
    mn_ctx *ctx = mn_cli_open("screen", o.data, &code);
    if (!ctx)
        return code;
    mn_client client;
    mn_screening s;
    mn_status st = mn_client_load(ctx, argv[optind], &client);
    if (!st)
        st = mn_screen(ctx, &client, &s);
    if (st) {
        code = mn_cli_fail("screen", ctx, st);
    } else {
        mn_outfile *out = mn_cli_output("screen", ctx, o.output, &code);
        if (out) {
            st = mn_screening_write(ctx, &client, &s, o.json, mn_outfile_writer, out);
            if (st) {
                mn_outfile_abort(out);
                code = mn_cli_fail("screen", ctx, st);
            } else {
                code = mn_cli_commit("screen", ctx, out);
            }
        }
    }
    mn_ctx_free(ctx);
    return code;
}
