/*
 * Pages of the workstation: the frame every page shares, messages, errors, the stylesheet,
 * and the client list, client page and client form. Everything the record holds reaches the
 * page through mn__srv_esc (HTML text and double-quoted attributes) or mn__srv_url (path
 * segments and query values); no page has inline script.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

/* The report's look (src/report/html_plan.c): its fonts, the Okabe-Ito palette, tables. */
static const char stylesheet[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;color:#222;margin:0;background:#fff;"
    "line-height:1.45}"
    "header.top{background:#0072B2;color:#fff;padding:8px 28px;display:flex;flex-wrap:wrap;"
    "align-items:center;gap:18px}"
    "header.top a{color:#fff;font-weight:bold;text-decoration:none}"
    "header.top form{margin:0 0 0 auto}header.top .who{font-size:13px}"
    "main{max-width:1040px;margin:0 auto;padding:20px 28px}"
    "h1{font-size:26px;margin:0 0 6px}h2{font-size:20px;margin:28px 0 10px;"
    "border-bottom:2px solid #0072B2;padding-bottom:4px}"
    "table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}"
    "th,td{border:1px solid #ccc;padding:5px 8px;text-align:left;vertical-align:top}"
    "th{background:#f2f5f8}td.num{text-align:right;white-space:nowrap}"
    ".msg{background:#e8f6f0;border-left:6px solid #009E73;padding:8px 14px}"
    ".err,.field-error{color:#a33b00}"
    ".err{background:#fff0e8;border-left:6px solid #D55E00;padding:8px 14px}"
    ".sim{background:#fff4e0;border-left:6px solid #E69F00;padding:8px 14px}"
    "label{display:inline-block;min-width:190px;font-weight:bold}"
    "input,select,textarea{font:inherit;padding:3px 6px;border:1px solid #888;"
    "border-radius:4px}"
    "textarea{width:100%;min-height:14em;font-family:monospace;font-size:13px}"
    "button{font:inherit;background:#0072B2;color:#fff;border:0;border-radius:4px;"
    "padding:6px 14px;cursor:pointer}button.secondary{background:#555}"
    "fieldset{border:1px solid #ccc;border-radius:6px;margin:12px 0}"
    "pre{background:#f6f6f6;padding:10px;overflow-x:auto;font-size:13px}"
    ".actions a,.actions form{display:inline-block;margin:4px 10px 4px 0}"
    "img.chart{max-width:100%;height:auto;border:1px solid #eee}"
    "a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #E69F00}"
    "@media (max-width:600px){main{padding:12px}label{min-width:0;display:block}}\n";

void mn__page_style(mn__call *c)
{
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_append(&b, stylesheet, sizeof stylesheet - 1);
    c->resp->status = 200;
    mn__resp_header(c->resp, "Cache-Control", "public, max-age=3600");
    mn__resp_body(c->resp, &b, "text/css; charset=utf-8");
    mn__buf_release(&b);
}

void mn__csrf_field(mn__buf *b, const mn__call *c)
{
    if (c->sess)
        mn__buf_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", c->sess->csrf);
}

void mn__page_begin(mn__buf *b, const mn__call *c, const char *title, const char *main_id)
{
    mn__buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    if (c->refresh_s > 0)
        mn__buf_printf(b, "<meta http-equiv=\"refresh\" content=\"%d\">", c->refresh_s);
    mn__buf_printf(b, "<title>");
    mn__srv_esc(b, title);
    mn__buf_printf(b, " - mneedle</title><link rel=\"stylesheet\" href=\"/style.css\"></head>"
                      "<body><header class=\"top\"><a href=\"/clients\">mneedle</a>");
    if (c->sess) {
        mn__buf_printf(b, "<nav aria-label=\"main\"><a href=\"/clients\" id=\"nav-clients\">"
                          "Clients</a> <a href=\"/recall\" id=\"nav-recall\">Recall</a> "
                          "<a href=\"/catalog\" id=\"nav-catalog\">Catalogues</a>");
        if (c->sess->role == MN_ROLE_ADMIN)
            mn__buf_printf(b, " <a href=\"/users\" id=\"nav-users\">Users</a>");
        mn__buf_printf(b, " <a href=\"/account\" id=\"nav-account\">Account</a></nav>"
                          "<span class=\"who\" id=\"who\">");
        mn__srv_esc(b, c->sess->user);
        mn__buf_printf(b,
                       " (%s)</span><form id=\"signout-form\" method=\"post\" "
                       "action=\"/signout\">",
                       mn_store_role_name(c->sess->role));
        mn__csrf_field(b, c);
        mn__buf_printf(b, "<button class=\"secondary\" id=\"signout\" type=\"submit\">Sign out"
                          "</button></form>");
    }
    mn__buf_printf(b, "</header><main id=\"%s\"><h1>", main_id);
    mn__srv_esc(b, title);
    mn__buf_printf(b, "</h1>");
    const char *msg = mn__page_message(c);
    if (msg && strcmp(main_id, "signin") != 0) {
        mn__buf_printf(b, "<p class=\"msg\" id=\"message\" role=\"status\">");
        mn__srv_esc(b, msg);
        mn__buf_printf(b, "</p>");
    }
}

void mn__page_end(mn__buf *b)
{
    mn__buf_printf(b, "</main></body></html>\n");
}

void mn__page_send(mn__call *c, int status, mn__buf *b)
{
    if (mn__buf_status(b)) {
        mn__buf_release(b);
        c->resp->status = 500;
        mn__buf_init(b);
        mn__buf_printf(b, "out of memory\n");
        mn__resp_body(c->resp, b, "text/plain; charset=utf-8");
        return;
    }
    c->resp->status = status;
    mn__resp_body(c->resp, b, "text/html; charset=utf-8");
    mn__buf_release(b);
}

/* A redirect's message is signed with HMAC-SHA-256 under the server's random key, over the
 * session id the next page will have ("" before sign-in) and the text, cut to 128 bits (as
 * hex): another session's message, or text typed into a link, does not verify. */
enum { MSG_SIG_BYTES = (MN__REDIRECT_SIG_LEN - 5) / 2 };

static void message_sig(const mn_server *srv, const mn__session *sess, const char *msg,
                        char hex[2 * MSG_SIG_BYTES + 1])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    const char *sid = sess ? sess->id : "";
    crypto_auth_hmacsha256_init(&st, srv->msg_key, sizeof srv->msg_key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)sid, strlen(sid) + 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, 2 * MSG_SIG_BYTES + 1, mac, MSG_SIG_BYTES);
}

const char *mn__page_message(const mn__call *c)
{
    const char *msg = c->query.n ? mn__form_get(&c->query, "msg") : NULL;
    const char *sig = msg ? mn__form_get(&c->query, "sig") : NULL;
    char want[2 * MSG_SIG_BYTES + 1];
    if (!sig || strlen(sig) != sizeof want - 1)
        return NULL;
    message_sig(c->srv, c->sess, msg, want);
    return sodium_memcmp(sig, want, sizeof want - 1) == 0 ? msg : NULL;
}

