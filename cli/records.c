/* Helpers shared by the commands of the clinic record (db, client, record, history, ...). */
#include <errno.h>
#include <pwd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *cli_db_path(const char *option)
{
    if (option)
        return option;
    const char *env = getenv("MNEEDLE_DB");
    return env && env[0] ? env : "mneedle.db";
}

mn_store *cli_store_open(const char *cmd, mn_ctx *ctx, const char *db, const char *actor, int flags,
                         int *exit_code)
{
    mn_store *store = NULL;
    mn_status st = mn_store_open(ctx, cli_db_path(db), flags, 0, &store);
    if (st) {
        *exit_code = cli_fail(cmd, ctx, st);
        return NULL;
    }
    /* What a command writes from the record is the client's record: 0600, as the database. */
    mn_ctx_set_private_outputs(ctx, 1);
    if (!actor || !actor[0])
        actor = getenv("MNEEDLE_ACTOR");
    if (!actor || !actor[0])
        actor = getenv("USER");
    if (!actor || !actor[0]) {
        /* The login name of the account running the command, where $USER is not set (a
         * service, a container): the log names someone rather than "unknown". */
        const struct passwd *pw = getpwuid(geteuid());
        actor = pw && pw->pw_name ? pw->pw_name : NULL;
    }
    if (!actor || !actor[0])
        actor = "unknown";
    if (mn_store_set_actor(store, actor)) {
        mn_store_close(store);
        *exit_code = cli_usage_error(cmd, "--actor: a name of 1 to 63 bytes");
        return NULL;
    }
    return store;
}

int cli_audit_reads(const char *cmd, mn_ctx *ctx, mn_store *store, const char *const *ids, int n,
                    const char *what)
{
    if (n <= 0)
        return CLI_EXIT_OK;
    mn_store_audit_entry *entries = calloc((size_t)n, sizeof *entries);
    if (!entries) {
        fprintf(stderr, "mneedle %s: error: audit log: out of memory\n", cmd);
        return CLI_EXIT_RUNTIME;
    }
    for (int i = 0; i < n; i++)
        entries[i] = (mn_store_audit_entry){NULL, ids[i], what, MN_OK}; /* the handle's actor */
    mn_status st = mn_store_audit_reads(ctx, store, entries, n);
    /* An entry that failed alone (a client erased since it was read) fails the read: what
     * cannot be logged is not shown. */
    for (int i = 0; !st && i < n; i++)
        st = entries[i].status;
    free(entries);
    return st ? cli_fail(cmd, ctx, st) : CLI_EXIT_OK;
}

int cli_client_report_run(const char *cmd, cli_client_report report, const cli_common *o,
                          const char *db, const char *actor, const char *id)
{
    int code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open(cmd, o->data, &code);
    if (!ctx)
        return code;
    int history = report == CLI_REPORT_HISTORY;
    /* Read-write for history too: its read is logged (docs/records.md, "The audit log"). */
    mn_store *store = cli_store_open(cmd, ctx, db, actor, 0, &code);
    mn_store_history *h = NULL;
    mn_store_replan *r = NULL;
    if (store && (code = cli_hold_outputs(cmd, ctx)) == CLI_EXIT_OK) {
        mn_status st = history ? mn_store_history_get(ctx, store, id, &h)
                               : mn_store_replan_run(ctx, store, id, &r);
        if (st) {
            code = cli_fail(cmd, ctx, st);
        } else {
            mn_outfile *out = cli_output(cmd, ctx, o->output, &code);
            if (out) {
                st = history ? mn_store_history_write(ctx, h, o->json, mn_outfile_writer, out)
                             : mn_store_replan_write(ctx, r, o->json, mn_outfile_writer, out);
                /* The timeline or the replan is logged once it is made, and shown (held until
                 * then) only once it is logged: a read that fails logs nothing, one not logged
                 * shows nothing. (A replan's maintenance date is stored, with its own entry,
                 * before: a change made is logged as such even when the read is not shown.) */
                if (st)
                    code = cli_fail(cmd, ctx, mn_outfile_fail(ctx, out, st));
                else if ((code = cli_audit_reads(cmd, ctx, store, &id, 1,
                                                 history ? "history" : "replan")) != 0)
                    mn_outfile_abort(out);
                else
                    code = cli_commit(cmd, ctx, out);
            }
        }
    }
    mn_store_history_free(h);
    mn_store_replan_free(r);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}

char *cli_read_input(const char *cmd, const char *path, size_t *len, int *exit_code)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!fp) {
        fprintf(stderr, "mneedle %s: error: %s: cannot open: %s\n", cmd, path, strerror(errno));
        *exit_code = CLI_EXIT_INPUT;
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap > MN_MAX_INPUT_BYTES)
                break;
            char *grown = realloc(buf, 2 * cap + 1);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(fp);
    if (fp != stdin)
        fclose(fp);
    if (!buf || err) {
        fprintf(stderr, "mneedle %s: error: %s: cannot read\n", cmd, path);
        free(buf);
        *exit_code = CLI_EXIT_RUNTIME;
        return NULL;
    }
    if (n > MN_MAX_INPUT_BYTES) {
        fprintf(stderr, "mneedle %s: error: %s: more than %u bytes\n", cmd, path,
                MN_MAX_INPUT_BYTES);
        free(buf);
        *exit_code = CLI_EXIT_INPUT;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
