/* mneedle recall [--due-before DATE] [--csv|--ics|--json] [--db FILE] */
#include <stdio.h>
#include <stdlib.h>
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
             "day ('mneedle catalog rules --json', MN-HISTORY-OLD; today once the day is past)\n"
             "is still listed, marked 'questionnaire out of date: re-screen before booking'\n"
             "(JSON: questionnaire_stale; --csv: type due-rescreen; --ics: 're-screen first' in\n"
             "the summary).\n"
             "Then, whatever --due-before says, every client whose next planned visit is a\n"
             "course visit dated before today (a client who stopped coming): the visit, its\n"
             "date and the days overdue (JSON: overdue[]; not in --csv or --ics).\n"
             "Each client listed is logged in the audit log (its id and 'recall', no health\n"
             "value), with --actor (default $MNEEDLE_ACTOR, else $USER).\n",
    .footer = "Example:\n"
              "  mneedle recall --db clinic.db --due-before 2027-06-30 --ics -o recall.ics\n",
};

static int id_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Logs each client of @p list once ("recall"): with @p due_only (--csv, --ics), only those
 * due, the only ones those formats show. Returns the exit code. */
static int audit_listed(mn_ctx *ctx, mn_store *store, const mn_store_recall *list, int n,
                        int due_only)
{
    const char **ids = calloc((size_t)(n ? n : 1), sizeof *ids);
    if (!ids) {
        fprintf(stderr, "mneedle recall: out of memory\n");
        return CLI_EXIT_RUNTIME;
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!due_only || list[i].status == MN_STORE_RECALL_DUE)
            ids[k++] = list[i].client;
    /* A client listed twice (due and with a course visit overdue) is logged once. */
    qsort(ids, (size_t)k, sizeof *ids, id_cmp);
    int u = 0;
    for (int i = 0; i < k; i++)
        if (!u || strcmp(ids[u - 1], ids[i]))
            ids[u++] = ids[i];
    k = u;
    int code = cli_audit_reads("recall", ctx, store, ids, k, "recall");
    free(ids);
    return code;
}

int cmd_recall(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *before = NULL, *actor = NULL;
    int csv = 0, ics = 0;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_PATH("due-before", 0, &before, "DATE", "due on or before DATE (YYYY-MM-DD)"),
        CLI_JSON(&o, "one JSON object {version, due[], on_hold[], overdue[]}"),
        CLI_FLAG("csv", &csv, "CSV: client,due,last_session,reason,type (due|due-rescreen)"),
        CLI_FLAG("ics", &ics, "iCalendar (RFC 5545), without names"),
        CLI_OUTPUT(&o, "write to FILE atomically"),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
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
    /* Read-write: the read is logged (docs/records.md, "The audit log"). */
    mn_store *store = cli_store_open("recall", ctx, db, actor, 0, &code);
    mn_store_recall *list = NULL;
    int n = 0;
    if (store && (code = cli_hold_outputs("recall", ctx)) == CLI_EXIT_OK) {
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
                /* Each client the list shows is logged once it is made and before it is
                 * shown (held until then), as history is. */
                if (st)
                    code = cli_fail("recall", ctx, mn_outfile_fail(ctx, out, st));
                else if ((code = audit_listed(ctx, store, list, n,
                                              f == MN_RECALL_CSV || f == MN_RECALL_ICS)))
                    mn_outfile_abort(out);
                else
                    code = cli_commit("recall", ctx, out);
            }
        }
    }
    mn_store_recall_free(list);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