void mn__redirect(mn__call *c, const char *location, const char *msg)
{
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_printf(&b, "%s", location);
    if (msg) {
        char sig[2 * MSG_SIG_BYTES + 1];
        message_sig(c->srv, c->sess, msg, sig);
        mn__buf_printf(&b, "%smsg=", strchr(location, '?') ? "&" : "?");
        mn__srv_url(&b, msg);
        mn__buf_printf(&b, "&sig=%s", sig);
    }
    c->resp->status = 303;
    if (!mn__buf_status(&b) && b.len < sizeof c->resp->headers[0].value)
        mn__resp_header(c->resp, "Location", b.data);
    else
        mn__resp_header(c->resp, "Location", location);
    mn__buf_release(&b);
    mn__buf_init(&b);
    mn__buf_printf(&b, "See other\n");
    mn__resp_body(c->resp, &b, "text/plain; charset=utf-8");
    mn__buf_release(&b);
}

void mn__redirect_client(mn__call *c, const char *id, const char *msg)
{
    mn__buf loc;
    mn__buf_init(&loc);
    mn__buf_printf(&loc, "/clients/");
    mn__srv_url(&loc, id);
    mn__redirect(c, !mn__buf_status(&loc) && loc.data ? loc.data : "/clients", msg);
    mn__buf_release(&loc);
}

const char *mn__failure_text(int status, const char *msg)
{
    return status >= 500 ? "the server could not answer this request" : msg;
}

void mn__error_page(mn__call *c, int status, const char *what, const char *detail)
{
    if (detail && detail[0])
        detail = mn__failure_text(status, detail);
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c,
                   status == 404   ? "Not found"
                   : status == 403 ? "Not allowed"
                                   : "Problem",
                   "error-page");
    mn__buf_printf(&b, "<p class=\"err\" id=\"error\" role=\"alert\">");
    mn__srv_esc(&b, what);
    if (detail && detail[0]) {
        mn__buf_printf(&b, "<br>");
        mn__srv_esc(&b, detail);
    }
    mn__buf_printf(&b, "</p><p><a href=\"/clients\">Back to the clients</a></p>");
    mn__page_end(&b);
    mn__page_send(c, status, &b);
}

void mn__page_home(mn__call *c)
{
    mn__redirect(c, "/clients", NULL);
}

/* A date as text ("" for none). */
static const char *day(mn_date d, int has, char buf[16])
{
    if (!has) {
        buf[0] = '\0';
        return buf;
    }
    return mn_date_format(d, buf);
}

/* 1 when @p hay holds @p needle, ignoring ASCII case. */
static int contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && (hay[i] | 32) == (needle[i] | 32))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

