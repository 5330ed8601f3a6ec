/* mneedle export CLIENT|--all [--ics FILE] [--fhir FILE] [--csv FILE] [--db FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command command = {
    .name = "export",
    .operand = "CLIENT",
    .operand_error = "expected one client id, or --all",
    .about =
        "Exports clients' records in open formats, each written atomically (FILE '-' for\n"
        "standard output). Only pseudonymous ids: no name or contact detail in any of them.\n"
        "\n"
        "  --ics FILE   iCalendar (RFC 5545): the planned visits not yet done, all-day events\n"
        "               ('re-screen first' on a visit the health questionnaire will be out\n"
        "               of date by)\n"
        "  --fhir FILE  an HL7 FHIR R4 Bundle (JSON): Patient (id only), CarePlan with one\n"
        "               activity per planned visit, Procedure per session with its Device\n"
        "               (and a not-done Procedure per zone its visit set that it left out),\n"
        "               Observation per score, AdverseEvent per event\n"
        "  --csv FILE   every planned visit, session zone, score and adverse event, one row each\n"
        "               (a zone a session left out typed not-done; the last column, rescreen:\n"
        "               yes on such a visit)\n"
        "\n"
        "Each client exported is logged in the audit log (its id and 'export', no health\n"
        "value), with --actor (default $MNEEDLE_ACTOR, else $USER).\n",
    .footer = "Example:\n"
              "  mneedle export --db clinic.db --all --fhir clinic.fhir.json --csv clinic.csv\n",
};

int cmd_export(int argc, char **argv)
{
    const char *db = NULL, *ics = NULL, *fhir = NULL, *csv = NULL, *actor = NULL;
    int all = 0;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_FLAG("all", &all, "every client instead of one"),
        CLI_PATH("ics", 0, &ics, "FILE", "iCalendar of the planned visits (RFC 5545)"),
        CLI_PATH("fhir", 0, &fhir, "FILE", "HL7 FHIR R4 Bundle (JSON)"),
        CLI_PATH("csv", 0, &csv, "FILE", "CSV of everything"),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
        CLI_END,
    };
    char **ops;
    int n_ops;
    char *args[64];
    if (argc > 62)
        return cli_usage_error("export", "too many arguments");
    for (int i = 0; i < argc; i++)
        args[i] = argv[i];
    args[argc] = NULL;
    /* --all takes no operand: a placeholder lets the table's parser run as for one. */
    int with_placeholder = 0;
    for (int i = 1; i < argc; i++)
        with_placeholder |= !strcmp(argv[i], "--all");
    if (with_placeholder)
        args[argc] = "-";
    int code = cli_parse_list(&command, opts, argc + with_placeholder, args, stdout, &ops, &n_ops);
    if (code != CLI_PARSED)
        return code;
    if (n_ops != 1 || (all && strcmp(ops[0], "-")))
        return cli_usage_error("export", "%s", command.operand_error);
    if (!ics && !fhir && !csv)
        return cli_usage_error("export", "give --ics FILE, --fhir FILE or --csv FILE");
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("export", NULL, &code);
    if (!ctx)
        return code;
    /* Read-write: the read is logged (docs/records.md, "The audit log"). */
    mn_store *store = cli_store_open("export", ctx, db, actor, 0, &code);
    mn_store_client *list = NULL;
    int n = 0;
    mn_store_history **hs = NULL;
    mn_status st = MN_OK;
    mn_date today;
    mn_outfile *outs[3] = {NULL, NULL, NULL}; /* --ics, --fhir, --csv */
    if (!store)
        goto done;
    /* Every output is checked before the record is read. */
    if ((st = mn_outfile_batch_begin(ctx)) || (ics && (st = mn_outfile_open(ctx, ics, &outs[0]))) ||
        (fhir && (st = mn_outfile_open(ctx, fhir, &outs[1]))) ||
        (csv && (st = mn_outfile_open(ctx, csv, &outs[2]))))
        goto fail;
    if ((st = mn_date_today(ctx, &today)))
        goto fail;
    if (all) {
        if ((st = mn_store_client_list(ctx, store, &list, &n)))
            goto fail;
    } else {
        n = 1;
    }
    hs = calloc((size_t)(n ? n : 1), sizeof *hs);
    if (!hs) {
        fprintf(stderr, "mneedle export: out of memory\n");
        code = CLI_EXIT_RUNTIME;
        goto done;
    }
    for (int i = 0; i < n; i++)
        if ((st = mn_store_history_get(ctx, store, all ? list[i].id : ops[0], &hs[i])))
            goto fail;
    /* Every file is written before any is committed, and none is unless all can be. */
    if (ics)
        st = mn_store_ics_write(ctx, hs, n, today, mn_outfile_writer, outs[0]);
    if (!st && fhir)
        st = mn_store_fhir_write(ctx, hs, n, mn_outfile_writer, outs[1]);
    if (!st && csv)
        st = mn_store_csv_write(ctx, hs, n, mn_outfile_writer, outs[2]);
    /* Each client exported logged, once every file is made and before any is put in place
     * (standard output held too): a failed export logs nothing, an export not logged writes
     * nothing. */
    if (!st) {
        const char **ids = calloc((size_t)(n ? n : 1), sizeof *ids);
        if (!ids) {
            fprintf(stderr, "mneedle export: out of memory\n");
            code = CLI_EXIT_RUNTIME;
            goto done;
        }
        for (int i = 0; i < n; i++)
            ids[i] = hs[i]->client;
        code = cli_audit_reads("export", ctx, store, ids, n, "export");
        free(ids);
        if (code)
            goto done;
    }
    code = cli_finish_all("export", ctx, st, outs, 3);
    goto done;
fail:
    code = cli_finish_all("export", ctx, st, outs, 3);
done:
    for (int i = 0; i < 3; i++)
        mn_outfile_abort(outs[i]); /* those not committed or abandoned above */
    for (int i = 0; hs && i < n; i++)
        mn_store_history_free(hs[i]);
    free(hs);
    mn_store_client_list_free(list, n);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
