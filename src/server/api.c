/*
 * The JSON API under /api/v1/ (docs/serve.md): the same writers as the command's --json
 * outputs, so each answer has the shape of the matching command (DESIGN §4, §8):
 *   GET  /api/v1/clients              mneedle client list --json
 *   GET  /api/v1/clients/ID           mneedle client show ID --json
 *   GET  /api/v1/clients/ID/history   mneedle history ID --json
 *   GET  /api/v1/clients/ID/plan      mneedle plan ID --json (made from the stored input)
 *   POST /api/v1/clients/ID/replan    mneedle replan ID --json
 *   GET  /api/v1/recall               mneedle recall --json
 *   GET  /api/v1/session              {version, user, role, csrf}: the token for POSTs
 *   GET  /api/v1/users                the users page's list (admins only)
 * ?identity=1 adds the identifying details to the client answers, as --identity does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mneedle/report.h"
#include "server/server_internal.h"

static void api_error(mn__call *c, int status, const char *msg)
{
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_printf(&b, "{\"error\": ");
    mn__srv_json_str(&b, msg);
    mn__buf_printf(&b, "}\n");
    c->resp->status = status;
    mn__resp_body(c->resp, &b, "application/json");
    mn__buf_release(&b);
}

/* An input error says what was wrong with the input, as the command does; any other failure
 * (the database, the disk, memory) is answered in general terms only (mn__failure_text). */
static void api_fail(mn__call *c, mn_status st)
{
    const char *msg = mn_ctx_errmsg(c->w->ctx);
    if (st == MN_ENOTFOUND && strstr(msg, "no client"))
        api_error(c, 404, "no such client");
    else if (mn_status_is_input_error(st))
        api_error(c, 422, msg[0] ? msg : mn_strerror(st));
    else
        api_error(c, 500, mn__failure_text(500, msg));
}

static void api_ok(mn__call *c, mn__buf *b)
{
    if (mn__buf_status(b)) {
        mn__buf_release(b);
        api_error(c, 500, "out of memory");
        return;
    }
    /* '<', '>' and '&' only ever stand inside JSON strings: written as \u escapes there, so
     * an answer opened as HTML by mistake, or pasted into a page, carries no markup
     * (docs/serve.md, "Escaping"). */
    mn__buf out;
    mn__buf_init(&out);
    size_t from = 0;
    for (size_t i = 0; i < b->len; i++) {
        char ch = b->data[i];
        if (ch != '<' && ch != '>' && ch != '&')
            continue;
        mn__buf_append(&out, b->data + from, i - from);
        mn__buf_printf(&out, "\\u%04x", (unsigned)(unsigned char)ch);
        from = i + 1;
    }
    mn__buf_append(&out, b->data + from, b->len - from);
    mn__buf_release(b);
    if (mn__buf_status(&out)) {
        mn__buf_release(&out);
        api_error(c, 500, "out of memory");
        return;
    }
    c->resp->status = 200;
    mn__resp_body(c->resp, &out, "application/json");
    mn__buf_release(&out);
}

/* The users as the users page lists them (never a hash): {"users": [{name, role, created,
 * state ("active", "disabled"), disabled_reason ("admin", "failed-sign-ins", or null when
 * active or when no entry says why)}]}. */
static mn_status users_json(mn__call *c, mn__buf *b)
{
    mn_store_user *users = NULL;
    int n = 0;
    mn_status st = mn_store_user_list(c->w->ctx, c->w->store, &users, &n);
    if (st)
        return st;
    mn__buf_printf(b, "{\"users\": [");
    for (int i = 0; i < n; i++) {
        const mn_store_user *u = &users[i];
        const char *why = !u->disabled                                   ? NULL
                          : u->disabled_by == MN_STORE_DISABLED_ADMIN    ? "admin"
                          : u->disabled_by == MN_STORE_DISABLED_FAILURES ? "failed-sign-ins"
                                                                         : NULL;
        mn__buf_printf(b, "%s{\"name\": ", i ? ", " : "");
        mn__srv_json_str(b, u->name);
        mn__buf_printf(b, ", \"role\": \"%s\", \"created\": ", mn_store_role_name(u->role));
        mn__srv_json_str(b, u->created);
        mn__buf_printf(
            b, ", \"state\": \"%s\", \"disabled_reason\": ", u->disabled ? "disabled" : "active");
        if (why)
            mn__buf_printf(b, "\"%s\"}", why);
        else
            mn__buf_printf(b, "null}");
    }
    mn__buf_printf(b, "]}\n");
    mn_store_user_list_free(users);
    return MN_OK;
}