void mn__page_clients(mn__call *c)
{
    mn_store_client *list = NULL;
    int n = 0;
    mn_status st = mn_store_client_list(c->w->ctx, c->w->store, &list, &n);
    if (st) {
        mn__error_page(c, 500, "The client list cannot be read.", mn_ctx_errmsg(c->w->ctx));
        return;
    }
    const char *q = mn__form_str(&c->query, "q");
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Clients", "clients");
    mn__buf_printf(&b, "<form id=\"search\" method=\"get\" action=\"/clients\" role=\"search\">"
                       "<label for=\"q\">Search (id, name, email)</label> <input id=\"q\" "
                       "name=\"q\" type=\"search\" value=\"");
    mn__srv_esc(&b, q);
    mn__buf_printf(&b, "\"> <button type=\"submit\">Search</button></form>");
    if (c->sess->role >= MN_ROLE_PRACTITIONER)
        mn__buf_printf(&b, "<p class=\"actions\"><a href=\"/clients/new\" id=\"new-client\">"
                           "New client</a></p>");
    mn__buf_printf(&b, "<table id=\"client-list\"><thead><tr><th>Client</th><th>Name</th>"
                       "<th>Sessions</th><th>Last session</th><th>Maintenance due</th></tr>"
                       "</thead><tbody>");
    int shown = 0;
    /* A search finds clients by what identifies them (name, email): each one it shows is
     * logged as a read of that client ("search"), the page sent only once they are. */
    const char **found = q[0] && n ? mn__calloc((size_t)n, sizeof *found) : NULL;
    if (q[0] && n && !found) {
        mn__buf_release(&b);
        mn_store_client_list_free(list, n);
        mn__error_page(c, 500, "The client list cannot be read.", "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        const mn_store_client *x = &list[i];
        if (q[0] && !contains(x->id, q) && !contains(x->name, q) && !contains(x->email, q))
            continue;
        if (found)
            found[shown] = x->id;
        char d1[16], d2[16];
        mn__buf_printf(&b, "<tr><td><a href=\"/clients/");
        mn__srv_url(&b, x->id);
        mn__buf_printf(&b, "\">");
        mn__srv_esc(&b, x->id);
        mn__buf_printf(&b, "</a></td><td>");
        mn__srv_esc(&b, x->name);
        mn__buf_printf(&b, "</td><td class=\"num\">%ld</td><td>%s</td><td>%s</td></tr>",
                       x->n_sessions, day(x->last_session, x->has_last_session, d1),
                       day(x->maintenance_due, x->has_maintenance_due, d2));
        shown++;
    }
    mn__buf_printf(&b, "</tbody></table><p id=\"client-count\">%d of %d clients shown.</p>", shown,
                   n);
    mn__page_end(&b);
    st = found ? mn__audit_reads(c, found, shown, "search") : MN_OK;
    mn__free((void *)found);
    mn_store_client_list_free(list, n);
    if (st) {
        mn__buf_release(&b);
        mn__error_page(c, 500, "The client list cannot be read.", mn_ctx_errmsg(c->w->ctx));
        return;
    }
    mn__page_send(c, 200, &b);
}

/* A zone as a clinician reads it: the catalogue's name of the site (data/sites.json), else
 * the id the record holds. */
static const char *zone_label(const mn__call *c, const char *zone)
{
    const mn_site *site = mn_catalog_find_site(mn_ctx_catalog(c->w->ctx), zone);
    return site && site->name ? site->name : zone;
}

/* Settings, planned or used, one zone a line: zone, depth, passes. */
static void settings_lines(const mn__call *c, mn__buf *b, const mn_store_setting *set, int n)
{
    for (int k = 0; k < n; k++) {
        mn__srv_esc(b, zone_label(c, set[k].zone));
        mn__buf_printf(b, " %.2f mm &times; %g<br>", set[k].depth_mm, set[k].passes);
    }
}

void mn__stale_notice(mn__buf *b, const char *id, long plan_id, const char *created)
{
    mn__buf_printf(b,
                   "<p class=\"err\" id=\"plan-stale\" role=\"alert\"><b>Stale plan:</b> "
                   "the saved plan (plan %ld, saved ",
                   plan_id);
    mn__srv_esc(b, created);
    mn__buf_printf(b, ") was made from an earlier record of this client, edited since. Its "
                      "depths, zones and spacing are not the current record's: a session is "
                      "refused against it unless you give a reason to override, and "
                      "re-planning books nothing, until the plan is saved again (<a "
                      "href=\"/clients/");
    mn__srv_url(b, id);
    mn__buf_printf(b, "/plan\">Plan and report</a>, then save it).</p>");
}

void mn__questionnaire_notice(mn__call *c, mn__buf *b, const char *id)
{
    mn_date today;
    mn_store_screening sc;
    if (mn_date_today(c->w->ctx, &today) ||
        mn_store_client_screen_on(c->w->ctx, c->w->store, id, today, &sc) ||
        !sc.questionnaire.out_of_date)
        return; /* a record that cannot be screened says so where it is planned */
    char said[256];
    mn__buf_printf(b, "<p class=\"err\" id=\"questionnaire-stale\" role=\"alert\"><b>Questionnaire "
                      "out of date:</b> the health questionnaire was ");
    mn__srv_esc(b, mn_store_questionnaire_words(&sc.questionnaire, said, sizeof said));
    mn__buf_printf(b, ". Re-screen before booking: take the questionnaire again, enter the new "
                      "answers and their date (<a href=\"/clients/");
    mn__srv_url(b, id);
    mn__buf_printf(b, "/edit\">Edit client</a>), then save the plan again. A session charted "
                      "today is refused unless you give a reason to override, and re-planning "
                      "books nothing.</p>");
}

void mn__page_client(mn__call *c)
{
    const char *id = c->params[0];
    mn_store_client cl;
    mn_store_history *h = NULL;
    mn_status st = mn_store_client_get(c->w->ctx, c->w->store, id, &cl);
    if (st == MN_ENOTFOUND || st == MN_EINVAL) {
        mn__error_page(c, 404, "There is no such client.", NULL);
        return;
    }
    if (!st && (st = mn__history_read(c, id, "page", &h)))
        mn_store_client_release(&cl);
    if (st) {
        mn__error_page(c, 500, "The record cannot be read.", mn_ctx_errmsg(c->w->ctx));
        return;
    }
    mn__buf b, title;
    mn__buf_init(&b);
    mn__buf_init(&title);
    mn__buf_printf(&title, "Client %s", id);
    mn__page_begin(&b, c, title.data ? title.data : "Client", "client");
    mn__buf_release(&title);
    char d[16];
    mn__buf_printf(&b, "<p id=\"client-summary\">");
    if (cl.name[0]) {
        mn__srv_esc(&b, cl.name);
        mn__buf_printf(&b, " &middot; ");
    }
    mn__buf_printf(&b,
                   "in the record since %s &middot; %ld plan(s), %ld session(s), %ld "
                   "score(s), %ld adverse event record(s)</p>",
                   mn_date_format(cl.created, d), cl.n_plans, cl.n_sessions, cl.n_assessments,
                   cl.n_adverse_events);
    mn__buf_printf(&b, "<p id=\"next-due\"><b>Next due:</b> ");
    if (h->n_sessions < h->n_planned) {
        const mn_store_planned_visit *v = &h->planned[h->n_sessions];
        mn__buf_printf(&b, "visit %d on %s (%s)", v->number, mn_date_format(v->date, d),
                       v->maintenance ? "maintenance" : "course");
    } else if (h->has_maintenance_due) {
        mn__buf_printf(&b, "maintenance on %s", mn_date_format(h->maintenance_due, d));
    } else {
        mn__buf_printf(&b, "nothing planned%s", h->plan_id ? "" : " (no plan saved yet)");
    }
    mn__buf_printf(&b, "</p>");
    /* The saved plan against the record as it is now (docs/records.md). */
    if (h->plan_id && h->plan_stale == 1) {
        mn__stale_notice(&b, id, h->plan_id, h->plan_created);
    } else if (h->plan_id && h->plan_stale < 0) {
        mn__buf_printf(&b,
                       "<p id=\"plan-made-from\">The saved plan (plan %ld) was saved before "
                       "plans kept the record they were made from: whether the record has "
                       "been edited since is not known.</p>",
                       h->plan_id);
    }
    /* The device the saved plan's depths are settings of (docs/records.md, History). */
    if (h->plan_id) {
        const mn_device *dev =
            h->plan_device[0] ? mn_catalog_find_device(mn_ctx_catalog(c->w->ctx), h->plan_device)
                              : NULL;
        mn__buf_printf(&b, "<p id=\"plan-device\">");
        if (h->plan_device[0]) {
            mn__buf_printf(&b, "Planned for ");
            mn__srv_esc(&b, dev && dev->name ? dev->name : h->plan_device);
            mn__buf_printf(&b, ": its depths are settings of that device.");
        } else {
            mn__buf_printf(&b, "Planned for: device not recorded (the saved plan does not say "
                               "which device its depths are for).");
        }
        mn__buf_printf(&b, "</p>");
    }
    /* The health questionnaire's age today (the rule replan and record session hold on). */
    mn__questionnaire_notice(c, &b, id);
    mn__buf_printf(&b, "<div class=\"actions\" id=\"client-actions\">");
    mn__buf_printf(&b, "<a href=\"/clients/");
    mn__srv_url(&b, id);
    mn__buf_printf(&b, "/plan\" id=\"open-plan\">Plan and report</a>");
    if (c->sess->role >= MN_ROLE_PRACTITIONER) {
        static const struct {
            const char *path, *id, *label;
        } acts[] = {{"/edit", "edit-client", "Edit client"},
                    {"/sessions/new", "chart-session", "Chart a session"},
                    {"/assessments/new", "record-assessment", "Record a score"},
                    {"/adverse-events/new", "record-adverse-event", "Record an adverse event"},
                    {"/replan", "open-replan", "Re-plan"}};
        for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
            mn__buf_printf(&b, "<a href=\"/clients/");
            mn__srv_url(&b, id);
            mn__buf_printf(&b, "%s\" id=\"%s\">%s</a>", acts[i].path, acts[i].id, acts[i].label);
        }
    }
    static const struct {
        const char *ext, *label;
    } ex[] = {{"ics", "Calendar (ICS)"}, {"fhir.json", "FHIR R4"}, {"csv", "CSV"}};
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        mn__buf_printf(&b, "<a href=\"/clients/");
        mn__srv_url(&b, id);
        mn__buf_printf(&b, "/export.%s\" id=\"export-%.4s\">%s</a>", ex[i].ext, ex[i].ext,
                       ex[i].label);
    }
    mn__buf_printf(&b, "</div>");

    /* The timeline: each planned visit against the session done for it. */
    mn__buf_printf(&b, "<h2>Plan against actual</h2><table id=\"timeline\"><thead><tr>"
                       "<th>Visit</th><th>Planned</th><th>Planned settings</th><th>Done</th>"
                       "<th>Settings used</th></tr></thead><tbody>");
    int rows = h->n_planned > h->n_sessions ? h->n_planned : h->n_sessions;
    for (int i = 0; i < rows; i++) {
        const mn_store_planned_visit *v = i < h->n_planned ? &h->planned[i] : NULL;
        const mn_store_session *s = i < h->n_sessions ? &h->sessions[i] : NULL;
        mn__buf_printf(&b, "<tr><td>%d%s</td><td>", v ? v->number : i + 1,
                       v && v->maintenance ? " (maintenance)" : "");
        if (v)
            mn__buf_printf(&b, "%s", mn_date_format(v->date, d));
        mn__buf_printf(&b, "</td><td>");
        if (v)
            settings_lines(c, &b, v->settings, v->n_settings);
        mn__buf_printf(&b, "</td><td>");
        if (s) {
            mn__buf_printf(&b, "%s", mn_date_format(s->date, d));
            if (s->planned >= 0 && s->date_shift_days)
                mn__buf_printf(&b, " (%+d days)", s->date_shift_days);
        }
        mn__buf_printf(&b, "</td><td>");
        if (s)
            settings_lines(c, &b, s->zones, s->n_zones);
        /* The zones the visit set that the session left out: planned that day, not done. */
        for (int k = 0; s && k < s->n_not_done; k++) {
            mn__buf_printf(&b, "<i>not done: ");
            mn__srv_esc(&b, zone_label(c, s->not_done[k].zone));
            mn__buf_printf(&b, " (planned %.2f mm &times; %g)</i><br>",
                           s->not_done[k].planned_depth_mm, s->not_done[k].planned_passes);
        }
        if (s && s->override_reason[0]) {
            mn__buf_printf(&b, "<i>override: ");
            mn__srv_esc(&b, s->override_reason);
            mn__buf_printf(&b, "</i>");
        }
        mn__buf_printf(&b, "</td></tr>");
    }
    mn__buf_printf(&b, "</tbody></table>");
    mn__buf_printf(&b, "<h2>Scores</h2><table id=\"scores\"><thead><tr><th>Date</th>"
                       "<th>Scale</th><th>Zone</th><th>Score</th><th>Rater</th></tr></thead>"
                       "<tbody>");
    for (int i = 0; i < h->n_assessments; i++) {
        const mn_store_assessment *a = &h->assessments[i];
        mn__buf_printf(&b, "<tr><td>%s</td><td>", mn_date_format(a->date, d));
        /* The scale and zone by the catalogue's names; a scale the catalogue no longer has
         * by the id it was recorded under. */
        mn_scale scale;
        mn__srv_esc(&b, mn_store_scale_find(c->w->ctx, a->scale, &scale) == MN_OK ? scale.name
                                                                                  : a->scale);
        mn__buf_printf(&b, "</td><td>");
        mn__srv_esc(&b, a->zone[0] ? zone_label(c, a->zone) : "");
        mn__buf_printf(&b, "</td><td class=\"num\">%g</td><td>", a->score);
        mn__srv_esc(&b, a->rater);
        mn__buf_printf(&b, "</td></tr>");
    }
    mn__buf_printf(&b, "</tbody></table>");
    /* Adverse events, with sessions or on their own; "none" is a record that there were
     * none (docs/records.md), shown as such. */
    mn__buf_printf(&b, "<h2>Adverse events</h2><table id=\"adverse-events\"><thead><tr>"
                       "<th>Date</th><th>Session</th><th>Kind or event</th><th>Severity</th>"
                       "<th>Resolved</th></tr></thead><tbody>");
    for (int i = 0; i < h->n_events; i++) {
        const mn_store_adverse_event *e = &h->events[i];
        int none = !strcmp(e->event, "none");
        mn__buf_printf(&b, "<tr><td>%s</td><td class=\"num\">", mn_date_format(e->date, d));
        if (e->session_number)
            mn__buf_printf(&b, "%d", e->session_number);
        mn__buf_printf(&b, "</td><td>");
        if (none)
            mn__buf_printf(&b, "none reported");
        else
            mn__srv_esc(&b, e->kind_name[0] ? e->kind_name : e->event);
        mn__buf_printf(&b, "</td><td>");
        mn__srv_esc(&b, e->severity);
        mn__buf_printf(&b, "</td><td>");
        if (e->resolved)
            mn__buf_printf(&b, "%s", mn_date_format(e->resolved_date, d));
        else if (!none)
            mn__buf_printf(&b, "not recorded");
        mn__buf_printf(&b, "</td></tr>");
    }
    mn__buf_printf(&b, "</tbody></table>");
    if (h->plan_id) {
        mn__buf_printf(&b, "<h2>Projection</h2><p class=\"sim\">A simulation for a typical "
                           "person with this input, with its 10-90 %% band: not a promise."
                           "</p><img class=\"chart\" id=\"projection-chart\" alt=\"Projected "
                           "improvement over time with its uncertainty band\" src=\"/clients/");
        mn__srv_url(&b, id);
        mn__buf_printf(&b, "/plan?figure=svg\">");
    }
    mn__page_end(&b);
    mn_store_history_free(h);
    mn_store_client_release(&cl);
    mn__page_send(c, 200, &b);
}

