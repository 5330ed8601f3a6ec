/*
 * Pages over a client's plan and records: the plan with its report and figure, exports,
 * session charting, scores, adverse events on their own, re-plan, recall and catalogues.
 * Each calls the library as the matching command does (cli/cmd_plan.c, cmd_record.c,
 * cmd_replan.c, cmd_recall.c, cmd_export.c, cmd_catalog.c): the same loaders check the input
 * and the same writers format the output.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mneedle/plot.h"
#include "mneedle/report.h"
#include "report/plot_internal.h"
#include "report/records_internal.h"
#include "server/server_internal.h"

/* Builds the plan of client @p id from the stored input, dated today, as `mneedle plan ID
 * --save` does; @p input_out (may be NULL) receives the input it was made from (free()). */
static mn_status build_plan_from(mn__call *c, const char *id, mn_plan **out, char **input_out)
{
    mn_ctx *ctx = c->w->ctx;
    mn_plan_options popts;
    mn_plan_options_init(&popts);
    mn_status st = mn_date_today(ctx, &popts.prepared);
    popts.has_prepared = st == MN_OK;
    char *input = NULL;
    mn_client client;
    if (!st)
        st = mn_store_client_input(ctx, c->w->store, id, &input);
    if (!st) {
        char src[80];
        snprintf(src, sizeof src, "client %s", id);
        st = mn_client_parse(ctx, src, input, strlen(input), &client);
    }
    if (!st)
        st = mn_plan_build(ctx, &client, &popts, out);
    if (input_out && !st)
        *input_out = input;
    else
        free(input);
    return st;
}

static mn_status build_plan(mn__call *c, const char *id, mn_plan **out)
{
    return build_plan_from(c, id, out, NULL);
}

static void fail(mn__call *c, mn_status st, const char *what)
{
    if (st == MN_ENOTFOUND && strstr(mn_ctx_errmsg(c->w->ctx), "no client"))
        mn__error_page(c, 404, "There is no such client.", NULL);
    else
        mn__error_page(c, mn_status_is_input_error(st) ? 422 : 500, what, mn_ctx_errmsg(c->w->ctx));
}

static void client_link(mn__buf *b, const char *id, const char *suffix)
{
    mn__buf_printf(b, "/clients/");
    mn__srv_url(b, id);
    mn__buf_printf(b, "%s", suffix);
}

static void back_link(mn__buf *b, const char *id)
{
    mn__buf_printf(b, "<p><a id=\"back\" href=\"");
    client_link(b, id, "");
    mn__buf_printf(b, "\">Back to client ");
    mn__srv_esc(b, id);
    mn__buf_printf(b, "</a></p>");
}

/* The projection figure of a plan as SVG (the report's figure code, src/report/plot*.c). */
static mn_status render_svg(mn__call *c, const mn_plan *plan, mn__buf *out)
{
    int n = plan->n_projection;
    if (n < 2)
        return mn__error(c->w->ctx, MN_ENOTFOUND, "this plan has no projection");
    double *x = mn__calloc((size_t)n * 4, sizeof *x);
    if (!x)
        return mn__error(c->w->ctx, MN_ENOMEM, "out of memory");
    double *y = x + n, *lo = x + 2 * n, *hi = x + 3 * n;
    for (int i = 0; i < n; i++) {
        x[i] = plan->projection[i].day;
        y[i] = plan->projection[i].improvement_pct;
        lo[i] = plan->projection[i].low_pct;
        hi[i] = plan->projection[i].high_pct;
    }
    mn_plot_chart ch;
    mn__improvement_chart_init(&ch, "Projected improvement",
                               "Simulation for a typical person with this input, 10-90 % band; "
                               "not a promise.");
    ch.series[0] = (mn_plot_series){"typical person", x, y, lo, hi, n, 0, MN_LINE_SOLID};
    ch.n_series = 1;
    mn_status st =
        mn_plot_chart_render(c->w->ctx, &ch, MN_PLOT_SVG, mn__buf_writer, out, NULL, NULL);
    mn__free(x);
    return st;
}

/* The plan as `mneedle plan` writes it in text. */
static mn_status render_text(mn__call *c, const mn_plan *plan, mn__buf *out)
{
    return mn_plan_write(c->w->ctx, plan, 0, mn__buf_writer, out);
}

void mn__page_plan(mn__call *c)
{
    const char *id = c->params[0];
    int svg = !strcmp(mn__form_str(&c->query, "figure"), "svg");
    mn__buf b, text;
    mn__buf_init(&b);
    mn__buf_init(&text);
    mn_status st =
        mn__plan_output(c, id, svg ? "svg" : "text", svg ? render_svg : render_text, &text);
    if (!st)
        st = mn__audit_read(c, id, "plan");
    if (st) {
        mn__buf_release(&text);
        if (svg && st == MN_ENOTFOUND && strstr(mn_ctx_errmsg(c->w->ctx), "no projection"))
            mn__error_page(c, 404, "This plan has no projection.", NULL);
        else
            fail(c, st, "The plan cannot be made from this client's input.");
        return;
    }
    if (svg) {
        c->resp->status = 200;
        mn__resp_body(c->resp, &text, "image/svg+xml");
        mn__buf_release(&text);
        return;
    }
    mn__page_begin(&b, c, "Plan", "plan");
    back_link(&b, id);
    mn__buf_printf(&b, "<div class=\"actions\" id=\"plan-actions\"><a id=\"report-html\" "
                       "href=\"");
    client_link(&b, id, "/report.html");
    mn__buf_printf(&b, "\">Report (HTML)</a><a id=\"report-pdf\" href=\"");
    client_link(&b, id, "/report.pdf");
    mn__buf_printf(&b, "\">Report (PDF, printed by WeasyPrint: takes a few seconds)</a>");
    static const char *const ex[] = {"ics", "fhir.json", "csv"};
    for (int i = 0; i < 3; i++) {
        mn__buf_printf(&b, "<a id=\"export-%.4s\" href=\"", ex[i]);
        client_link(&b, id, "/export.");
        mn__buf_printf(&b, "%s\">Export %s</a>", ex[i], ex[i]);
    }
    if (c->sess->role >= MN_ROLE_PRACTITIONER) {
        mn__buf_printf(&b, "<form id=\"plan-save\" method=\"post\" action=\"");
        client_link(&b, id, "/plan");
        mn__buf_printf(&b, "\">");
        mn__csrf_field(&b, c);
        mn__buf_printf(&b, "<button id=\"plan-save-submit\" type=\"submit\">Save this plan to "
                           "the record</button></form>");
    }
    mn__buf_printf(&b, "</div><p class=\"sim\">Projections are simulations with uncertainty, "
                       "never promised results.</p><pre id=\"plan-text\" tabindex=\"0\">");
    mn__buf_append(&text, "", 1); /* a string for the escaper */
    if (!mn__buf_status(&text))
        mn__srv_esc_pre(&b, text.data);
    mn__buf_printf(&b, "</pre>");
    mn__page_end(&b);
    mn__buf_release(&text);
    mn__page_send(c, 200, &b);
}

