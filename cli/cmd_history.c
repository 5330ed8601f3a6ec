/* mneedle history CLIENT [--json] [--db FILE] */
#include <stdio.h>

#include "cli.h"

static const cli_command command = {
    .name = "history",
    .operand = "CLIENT",
    .operand_error = "expected one client id",
    .about = "A client's timeline from the clinic record: the latest saved plan's visits against\n"
             "the sessions done (the k-th session done stands for the k-th planned visit: its\n"
             "date shift and each zone's depth and passes beside the plan's), overrides, scores\n"
             "over time and adverse events (including the recorded 'none').\n",
    .footer = "Example:\n"
              "  mneedle history --db clinic.db c-7k2m9q4xab\n",
};

int cmd_history(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *id;
    const char *data_dir = NULL;
    const cli_option opts[] = {
        CLI_PATH("db", 0, &db, "FILE", "the database (default $MNEEDLE_DB, else mneedle.db)"),
        CLI_PATH("data", 0, &data_dir, "DIR",
                 "read catalogues (devices, sites, scales, ...) from DIR instead of the "
                 "built-in copies"),
        CLI_JSON(&o, "one JSON object (plan, planned[], sessions[], assessments[], "
                     "adverse_events[])"),
        CLI_OUTPUT(&o, "write to FILE atomically"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, stdout, &id);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("history", data_dir, &code);
    if (!ctx)
        return code;
    mn_store *store = cli_store_open("history", ctx, db, NULL, MN_STORE_READONLY, &code);
    mn_store_history *h = NULL;
    if (store) {
        mn_status st = mn_store_history_get(ctx, store, id, &h);
        if (st) {
            code = cli_fail("history", ctx, st);
        } else {
            mn_outfile *out = cli_output("history", ctx, o.output, &code);
            if (out) {
                st = mn_store_history_write(ctx, h, o.json, mn_outfile_writer, out);
                code = st ? cli_fail("history", ctx, mn_outfile_fail(ctx, out, st))
                          : cli_commit("history", ctx, out);
            }
        }
    }
    mn_store_history_free(h);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