/* ---- the client form ---- */

/* The form's fields, each with the JSON path of the client record it fills (the loader's
 * messages name these paths, so an error lands beside its field). Concerns come in groups:
 * as many as the record holds and one empty, at least MIN_FORM_CONCERNS, at most the
 * loader's MN_MAX_CONCERNS (so every record it takes can be edited here without losing a
 * concern); history items are one field each. */
enum { MIN_FORM_CONCERNS = 3, MAX_FORM_CONCERNS = MN_MAX_CONCERNS };

typedef struct {
    const char *name, *path, *label, *type; /* type: text, number, date, email, sex, bool */
} field;

static const field fields[] = {
    {"client.name", "$.client.name", "Name (kept apart, in the identity)", "text"},
    {"client.age", "$.client.age", "Age (years)", "number"},
    {"client.sex", "$.client.sex", "Sex", "sex"},
    {"client.fitzpatrick", "$.client.fitzpatrick", "Fitzpatrick phototype (1-6)", "number"},
    {"identity.email", "$.identity.email", "Email", "email"},
    {"identity.phone", "$.identity.phone", "Phone", "text"},
    {"identity.birth_date", "$.identity.birth_date", "Birth date", "date"},
    {"identity.address", "$.identity.address", "Address", "text"},
    {"lifestyle.smoker", "$.lifestyle.smoker", "Smoker", "bool"},
    {"lifestyle.sun", "$.lifestyle.sun", "Sun exposure (low, moderate, high)", "text"},
    {"clinic.device", "$.clinic.device", "Device (catalogue id)", "text"},
    {"clinic.start", "$.clinic.start", "Course start", "date"},
    {"clinic.price_per_session", "$.clinic.price_per_session", "Price per session", "number"},
    {"clinic.course_price", "$.clinic.course_price", "Course price (package)", "number"},
    {"clinic.currency", "$.clinic.currency", "Currency", "text"},
    {"clinic.name", "$.clinic.name", "Clinic name", "text"},
    {"clinic.phone", "$.clinic.phone", "Clinic phone", "text"},
    {"clinic.practitioner", "$.clinic.practitioner", "Practitioner", "text"},
};
enum { N_FIELDS = sizeof fields / sizeof fields[0] };

