/* mneedle import FILE [--dry-run] [--db FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command command = {
    .name = "import",
    .operand = "FILE",
    .operand_error = "expected one CSV file",
    .about =
        "Imports a client list (CSV) into the clinic record. Columns: id, name, email, phone,\n"
        "birth_date, age, sex, fitzpatrick, concern, zones (separated by ';'), severity,\n"
        "device, start, smoker (yes/no), sun. One row per client and concern: rows with the\n"
        "same id are one client. Each client is checked as 'mneedle client add' checks a file;\n"
        "the first bad row stops the import (exit 2, naming the file and line) and nothing is\n"
        "stored. --dry-run checks everything and reports what would be added, storing nothing.\n"
        "The list has no health questionnaire: an imported client is not yet screened (a\n"
        "deferral with no date, MN-NO-HISTORY) until 'mneedle client update' gives its history.\n",
    .footer = "Example:\n"
              "  mneedle import --db clinic.db --dry-run clients.csv\n",
};

int cmd_import(int argc, char **argv)
{
    const char *db = NULL, *actor = NULL, *file;
    int dry_run = 0;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_FLAG("dry-run", &dry_run, "check and report; store nothing"),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, stdout, &file);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("import", NULL, &code);
    if (!ctx)
        return code;
    mn_store *store = cli_store_open("import", ctx, db, actor, 0, &code);
    char *text = NULL;
    size_t len;
    if (store && (text = cli_read_input("import", file, &len, &code))) {
        mn_store_import_row *rows = NULL;
        int n = 0;
        mn_status st = mn_store_import_clients(ctx, store, strcmp(file, "-") ? file : "<stdin>",
                                               text, len, dry_run, &rows, &n);
        if (st) {
            code = cli_fail("import", ctx, st);
        } else {
            for (int i = 0; i < n; i++)
                printf("%s %s (line %d, %d concern%s)\n", dry_run ? "would add" : "added",
                       rows[i].id, rows[i].line, rows[i].concerns,
                       rows[i].concerns == 1 ? "" : "s");
            printf("%s%d client%s%s\n", dry_run ? "dry run: " : "", n, n == 1 ? "" : "s",
                   dry_run ? " checked, nothing stored" : " imported");
        }
        mn_store_import_free(rows);
    }
    free(text);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