void mn__post_plan(mn__call *c)
{
    const char *id = c->params[0];
    mn_plan *plan = NULL;
    mn__buf json;
    mn__buf_init(&json);
    long plan_id = 0;
    char *input = NULL;
    mn_status st = build_plan_from(c, id, &plan, &input);
    if (!st)
        st = mn_plan_write(c->w->ctx, plan, 1, mn__buf_writer, &json);
    if (!st)
        st = mn_store_plan_save_input(c->w->ctx, c->w->store, id, json.data, json.len, input,
                                      &plan_id);
    free(input);
    mn__buf_release(&json);
    mn_plan_free(plan);
    if (st) {
        fail(c, st, "The plan was not saved.");
        return;
    }
    char msg[96];
    snprintf(msg, sizeof msg, "Plan saved (plan %ld).", plan_id);
    mn__redirect_client(c, id, msg);
}

/* The HTML report; the PDF is made in the background (pdf_jobs.c). */
void mn__page_report(mn__call *c)
{
    const char *id = c->params[0];
    mn_plan *plan = NULL;
    mn_status st = build_plan(c, id, &plan);
    if (st) {
        fail(c, st, "The plan cannot be made from this client's input.");
        return;
    }
    if ((st = mn__audit_read(c, id, "report"))) {
        mn_plan_free(plan);
        fail(c, st, "The record cannot be read.");
        return;
    }
    mn__buf b;
    mn__buf_init(&b);
    st = mn_plan_report_html(c->w->ctx, plan, mn__buf_writer, &b);
    mn_plan_free(plan);
    if (st) {
        mn__buf_release(&b);
        fail(c, st, "The report cannot be written.");
        return;
    }
    c->resp->status = 200;
    mn__resp_body(c->resp, &b, "text/html; charset=utf-8");
    mn__buf_release(&b);
}

void mn__page_export(mn__call *c)
{
    const char *id = c->params[0];
    const char *path = c->route; /* the route matched: its ending names the format */
    mn_store_history *h = NULL;
    mn_date today;
    mn_status st = mn_date_today(c->w->ctx, &today);
    if (!st)
        st = mn__history_read(c, id, "export", &h);
    mn__buf b;
    mn__buf_init(&b);
    const char *type = "text/plain", *name = "export.txt";
    if (!st) {
        mn_store_history *const hs[1] = {h};
        size_t n = strlen(path);
        if (n > 4 && !strcmp(path + n - 4, ".ics")) {
            st = mn_store_ics_write(c->w->ctx, hs, 1, today, mn__buf_writer, &b);
            type = "text/calendar; charset=utf-8";
            name = "visits.ics";
        } else if (n > 10 && !strcmp(path + n - 10, ".fhir.json")) {
            st = mn_store_fhir_write(c->w->ctx, hs, 1, mn__buf_writer, &b);
            type = "application/fhir+json";
            name = "record.fhir.json";
        } else {
            st = mn_store_csv_write(c->w->ctx, hs, 1, mn__buf_writer, &b);
            type = "text/csv; charset=utf-8";
            name = "record.csv";
        }
    }
    mn_store_history_free(h);
    if (st) {
        mn__buf_release(&b);
        fail(c, st, "The export cannot be made.");
        return;
    }
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
    c->resp->status = 200;
    mn__resp_header(c->resp, "Content-Disposition", disp);
    mn__resp_body(c->resp, &b, type);
    mn__buf_release(&b);
}

/* ---- charting a session ---- */

enum { MAX_FORM_ZONES = 12 };

static const char *const session_text[][2] = {
    {"device", "Device (catalogue id)"}, {"serial", "Device serial"},
    {"cartridge_lot", "Cartridge lot"},  {"serum", "Serum"},
    {"serum_lot", "Serum lot"},          {"endpoint", "Clinical endpoint reached"},
    {"reactions", "Reactions"},
};
enum { N_SESSION_TEXT = sizeof session_text / sizeof session_text[0] };

/* The client's timeline for a form drawn from it, the read audited under @p what; NULL
 * once the error page is answered. Free with mn_store_history_free(). */
static mn_store_history *form_history(mn__call *c, const char *id, const char *what)
{
    mn_store_history *h = NULL;
    mn_status st = mn__history_read(c, id, what, &h);
    if (st)
        fail(c, st, "The record cannot be read.");
    return h;
}