/* Sets obj[key] from text by the field's type; "" leaves it out. 0 when a number is not one
 * (it is then stored as the text, for the loader to name). */
static void set_typed(json_t *obj, const char *key, const char *text, const char *type)
{
    if (!text || !text[0])
        return;
    if (!strcmp(type, "number")) {
        char *end;
        double v = strtod(text, &end);
        if (end != text && !*end) {
            json_object_set_new(obj, key, json_real(v));
            if (v == (double)(long long)v)
                json_object_set_new(obj, key, json_integer((long long)v));
            return;
        }
    } else if (!strcmp(type, "bool")) {
        /* yes or no only: anything else is stored as the text, for the loader to name,
         * never read as "no" (a pregnancy typed "Yes" must not screen as none). */
        int yes = !strcmp(text, "yes") || !strcmp(text, "on");
        if (yes || !strcmp(text, "no")) {
            json_object_set_new(obj, key, json_boolean(yes));
            return;
        }
    }
    json_object_set_new(obj, key, json_string(text));
}

/* The zones of a concern group's field (decoded once, with the form): catalogue ids separated
 * by commas, spaces or ';'. */
static json_t *zones_of(const char *zone_list)
{
    json_t *zones = json_array();
    char *list = mn__strdup(zone_list);
    for (char *save = NULL, *z = list ? strtok_r(list, ", ;", &save) : NULL; z;
         z = strtok_r(NULL, ", ;", &save))
        json_array_append_new(zones, json_string(z));
    mn__free(list);
    return zones;
}

/* Concern group @p k as the form posts it: its three fields, "" when absent. The group is
 * empty, and no concern, when its concern field is. */
typedef struct {
    const char *concern, *zones, *severity;
} concern_row;

static concern_row concern_row_of(const mn__form *f, int k)
{
    return (concern_row){mn__form_nth(f, "concern", k, ".concern"),
                         mn__form_nth(f, "concern", k, ".zones"),
                         mn__form_nth(f, "concern", k, ".severity")};
}

/* The text the form shows for a stored value: a string as it is, a number in full, true and
 * false as yes and no; "" for anything else. */
static const char *shown_text(json_t *v, char *buf, size_t size)
{
    buf[0] = '\0';
    if (json_is_string(v))
        snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) /* the shortest text that reads back as the same number */
        for (int digits = 1; digits <= 17; digits++) {
            snprintf(buf, size, "%.*g", digits, json_real_value(v));
            if (strtod(buf, NULL) == json_real_value(v))
                break;
        }
    else if (json_is_true(v))
        snprintf(buf, size, "yes");
    else if (json_is_false(v))
        snprintf(buf, size, "no");
    return buf;
}

