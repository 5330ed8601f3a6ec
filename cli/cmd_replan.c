/* mneedle replan CLIENT [--json] [--db FILE] */
#include <stdio.h>

#include "cli.h"

static const cli_command command = {
    .name = "replan",
    .operand = "CLIENT",
    .operand_error = "expected one client id",
    .about =
        "Replans a client from the clinic record (docs/records.md):\n"
        "- the visits left of the latest saved plan, re-dated from the sessions actually done\n"
        "  (the plan's spacing kept from the last real date), each zone's setting going on with\n"
        "  the plan's titration, never below the last depth used and never above the plan's\n"
        "  maximum;\n"
        "- the client's response gain (the healing model's multiplier on the typical person's\n"
        "  improvement) updated from their own scores on a severity scale: a Bayesian update\n"
        "  from the model's population spread, so the 10-90 % band narrows as scores come in;\n"
        "- a maintenance date from that response: later for a better responder, sooner for a\n"
        "  poorer one, within 90-365 days. It is stored for 'mneedle recall'.\n"
        "Projections are simulations with stated uncertainty, not promised results.\n",
    .footer = "Example:\n"
              "  mneedle replan --db clinic.db c-7k2m9q4xab\n",
};

int cmd_replan(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *actor = NULL, *id;
    const char *data_dir = NULL;
    const cli_option opts[] = {
        CLI_PATH("db", 0, &db, "FILE", "the database (default $MNEEDLE_DB, else mneedle.db)"),
        CLI_PATH("data", 0, &data_dir, "DIR",
                 "read catalogues (devices, sites, scales, ...) from DIR instead of the "
                 "built-in copies"),
        CLI_JSON(&o, "one JSON object (remaining, response, observations, projection, "
                     "maintenance)"),
        CLI_OUTPUT(&o, "write to FILE atomically"),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, stdout, &id);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("replan", data_dir, &code);
    if (!ctx)
        return code;
    mn_store *store = cli_store_open("replan", ctx, db, actor, 0, &code);
    mn_store_replan *r = NULL;
    if (store) {
        mn_status st = mn_store_replan_run(ctx, store, id, &r);
        if (st) {
            code = cli_fail("replan", ctx, st);
        } else {
            mn_outfile *out = cli_output("replan", ctx, o.output, &code);
            if (out) {
                st = mn_store_replan_write(ctx, r, o.json, mn_outfile_writer, out);
                code = st ? cli_fail("replan", ctx, mn_outfile_fail(ctx, out, st))
                          : cli_commit("replan", ctx, out);
            }
        }
    }
    mn_store_replan_free(r);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