static void session_form(mn__call *c, const char *id, const mn__form *posted, const char *errmsg,
                         int status)
{
    /* A copy: the reads below reset the context's message, which @p errmsg may be. */
    char err_copy[1024];
    const char *err = NULL;
    if (errmsg) {
        snprintf(err_copy, sizeof err_copy, "%s", mn__failure_text(status, errmsg));
        err = err_copy;
    }
    mn_store_history *h = form_history(c, id, "chart");
    if (!h)
        return;
    const mn_store_planned_visit *v =
        h->n_sessions < h->n_planned ? &h->planned[h->n_sessions] : NULL;
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Chart a session", "session-form");
    back_link(&b, id);
    /* The one field the library's message can be placed beside: the adverse events, which
     * the clinician states each time (never pre-filled, so "none" is a statement). */
    const char *placed = err && strstr(err, ".adverse_events") ? "adverse_events" : NULL;
    if (err) {
        mn__buf_printf(&b, "<p class=\"err\" id=\"error\" role=\"alert\">");
        if (placed)
            mn__buf_printf(&b, "Not recorded: see the field marked below.");
        else
            mn__srv_esc(&b, err);
        mn__buf_printf(&b, "</p>");
    }
    if (h->plan_id && h->plan_stale == 1) {
        mn__stale_notice(&b, id, h->plan_id, h->plan_created);
    }
    mn__questionnaire_notice(c, &b, id);
    char d[16];
    if (v)
        mn__buf_printf(&b,
                       "<p id=\"planned-visit\">Pre-filled from the saved plan: visit %d, "
                       "planned for %s. A zone deeper or with more passes than this visit's "
                       "setting, beyond the plan's maximum or the device's range, more than "
                       "the plan's rise per visit above its last session, or sooner than its "
                       "minimum interval is refused unless you give a reason to override; a "
                       "lighter setting is recorded with a warning."
                       "</p>",
                       v->number, mn_date_format(v->date, d));
    else
        mn__buf_printf(&b, "<p id=\"planned-visit\">%s</p>",
                       h->plan_id ? "Every planned visit has been charted: settings are not "
                                    "pre-filled."
                                  : "No plan is saved for this client: save one first (the "
                                    "session is checked against it).");
    mn__buf_printf(&b, "<form id=\"session-chart\" method=\"post\" action=\"");
    client_link(&b, id, "/sessions");
    mn__buf_printf(&b, "\">");
    mn__csrf_field(&b, c);
    mn_date today;
    mn_date_today(c->w->ctx, &today);
    mn__buf_printf(&b, "<p><label for=\"f-date\">Date</label> <input id=\"f-date\" name=\"date\" "
                       "type=\"date\" required value=\"");
    mn__srv_esc(&b, posted ? mn__form_str(posted, "date") : mn_date_format(today, d));
    mn__buf_printf(&b, "\"></p>");
    /* The device the plan was made for (the client's clinic.device, SkinPen when absent),
     * read by the same loader as the plan. */
    char device[64] = "";
    char *input = NULL;
    mn_client client;
    if (!posted && mn_store_client_input(c->w->ctx, c->w->store, id, &input) == MN_OK &&
        mn_client_parse(c->w->ctx, "client", input, strlen(input), &client) == MN_OK &&
        client.device)
        snprintf(device, sizeof device, "%s", client.device->id);
    free(input);
    mn_ctx_clear_error(c->w->ctx);
    for (int i = 0; i < N_SESSION_TEXT; i++) {
        const char *text = posted ? mn__form_str(posted, session_text[i][0]) : i == 0 ? device : "";
        mn__input_row(&b, session_text[i][0], session_text[i][1], NULL, text, NULL, NULL);
    }
    mn__buf_printf(&b, "<table id=\"session-zones\"><thead><tr><th>Zone</th><th>Depth (mm)</th>"
                       "<th>Passes</th><th>Plan</th></tr></thead><tbody>");
    int rows = v ? v->n_settings : 0;
    if (posted || rows == 0)
        rows = MAX_FORM_ZONES < 4 ? MAX_FORM_ZONES : 4;
    if (v && v->n_settings > rows)
        rows = v->n_settings;
    if (rows > MAX_FORM_ZONES)
        rows = MAX_FORM_ZONES;
    for (int k = 0; k < rows; k++) {
        char zn[24], dn[24], pn[24], buf[32];
        snprintf(zn, sizeof zn, "zone%d", k);
        snprintf(dn, sizeof dn, "depth%d", k);
        snprintf(pn, sizeof pn, "passes%d", k);
        const mn_store_setting *s = v && k < v->n_settings ? &v->settings[k] : NULL;
        mn__buf_printf(&b,
                       "<tr><td><input aria-label=\"zone %d\" id=\"f-%s\" name=\"%s\" "
                       "value=\"",
                       k + 1, zn, zn);
        mn__srv_esc(&b, posted ? mn__form_str(posted, zn) : s ? s->zone : "");
        mn__buf_printf(&b,
                       "\"></td><td><input aria-label=\"depth %d\" id=\"f-%s\" name=\"%s\" "
                       "inputmode=\"decimal\" value=\"",
                       k + 1, dn, dn);
        /* After an adverse event that steps the zone down (PIH), the deepest the session may
         * go without a reason, as record session checks it; the plan's setting beside it. */
        double stepped = 0;
        int lowered = s &&
                      mn_store_step_down_max(c->w->ctx, h, s->zone, h->n_sessions, 0, &stepped) &&
                      stepped < s->depth_mm - 1e-6;
        /* No more than the plan's rise per visit above the zone's last session, as record
         * session checks it (a session lighter than planned before this one). */
        mn_store_rise rise;
        double deepest = lowered ? stepped : s ? s->depth_mm : 0;
        int held = s && mn_store_rise_max(c->w->ctx, h, s->zone, h->n_sessions, &rise) &&
                   rise.max_mm < deepest - 1e-6;
        if (held)
            deepest = rise.max_mm;
        if (s)
            snprintf(buf, sizeof buf, "%g", deepest);
        mn__srv_esc(&b, posted ? mn__form_str(posted, dn) : s ? buf : "");
        mn__buf_printf(&b,
                       "\"></td><td><input aria-label=\"passes %d\" id=\"f-%s\" name=\"%s\" "
                       "inputmode=\"decimal\" value=\"",
                       k + 1, pn, pn);
        if (s)
            snprintf(buf, sizeof buf, "%g", s->passes);
        mn__srv_esc(&b, posted ? mn__form_str(posted, pn) : s ? buf : "");
        mn__buf_printf(&b, "\"></td><td>");
        if (s)
            mn__buf_printf(&b, "%.2f mm &times; %g", s->depth_mm, s->passes);
        if (lowered)
            mn__buf_printf(&b,
                           "; <span class=\"step-down\">at most %.2f mm after an adverse "
                           "event (see Re-plan)</span>",
                           stepped);
        if (held) {
            char on[16];
            mn__buf_printf(&b,
                           "; <span class=\"rise-held\">at most %.2f mm: %.2f mm a visit above "
                           "the %.2f mm of the session of %s</span>",
                           rise.max_mm, rise.rise_mm, rise.last_mm,
                           mn_date_format(rise.last_date, on));
        }
        mn__buf_printf(&b, "</td></tr>");
    }
    mn__buf_printf(&b, "</tbody></table>");
    mn__buf_printf(&b, "<p><label for=\"f-adverse\">Adverse events (required: \"none\", or one "
                       "per line: event; severity)</label><br><textarea id=\"f-adverse\" "
                       "name=\"adverse_events\" rows=\"3\" required>");
    mn__srv_esc(&b, posted ? mn__form_str(posted, "adverse_events") : "");
    mn__buf_printf(&b, "</textarea>");
    mn__field_error(&b, "adverse_events", placed, err);
    mn__buf_printf(&b, "</p><p><label for=\"f-override\">Override reason (only to "
                       "go beyond the plan or device; name no one)</label> <input "
                       "id=\"f-override\" name=\"override\" value=\"");
    mn__srv_esc(&b, posted ? mn__form_str(posted, "override") : "");
    mn__buf_printf(&b, "\"></p><p><button id=\"session-save\" type=\"submit\">Record the "
                       "session</button></p></form>");
    mn__page_end(&b);
    mn_store_history_free(h);
    mn__page_send(c, status, &b);
}