/* The text the form shows for a stored concern's zones: its ids, comma-separated. */
static const char *zones_shown(json_t *concern, char *buf, size_t size)
{
    size_t z, used = 0;
    json_t *zone;
    buf[0] = '\0';
    json_array_foreach(json_object_get(concern, "zones"), z, zone)
    {
        int w = snprintf(buf + used, size - used, "%s%s", z ? ", " : "",
                         json_string_value(zone) ? json_string_value(zone) : "");
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
    return buf;
}

/* The client record the form describes. */
static json_t *form_record(const mn__form *f)
{
    json_t *rec = json_object();
    for (int i = 0; i < N_FIELDS; i++) {
        const char *v = mn__form_get(f, fields[i].name);
        if (!v || !v[0])
            continue;
        char part[32];
        const char *dot = strchr(fields[i].name, '.');
        snprintf(part, sizeof part, "%.*s", (int)(dot - fields[i].name), fields[i].name);
        json_t *obj = json_object_get(rec, part);
        if (!obj) {
            obj = json_object();
            json_object_set_new(rec, part, obj);
        }
        set_typed(obj, dot + 1, v, fields[i].type);
    }
    json_t *concerns = json_array();
    for (int k = 0; k < MAX_FORM_CONCERNS; k++) {
        concern_row row = concern_row_of(f, k);
        if (!row.concern[0])
            continue;
        json_t *c = json_object();
        json_object_set_new(c, "concern", json_string(row.concern));
        json_object_set_new(c, "zones", zones_of(row.zones));
        if (row.severity[0])
            json_object_set_new(c, "severity", json_string(row.severity));
        json_array_append_new(concerns, c);
    }
    json_object_set_new(rec, "concerns", concerns);
    /* The health questionnaire: written only when it was asked (an answer, the day it was
     * answered, or a record that had one), since a client with no history is deferred until
     * it is taken (MN-NO-HISTORY) and "history": {} means "asked, nothing to declare". */
    json_t *history = json_object();
    for (int i = 0; i < MN_HISTORY_COUNT; i++) {
        char name[64];
        snprintf(name, sizeof name, "history.%s", mn_history_name((mn_history_item)i));
        const char *v = mn__form_get(f, name);
        if (v && v[0])
            set_typed(history, mn_history_name((mn_history_item)i), v,
                      mn_history_is_numeric((mn_history_item)i) ? "number" : "bool");
    }
    set_typed(history, "date", mn__form_get(f, "history.date"), "date");
    const char *asked = mn__form_get(f, "history.asked");
    if (json_object_size(history) > 0 || (asked && !strcmp(asked, "yes")))
        json_object_set_new(rec, "history", history);
    else
        json_decref(history);
    return rec;
}

/* The form's value of a field, from the posted form (after an error) or the stored record. */
static const char *value_of(const mn__form *posted, json_t *stored, const char *name, char *buf,
                            size_t size)
{
    if (posted)
        return mn__form_str(posted, name);
    buf[0] = '\0';
    if (!stored)
        return buf;
    char part[64];
    const char *dot = strchr(name, '.');
    snprintf(part, sizeof part, "%.*s", (int)(dot - name), name);
    return shown_text(json_object_get(json_object_get(stored, part), dot + 1), buf, size);
}

/* Sets obj[key] from the form's @p text for it: kept as stored when the text is what the form
 * showed for it (so a value the form shows differently, 45.0 as 45, is not rewritten), left
 * out when the field was emptied, else typed as set_typed() types it. A field the request
 * did not carry (@p text NULL) keeps what is stored. */
static void merge_field(json_t *obj, const char *key, const char *text, const char *type)
{
    char buf[1024];
    json_t *old = json_object_get(obj, key);
    if (!text || (old && !strcmp(text, shown_text(old, buf, sizeof buf))))
        return;
    if (!text[0])
        json_object_del(obj, key);
    else
        set_typed(obj, key, text, type); /* in the key's place, when it was there */
}

/* An edit: the form's fields merged into the client's stored planning input @p stored (as
 * mn_store_client_input() gives it; taken), so that every key the form has no field for (zone
 * prices, "comment" and "_" keys) is kept, and a form saved unchanged changes nothing.
 * @p rec is the record the form describes (form_record()); its planning part is replaced by
 * the merged one. Concerns are matched by their catalogue id (a concern emptied on the form is
 * dropped; a new one comes as the form gives it); the questionnaire is kept only when the form
 * keeps it (form_record() decides, as for a new client). */
static void merge_stored(json_t *rec, const mn__form *f, json_t *stored)
{
    char buf[1024];
    static const char *const sections[] = {"client", "lifestyle", "clinic"};
    int had[sizeof sections / sizeof sections[0]];
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        had[i] = json_object_get(stored, sections[i]) != NULL;
    for (int i = 0; i < N_FIELDS; i++) {
        const char *name = fields[i].name, *dot = strchr(name, '.');
        char part[32];
        snprintf(part, sizeof part, "%.*s", (int)(dot - name), name);
        if (!strcmp(part, "identity") || !strcmp(name, "client.name"))
            continue; /* the identity replaces the stored one (mn_store_client_update) */
        json_t *obj = json_object_get(stored, part);
        if (!json_is_object(obj)) {
            obj = json_object();
            json_object_set_new(stored, part, obj);
        }
        merge_field(obj, dot + 1, mn__form_get(f, name), fields[i].type);
    }
    /* A section the record did not have and the form left empty stays absent. */
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (!had[i] && json_object_size(json_object_get(stored, sections[i])) == 0)
            json_object_del(stored, sections[i]);
    json_t *old = json_object_get(stored, "concerns"), *concerns = json_array();
    for (int k = 0; k < MAX_FORM_CONCERNS; k++) {
        concern_row row = concern_row_of(f, k);
        if (!row.concern[0])
            continue;
        json_t *was = NULL, *e;
        size_t j;
        json_array_foreach(old, j, e)
        {
            const char *id = json_string_value(json_object_get(e, "concern"));
            if (json_is_object(e) && id && !strcmp(id, row.concern)) {
                was = e;
                break;
            }
        }
        json_t *c = was ? json_deep_copy(was) : json_object();
        json_object_set_new(c, "concern", json_string(row.concern));
        if (!was || strcmp(row.zones, zones_shown(was, buf, sizeof buf)))
            json_object_set_new(c, "zones", zones_of(row.zones));
        merge_field(c, "severity", row.severity, "text");
        json_array_append_new(concerns, c);
    }
    json_object_set_new(stored, "concerns", concerns);
    json_t *history = json_object_get(stored, "history");
    if (!json_object_get(rec, "history")) {
        json_object_del(stored, "history");
    } else {
        if (!json_is_object(history)) {
            history = json_object();
            json_object_set_new(stored, "history", history);
        }
        for (int i = 0; i < MN_HISTORY_COUNT; i++) {
            const char *hn = mn_history_name((mn_history_item)i);
            char name[64];
            snprintf(name, sizeof name, "history.%s", hn);
            merge_field(history, hn, mn__form_get(f, name),
                        mn_history_is_numeric((mn_history_item)i) ? "number" : "bool");
        }
        merge_field(history, "date", mn__form_get(f, "history.date"), "date");
    }
    static const char *const planning[] = {"client", "concerns", "history", "lifestyle", "clinic"};
    for (size_t i = 0; i < sizeof planning / sizeof planning[0]; i++) {
        json_object_del(rec, planning[i]);
        if (json_object_get(stored, planning[i]))
            json_object_set(rec, planning[i], json_object_get(stored, planning[i]));
    }
    json_decref(stored);
}

/* The field an error message is about: the form field whose path the message names. */
static int error_field(const char *msg, char *name, size_t size)
{
    const char *p = msg ? strstr(msg, ": $.") : NULL;
    if (!p)
        return 0;
    p += 2;
    char path[128];
    size_t n = strcspn(p, ": ");
    snprintf(path, sizeof path, "%.*s", (int)n, p);
    int k;
    char rest[64];
    if (sscanf(path, "$.concerns[%d].%63[a-z_]", &k, rest) == 2 && k >= 0 &&
        k < MAX_FORM_CONCERNS) {
        snprintf(name, size, "concern%d.%s", k, rest);
        return 1;
    }
    if (sscanf(path, "$.concerns[%d]", &k) == 1 && k >= 0 && k < MAX_FORM_CONCERNS) {
        snprintf(name, size, "concern%d.concern", k);
        return 1;
    }
    if (!strncmp(path, "$.history.", 10)) {
        size_t len = strlen(path + 10);
        if (len + 9 >= size)
            return 0;
        memcpy(name, "history.", 8);
        memcpy(name + 8, path + 10, len + 1);
        return 1;
    }
    for (int i = 0; i < N_FIELDS; i++)
        if (!strncmp(path, fields[i].path, strlen(fields[i].path))) {
            snprintf(name, size, "%s", fields[i].name);
            return 1;
        }
    return 0;
}

void mn__field_error(mn__buf *b, const char *name, const char *err_field, const char *err)
{
    if (err && err_field && !strcmp(name, err_field)) {
        mn__buf_printf(b, " <span class=\"field-error\" id=\"error-");
        mn__srv_esc(b, name);
        mn__buf_printf(b, "\" role=\"alert\">");
        mn__srv_esc(b, err);
        mn__buf_printf(b, "</span>");
    }
}

void mn__input_row(mn__buf *b, const char *name, const char *label, const char *type,
                   const char *value, const char *err_field, const char *err)
{
    mn__buf_printf(b, "<p><label for=\"f-%s\">%s</label> <input id=\"f-%s\" name=\"%s\"", name,
                   label, name, name);
    if (type)
        mn__buf_printf(b, " type=\"%s\"", type);
    mn__buf_printf(b, " value=\"");
    mn__srv_esc(b, value);
    mn__buf_printf(b, "\">");
    mn__field_error(b, name, err_field, err);
    mn__buf_printf(b, "</p>");
}

/* 1 when @p f fills a concern group beyond the last one the form has (concernK.* with K at
 * least MAX_FORM_CONCERNS): more concerns than the loader takes, refused rather than dropped. */
static int concerns_beyond_form(const mn__form *f)
{
    for (int i = 0; i < f->n; i++) {
        int k, at = 0;
        if (f->values[i][0] && sscanf(f->names[i], "concern%d.%n", &k, &at) == 1 && at > 0 &&
            k >= MAX_FORM_CONCERNS)
            return 1;
    }
    return 0;
}

/* 1 when the client form has a visible field named @p name (where an error can be shown). */
static int form_shows(const char *name)
{
    for (int i = 0; i < N_FIELDS; i++)
        if (!strcmp(name, fields[i].name))
            return 1;
    if (!strcmp(name, "id") || !strcmp(name, "history.date"))
        return 1;
    if (!strncmp(name, "history.", 8))
        return mn_history_find(name + 8) >= 0;
    int k, at = 0;
    char part[16];
    return sscanf(name, "concern%d.%15[a-z]%n", &k, part, &at) == 2 && !name[at] && k >= 0 &&
           k < MAX_FORM_CONCERNS &&
           (!strcmp(part, "concern") || !strcmp(part, "zones") || !strcmp(part, "severity"));
}

/* The form for a new client (id NULL) or an edit, filled from @p posted (after an error, with
 * @p err placed beside its field: @p err_field, or else the field whose path @p err names)
 * or from the stored record. */
static void client_form(mn__call *c, const char *id, const mn__form *posted, json_t *stored,
                        const char *err, const char *err_field, int status)
{
    err = err ? mn__failure_text(status, err) : NULL;
    char ef[80] = "";
    int placed = err && error_field(err, ef, sizeof ef);
    if (err && err_field) {
        snprintf(ef, sizeof ef, "%s", err_field);
        placed = 1;
    }
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, id ? "Edit client" : "New client", "client-form");
    if (err && !placed) {
        mn__buf_printf(&b, "<p class=\"err\" id=\"error\" role=\"alert\">");
        mn__srv_esc(&b, err);
        mn__buf_printf(&b, "</p>");
    } else if (err) {
        mn__buf_printf(&b, "<p class=\"err\" id=\"error\" role=\"alert\">Not saved: see the "
                           "field marked below.</p>");
    }
    mn__buf_printf(&b, "<form id=\"client-edit\" method=\"post\" action=\"/clients%s",
                   id ? "/" : "");
    if (id)
        mn__srv_url(&b, id);
    mn__buf_printf(&b, "\">");
    mn__csrf_field(&b, c);
    char buf[1024];
    if (!id)
        mn__input_row(&b, "id", "Client id (empty: a new random one)", NULL,
                      posted ? mn__form_str(posted, "id") : "", ef, err);
    mn__buf_printf(&b, "<fieldset id=\"fs-client\"><legend>Client</legend>");
    for (int i = 0; i < N_FIELDS; i++) {
        const field *f = &fields[i];
        if (i == 8)
            mn__buf_printf(&b, "</fieldset><fieldset id=\"fs-clinic\"><legend>Lifestyle and "
                               "clinic</legend>");
        const char *v = value_of(posted, stored, f->name, buf, sizeof buf);
        mn__buf_printf(&b, "<p><label for=\"f-%s\">%s</label> ", f->name, f->label);
        if (!strcmp(f->type, "sex") || !strcmp(f->type, "bool")) {
            static const char *const sexes[] = {"", "female", "male", NULL};
            static const char *const bools[] = {"", "no", "yes", NULL};
            const char *const *opts = !strcmp(f->type, "sex") ? sexes : bools;
            mn__buf_printf(&b, "<select id=\"f-%s\" name=\"%s\">", f->name, f->name);
            for (int k = 0; opts[k]; k++)
                mn__buf_printf(&b, "<option%s>%s</option>", !strcmp(v, opts[k]) ? " selected" : "",
                               opts[k]);
            mn__buf_printf(&b, "</select>");
        } else {
            mn__buf_printf(&b, "<input id=\"f-%s\" name=\"%s\" type=\"%s\" %svalue=\"", f->name,
                           f->name, !strcmp(f->type, "number") ? "text" : f->type,
                           !strcmp(f->type, "number") ? "inputmode=\"decimal\" " : "");
            mn__srv_esc(&b, v);
            mn__buf_printf(&b, "\">");
        }
        mn__field_error(&b, f->name, ef, err);
        mn__buf_printf(&b, "</p>");
    }
    mn__buf_printf(&b, "</fieldset>");
    json_t *concerns = stored ? json_object_get(stored, "concerns") : NULL;
    int filled = (int)json_array_size(concerns);
    for (int k = 0; posted && k < MAX_FORM_CONCERNS; k++) {
        concern_row row = concern_row_of(posted, k);
        if (row.concern[0] || row.zones[0] || row.severity[0])
            filled = k + 1;
    }
    int shown = filled + 1 < MIN_FORM_CONCERNS ? MIN_FORM_CONCERNS : filled + 1;
    if (shown > MAX_FORM_CONCERNS)
        shown = MAX_FORM_CONCERNS;
    /* A posted group beyond the form's last: one more group, where its refusal is said. */
    if (posted && concerns_beyond_form(posted))
        shown = MAX_FORM_CONCERNS + 1;
    for (int k = 0; k < shown; k++) {
        json_t *sc = json_array_get(concerns, (size_t)k);
        mn__buf_printf(&b, "<fieldset id=\"fs-concern%d\"><legend>Concern %d</legend>", k, k + 1);
        static const char *const parts[] = {"concern", "zones", "severity"};
        static const char *const labels[] = {"Concern (catalogue id)",
                                             "Zones (catalogue ids, comma-separated)",
                                             "Severity (mild, moderate, severe)"};
        for (int p = 0; p < 3; p++) {
            char name[40];
            snprintf(name, sizeof name, "concern%d.%s", k, parts[p]);
            const char *v = "";
            buf[0] = '\0';
            if (posted) {
                v = mn__form_str(posted, name);
            } else if (sc && p == 1) {
                v = zones_shown(sc, buf, sizeof buf);
            } else if (sc) {
                v = shown_text(json_object_get(sc, parts[p]), buf, sizeof buf);
            }
            mn__input_row(&b, name, labels[p], NULL, v, ef, err);
        }
        mn__buf_printf(&b, "</fieldset>");
    }
    mn__buf_printf(&b, "<fieldset id=\"fs-history\"><legend>History (screening)</legend>");
    json_t *hist = stored ? json_object_get(stored, "history") : NULL;
    /* Whether the questionnaire was asked travels with the form, so that an edit of a phone
     * number neither clears nor un-asks it; a new client starts unasked. */
    const char *was_asked = posted                 ? mn__form_str(posted, "history.asked")
                            : json_is_object(hist) ? "yes"
                                                   : "";
    mn__buf_printf(&b, "<input type=\"hidden\" name=\"history.asked\" value=\"");
    mn__srv_esc(&b, was_asked);
    mn__buf_printf(&b, "\"><p class=\"hint\">Leave every answer and the date empty until the "
                       "client has answered the questionnaire: until then screening defers.</p>");
    {
        const char *d = posted ? mn__form_str(posted, "history.date") : "";
        json_t *x = json_object_get(hist, "date");
        if (!posted && json_is_string(x))
            d = json_string_value(x);
        mn__input_row(&b, "history.date", "Questionnaire answered on (YYYY-MM-DD)", "date", d, ef,
                      err);
    }
    for (int i = 0; i < MN_HISTORY_COUNT; i++) {
        const char *hn = mn_history_name((mn_history_item)i);
        int numeric = mn_history_is_numeric((mn_history_item)i);
        char name[64];
        snprintf(name, sizeof name, "history.%s", hn);
        const char *v = "";
        if (posted) {
            v = mn__form_str(posted, name);
        } else {
            v = shown_text(json_object_get(hist, hn), buf, sizeof buf);
        }
        mn__buf_printf(&b, "<p><label for=\"f-%s\">%s</label> ", name, hn);
        if (numeric) {
            mn__buf_printf(&b, "<input id=\"f-%s\" name=\"%s\" inputmode=\"decimal\" value=\"",
                           name, name);
            mn__srv_esc(&b, v);
            mn__buf_printf(&b, "\">");
        } else {
            mn__buf_printf(&b,
                           "<select id=\"f-%s\" name=\"%s\"><option%s></option><option%s>no"
                           "</option><option%s>yes</option></select>",
                           name, name, !v[0] ? " selected" : "",
                           !strcmp(v, "no") ? " selected" : "",
                           !strcmp(v, "yes") ? " selected" : "");
        }
        mn__field_error(&b, name, ef, err);
        mn__buf_printf(&b, "</p>");
    }
    mn__buf_printf(&b, "</fieldset><p><button id=\"client-save\" type=\"submit\">Save</button>"
                       "</p></form>");
    mn__page_end(&b);
    mn__page_send(c, status, &b);
}

