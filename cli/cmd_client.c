/* mneedle client add FILE | show ID | list | update ID FILE | erase ID  [--db FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command command = {
    .name = "client",
    .operand = "ACTION [ID] [FILE]",
    .operand_error = "expected: add FILE, show ID, list, update ID FILE or erase ID",
    .about =
        "The clients of the clinic record (docs/records.md).\n"
        "\n"
        "  add FILE        a client file as 'mneedle plan' reads it (checked the same way),\n"
        "                  optionally with identity {name, email, phone, birth_date, address}\n"
        "                  and consents [{what, version, date}]; client.name moves to the\n"
        "                  identity. Prints the client's pseudonymous id (--id sets it).\n"
        "  show ID         the record: counts, consents, the health questionnaire's day and\n"
        "                  age today, planning input (--identity adds the identifying details)\n"
        "  list            every client, by id (--identity adds names)\n"
        "  update ID FILE  replace the planning input and/or the identity, add consents,\n"
        "                  withdraw [consent ids]\n"
        "  erase ID        the right to erasure: every row about the client goes; the audit\n"
        "                  log keeps that rows were erased, never what they held\n"
        "\n"
        "Each change is one transaction, recorded in the audit log with --actor (default\n"
        "$MNEEDLE_ACTOR, else $USER), and so is each client's record shown (show) and each\n"
        "identity listed (list --identity): the client's id and the view, no value. A bad\n"
        "file: exit 2, naming the file and the place, and nothing changed.\n",
    .footer = "Example (a client file as 'mneedle plan' reads it; its name goes to the identity):\n"
              "  mneedle db init --db clinic.db\n"
              "  mneedle client add --db clinic.db examples/clients/amelia-wrinkles.json\n"
              "  mneedle client list --db clinic.db\n",
};

/* Logs client @p id's record shown, or (@p id NULL) the @p n clients of @p list listed, under
 * the view "identity" with @p identity, else "show"; returns the exit code. */
static int audit_shown(mn_ctx *ctx, mn_store *store, const char *id, const mn_store_client *list,
                       int n, int identity)
{
    const char *what = identity ? "identity" : "show";
    if (id)
        return cli_audit_reads("client", ctx, store, &id, 1, what);
    const char **ids = calloc((size_t)(n ? n : 1), sizeof *ids);
    if (!ids) {
        fprintf(stderr, "mneedle client: out of memory\n");
        return CLI_EXIT_RUNTIME;
    }
    for (int i = 0; i < n; i++)
        ids[i] = list[i].id;
    int code = cli_audit_reads("client", ctx, store, ids, n, what);
    free(ids);
    return code;
}

int cmd_client(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *actor = NULL, *id_opt = NULL;
    int identity = 0;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_JSON(&o, "show, list: one JSON object"),
        CLI_OUTPUT(&o, "show, list: write to FILE atomically"),
        CLI_FLAG("identity", &identity, "show, list: include the identifying details"),
        CLI_PATH("id", 0, &id_opt, "ID", "add: the client's id (default: a new random one)"),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
        CLI_END,
    };
    char **ops;
    int n_ops;
    int code = cli_parse_list(&command, opts, argc, argv, stdout, &ops, &n_ops);
    if (code != CLI_PARSED)
        return code;
    const char *action = ops[0];
    static const struct {
        const char *name;
        int operands;
    } actions[] = {{"add", 1}, {"show", 1}, {"list", 0}, {"update", 2}, {"erase", 1}};
    int want = -1;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (!strcmp(action, actions[i].name))
            want = actions[i].operands;
    if (want < 0)
        return cli_usage_error("client", "'%s' is not an action: add, show, list, update, erase",
                               action);
    if (n_ops != 1 + want)
        return cli_usage_error("client", "%s", command.operand_error);

    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("client", NULL, &code);
    if (!ctx)
        return code;
    /* Read-write for what the audit log records: every change, a client's record shown, and
     * identities listed; only a list of ids reads alone. */
    int audited_list = !strcmp(action, "list") && identity;
    mn_store *store =
        cli_store_open("client", ctx, db, actor,
                       !strcmp(action, "list") && !audited_list ? MN_STORE_READONLY : 0, &code);
    char *text = NULL;
    mn_status st = MN_OK;
    if (!store)
        goto done;
    if (!strcmp(action, "add") || !strcmp(action, "update")) {
        const char *file = ops[want];
        size_t len;
        if (!(text = cli_read_input("client", file, &len, &code)))
            goto done;
        const char *src = strcmp(file, "-") ? file : "<stdin>";
        if (!strcmp(action, "add")) {
            char id[MN_STORE_ID_LEN];
            if ((st = mn_store_client_add(ctx, store, src, text, len, id_opt, id)))
                code = cli_fail("client", ctx, st);
            else
                printf("%s\n", id);
        } else if ((st = mn_store_client_update(ctx, store, ops[1], src, text, len))) {
            code = cli_fail("client", ctx, st);
        }
    } else if (!strcmp(action, "erase")) {
        if ((st = mn_store_client_erase(ctx, store, ops[1])))
            code = cli_fail("client", ctx, st);
        else
            printf("erased %s\n", ops[1]);
    } else {
        mn_store_client one, *list = NULL;
        int n = 0, is_show = !strcmp(action, "show");
        st = is_show ? mn_store_client_get(ctx, store, ops[1], &one)
                     : mn_store_client_list(ctx, store, &list, &n);
        if (st) {
            code = cli_fail("client", ctx, st);
            goto done;
        }
        mn_outfile *out = (code = cli_hold_outputs("client", ctx)) == CLI_EXIT_OK
                              ? cli_output("client", ctx, o.output, &code)
                              : NULL;
        if (out) {
            st = is_show
                     ? mn_store_client_write(ctx, &one, identity, o.json, mn_outfile_writer, out)
                     : mn_store_client_list_write(ctx, list, n, identity, o.json, mn_outfile_writer,
                                                  out);
            /* A client's record shown, or the identities listed, is logged once it is made
             * and before it is shown (held until then): one entry per client, the view
             * ("show", "identity") and no value, as the workstation logs the same views. */
            if (st) {
                code = cli_fail("client", ctx, mn_outfile_fail(ctx, out, st));
            } else if ((is_show || audited_list) &&
                       (code =
                            audit_shown(ctx, store, is_show ? ops[1] : NULL, list, n, identity))) {
                mn_outfile_abort(out);
            } else {
                code = cli_commit("client", ctx, out);
            }
        }
        if (is_show)
            mn_store_client_release(&one);
        else
            mn_store_client_list_free(list, n);
    }
done:
    free(text);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