void mn__page_session_form(mn__call *c)
{
    session_form(c, c->params[0], NULL, NULL, 200);
}

/* A number typed in a form as JSON (the text itself when it is not one, for the loader to
 * name). */
static json_t *number_or_text(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end != s && !*end ? json_real(v) : json_string(s);
}

/* The session number a form names, as an integer (the text itself when it is not one, for
 * the loader to name); nothing when the field is empty. */
static void set_session_number(json_t *record, const mn__form *f)
{
    const char *s = mn__form_str(f, "session");
    if (!s[0])
        return;
    char *end;
    long n = strtol(s, &end, 10);
    json_object_set_new(record, "session", *end ? json_string(s) : json_integer(n));
}

/* A form drawn again, filled from @p posted, with @p err beside its field. */
typedef void (*record_form_fn)(mn__call *c, const char *id, const mn__form *posted, const char *err,
                               int status);

/* The answer to a record's form once the library has checked it and stored it or not: the
 * form again with the library's message (422) when the input is at fault, the error page
 * saying @p not_done when the client is missing or the store failed, else the client's page
 * with @p done. */
static void answer_record(mn__call *c, const char *id, mn_status st, record_form_fn form,
                          const char *not_done, const char *done)
{
    if (st) {
        if (mn_status_is_input_error(st) && !strstr(mn_ctx_errmsg(c->w->ctx), "no client"))
            form(c, id, &c->form, mn_ctx_errmsg(c->w->ctx), 422);
        else
            fail(c, st, not_done);
        return;
    }
    mn__redirect_client(c, id, done);
}

/* A library call that checks and stores records given as text from @p src. */
typedef mn_status (*record_fn)(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                               size_t len, int *n_recorded);

/* Stores @p record (taken) as one record of the form's, through the same call as a file of
 * them, and answers as answer_record(). */
static void record_and_answer(mn__call *c, const char *id, json_t *record, record_fn store,
                              record_form_fn form, const char *not_done, const char *done)
{
    char *text = mn__srv_dump(record);
    json_decref(record);
    int n = 0;
    mn_status st = text ? store(c->w->ctx, c->w->store, "form", text, strlen(text), &n) : MN_ENOMEM;
    mn__free(text);
    answer_record(c, id, st, form, not_done, done);
}

void mn__post_session(mn__call *c)
{
    const char *id = c->params[0];
    const mn__form *f = &c->form;
    json_t *s = json_object();
    json_object_set_new(s, "client", json_string(id));
    json_object_set_new(s, "date", json_string(mn__form_str(f, "date")));
    for (int i = 0; i < N_SESSION_TEXT; i++) {
        const char *v = mn__form_str(f, session_text[i][0]);
        if (v[0])
            json_object_set_new(s, session_text[i][0], json_string(v));
    }
    json_t *zones = json_array();
    for (int k = 0; k < MAX_FORM_ZONES; k++) {
        const char *zone = mn__form_nth(f, "zone", k, "");
        if (!zone[0])
            continue;
        json_t *z = json_object();
        json_object_set_new(z, "zone", json_string(zone));
        json_object_set_new(z, "depth_mm", number_or_text(mn__form_nth(f, "depth", k, "")));
        json_object_set_new(z, "passes", number_or_text(mn__form_nth(f, "passes", k, "")));
        json_array_append_new(zones, z);
    }
    json_object_set_new(s, "zones", zones);
    json_t *aes = json_array();
    char *lines = mn__strdup(mn__form_str(f, "adverse_events")); /* decoded once, with the form */
    for (char *save = NULL, *line = lines ? strtok_r(lines, "\r\n", &save) : NULL; line;
         line = strtok_r(NULL, "\r\n", &save)) {
        while (*line == ' ')
            line++;
        if (!*line)
            continue;
        if (!strcmp(line, "none")) {
            json_array_append_new(aes, json_string("none"));
            continue;
        }
        json_t *e = json_object();
        char *semi = strchr(line, ';');
        if (semi) {
            *semi = '\0';
            char *sev = semi + 1;
            while (*sev == ' ')
                sev++;
            json_object_set_new(e, "severity", json_string(sev));
        }
        json_object_set_new(e, "event", json_string(line));
        json_array_append_new(aes, e);
    }
    mn__free(lines);
    json_object_set_new(s, "adverse_events", aes);
    char *text = mn__srv_dump(s);
    json_decref(s);
    const char *override = mn__form_str(f, "override");
    int n = 0;
    mn_warnings warnings = {0};
    mn_status st =
        text ? mn_store_record_sessions_warn(c->w->ctx, c->w->store, "form", text, strlen(text),
                                             override[0] ? override : NULL, &n, &warnings)
             : MN_ENOMEM;
    mn__free(text);
    /* Recorded, as done; what the planner would not have booked (a session closer than the
     * concern's minimum interval, with an override; a setting lighter than the visit's) is
     * said on the client page, as the command says it on
     * stderr: the first warning, and how many more there were. The message travels in the
     * redirect's Location (mn__redirect drops one that does not fit a header), so a warning too
     * long for it once URL-encoded is said in short. */
    /* A reason given for a session within the plan overrides nothing and is not stored: the
     * warning says so, and the page does not claim it was kept. */
    int unused = 0;
    for (int i = 0; i < warnings.n; i++)
        unused |= !strcmp(warnings.items[i].code, "override_not_needed");
    const char *recorded = override[0] && !unused ? "Session recorded, with the override reason."
                                                  : "Session recorded.";
    char done[sizeof warnings.items[0].message + 128];
    int more = warnings.n + warnings.dropped - 1;
    snprintf(done, sizeof done, "%s%s%s", recorded, warnings.n ? " Warning: " : "",
             warnings.n ? warnings.items[0].message : "");
    if (more > 0) {
        size_t len = strlen(done);
        snprintf(done + len, sizeof done - len, " (%d more such warning%s)", more,
                 more == 1 ? "" : "s");
    }
    size_t encoded = 0;
    for (const char *p = done; *p; p++)
        encoded += isalnum((unsigned char)*p) || strchr("-_.~", *p) ? 1 : 3;
    if (warnings.n &&
        encoded + strlen(id) * 3 + 32 + MN__REDIRECT_SIG_LEN > sizeof c->resp->headers[0].value)
        snprintf(done, sizeof done, "%s Warning: %s", recorded,
                 !strcmp(warnings.items[0].code, "settings_below_plan")
                     ? "a zone was treated lighter than the plan's setting for this visit."
                 : !strcmp(warnings.items[0].code, "override_not_needed")
                     ? "the session breaks no rule of the plan, so the override reason was "
                       "not stored."
                     : "it came closer to another session of a zone than the minimum "
                       "interval of the concern treated there (its catalogue entry).");
    answer_record(c, id, st, session_form, "The session was not recorded.", done);
}