void mn__page_client_form(mn__call *c)
{
    if (c->n_params == 0) {
        client_form(c, NULL, NULL, NULL, NULL, NULL, 200);
        return;
    }
    const char *id = c->params[0];
    mn_store_client cl;
    mn_status st = mn_store_client_get(c->w->ctx, c->w->store, id, &cl);
    if (st) {
        mn__error_page(c, st == MN_ENOTFOUND ? 404 : 500, "There is no such client.", NULL);
        return;
    }
    json_t *stored = json_loads(cl.client_json ? cl.client_json : "{}", 0, NULL);
    json_t *client = json_object_get(stored, "client");
    if (client && cl.name[0])
        json_object_set_new(client, "name", json_string(cl.name));
    json_t *identity = json_object();
    if (cl.email[0])
        json_object_set_new(identity, "email", json_string(cl.email));
    if (cl.phone[0])
        json_object_set_new(identity, "phone", json_string(cl.phone));
    if (cl.birth_date[0])
        json_object_set_new(identity, "birth_date", json_string(cl.birth_date));
    if (cl.address[0])
        json_object_set_new(identity, "address", json_string(cl.address));
    if (stored)
        json_object_set_new(stored, "identity", identity);
    else
        json_decref(identity);
    if (mn__audit_read(c, id, "edit"))
        mn__error_page(c, 500, "The record cannot be read.", mn_ctx_errmsg(c->w->ctx));
    else
        client_form(c, id, NULL, stored, NULL, NULL, 200);
    json_decref(stored);
    mn_store_client_release(&cl);
}