/* The plan as `mneedle plan --json` writes it. */
static mn_status plan_json(mn__call *c, const mn_plan *plan, mn__buf *out)
{
    return mn_plan_write(c->w->ctx, plan, 1, mn__buf_writer, out);
}

void mn__api(mn__call *c)
{
    const char *path = c->route; /* the route matched, its '*' the id (c->params[0]) */
    mn_ctx *ctx = c->w->ctx;
    mn_store *store = c->w->store;
    int identity = !strcmp(mn__form_str(&c->query, "identity"), "1");
    mn__buf b;
    mn__buf_init(&b);
    mn_status st = MN_OK;
    size_t n = strlen(path);
#define ENDS(s) (n >= sizeof(s) - 1 && !strcmp(path + n - (sizeof(s) - 1), s))
    if (!strcmp(path, "/api/v1/session")) {
        mn__buf_printf(&b, "{\"version\": \"%s\", \"user\": ", mn_version());
        mn__srv_json_str(&b, c->sess->user);
        mn__buf_printf(&b, ", \"role\": \"%s\", \"csrf\": \"%s\"}\n",
                       mn_store_role_name(c->sess->role), c->sess->csrf);
    } else if (!strcmp(path, "/api/v1/users")) {
        st = users_json(c, &b);
    } else if (!strcmp(path, "/api/v1/recall")) {
        mn_date today;
        mn_store_recall *list = NULL;
        int k = 0;
        if (!(st = mn_date_today(ctx, &today)) &&
            !(st = mn_store_recall_list(ctx, store, today, &list, &k)) &&
            !(st = mn__audit_recall(c, list, k)))
            st = mn_store_recall_write(ctx, list, k, MN_RECALL_JSON, today, mn__buf_writer, &b);
        mn_store_recall_free(list);
    } else if (!strcmp(path, "/api/v1/clients")) {
        mn_store_client *list = NULL;
        int k = 0;
        if (!(st = mn_store_client_list(ctx, store, &list, &k)) && identity) {
            /* Every client's identity at once: each one logged, as one client's is. */
            const char **ids = k ? mn__calloc((size_t)k, sizeof *ids) : NULL;
            if (k && !ids)
                st = mn__error(ctx, MN_ENOMEM, "out of memory");
            for (int i = 0; !st && i < k; i++)
                ids[i] = list[i].id;
            if (!st)
                st = mn__audit_reads(c, ids, k, "identity");
            mn__free((void *)ids);
        }
        if (!st)
            st = mn_store_client_list_write(ctx, list, k, identity, 1, mn__buf_writer, &b);
        mn_store_client_list_free(list, k);
    } else {
        const char *id = c->params[0];
        if (ENDS("/history")) {
            mn_store_history *h = NULL;
            if (!(st = mn__history_read(c, id, "history", &h)))
                st = mn_store_history_write(ctx, h, 1, mn__buf_writer, &b);
            mn_store_history_free(h);
        } else if (ENDS("/plan")) {
            if (!(st = mn__plan_output(c, id, "json", plan_json, &b)))
                st = mn__audit_read(c, id, "plan");
        } else if (ENDS("/replan")) {
            mn_store_replan *r = NULL;
            if (!(st = mn_store_replan_run(ctx, store, id, &r)) &&
                !(st = mn__audit_read(c, id, "replan")))
                st = mn_store_replan_write(ctx, r, 1, mn__buf_writer, &b);
            mn_store_replan_free(r);
        } else {
            mn_store_client cl;
            if (!(st = mn_store_client_get(ctx, store, id, &cl))) {
                if (!(st = mn__audit_read(c, id, identity ? "identity" : "show")))
                    st = mn_store_client_write(ctx, &cl, identity, 1, mn__buf_writer, &b);
                mn_store_client_release(&cl);
            }
        }
    }
#undef ENDS
    if (st) {
        mn__buf_release(&b);
        api_fail(c, st);
        return;
    }
    api_ok(c, &b);
}