/* The refusals of a record's form holding what no record can keep (mn__bad_text_words): the
 * form again with the words above it. */
static void refuse_record_form(mn__call *c, const char *field, const char *why, record_form_fn form)
{
    char msg[160];
    mn__bad_text_words(field, why, 0, msg, sizeof msg);
    form(c, c->params[0], &c->form, msg, 422);
}

void mn__refuse_session_form(mn__call *c, const char *field, const char *why)
{
    refuse_record_form(c, field, why, session_form);
}

/* ---- scores ---- */

static void assessment_form(mn__call *c, const char *id, const mn__form *posted, const char *err,
                            int status)
{
    err = err ? mn__failure_text(status, err) : NULL;
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Record a score", "assessment-form");
    back_link(&b, id);
    if (err) {
        mn__buf_printf(&b, "<p class=\"err\" id=\"error\" role=\"alert\">");
        mn__srv_esc(&b, err);
        mn__buf_printf(&b, "</p>");
    }
    mn__buf_printf(&b, "<form id=\"assessment-record\" method=\"post\" action=\"");
    client_link(&b, id, "/assessments");
    mn__buf_printf(&b, "\">");
    mn__csrf_field(&b, c);
    /* The scales of the catalogue, each with its range (data/scales.json). */
    mn__buf_printf(&b, "<p><label for=\"f-scale\">Scale</label> <select id=\"f-scale\" "
                       "name=\"scale\">");
    const char *chosen = posted ? mn__form_str(posted, "scale") : "";
    mn_scale sc;
    for (int i = 0; mn_store_scale_at(c->w->ctx, i, &sc) == MN_OK; i++) {
        mn__buf_printf(&b, "<option value=\"");
        mn__srv_esc(&b, sc.id);
        mn__buf_printf(&b, "\"%s>", !strcmp(chosen, sc.id) ? " selected" : "");
        mn__srv_esc(&b, sc.name);
        mn__buf_printf(&b, " (%g to %g%s)</option>", sc.min, sc.max,
                       sc.higher_better ? ", higher is better" : ", lower is better");
    }
    mn_ctx_clear_error(c->w->ctx);
    mn__buf_printf(&b, "</select></p>");
    static const char *const fields[][3] = {{"date", "Date", "date"},
                                            {"score", "Score", "text"},
                                            {"rater", "Rater", "text"},
                                            {"zone", "Zone (optional)", "text"},
                                            {"session", "Session number (optional)", "text"}};
    char d[16];
    mn_date today;
    mn_date_today(c->w->ctx, &today);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = posted ? mn__form_str(posted, fields[i][0]) : "";
        if (!posted && !strcmp(fields[i][0], "date"))
            v = mn_date_format(today, d);
        if (!posted && !strcmp(fields[i][0], "rater"))
            v = c->sess->user;
        mn__input_row(&b, fields[i][0], fields[i][1], fields[i][2], v, NULL, NULL);
    }
    mn__buf_printf(&b, "<p><button id=\"assessment-save\" type=\"submit\">Record the score"
                       "</button></p></form>");
    mn__page_end(&b);
    mn__page_send(c, status, &b);
}

void mn__page_assessment_form(mn__call *c)
{
    mn_store_client cl;
    mn_status st = mn_store_client_get(c->w->ctx, c->w->store, c->params[0], &cl);
    if (st) {
        fail(c, st, "The record cannot be read.");
        return;
    }
    mn_store_client_release(&cl);
    assessment_form(c, c->params[0], NULL, NULL, 200);
}

void mn__refuse_assessment_form(mn__call *c, const char *field, const char *why)
{
    refuse_record_form(c, field, why, assessment_form);
}

void mn__post_assessment(mn__call *c)
{
    const char *id = c->params[0];
    const mn__form *f = &c->form;
    json_t *a = json_object();
    json_object_set_new(a, "client", json_string(id));
    json_object_set_new(a, "date", json_string(mn__form_str(f, "date")));
    json_object_set_new(a, "scale", json_string(mn__form_str(f, "scale")));
    json_object_set_new(a, "score", number_or_text(mn__form_str(f, "score")));
    json_object_set_new(a, "rater", json_string(mn__form_str(f, "rater")));
    if (mn__form_str(f, "zone")[0])
        json_object_set_new(a, "zone", json_string(mn__form_str(f, "zone")));
    set_session_number(a, f);
    record_and_answer(c, id, a, mn_store_record_assessments, assessment_form,
                      "The score was not recorded.", "Score recorded.");
}