void mn__bad_text_words(const char *name, const char *why, int beside, char *out, size_t size)
{
    if (beside)
        snprintf(out, size, "this field %s: type it again", why);
    else
        snprintf(out, size, "Nothing was saved: the form's field %.60s %s; type it again.", name,
                 why);
}

void mn__refuse_client_form(mn__call *c, const char *name, const char *why)
{
    char msg[160];
    int beside = form_shows(name);
    mn__bad_text_words(name, why, beside, msg, sizeof msg);
    client_form(c, c->n_params ? c->params[0] : NULL, &c->form, NULL, msg, beside ? name : NULL,
                422);
}

void mn__post_client(mn__call *c)
{
    const char *id = c->n_params ? c->params[0] : NULL;
    /* What the form cannot carry into a record is refused beside its field, never cut short
     * (a NUL byte) or dropped (bytes not UTF-8, which JSON cannot hold): the handler has done
     * that (mn__refuse_client_form); nor is a concern group beyond the form's last left out. */
    if (concerns_beyond_form(&c->form)) {
        char msg[160], field_name[40];
        snprintf(field_name, sizeof field_name, "concern%d.concern", MAX_FORM_CONCERNS);
        snprintf(msg, sizeof msg,
                 "at most %d concerns can be planned for one client: leave this group empty",
                 MAX_FORM_CONCERNS);
        client_form(c, id, &c->form, NULL, msg, field_name, 422);
        return;
    }
    json_t *rec = form_record(&c->form);
    if (id) {
        char *input = NULL;
        mn_status got = mn_store_client_input(c->w->ctx, c->w->store, id, &input);
        if (got == MN_ENOTFOUND) {
            json_decref(rec);
            mn__error_page(c, 404, "There is no such client.", NULL);
            return;
        }
        json_t *stored = got ? NULL : json_loads(input, 0, NULL);
        free(input);
        if (!json_is_object(stored)) {
            json_decref(stored);
            json_decref(rec);
            mn__error_page(c, 500, "The record cannot be read.", NULL);
            return;
        }
        merge_stored(rec, &c->form, stored);
    }
    json_t *client = json_object_get(rec, "client");
    /* The name goes to the identity (store.h: client.name moves there on add; on update the
     * identity part replaces the details, so it is set there explicitly). */
    json_t *identity = json_object_get(rec, "identity");
    if (client && json_object_get(client, "name")) {
        if (!identity) {
            identity = json_object();
            json_object_set_new(rec, "identity", identity);
        }
        json_object_set(identity, "name", json_object_get(client, "name"));
        if (id)
            json_object_del(client, "name");
    }
    char *text = mn__srv_dump(rec);
    json_decref(rec);
    if (!text) {
        mn__error_page(c, 500, "Out of memory.", NULL);
        return;
    }
    mn_status st;
    char new_id[MN_STORE_ID_LEN] = "";
    if (id) {
        st = mn_store_client_update(c->w->ctx, c->w->store, id, "form", text, strlen(text));
    } else {
        const char *want = mn__form_str(&c->form, "id");
        st = mn_store_client_add(c->w->ctx, c->w->store, "form", text, strlen(text),
                                 want[0] ? want : NULL, new_id);
    }
    mn__free(text);
    if (st == MN_ENOTFOUND && id && strstr(mn_ctx_errmsg(c->w->ctx), "no client")) {
        mn__error_page(c, 404, "There is no such client.", NULL);
        return;
    }
    if (st) {
        client_form(c, id, &c->form, NULL, mn_ctx_errmsg(c->w->ctx), NULL,
                    mn_status_is_input_error(st) ? 422 : 500);
        return;
    }
    mn__redirect_client(c, id ? id : new_id, id ? "Client saved." : "Client added.");
}
