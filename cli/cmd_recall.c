/* mneedle recall [--due-before DATE] [--csv|--ics|--json] [--db FILE] */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command command = {
    .name = "recall",
    .operand = "",
    .operand_error = "takes no operand",
    .about = "Lists every client whose maintenance is due on or before --due-before (default:\n"
             "today, or SOURCE_DATE_EPOCH's day), with the reason: the saved plan's model-timed\n"
             "date (the typical response), or the client's own from 'mneedle replan'. After a\n"
             "maintenance visit that no replan has followed, the client is due again the same\n"
             "interval after that visit. As text, --json, --csv or --ics (iCalendar, RFC 5545:\n"
             "one all-day event per client, named by the pseudonymous id only).\n"
             "A client whose current record screens defer or decline, or with an adverse\n"
             "event open that holds (severe, or an infection, a cold sore or a lasting kind\n"
             "such as PIH whatever its grade), is on hold, not due: listed apart with the reason "
             "(JSON:\n"
             "on_hold[]), left out of --csv and --ics; so is a client whose saved plan was\n"
             "made from an earlier record (plan out of date: re-plan before booking).\n"
             "A client whose health questionnaire will be older than its validity on the due\n"
             "day (data/rules.json; today once the day is past) is still listed, marked\n"
             "'questionnaire out of date: re-screen before booking' (JSON: questionnaire_stale;\n"
             "--csv: type due-rescreen; --ics: 're-screen first' in the summary).\n"
             "Then, whatever --due-before says, every client whose next planned visit is a\n"
             "course visit dated before today (a client who stopped coming): the visit, its\n"
             "date and the days overdue (JSON: overdue[]; not in --csv or --ics).\n",
    .footer = "Example:\n"
              "  mneedle recall --db clinic.db --due-before 2027-06-30 --ics -o recall.ics\n",
};

int cmd_recall(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *before = NULL;
    int csv = 0, ics = 0;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_PATH("due-before", 0, &before, "DATE", "due on or before DATE (YYYY-MM-DD)"),
        CLI_JSON(&o, "one JSON object {version, due[], on_hold[], overdue[]}"),
        CLI_FLAG("csv", &csv, "CSV: client,due,last_session,reason,type (due|due-rescreen)"),
        CLI_FLAG("ics", &ics, "iCalendar (RFC 5545), without names"),
        CLI_OUTPUT(&o, "write to FILE atomically"),
        CLI_END,
    };
    char **ops;
    int n_ops;
    /* No operand: parse as a list with a placeholder so the table's parser does the rest. */
    char *args[64];
    if (argc > 62)
        return cli_usage_error("recall", "too many arguments");
    for (int i = 0; i < argc; i++)
        args[i] = argv[i];
    args[argc] = "-";
    int code = cli_parse_list(&command, opts, argc + 1, args, stdout, &ops, &n_ops);
    if (code != CLI_PARSED)
        return code;
    if (n_ops != 1 || strcmp(ops[0], "-"))
        return cli_usage_error("recall", "takes no operand");
    if (o.json + csv + ics > 1)
        return cli_usage_error("recall", "give one of --json, --csv, --ics");
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("recall", NULL, &code);
    if (!ctx)
        return code;
    mn_date today, due;
    mn_status st = mn_date_today(ctx, &today);
    if (st) {
        code = cli_fail("recall", ctx, st);
        mn_ctx_free(ctx);
        return code;
    }
    due = today;
    if (before && mn_date_parse(before, &due)) {
        mn_ctx_free(ctx);
        return cli_usage_error("recall",
                               "--due-before: expected a date YYYY-MM-DD from %d-01-01 to "
                               "%d-12-31, got '%s'",
                               MN_DATE_MIN_YEAR, MN_DATE_MAX_YEAR, before);
    }
    mn_store *store = cli_store_open("recall", ctx, db, NULL, MN_STORE_READONLY, &code);
    mn_store_recall *list = NULL;
    int n = 0;
    if (store) {
        if ((st = mn_store_recall_list(ctx, store, due, &list, &n))) {
            code = cli_fail("recall", ctx, st);
        } else {
            mn_outfile *out = cli_output("recall", ctx, o.output, &code);
            if (out) {
                mn_recall_format f = o.json ? MN_RECALL_JSON
                                     : csv  ? MN_RECALL_CSV
                                     : ics  ? MN_RECALL_ICS
                                            : MN_RECALL_TEXT;
                st = mn_store_recall_write(ctx, list, n, f, today, mn_outfile_writer, out);
                code = st ? cli_fail("recall", ctx, mn_outfile_fail(ctx, out, st))
                          : cli_commit("recall", ctx, out);
            }
        }
    }
    mn_store_recall_free(list);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