/* ---- adverse events on their own ---- */

/* The kind chosen for an event the catalogue does not name: the form's own value, sent to
 * the library as free text in "event" (docs/records.md); no catalogue kind may take it. */
static const char OTHER_KIND[] = MN_ADVERSE_KIND_OTHER;

/* The form's fields are the keys of the record mn_store_record_adverse_events() reads, so
 * the field its message names ("form: $.severity: ...") is the one the error goes beside. */
static const char *const adverse_fields[] = {"date",     "session",  "kind", "event",
                                             "severity", "resolved", NULL};

static const char *adverse_error_field(const char *err)
{
    const char *p = err ? strstr(err, ": $.") : NULL;
    if (!p)
        return NULL;
    p += 4;
    size_t n = strcspn(p, ":.[ ");
    for (int i = 0; adverse_fields[i]; i++)
        if (strlen(adverse_fields[i]) == n && !strncmp(p, adverse_fields[i], n))
            return adverse_fields[i];
    return NULL;
}

static void adverse_option(mn__buf *b, const char *value, const char *chosen, const char *label)
{
    mn__buf_printf(b, "<option value=\"");
    mn__srv_esc(b, value);
    mn__buf_printf(b, "\"%s>", !strcmp(value, chosen) ? " selected" : "");
    mn__srv_esc(b, label);
    mn__buf_printf(b, "</option>");
}

/* The form, empty or filled from @p posted with @p err (the library's message) beside the
 * field it names. The session choice lists the client's sessions, so the form is a read of
 * the record and audited as one. */
static void adverse_event_form(mn__call *c, const char *id, const mn__form *posted,
                               const char *errmsg, int status)
{
    /* A copy: the reads below reset the context's message, which @p errmsg may be. */
    char err_copy[1024];
    const char *err = NULL;
    if (errmsg) {
        snprintf(err_copy, sizeof err_copy, "%s", mn__failure_text(status, errmsg));
        err = err_copy;
    }
    mn_store_history *h = form_history(c, id, "adverse-event");
    if (!h)
        return;
    const char *placed = adverse_error_field(err);
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Record an adverse event", "adverse-event-form");
    back_link(&b, id);
    if (err) {
        mn__buf_printf(&b, "<p class=\"err\" id=\"error\" role=\"alert\">");
        if (placed)
            mn__buf_printf(&b, "Not recorded: see the field marked below.");
        else
            mn__srv_esc(&b, err);
        mn__buf_printf(&b, "</p>");
    }
    mn__buf_printf(&b, "<p>An event reported at a follow-up or by phone. Events seen during a "
                       "session are recorded with the session.</p>");
    mn__buf_printf(&b, "<form id=\"adverse-event-record\" method=\"post\" action=\"");
    client_link(&b, id, "/adverse-events");
    mn__buf_printf(&b, "\">");
    mn__csrf_field(&b, c);
    char d[16], num[16];
    mn_date today;
    mn_date_today(c->w->ctx, &today);
    mn__buf_printf(&b, "<p><label for=\"f-date\">Date it began</label> <input id=\"f-date\" "
                       "name=\"date\" type=\"date\" required value=\"");
    mn__srv_esc(&b, posted ? mn__form_str(posted, "date") : mn_date_format(today, d));
    mn__buf_printf(&b, "\">");
    mn__field_error(&b, "date", placed, err);
    /* The sessions by number, as the library counts them (1-based, in date order). */
    const char *chosen = posted ? mn__form_str(posted, "session") : "";
    mn__buf_printf(&b, "</p><p><label for=\"f-session\">Session it followed (optional)</label> "
                       "<select id=\"f-session\" name=\"session\">");
    adverse_option(&b, "", chosen, "none");
    for (int i = 0; i < h->n_sessions; i++) {
        char label[64];
        snprintf(num, sizeof num, "%d", i + 1);
        snprintf(label, sizeof label, "session %d on %s", i + 1,
                 mn_date_format(h->sessions[i].date, d));
        adverse_option(&b, num, chosen, label);
    }
    mn__buf_printf(&b, "</select>");
    mn__field_error(&b, "session", placed, err);
    /* The kinds of the catalogue (data/adverse_events.json), then free text. */
    chosen = posted ? mn__form_str(posted, "kind") : "";
    mn__buf_printf(&b, "</p><p><label for=\"f-kind\">Kind</label> <select id=\"f-kind\" "
                       "name=\"kind\">");
    adverse_option(&b, "", chosen, "(choose a kind)");
    mn_adverse_kind k;
    for (int i = 0; mn_store_adverse_kind_at(c->w->ctx, i, &k) == MN_OK; i++)
        adverse_option(&b, k.id, chosen, k.name);
    mn_ctx_clear_error(c->w->ctx);
    adverse_option(&b, OTHER_KIND, chosen, "Other (describe it below)");
    mn__buf_printf(&b, "</select>");
    mn__field_error(&b, "kind", placed, err);
    mn__buf_printf(&b, "</p>");
    mn__input_row(&b, "event", "Event, when the kind is other (free text; name no one)", NULL,
                  posted ? mn__form_str(posted, "event") : "", placed, err);
    static const char *const severities[] = {"mild", "moderate", "severe"};
    chosen = posted ? mn__form_str(posted, "severity") : "";
    mn__buf_printf(&b, "<p><label for=\"f-severity\">Severity</label> <select "
                       "id=\"f-severity\" name=\"severity\" required>");
    adverse_option(&b, "", chosen, "(choose)");
    for (size_t i = 0; i < sizeof severities / sizeof severities[0]; i++)
        adverse_option(&b, severities[i], chosen, severities[i]);
    mn__buf_printf(&b, "</select>");
    mn__field_error(&b, "severity", placed, err);
    mn__buf_printf(&b, "</p>");
    mn__input_row(&b, "resolved", "Date it resolved (optional)", "date",
                  posted ? mn__form_str(posted, "resolved") : "", placed, err);
    mn__buf_printf(&b, "<p><button id=\"adverse-event-save\" type=\"submit\">Record the "
                       "adverse event</button></p></form>");
    mn__page_end(&b);
    mn_store_history_free(h);
    mn__page_send(c, status, &b);
}

void mn__page_adverse_event_form(mn__call *c)
{
    adverse_event_form(c, c->params[0], NULL, NULL, 200);
}

/* The form as one record of `mneedle record adverse-event` (docs/records.md): the library
 * checks it, as it checks a file; nothing is checked here. */
void mn__refuse_adverse_event_form(mn__call *c, const char *field, const char *why)
{
    refuse_record_form(c, field, why, adverse_event_form);
}

void mn__post_adverse_event(mn__call *c)
{
    const char *id = c->params[0];
    const mn__form *f = &c->form;
    const char *kind = mn__form_str(f, "kind"), *event = mn__form_str(f, "event");
    json_t *e = json_object();
    json_object_set_new(e, "client", json_string(id));
    json_object_set_new(e, "date", json_string(mn__form_str(f, "date")));
    set_session_number(e, f);
    int other = !strcmp(kind, OTHER_KIND);
    if (kind[0] && !other)
        json_object_set_new(e, "kind", json_string(kind));
    /* Free text for "other" (empty, the library asks to name the event); text typed beside a
     * kind goes too, and the library refuses the pair rather than drop either. */
    if (other || event[0])
        json_object_set_new(e, "event", json_string(event));
    if (mn__form_str(f, "severity")[0])
        json_object_set_new(e, "severity", json_string(mn__form_str(f, "severity")));
    if (mn__form_str(f, "resolved")[0])
        json_object_set_new(e, "resolved", json_string(mn__form_str(f, "resolved")));
    record_and_answer(c, id, e, mn_store_record_adverse_events, adverse_event_form,
                      "The adverse event was not recorded.", "Adverse event recorded.");
}

/* ---- re-plan ---- */

void mn__page_replan(mn__call *c)
{
    const char *id = c->params[0];
    mn_store_client cl;
    mn_status st = mn_store_client_get(c->w->ctx, c->w->store, id, &cl);
    if (st) {
        fail(c, st, "The record cannot be read.");
        return;
    }
    mn_store_client_release(&cl);
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Re-plan", "replan");
    back_link(&b, id);
    mn__buf_printf(&b, "<p>Re-planning re-dates the visits left from the sessions done, updates "
                       "this client's response from their own scores, and sets the "
                       "maintenance date used by the recall list.</p>");
    if (c->sess->role >= MN_ROLE_PRACTITIONER) {
        mn__buf_printf(&b, "<form id=\"replan-run\" method=\"post\" action=\"");
        client_link(&b, id, "/replan");
        mn__buf_printf(&b, "\">");
        mn__csrf_field(&b, c);
        mn__buf_printf(&b, "<button id=\"replan-submit\" type=\"submit\">Re-plan now</button>"
                           "</form>");
    }
    mn__page_end(&b);
    mn__page_send(c, 200, &b);
}

void mn__post_replan(mn__call *c)
{
    const char *id = c->params[0];
    mn_store_replan *r = NULL;
    mn_status st = mn_store_replan_run(c->w->ctx, c->w->store, id, &r);
    /* The replan shows the client's record: logged before it is shown (its maintenance date,
     * a change, has its own entry). */
    if (!st && (st = mn__audit_read(c, id, "replan")))
        mn_store_replan_free(r);
    if (st) {
        fail(c, st, "The re-plan could not be made.");
        return;
    }
    mn__buf b, text;
    mn__buf_init(&b);
    mn__buf_init(&text);
    st = mn__store_replan_write(c->w->ctx, r, 0, MN_STORE_WORDS_WEB, mn__buf_writer, &text);
    mn__page_begin(&b, c, "Re-plan", "replan-result");
    mn__buf_printf(&b,
                   "<p class=\"msg\" id=\"message\" role=\"status\">Re-planned: %d "
                   "visit(s) left",
                   r->n_remaining);
    char d[16];
    if (r->has_maintenance)
        mn__buf_printf(&b, "; maintenance due %s", mn_date_format(r->maintenance_due, d));
    if (r->held)
        mn__buf_printf(&b, "; on hold, %d planned visit(s) not booked", r->n_held);
    mn__buf_printf(&b, ".</p>");
    if (r->plan_stale == 1) {
        mn__stale_notice(&b, id, r->plan_id, r->plan_created);
    }
    back_link(&b, id);
    mn__buf_printf(&b, "<pre id=\"replan-text\" tabindex=\"0\">");
    if (!st && text.data)
        mn__srv_esc_pre(&b, text.data);
    mn__buf_printf(&b, "</pre>");
    mn__page_end(&b);
    mn__buf_release(&text);
    mn_store_replan_free(r);
    mn__page_send(c, 200, &b);
}

/* ---- recall, catalogues ---- */

/* The recall entries of one status as a table (id @p table): each client linked to their
 * page, the day (due, or the course visit's planned date), the last session and why, with the
 * re-screening mark (the reasons are the store's, in the page's words: mn_store_set_words). */
static void recall_rows(mn__buf *b, const mn_store_recall *list, int n, int status,
                        const char *table)
{
    char d[16];
    mn__buf_printf(b,
                   "<table id=\"%s\"><thead><tr><th>Client</th><th>%s</th><th>Last session</th>"
                   "<th>Why</th></tr></thead><tbody>",
                   table, status == MN_STORE_RECALL_OVERDUE ? "Visit planned" : "Due");
    for (int i = 0; i < n; i++) {
        const mn_store_recall *r = &list[i];
        if (r->status != status)
            continue;
        mn__buf_printf(b, "<tr><td><a href=\"");
        client_link(b, r->client, "");
        mn__buf_printf(b, "\">");
        mn__srv_esc(b, r->client);
        mn__buf_printf(b, "</a></td><td>%s</td><td>", mn_date_format(r->due, d));
        if (r->has_last_session)
            mn__buf_printf(b, "%s", mn_date_format(r->last_session, d));
        mn__buf_printf(b, "</td><td>");
        if (status == MN_STORE_RECALL_OVERDUE)
            mn__buf_printf(b, "visit %d, %d day(s) overdue, %d course visit(s) left",
                           r->visit_number, r->days_overdue, r->course_visits_left);
        else
            mn__srv_esc(b, r->reason_text);
        if (r->rescreen[0]) {
            mn__buf_printf(b, "; <b>");
            mn__srv_esc(b, r->rescreen);
            mn__buf_printf(b, "</b>");
        }
        mn__buf_printf(b, "</td></tr>");
    }
    mn__buf_printf(b, "</tbody></table>");
}

void mn__page_recall(mn__call *c)
{
    mn_date due;
    const char *before = mn__form_str(&c->query, "before");
    mn_status st = mn_date_today(c->w->ctx, &due);
    if (!st && before[0] && mn_date_parse(before, &due) != MN_OK) {
        mn__error_page(c, 400, "The date is not a date (YYYY-MM-DD).", NULL);
        return;
    }
    mn_store_recall *list = NULL;
    int n = 0;
    if (!st)
        st = mn_store_recall_list(c->w->ctx, c->w->store, due, &list, &n);
    if (!st && (st = mn__audit_recall(c, list, n)))
        mn_store_recall_free(list);
    if (st) {
        fail(c, st, "The recall list cannot be read.");
        return;
    }
    mn__buf b;
    mn__buf_init(&b);
    char d[16];
    mn__page_begin(&b, c, "Recall", "recall");
    mn__buf_printf(&b,
                   "<form id=\"recall-filter\" method=\"get\" action=\"/recall\"><label "
                   "for=\"before\">Due on or before</label> <input id=\"before\" "
                   "name=\"before\" type=\"date\" value=\"%s\"> <button "
                   "type=\"submit\">Show</button></form>",
                   mn_date_format(due, d));
    mn__buf_printf(&b, "<table id=\"recall-list\"><thead><tr><th>Client</th><th>Due</th>"
                       "<th>Last session</th><th>Why</th></tr></thead><tbody>");
    int n_due = 0, n_held = 0, n_late = 0, n_rescreen = 0;
    for (int i = 0; i < n; i++) {
        if (list[i].status != MN_STORE_RECALL_DUE) {
            /* on hold (not recalled) or a course visit overdue (docs/records.md): counted
             * and listed below */
            n_held += list[i].status == MN_STORE_RECALL_ON_HOLD;
            n_late += list[i].status == MN_STORE_RECALL_OVERDUE;
            continue;
        }
        n_due++;
        n_rescreen += list[i].questionnaire.out_of_date;
        mn__buf_printf(&b, "<tr%s><td><a href=\"",
                       list[i].questionnaire.out_of_date ? " class=\"rescreen\"" : "");
        client_link(&b, list[i].client, "");
        mn__buf_printf(&b, "\">");
        mn__srv_esc(&b, list[i].client);
        mn__buf_printf(&b, "</a></td><td>%s</td><td>", mn_date_format(list[i].due, d));
        if (list[i].has_last_session)
            mn__buf_printf(&b, "%s", mn_date_format(list[i].last_session, d));
        mn__buf_printf(&b, "</td><td>");
        mn__srv_esc(&b, list[i].reason_text);
        if (list[i].rescreen[0]) {
            mn__buf_printf(&b, "; <b>");
            mn__srv_esc(&b, list[i].rescreen);
            mn__buf_printf(&b, "</b>");
        }
        mn__buf_printf(&b, "</td></tr>");
    }
    mn__buf_printf(&b, "</tbody></table><p id=\"recall-count\">%d client(s) due.</p>", n_due);
    if (n_rescreen)
        mn__buf_printf(&b,
                       "<p id=\"recall-rescreen\">%d of them with the health questionnaire out "
                       "of date on the day they are due: re-screen before booking (marked "
                       "under Why).</p>",
                       n_rescreen);
    if (n_held) {
        mn__buf_printf(&b,
                       "<p id=\"recall-held\">%d client(s) on hold, not to be recalled: their "
                       "record screens defer or decline, an adverse event that holds is open, or "
                       "their plan is out of date and is to be made again before booking. Each "
                       "with why:</p>",
                       n_held);
        recall_rows(&b, list, n, MN_STORE_RECALL_ON_HOLD, "recall-held-list");
    }
    if (n_late) {
        mn__buf_printf(&b,
                       "<p id=\"recall-overdue\">%d client(s) with a course visit overdue "
                       "(planned before today, not done):</p>",
                       n_late);
        recall_rows(&b, list, n, MN_STORE_RECALL_OVERDUE, "recall-overdue-list");
    }
    mn__page_end(&b);
    mn_store_recall_free(list);
    mn__page_send(c, 200, &b);
}

void mn__page_catalog(mn__call *c)
{
    static const char *const kinds[] = {"devices", "sites", "concerns", "products", "rules", NULL};
    const char *what = c->n_params ? c->params[0] : NULL;
    mn__buf b, text;
    mn__buf_init(&b);
    mn__buf_init(&text);
    mn__page_begin(&b, c, "Catalogues", "catalog");
    mn__buf_printf(&b, "<p class=\"actions\" id=\"catalog-kinds\">");
    for (int i = 0; kinds[i]; i++)
        mn__buf_printf(&b, "<a id=\"catalog-%s\" href=\"/catalog/%s\">%s</a>", kinds[i], kinds[i],
                       kinds[i]);
    mn__buf_printf(&b, "</p>");
    if (what) {
        mn_status st = mn_report_catalog(c->w->ctx, what, 0, mn__buf_writer, &text);
        if (st == MN_ENOTFOUND) {
            mn__buf_release(&b);
            mn__buf_release(&text);
            mn__error_page(c, 404, "There is no such catalogue.", NULL);
            return;
        }
        mn__buf_printf(&b, "<pre id=\"catalog-text\" tabindex=\"0\">");
        if (!st && text.data)
            mn__srv_esc_pre(&b, text.data);
        mn__buf_printf(&b, "</pre>");
    }
    mn__page_end(&b);
    mn__buf_release(&text);
    mn__page_send(c, 200, &b);
}
