/* Writers of the clinic record (store.h): the database check, clients, the history. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json_out.h"
#include "mneedle/report.h"
#include "report/records_internal.h"
#include "report/validation_note.h"
#include "store/words.h"

mn_status mn_store_check_write(mn_ctx *ctx, const mn_store_check_result *r, int json,
                               mn_writer write, void *userdata)
{
    if (!r || !write)
        return mn__error(ctx, MN_EINVAL, "check: nothing to write");
    int ok = r->integrity_ok && r->foreign_keys_ok && r->audit_ok;
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = json_object();
        mn__jput_str(&j, root, "version", mn_version());
        mn__jput_bool(&j, root, "ok", ok);
        mn__jput_int(&j, root, "schema_version", r->schema_version);
        mn__jput_bool(&j, root, "integrity_ok", r->integrity_ok);
        mn__jput_bool(&j, root, "foreign_keys_ok", r->foreign_keys_ok);
        mn__jput_bool(&j, root, "audit_ok", r->audit_ok);
        mn__jput_int(&j, root, "audit_entries", r->audit_entries);
        mn__jput_int(&j, root, "rows_checked", r->rows_checked);
        mn__jput_str(&j, root, "problem", r->problem);
        return mn__json_finish(ctx, &j, root, "check", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_textf(&b, "schema version   %d\n", r->schema_version);
    mn__buf_textf(&b, "integrity        %s\n", r->integrity_ok ? "ok" : "FAILED");
    mn__buf_textf(&b, "foreign keys     %s\n", r->foreign_keys_ok ? "ok" : "FAILED");
    mn__buf_textf(&b, "audit chain      %s (%ld entries, %ld rows compared)\n",
                  r->audit_ok ? "ok" : "FAILED", r->audit_entries, r->rows_checked);
    if (r->problem[0])
        mn__buf_textf(&b, "problem          %s\n", r->problem);
    mn__buf_textf(&b, "%s\n", ok ? "database ok" : "database FAILED the check");
    return mn__buf_finish(ctx, &b, "check", write, userdata);
}

static void put_date(mn__jout *j, json_t *o, const char *key, mn_date d)
{
    char buf[16];
    mn__jput_str(j, o, key, mn_date_format(d, buf));
}

/* The questionnaire's day and age on the day the record was screened (null when the record
 * was screened without a day or has no questionnaire). */
static void questionnaire_json(mn__jout *j, json_t *o, const mn_store_questionnaire *q)
{
    if (!q->screened || !q->taken) {
        mn__jput(j, o, "questionnaire", json_null());
        return;
    }
    json_t *x = mn__jput(j, o, "questionnaire", json_object());
    put_date(j, x, "date", q->day);
    mn__jput_str(j, x, "date_from", q->dated ? "history.date" : "plan_saved");
    put_date(j, x, "on", q->on);
    mn__jput_int(j, x, "age_days", q->age_days);
    mn__jput_int(j, x, "valid_months", q->valid_months);
    mn__jput_bool(j, x, "out_of_date", q->out_of_date);
}

/* The questionnaire's day and age today, for client show and history: "answered 2027-01-04:
 * 2 months and 29 days old on 2027-04-02; valid for 6 months (the screening rules)", marked when
 * out of date as replan and recall mark it; "none on file" without one. Nothing when the record
 * was not screened. */
static void questionnaire_text(mn__buf *b, const char *lead, const mn_store_questionnaire *q)
{
    if (!q->screened)
        return;
    if (!q->taken) {
        mn__buf_textf(b, "%snone on file (screening defers until one is given)\n", lead);
        return;
    }
    char said[256];
    mn__buf_textf(b, "%s%s", lead, mn_store_questionnaire_words(q, said, sizeof said));
    if (q->out_of_date)
        mn__buf_textf(b, "; OUT OF DATE: re-screen before booking\n");
    else if (q->valid_months)
        mn__buf_textf(b, "; valid for %d month%s (the screening rules)\n", q->valid_months,
                      q->valid_months == 1 ? "" : "s");
    else
        mn__buf_textf(b, "\n");
}

/* An input key in words: "isotretinoin_months_ago" as "isotretinoin months ago". */
static void key_words(mn__buf *b, const char *key)
{
    char said[128];
    snprintf(said, sizeof said, "%s", key);
    for (char *k = said; *k; k++)
        if (*k == '_')
            *k = ' ';
    mn__buf_textf(b, "%s", said);
}

/* A value of the planning input as a reader writes it: text as is, a number as a number, a
 * truth as yes or no, a list joined by ", ", an object as "key value" pairs joined by "; ". */
static void value_words(mn__buf *b, json_t *v)
{
    if (json_is_string(v))
        mn__buf_textf(b, "%s", json_string_value(v));
    else if (json_is_number(v))
        mn__buf_textf(b, "%g", json_number_value(v));
    else if (json_is_boolean(v))
        mn__buf_textf(b, "%s", json_is_true(v) ? "yes" : "no");
    else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            mn__buf_textf(b, "%s", i ? ", " : "");
            value_words(b, json_array_get(v, i));
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        int first = 1;
        json_object_foreach(v, k, x)
        {
            mn__buf_textf(b, "%s", first ? "" : "; ");
            key_words(b, k);
            mn__buf_textf(b, " ");
            value_words(b, x);
            first = 0;
        }
    } else
        mn__buf_textf(b, "none");
}

/* The keys of object @p o not in @p known (NULL-ended), each in words as
 * "<lead>key<mid>value<tail>". */
static void keys_besides(mn__buf *b, json_t *o, const char *const *known, const char *lead,
                         const char *mid, const char *tail)
{
    const char *k;
    json_t *x;
    json_object_foreach(o, k, x)
    {
        int seen = 0;
        for (int i = 0; known[i] && !seen; i++)
            seen = !strcmp(k, known[i]);
        if (seen)
            continue;
        mn__buf_textf(b, "%s", lead);
        key_words(b, k);
        mn__buf_textf(b, "%s", mid);
        value_words(b, x);
        mn__buf_textf(b, "%s", tail);
    }
}

/* The keys of object @p o not in @p known, each as "; key value" on the line. */
static void other_keys(mn__buf *b, json_t *o, const char *const *known)
{
    keys_besides(b, o, known, "; ", " ", "");
}

/* A catalogue entry's name for the id in @p v (a string), else the value as given. */
static const char *entry_name(mn_ctx *ctx, json_t *v, char which)
{
    const char *id = json_is_string(v) ? json_string_value(v) : "";
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const char *name = NULL;
    if (which == 'c') {
        const mn_concern *c = mn_catalog_find_concern(cat, id);
        name = c ? c->name : NULL;
    } else if (which == 'z') {
        const mn_site *s = mn_catalog_find_site(cat, id);
        name = s ? s->name : NULL;
    } else {
        const mn_device *d = mn_catalog_find_device(cat, id);
        name = d ? d->name : NULL;
    }
    return name ? name : id;
}

/* client show's planning input in words (the JSON output keeps it as stored), every string
 * of it shown as text shows input (mn__buf_textf: a control or an override named): the client, each
 * concern with its zones, the health questionnaire's answers, lifestyle and clinic, concerns,
 * zones and the device by their catalogue names; a key the planner reads that this does not
 * name is given as its key in words with its value. */
static void input_text(mn_ctx *ctx, mn__buf *b, const char *text)
{
    json_error_t err;
    json_t *in = json_loads(text, 0, &err);
    mn__buf_textf(b, "  planning input:\n");
    if (!json_is_object(in)) {
        mn__buf_textf(b, "    (not readable: the stored input is not a client file)\n");
        json_decref(in);
        return;
    }
    json_t *cl = json_object_get(in, "client");
    if (json_is_object(cl)) {
        static const char *const known[] = {"age", "sex", "fitzpatrick", "name", NULL};
        json_t *age = json_object_get(cl, "age"), *sex = json_object_get(cl, "sex"),
               *fitz = json_object_get(cl, "fitzpatrick");
        mn__buf_textf(b, "    client: ");
        if (json_is_number(age))
            mn__buf_textf(b, "%g y, ", json_number_value(age));
        if (json_is_string(sex))
            mn__buf_textf(b, "%s, ", json_string_value(sex));
        if (json_is_number(fitz))
            mn__buf_textf(b, "Fitzpatrick %g", json_number_value(fitz));
        other_keys(b, cl, known);
        mn__buf_textf(b, "\n");
    }
    json_t *cons = json_object_get(in, "concerns");
    for (size_t i = 0; i < json_array_size(cons); i++) {
        static const char *const known[] = {"concern", "zones", "severity", NULL};
        json_t *c = json_array_get(cons, i);
        if (!json_is_object(c))
            continue;
        json_t *sev = json_object_get(c, "severity"), *zones = json_object_get(c, "zones");
        mn__buf_textf(b, "    concern: %s", entry_name(ctx, json_object_get(c, "concern"), 'c'));
        if (json_is_string(sev))
            mn__buf_textf(b, " (%s)", json_string_value(sev));
        for (size_t k = 0; k < json_array_size(zones); k++)
            mn__buf_textf(b, "%s%s", k ? ", " : ": ",
                          entry_name(ctx, json_array_get(zones, k), 'z'));
        other_keys(b, c, known);
        mn__buf_textf(b, "\n");
    }
    /* The answers given: a truth declared (true), a number (months or weeks ago), a note; an
     * item answered no is not listed. */
    json_t *hist = json_object_get(in, "history");
    mn__buf_textf(b, "    health questionnaire: ");
    if (!json_is_object(hist))
        mn__buf_textf(b, "not taken");
    else {
        int n = 0;
        const char *k;
        json_t *x;
        json_object_foreach(hist, k, x)
        {
            if (!strcmp(k, "date") || json_is_false(x))
                continue;
            mn__buf_textf(b, "%s", n++ ? "; " : "");
            key_words(b, k);
            if (!json_is_true(x)) {
                mn__buf_textf(b, " ");
                value_words(b, x);
            }
        }
        if (!n)
            mn__buf_textf(b, "nothing declared");
        json_t *date = json_object_get(hist, "date");
        if (json_is_string(date))
            mn__buf_textf(b, " (answered %s)", json_string_value(date));
    }
    mn__buf_textf(b, "\n");
    json_t *life = json_object_get(in, "lifestyle");
    if (json_is_object(life)) {
        static const char *const known[] = {"smoker", "sun", NULL};
        json_t *smoker = json_object_get(life, "smoker"), *sun = json_object_get(life, "sun");
        mn__buf_textf(b, "    lifestyle: %s", json_is_true(smoker) ? "smoker" : "non-smoker");
        if (json_is_string(sun))
            mn__buf_textf(b, ", sun exposure %s", json_string_value(sun));
        other_keys(b, life, known);
        mn__buf_textf(b, "\n");
    }
    json_t *clinic = json_object_get(in, "clinic");
    if (json_is_object(clinic)) {
        static const char *const known[] = {"device", "price_per_session", "currency", "start",
                                            NULL};
        json_t *dev = json_object_get(clinic, "device"),
               *price = json_object_get(clinic, "price_per_session"),
               *cur = json_object_get(clinic, "currency"),
               *start = json_object_get(clinic, "start");
        mn__buf_textf(b, "    clinic: %s", dev ? entry_name(ctx, dev, 'd') : "device not given");
        if (json_is_number(price))
            mn__buf_textf(b, ", %g%s%s per session", json_number_value(price),
                          json_is_string(cur) ? " " : "",
                          json_is_string(cur) ? json_string_value(cur) : "");
        if (json_is_string(start))
            mn__buf_textf(b, ", start %s", json_string_value(start));
        other_keys(b, clinic, known);
        mn__buf_textf(b, "\n");
    }
    /* Anything else the file carries, each key in words. */
    static const char *const known[] = {"client",    "concerns", "history",
                                        "lifestyle", "clinic",   NULL};
    keys_besides(b, in, known, "    ", ": ", "\n");
    json_decref(in);
}

static void put_identity(mn__jout *j, json_t *o, const mn_store_client *c)
{
    json_t *id = mn__jput(j, o, "identity", json_object());
    const char *keys[] = {"name", "email", "phone", "birth_date", "address"};
    const char *vals[] = {c->name, c->email, c->phone, c->birth_date, c->address};
    for (int i = 0; i < 5; i++)
        if (vals[i][0])
            mn__jput_str(j, id, keys[i], vals[i]);
}

static void put_summary(mn__jout *j, json_t *o, const mn_store_client *c, int identity)
{
    mn__jput_str(j, o, "id", c->id);
    put_date(j, o, "created", c->created);
    if (identity)
        put_identity(j, o, c);
    mn__jput_int(j, o, "plans", c->n_plans);
    mn__jput_int(j, o, "sessions", c->n_sessions);
    mn__jput_int(j, o, "assessments", c->n_assessments);
    mn__jput_int(j, o, "adverse_events", c->n_adverse_events);
    if (c->has_last_session)
        put_date(j, o, "last_session", c->last_session);
    if (c->has_maintenance_due) {
        put_date(j, o, "maintenance_due", c->maintenance_due);
        mn__jput_str(j, o, "maintenance_reason", c->maintenance_reason);
    }
}

static void plan_device_text(mn_ctx *ctx, mn__buf *b, const char *lead, const char *device);

mn_status mn_store_client_write(mn_ctx *ctx, const mn_store_client *c, int identity, int json,
                                mn_writer write, void *userdata)
{
    if (!c || !write)
        return mn__error(ctx, MN_EINVAL, "client: nothing to write");
    char d[16];
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = json_object();
        mn__jput_str(&j, root, "version", mn_version());
        put_summary(&j, root, c, identity);
        json_t *cons = mn__jput(&j, root, "consents", json_array());
        for (int i = 0; i < c->n_consents; i++) {
            json_t *o = mn__jpush(&j, cons, json_object());
            mn__jput_int(&j, o, "id", c->consents[i].id);
            mn__jput_str(&j, o, "what", c->consents[i].what);
            mn__jput_str(&j, o, "version", c->consents[i].version);
            put_date(&j, o, "date", c->consents[i].date);
            if (c->consents[i].withdrawn)
                put_date(&j, o, "withdrawn", c->consents[i].withdrawn_date);
        }
        json_error_t err;
        json_t *input = c->client_json ? json_loads(c->client_json, 0, &err) : NULL;
        mn__jput(&j, root, "input", input ? input : json_null());
        /* The latest plan against this input (docs/records.md): null when not known or no
         * plan. */
        if (c->n_plans && c->plan_stale >= 0)
            mn__jput_bool(&j, root, "plan_stale", c->plan_stale);
        else
            mn__jput(&j, root, "plan_stale", json_null());
        /* The device the latest plan was made for: null when no plan or it does not say. */
        if (c->n_plans && c->plan_device[0])
            mn__jput_str(&j, root, "plan_device", c->plan_device);
        else
            mn__jput(&j, root, "plan_device", json_null());
        /* The health questionnaire's day and age today, as replan gives them. */
        questionnaire_json(&j, root, &c->questionnaire);
        return mn__json_finish(ctx, &j, root, "client", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_textf(&b, "client %s (created %s)\n", c->id, mn_date_format(c->created, d));
    if (identity) {
        const char *keys[] = {"name", "email", "phone", "birth date", "address"};
        const char *vals[] = {c->name, c->email, c->phone, c->birth_date, c->address};
        for (int i = 0; i < 5; i++)
            if (vals[i][0])
                mn__buf_textf(&b, "  %-12s %s\n", keys[i], vals[i]);
    }
    mn__buf_textf(&b, "  plans %ld, sessions %ld, assessments %ld, adverse events %ld\n",
                  c->n_plans, c->n_sessions, c->n_assessments, c->n_adverse_events);
    if (c->n_plans && c->plan_stale == 1)
        mn__buf_textf(&b,
                      "  STALE PLAN: the latest plan was made from an earlier record of this "
                      "client (edited since); sessions are refused against it and replan holds "
                      "until it is saved again ('mneedle plan %s --save')\n",
                      c->id);
    else if (c->n_plans && c->plan_stale < 0)
        mn__buf_textf(&b, "  latest plan: the record it was made from is not known (saved "
                          "before plans kept it)\n");
    if (c->n_plans)
        plan_device_text(ctx, &b, "  latest plan made", c->plan_device);
    questionnaire_text(&b, "  health questionnaire ", &c->questionnaire);
    if (c->has_last_session)
        mn__buf_textf(&b, "  last session %s\n", mn_date_format(c->last_session, d));
    if (c->has_maintenance_due)
        mn__buf_textf(&b, "  maintenance due %s (%s)\n", mn_date_format(c->maintenance_due, d),
                      c->maintenance_reason);
    for (int i = 0; i < c->n_consents; i++) {
        const mn_store_consent *k = &c->consents[i];
        mn__buf_textf(&b, "  consent %ld: %s, version %s, given %s", k->id, k->what, k->version,
                      mn_date_format(k->date, d));
        if (k->withdrawn)
            mn__buf_textf(&b, ", withdrawn %s", mn_date_format(k->withdrawn_date, d));
        mn__buf_textf(&b, "\n");
    }
    if (c->client_json)
        input_text(ctx, &b, c->client_json);
    return mn__buf_finish(ctx, &b, "client", write, userdata);
}

mn_status mn_store_client_list_write(mn_ctx *ctx, const mn_store_client *list, int n, int identity,
                                     int json, mn_writer write, void *userdata)
{
    if ((!list && n) || !write)
        return mn__error(ctx, MN_EINVAL, "client list: nothing to write");
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = json_object();
        mn__jput_str(&j, root, "version", mn_version());
        json_t *arr = mn__jput(&j, root, "clients", json_array());
        for (int i = 0; i < n; i++)
            put_summary(&j, mn__jpush(&j, arr, json_object()), &list[i], identity);
        return mn__json_finish(ctx, &j, root, "client list", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_textf(&b, "%-14s %-10s %8s %-10s %-10s%s\n", "id", "created", "sessions", "last",
                  "maint. due", identity ? " name" : "");
    for (int i = 0; i < n; i++) {
        const mn_store_client *c = &list[i];
        char d1[16], d2[16] = "-", d3[16] = "-";
        if (c->has_last_session)
            mn_date_format(c->last_session, d2);
        if (c->has_maintenance_due)
            mn_date_format(c->maintenance_due, d3);
        mn__buf_textf(&b, "%-14s %-10s %8ld %-10s %-10s%s%s\n", c->id,
                      mn_date_format(c->created, d1), c->n_sessions, d2, d3, identity ? " " : "",
                      identity ? c->name : "");
    }
    mn__buf_textf(&b, "%d client%s\n", n, n == 1 ? "" : "s");
    return mn__buf_finish(ctx, &b, "client list", write, userdata);
}

static void setting_json(mn__jout *j, json_t *o, const mn_store_setting *z, int done)
{
    mn__jput_str(j, o, "zone", z->zone);
    mn__jput_num(j, o, "depth_mm", z->depth_mm);
    mn__jput_num(j, o, "passes", z->passes);
    if (done && z->has_planned) {
        mn__jput_num(j, o, "planned_depth_mm", z->planned_depth_mm);
        mn__jput_num(j, o, "planned_passes", z->planned_passes);
        mn__jput_num(j, o, "depth_deviation_mm", z->depth_mm - z->planned_depth_mm);
    }
}

/* A planned visit (history's plan, replan's remaining visits): number, date, phase, settings. */
static void planned_json(mn__jout *j, json_t *o, const mn_store_planned_visit *v)
{
    mn__jput_int(j, o, "number", v->number);
    put_date(j, o, "date", v->date);
    mn__jput_str(j, o, "phase", v->maintenance ? "maintenance" : "course");
    json_t *set = mn__jput(j, o, "settings", json_array());
    for (int k = 0; k < v->n_settings; k++)
        setting_json(j, mn__jpush(j, set, json_object()), &v->settings[k], 0);
}

/* An adverse event (history, replan's open events). */
static void event_json(mn__jout *j, json_t *o, const mn_store_adverse_event *e)
{
    put_date(j, o, "date", e->date);
    if (e->session_number)
        mn__jput_int(j, o, "session", e->session_number);
    mn__jput_str(j, o, "event", e->event);
    if (e->kind_name[0]) {
        mn__jput_str(j, o, "kind", e->event);
        mn__jput_str(j, o, "kind_name", e->kind_name);
    }
    if (e->severity[0])
        mn__jput_str(j, o, "severity", e->severity);
    if (e->resolved)
        put_date(j, o, "resolved", e->resolved_date);
}

static mn_status history_json(mn_ctx *ctx, const mn_store_history *h, mn_writer write,
                              void *userdata)
{
    mn__jout j;
    mn__jout_init(&j);
    json_t *root = json_object();
    mn__jput_str(&j, root, "version", mn_version());
    mn__jput_str(&j, root, "client", h->client);
    if (h->plan_id) {
        json_t *p = mn__jput(&j, root, "plan", json_object());
        mn__jput_int(&j, p, "id", h->plan_id);
        mn__jput_str(&j, p, "created", h->plan_created);
        mn__jput_str(&j, p, "mneedle_version", h->plan_version);
        mn__jput_str(&j, p, "catalogue_hash", h->catalogue_hash);
        mn__jput_int(&j, p, "catalogue_hash_version", h->catalogue_hash_version);
        if (h->catalogue_current < 0)
            mn__jput(&j, p, "catalogue_current", json_null());
        else
            mn__jput_bool(&j, p, "catalogue_current", h->catalogue_current);
        /* The planning input it was made from against the client's current one. */
        if (h->input_hash[0])
            mn__jput_str(&j, p, "input_hash", h->input_hash);
        else
            mn__jput(&j, p, "input_hash", json_null());
        if (h->plan_stale < 0)
            mn__jput(&j, p, "input_current", json_null());
        else
            mn__jput_bool(&j, p, "input_current", !h->plan_stale);
        /* The device its depths are settings of: null when the stored plan does not say. */
        if (h->plan_device[0])
            mn__jput_str(&j, p, "device", h->plan_device);
        else
            mn__jput(&j, p, "device", json_null());
    } else {
        mn__jput(&j, root, "plan", json_null());
    }
    if (h->has_maintenance_due)
        put_date(&j, root, "maintenance_due", h->maintenance_due);
    questionnaire_json(&j, root, &h->questionnaire);
    json_t *arr = mn__jput(&j, root, "planned", json_array());
    for (int i = 0; i < h->n_planned; i++) {
        json_t *o = mn__jpush(&j, arr, json_object());
        planned_json(&j, o, &h->planned[i]);
        /* Not done, and its date has passed. */
        if (i >= h->n_sessions && h->today && h->planned[i].date < h->today) {
            mn__jput_bool(&j, o, "overdue", 1);
            mn__jput_int(&j, o, "days_overdue", (int)(h->today - h->planned[i].date));
        }
    }
    arr = mn__jput(&j, root, "sessions", json_array());
    for (int i = 0; i < h->n_sessions; i++) {
        const mn_store_session *x = &h->sessions[i];
        json_t *o = mn__jpush(&j, arr, json_object());
        mn__jput_int(&j, o, "number", i + 1);
        put_date(&j, o, "date", x->date);
        if (x->planned >= 0) {
            mn__jput_int(&j, o, "planned_number", h->planned[x->planned].number);
            put_date(&j, o, "planned_date", h->planned[x->planned].date);
            mn__jput_int(&j, o, "date_shift_days", x->date_shift_days);
        }
        mn__jput_str(&j, o, "device", x->device);
        const char *keys[] = {"serial",   "cartridge_lot", "serum",          "serum_lot",
                              "endpoint", "reactions",     "override_reason"};
        const char *vals[] = {x->serial,   x->cartridge_lot, x->serum,          x->serum_lot,
                              x->endpoint, x->reactions,     x->override_reason};
        for (int k = 0; k < 7; k++)
            if (vals[k][0])
                mn__jput_str(&j, o, keys[k], vals[k]);
        json_t *zs = mn__jput(&j, o, "zones", json_array());
        for (int k = 0; k < x->n_zones; k++)
            setting_json(&j, mn__jpush(&j, zs, json_object()), &x->zones[k], 1);
        /* The zones its visit set that it left out: planned that day, not done. */
        if (x->planned >= 0) {
            zs = mn__jput(&j, o, "zones_not_done", json_array());
            for (int k = 0; k < x->n_not_done; k++) {
                json_t *z = mn__jpush(&j, zs, json_object());
                mn__jput_str(&j, z, "zone", x->not_done[k].zone);
                mn__jput_num(&j, z, "planned_depth_mm", x->not_done[k].planned_depth_mm);
                mn__jput_num(&j, z, "planned_passes", x->not_done[k].planned_passes);
            }
        }
    }
    arr = mn__jput(&j, root, "assessments", json_array());
    for (int i = 0; i < h->n_assessments; i++) {
        const mn_store_assessment *a = &h->assessments[i];
        json_t *o = mn__jpush(&j, arr, json_object());
        put_date(&j, o, "date", a->date);
        mn__jput_str(&j, o, "scale", a->scale);
        mn__jput_str(&j, o, "scale_version", a->scale_version);
        if (a->zone[0])
            mn__jput_str(&j, o, "zone", a->zone);
        mn__jput_num(&j, o, "score", a->score);
        mn__jput_str(&j, o, "rater", a->rater);
        mn__jput_int(&j, o, "photos", a->n_photos);
    }
    arr = mn__jput(&j, root, "adverse_events", json_array());
    for (int i = 0; i < h->n_events; i++)
        event_json(&j, mn__jpush(&j, arr, json_object()), &h->events[i]);
    return mn__json_finish(ctx, &j, root, "history", write, userdata);
}

/* A zone or a device recorded by its catalogue id, as text a reader sees names it: by its name
 * in the catalogue, the plan's own words (the JSON and CSV keep the ids); the id as recorded
 * where the catalogue has none. */
static const char *zone_name(mn_ctx *ctx, const char *id)
{
    const mn_site *s = mn_catalog_find_site(mn_ctx_catalog(ctx), id);
    return s ? s->name : id;
}

static const char *device_name(mn_ctx *ctx, const char *id)
{
    const mn_device *d = mn_catalog_find_device(mn_ctx_catalog(ctx), id);
    return d ? d->name : id;
}

/* A rating scale by its name in the scales catalogue, into @p out; the id as recorded for a
 * scale the loaded catalogue does not hold (then no error is left in @p ctx). */
static const char *scale_name(mn_ctx *ctx, const char *id, char *out, size_t size)
{
    mn_scale s;
    if (id[0] && mn_store_scale_find(ctx, id, &s) == MN_OK)
        snprintf(out, size, "%s", s.name);
    else {
        if (id[0])
            mn_ctx_clear_error(ctx);
        snprintf(out, size, "%s", id);
    }
    return out;
}

/* The device a plan was made for, on a line of its own after @p lead: its depths are that
 * device's settings (a depth on a pen is not one on a roller). */
static void plan_device_text(mn_ctx *ctx, mn__buf *b, const char *lead, const char *device)
{
    if (device[0])
        mn__buf_textf(b, "%s for %s: its depths are settings of that device\n", lead,
                      device_name(ctx, device));
    else
        mn__buf_textf(b,
                      "%s for: device not recorded (the stored plan does not say which "
                      "device its depths are for)\n",
                      lead);
}

/* Sentences joined by "; ", each opening with a zone id and ": " (replan's step_down,
 * step_down_carried and rise_held, kept with the ids for the JSON), with each zone by its
 * name. */
static void zone_sentences(mn_ctx *ctx, mn__buf *b, const char *s)
{
    while (*s) {
        const char *end = strstr(s, "; "), *colon = strstr(s, ": ");
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (colon && (size_t)(colon - s) < len && (size_t)(colon - s) < 64) {
            char id[64];
            snprintf(id, sizeof id, "%.*s", (int)(colon - s), s);
            mn__buf_textf(b, "%s%.*s", zone_name(ctx, id), (int)(len - (size_t)(colon - s)), colon);
        } else
            mn__buf_textf(b, "%.*s", (int)len, s);
        if (!end)
            break;
        mn__buf_textf(b, "; ");
        s = end + 2;
    }
}

mn_status mn_store_history_write(mn_ctx *ctx, const mn_store_history *h, int json, mn_writer write,
                                 void *userdata)
{
    if (!h || !write)
        return mn__error(ctx, MN_EINVAL, "history: nothing to write");
    if (json)
        return history_json(ctx, h, write, userdata);
    mn__buf b;
    mn__buf_init(&b);
    char d1[16], d2[16];
    mn__buf_textf(&b, "History of %s\n", h->client);
    if (h->plan_id) {
        /* The catalogues it was made with, against today's, under the plan's own definition of
         * the hash (a plan stored before adverse_events.json was hashed says so). */
        const char *how = h->catalogue_hash_version == 1
                              ? ", hashed without adverse_events.json as older plans were"
                              : "";
        const char *match = h->catalogue_current > 0    ? "the current ones"
                            : h->catalogue_current == 0 ? "not the current ones"
                                                        : "a hash this mneedle cannot check";
        mn__buf_textf(&b, "Plan %ld made %s with mneedle %s (catalogues %.12s%s: %s)\n", h->plan_id,
                      h->plan_created, h->plan_version,
                      h->catalogue_hash[0] ? h->catalogue_hash : "unreadable", how, match);
        /* The record it was made from, against the client's current one. */
        if (h->plan_stale == 1)
            mn__buf_textf(&b,
                          "STALE PLAN: plan %ld was made from an earlier record of this client "
                          "(edited since): its visits below are not the current record's; "
                          "sessions are refused against it and replan holds until the plan is "
                          "saved again ('mneedle plan %s --save')\n",
                          h->plan_id, h->client);
        else if (h->plan_stale < 0)
            mn__buf_textf(&b, "Made from: not known (plan saved before plans kept the record "
                              "they were made from)\n");
        else
            mn__buf_textf(&b, "Made from the client's current record\n");
        plan_device_text(ctx, &b, "Planned", h->plan_device);
    } else
        mn__buf_textf(&b, "No plan stored ('mneedle plan CLIENT --save').\n");
    questionnaire_text(&b, "Health questionnaire: ", &h->questionnaire);
    mn__buf_textf(&b, "\nVisits, planned against done:\n");
    int rows = h->n_planned > h->n_sessions ? h->n_planned : h->n_sessions;
    for (int i = 0; i < rows; i++) {
        const mn_store_planned_visit *v = i < h->n_planned ? &h->planned[i] : NULL;
        const mn_store_session *x = i < h->n_sessions ? &h->sessions[i] : NULL;
        if (v)
            mn__buf_textf(&b, "  %2d %-11s planned %s", v->number,
                          v->maintenance ? "maintenance" : "course", mn_date_format(v->date, d1));
        else
            mn__buf_textf(&b, "  %2s %-11s beyond the plan   ", "-", "");
        if (!x) {
            if (v && h->today && v->date < h->today)
                mn__buf_textf(&b, "  overdue (%d day%s)\n", (int)(h->today - v->date),
                              h->today - v->date == 1 ? "" : "s");
            else
                mn__buf_textf(&b, "  not done yet\n");
            continue;
        }
        mn__buf_textf(&b, "  done %s", mn_date_format(x->date, d2));
        if (v && x->date_shift_days)
            mn__buf_textf(&b, " (%+d days)", x->date_shift_days);
        mn__buf_textf(&b, " with %s\n", device_name(ctx, x->device));
        for (int k = 0; k < x->n_zones; k++) {
            const mn_store_setting *z = &x->zones[k];
            mn__buf_textf(&b, "       %-20s %.2f mm x %g passes", zone_name(ctx, z->zone),
                          z->depth_mm, z->passes);
            if (z->has_planned)
                mn__buf_textf(&b, "  (plan %.2f mm x %g%s)", z->planned_depth_mm, z->planned_passes,
                              z->depth_mm > z->planned_depth_mm + 1e-9   ? ", deeper"
                              : z->depth_mm < z->planned_depth_mm - 1e-9 ? ", shallower"
                                                                         : "");
            else if (v)
                mn__buf_textf(&b, "  (not planned at this visit)");
            mn__buf_textf(&b, "\n");
        }
        for (int k = 0; k < x->n_not_done; k++)
            mn__buf_textf(&b, "       %-20s not done  (plan %.2f mm x %g: planned that day)\n",
                          zone_name(ctx, x->not_done[k].zone), x->not_done[k].planned_depth_mm,
                          x->not_done[k].planned_passes);
        if (x->serum[0])
            mn__buf_textf(&b, "       serum %s%s%s\n", x->serum, x->serum_lot[0] ? " lot " : "",
                          x->serum_lot);
        if (x->endpoint[0])
            mn__buf_textf(&b, "       endpoint: %s\n", x->endpoint);
        if (x->reactions[0])
            mn__buf_textf(&b, "       reactions: %s\n", x->reactions);
        if (x->override_reason[0])
            mn__buf_textf(&b, "       outside the plan, overridden: %s\n", x->override_reason);
    }
    mn__buf_textf(&b, "\nScores:\n");
    if (!h->n_assessments)
        mn__buf_textf(&b, "  none recorded\n");
    for (int i = 0; i < h->n_assessments; i++) {
        const mn_store_assessment *a = &h->assessments[i];
        char scale[sizeof((mn_scale *)0)->name];
        mn__buf_textf(&b, "  %s  %s: %g", mn_date_format(a->date, d1),
                      scale_name(ctx, a->scale, scale, sizeof scale), a->score);
        if (a->rater[0])
            mn__buf_textf(&b, ", rated by %s", a->rater);
        if (a->zone[0])
            mn__buf_textf(&b, ", %s", zone_name(ctx, a->zone));
        if (a->n_photos)
            mn__buf_textf(&b, ", %d photo%s", a->n_photos, a->n_photos == 1 ? "" : "s");
        mn__buf_textf(&b, "\n");
    }
    mn__buf_textf(&b, "\nAdverse events:\n");
    if (!h->n_events)
        mn__buf_textf(&b, "  nothing recorded\n");
    for (int i = 0; i < h->n_events; i++) {
        const mn_store_adverse_event *e = &h->events[i];
        /* A kind by its name (the JSON keeps the id), free text as recorded. */
        mn__buf_textf(&b, "  %s  %s%s%s%s", mn_date_format(e->date, d1),
                      e->kind_name[0] ? e->kind_name : e->event, e->severity[0] ? " (" : "",
                      e->severity, e->severity[0] ? ")" : "");
        if (e->session_number)
            mn__buf_textf(&b, " after session %d", e->session_number);
        if (e->resolved)
            mn__buf_textf(&b, ", resolved %s", mn_date_format(e->resolved_date, d2));
        mn__buf_textf(&b, "\n");
    }
    if (h->has_maintenance_due)
        mn__buf_textf(&b, "\nMaintenance due %s\n", mn_date_format(h->maintenance_due, d1));
    return mn__buf_finish(ctx, &b, "history", write, userdata);
}

/* A percentage as printed with one decimal: 0 rather than "-0.0" for a tiny negative. */
static double shown(double pct)
{
    return fabs(pct) < 0.05 ? 0.0 : pct;
}

/* How far the model has been borne out (validation_note.h), as the stored plan's projection
 * carries it, else the bundled summary 'mneedle plan' uses; 0 when neither is there. */
static int replan_validation(mn_ctx *ctx, const mn_store_replan *r, mn_validation_summary *v)
{
    *v = (mn_validation_summary){0};
    if (r->has_validation) {
        v->checked = r->validation_checked;
        v->inside = r->validation_inside;
        v->worse = r->validation_worse;
        v->better = r->validation_better;
        v->studies = r->validation_studies;
        v->efficacy_checked = r->validation_efficacy_checked;
        v->efficacy_inside = r->validation_efficacy_inside;
        return 1;
    }
    if (mn_evidence_validation_summary(ctx, v)) {
        mn_ctx_clear_error(ctx);
        return 0;
    }
    return 1;
}

/* One deviation of the last session, in words. */
static void deviation_text(mn_ctx *ctx, mn__buf *b, const mn_store_replan_deviation *v, int visit)
{
    const char *zone = zone_name(ctx, v->zone);
    if (!strcmp(v->kind, "sooner"))
        mn__buf_textf(b,
                      "  %s: %d day%s after its session before, sooner than the minimum "
                      "interval of %d days\n",
                      zone, v->gap_days, v->gap_days == 1 ? "" : "s", v->min_interval_days);
    else if (!strcmp(v->kind, "not_done"))
        mn__buf_textf(b, "  %s: planned %.2f mm x %g at visit %d, not done that day\n", zone,
                      v->planned_depth_mm, v->planned_passes, visit);
    else if (!strcmp(v->kind, "not_planned"))
        mn__buf_textf(b, "  %s %.2f mm x %g: a zone planned visit %d does not treat\n", zone,
                      v->depth_mm, v->passes, visit);
    else
        mn__buf_textf(b, "  %s %.2f mm x %g: %s than the plan's %.2f mm x %g for visit %d\n", zone,
                      v->depth_mm, v->passes,
                      !strcmp(v->kind, "deeper")        ? "deeper"
                      : !strcmp(v->kind, "more_passes") ? "more passes"
                                                        : "lighter",
                      v->planned_depth_mm, v->planned_passes, visit);
}

/* Replan's note for a text: the scale its scores are on by the scale's name (the JSON's note
 * and response.scale keep the id). */
static void note_text(mn_ctx *ctx, mn__buf *b, const mn_store_replan *r)
{
    char said[128], scale[sizeof((mn_scale *)0)->name];
    snprintf(said, sizeof said, " on %s used", r->scale);
    const char *at = r->scale[0] ? strstr(r->note, said) : NULL;
    if (!at) {
        mn__buf_textf(b, "\n%s\n", r->note);
        return;
    }
    mn__buf_textf(b, "\n%.*s on %s used%s\n", (int)(at - r->note), r->note,
                  scale_name(ctx, r->scale, scale, sizeof scale), at + strlen(said));
}

mn_status mn_store_replan_write(mn_ctx *ctx, const mn_store_replan *r, int json, mn_writer write,
                                void *userdata)
{
    return mn__store_replan_write(ctx, r, json, MN_STORE_WORDS_COMMAND, write, userdata);
}

mn_status mn__store_replan_write(mn_ctx *ctx, const mn_store_replan *r, int json,
                                 mn_store_words words, mn_writer write, void *userdata)
{
    if (!r || !write)
        return mn__error(ctx, MN_EINVAL, "replan: nothing to write");
    char d[16], d2[16], d3[16], next[200]; /* next: what to do next, in @p words */
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = json_object();
        mn__jput_str(&j, root, "version", mn_version());
        mn__jput_str(&j, root, "client", r->client);
        mn__jput_int(&j, root, "plan_id", r->plan_id);
        mn__jput_str(&j, root, "plan_created", r->plan_created);
        if (r->plan_stale < 0)
            mn__jput(&j, root, "plan_stale", json_null());
        else
            mn__jput_bool(&j, root, "plan_stale", r->plan_stale);
        if (r->plan_device[0]) /* the device its depths are for; null when not recorded */
            mn__jput_str(&j, root, "plan_device", r->plan_device);
        else
            mn__jput(&j, root, "plan_device", json_null());
        mn__jput_int(&j, root, "sessions_done", r->n_done);
        json_t *arr = mn__jput(&j, root, "remaining", json_array());
        for (int i = 0; i < r->n_remaining; i++) {
            planned_json(&j, mn__jpush(&j, arr, json_object()), &r->remaining[i]);
        }
        /* A plan without a projection (melasma, hair loss): no response to report. */
        mn__jput_bool(&j, root, "has_projection", r->has_projection);
        if (!r->has_projection)
            mn__jput_str(&j, root, "projection_note", r->projection_note);
        json_t *resp = r->has_projection ? mn__jput(&j, root, "response", json_object()) : NULL;
        if (!resp)
            mn__jput(&j, root, "response", json_null());
        else
            mn__jput_str(&j, resp, "scale", r->scale);
        if (resp)
            mn__jput_int(&j, resp, "scores_used", r->n_obs);
        if (resp)
            mn__jput_int(&j, resp, "scores_set_aside", r->n_set_aside);
        if (resp)
            mn__jput_num(&j, resp, "prior_gain", r->prior_median);
        if (resp)
            mn__jput_num(&j, resp, "prior_gain_low", r->prior_low);
        if (resp)
            mn__jput_num(&j, resp, "prior_gain_high", r->prior_high);
        if (resp)
            mn__jput_num(&j, resp, "gain", r->gain_median);
        if (resp)
            mn__jput_num(&j, resp, "gain_low", r->gain_low);
        if (resp)
            mn__jput_num(&j, resp, "gain_high", r->gain_high);
        if (resp)
            mn__jput_num(&j, resp, "score_sd_pct", r->obs_sd_pct);
        json_t *scr = mn__jput(&j, root, "screening", json_object());
        mn__jput_str(&j, scr, "decision", mn_decision_name(r->screening.decision));
        arr = mn__jput(&j, scr, "findings", json_array());
        for (int i = 0; i < r->screening.n_findings; i++) {
            const mn_store_finding *f = &r->screening.findings[i];
            json_t *o = mn__jpush(&j, arr, json_object());
            mn__jput_str(&j, o, "code", f->code);
            mn__jput_str(&j, o, "severity", f->severity);
            mn__jput_str(&j, o, "message", f->message);
        }
        questionnaire_json(&j, root, &r->screening.questionnaire);
        arr = mn__jput(&j, root, "open_adverse_events", json_array());
        for (int i = 0; i < r->n_open_events; i++)
            event_json(&j, mn__jpush(&j, arr, json_object()), &r->open_events[i]);
        json_t *hold = mn__jput(&j, root, "hold", json_object());
        mn__jput_bool(&j, hold, "held", r->held);
        mn__jput_str(&j, hold, "reason", r->hold_reason);
        mn__jput_int(&j, hold, "visits_not_booked", r->n_held);
        arr = mn__jput(&j, root, "observations", json_array());
        for (int i = 0; i < r->n_obs; i++) {
            json_t *o = mn__jpush(&j, arr, json_object());
            put_date(&j, o, "date", r->obs[i].date);
            mn__jput_int(&j, o, "day", r->obs[i].day);
            mn__jput_num(&j, o, "score", r->obs[i].score);
            mn__jput_num(&j, o, "improvement_pct", r->obs[i].improvement_pct);
            mn__jput_num(&j, o, "typical_pct", r->obs[i].predicted_pct);
        }
        arr = mn__jput(&j, root, "projection", json_array());
        for (int i = 0; i < r->n_samples; i++) {
            const mn_store_replan_sample *x = &r->samples[i];
            json_t *o = mn__jpush(&j, arr, json_object());
            mn__jput_int(&j, o, "day", x->day);
            mn__jput_num(&j, o, "typical_pct", x->population_pct);
            mn__jput_num(&j, o, "improvement_pct", x->client_pct);
            mn__jput_num(&j, o, "low_pct", x->client_low_pct);
            mn__jput_num(&j, o, "high_pct", x->client_high_pct);
            mn__jput_num(&j, o, "plan_low_pct", x->plan_low_pct);
            mn__jput_num(&j, o, "plan_high_pct", x->plan_high_pct);
        }
        mn__jput_str(&j, root, "band_source", r->band_source);
        if (r->has_peak) {
            json_t *pk = mn__jput(&j, root, "peak", json_object());
            mn__jput_int(&j, pk, "day", r->peak_day);
            mn__jput_num(&j, pk, "typical_pct", r->peak_typical_pct);
            mn__jput_num(&j, pk, "improvement_pct", r->peak_pct);
            mn__jput_num(&j, pk, "low_pct", r->peak_low_pct);
            mn__jput_num(&j, pk, "high_pct", r->peak_high_pct);
        }
        mn_validation_summary v; /* none without a projection: no figures it could qualify */
        if (r->has_projection && replan_validation(ctx, r, &v))
            mn__jput_validation(&j, root, &v);
        if (r->has_last_session) {
            json_t *ls = mn__jput(&j, root, "last_session", json_object());
            mn__jput_int(&j, ls, "number", r->last_number);
            put_date(&j, ls, "date", r->last_date);
            if (r->last_visit)
                mn__jput_int(&j, ls, "visit", r->last_visit);
            else
                mn__jput(&j, ls, "visit", json_null());
            mn__jput_bool(&j, ls, "off_protocol", r->last_off_protocol);
            mn__jput_str(&j, ls, "override_reason", r->last_override_reason);
            json_t *dv = mn__jput(&j, ls, "deviations", json_array());
            for (int i = 0; i < r->n_deviations; i++) {
                const mn_store_replan_deviation *x = &r->deviations[i];
                json_t *o = mn__jpush(&j, dv, json_object());
                mn__jput_str(&j, o, "zone", x->zone);
                mn__jput_str(&j, o, "kind", x->kind);
                if (strcmp(x->kind, "not_done")) { /* nothing done: no depth or passes */
                    mn__jput_num(&j, o, "depth_mm", x->depth_mm);
                    mn__jput_num(&j, o, "passes", x->passes);
                }
                if (x->has_planned) {
                    mn__jput_num(&j, o, "planned_depth_mm", x->planned_depth_mm);
                    mn__jput_num(&j, o, "planned_passes", x->planned_passes);
                }
                if (!strcmp(x->kind, "sooner")) {
                    mn__jput_int(&j, o, "gap_days", x->gap_days);
                    mn__jput_int(&j, o, "min_interval_days", x->min_interval_days);
                }
            }
        } else {
            mn__jput(&j, root, "last_session", json_null());
        }
        if (r->next_keeps_plan < 0)
            mn__jput(&j, root, "next_visit_keeps_plan", json_null());
        else
            mn__jput_bool(&j, root, "next_visit_keeps_plan", r->next_keeps_plan);
        if (r->step_down[0]) /* a zone's next visit one setting lower after an adverse event */
            mn__jput_str(&j, root, "step_down", r->step_down);
        if (r->step_down_carried[0]) /* the visits after it, rising from it by the plan's steps */
            mn__jput_str(&j, root, "step_down_carried", r->step_down_carried);
        if (r->rise_held[0]) /* held to the plan's rise per visit above the last session */
            mn__jput_str(&j, root, "rise_held", r->rise_held);
        if (r->has_maintenance) {
            json_t *m = mn__jput(&j, root, "maintenance", json_object());
            put_date(&j, m, "due", r->maintenance_due);
            put_date(&j, m, "early", r->maintenance_early);
            put_date(&j, m, "late", r->maintenance_late);
            mn__jput_int(&j, m, "interval_days", r->client_interval_days);
            mn__jput_int(&j, m, "typical_interval_days", r->population_interval_days);
        }
        mn__jput_str(&j, root, "note", r->note);
        return mn__json_finish(ctx, &j, root, "replan", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_textf(&b, "Replan of %s from plan %ld and %d session%s done\n", r->client, r->plan_id,
                  r->n_done, r->n_done == 1 ? "" : "s");
    plan_device_text(ctx, &b, "Planned", r->plan_device);
    if (r->plan_stale == 1)
        mn__buf_textf(&b,
                      "\nSTALE PLAN: plan %ld (saved %s) was made from an earlier record of "
                      "this client, edited since: its depths, zones and spacing are not the "
                      "current record's, and none of them is booked. Save the plan again "
                      "%s, then replan.\n",
                      r->plan_id, r->plan_created,
                      mn__store_words_say(words, MN__SAY_STALE_HOLD, r->client, next, sizeof next));
    else if (r->plan_stale < 0)
        mn__buf_textf(&b,
                      "\nPlan %ld was saved before plans kept the record they were made "
                      "from: whether the record has been edited since is not known.\n",
                      r->plan_id);
    if (r->held) {
        mn__buf_textf(&b,
                      "\nON HOLD: %s. No visit is booked and no maintenance date is set "
                      "while this holds; replan again once it no longer does.\n",
                      r->hold_reason_text);
        /* Each finding by its rule's name (the code is the JSON's), its first letter raised
         * (an ASCII letter only: %c of a name's first byte would split a longer character
         * from the rest, which the escaping then names byte by byte). */
        for (int i = 0; i < r->screening.n_findings; i++) {
            const mn_store_finding *f = &r->screening.findings[i];
            char name[sizeof f->name];
            snprintf(name, sizeof name, "%s", f->name);
            if (name[0] >= 'a' && name[0] <= 'z')
                name[0] = (char)(name[0] - 'a' + 'A');
            mn__buf_textf(&b, "  %s (%s): %s\n", name, f->severity, f->message);
        }
        /* Why the answers are out of date: their day and their age on the replan's day. */
        const mn_store_questionnaire *q = &r->screening.questionnaire;
        if (q->out_of_date) {
            char said[256];
            mn__buf_textf(&b,
                          "  Health questionnaire: %s. Take it again (re-screen the "
                          "client), %s, and save the plan again; then replan.\n",
                          mn_store_questionnaire_words(q, said, sizeof said),
                          mn__store_words_say(words, MN__SAY_NEW_QUESTIONNAIRE, r->client, next,
                                              sizeof next));
        }
    }
    if (r->n_open_events) {
        mn__buf_textf(&b, "\nOpen adverse events (no resolved date):\n");
        for (int i = 0; i < r->n_open_events; i++) {
            const mn_store_adverse_event *e = &r->open_events[i];
            /* A kind by its name alone (the id is the JSON's), free text as recorded. */
            mn__buf_textf(&b, "  %s  %s%s%s%s", mn_date_format(e->date, d),
                          e->kind_name[0] ? e->kind_name : e->event, e->severity[0] ? " (" : "",
                          e->severity, e->severity[0] ? ")" : "");
            if (e->session_number)
                mn__buf_textf(&b, " after session %d", e->session_number);
            mn__buf_textf(&b, "\n");
        }
    }
    if (r->has_last_session) {
        char visit[32] = "";
        if (r->last_visit)
            snprintf(visit, sizeof visit, ", planned visit %d", r->last_visit);
        mn__buf_textf(&b, "\nLast visit (session %d, %s%s): ", r->last_number,
                      mn_date_format(r->last_date, d), visit);
        if (r->last_off_protocol)
            mn__buf_textf(&b, "OFF PROTOCOL");
        else if (r->n_deviations)
            mn__buf_textf(&b, "lighter than planned");
        else
            mn__buf_textf(&b, "as planned");
        if (r->last_override_reason[0])
            mn__buf_textf(&b, ", recorded with %s (\"%s\")",
                          mn__store_words_say(words, MN__SAY_OVERRIDDEN, NULL, next, sizeof next),
                          r->last_override_reason);
        mn__buf_textf(&b, "\n");
        for (int i = 0; i < r->n_deviations; i++)
            deviation_text(ctx, &b, &r->deviations[i], r->last_visit);
        if (r->next_keeps_plan > 0)
            mn__buf_textf(&b, "  The next visit (%d, %s) keeps the plan's settings for it%s.\n",
                          r->remaining[0].number, mn_date_format(r->remaining[0].date, d2),
                          r->n_deviations ? "; the last visit's are not carried on" : "");
        else if (r->next_keeps_plan == 0) {
            /* Each reason it departs from the plan's setting, joined by ", and ". */
            const char *why[3];
            int n_why = 0;
            if (r->next_raised)
                why[n_why++] = "a depth is raised to the last used within the protocol";
            if (r->next_lowered)
                why[n_why++] = "a depth is set below the plan's after an adverse event (below)";
            if (r->next_rise_held)
                why[n_why++] =
                    "a depth is held to the plan's rise per visit above the last session (below)";
            if (!n_why)
                why[n_why++] = "its settings differ from the plan's";
            mn__buf_textf(&b,
                          "  The next visit (%d, %s) does not keep the plan's settings for it: ",
                          r->remaining[0].number, mn_date_format(r->remaining[0].date, d2));
            for (int i = 0; i < n_why; i++)
                mn__buf_textf(&b, "%s%s", i ? ", and " : "", why[i]);
            mn__buf_textf(&b, ".\n");
        } else
            mn__buf_textf(&b, "  No next visit is booked%s.\n",
                          r->held ? " (on hold)" : " (every planned visit is done)");
    }
    mn__buf_textf(&b, "\nVisits left:\n");
    if (r->held)
        mn__buf_textf(&b, "  none booked: on hold (%d planned visit%s not booked)\n", r->n_held,
                      r->n_held == 1 ? "" : "s");
    else if (!r->n_remaining)
        mn__buf_textf(&b, "  none: every planned visit is done\n");
    for (int i = 0; i < r->n_remaining; i++) {
        const mn_store_planned_visit *v = &r->remaining[i];
        mn__buf_textf(&b, "  %2d %-11s %s ", v->number, v->maintenance ? "maintenance" : "course",
                      mn_date_format(v->date, d));
        for (int k = 0; k < v->n_settings; k++)
            mn__buf_textf(&b, "%s %s %.2f mm x %g", k ? "," : "",
                          zone_name(ctx, v->settings[k].zone), v->settings[k].depth_mm,
                          v->settings[k].passes);
        mn__buf_textf(&b, "\n");
    }
    if (r->step_down[0]) {
        mn__buf_textf(&b, "  Stepped down one setting after an adverse event "
                          "(a judgement of the adverse-event catalogue): ");
        zone_sentences(ctx, &b, r->step_down);
        mn__buf_textf(&b, "; the visits after it rise from there by the plan's own steps.\n");
    }
    if (r->step_down_carried[0]) {
        mn__buf_textf(&b, "  Kept below the plan after an adverse event "
                          "(a judgement of the adverse-event catalogue): ");
        zone_sentences(ctx, &b, r->step_down_carried);
        mn__buf_textf(&b, ".\n");
    }
    if (r->rise_held[0]) {
        mn__buf_textf(&b, "  Held to the plan's rise per visit above the last session on the "
                          "zone (a judgement: the plan never rises faster): ");
        zone_sentences(ctx, &b, r->rise_held);
        mn__buf_textf(&b, ".\n");
    }
    if (!r->has_projection) {
        /* No figures to show: say so, with the plan's own reason, and stop before them. */
        note_text(ctx, &b, r);
        return mn__buf_finish(ctx, &b, "replan", write, userdata);
    }
    mn__buf_textf(&b, "\nResponse: gain %.2f (10-90 %%: %.2f-%.2f; before any score %.2f-%.2f)\n",
                  r->gain_median, r->gain_low, r->gain_high, r->prior_low, r->prior_high);
    char scale[sizeof((mn_scale *)0)->name];
    scale_name(ctx, r->scale, scale, sizeof scale);
    for (int i = 0; i < r->n_obs; i++)
        mn__buf_textf(&b, "  %s day %4d  %s %g: improvement %.0f %% (typical person %.0f %%)\n",
                      mn_date_format(r->obs[i].date, d), r->obs[i].day, scale, r->obs[i].score,
                      r->obs[i].improvement_pct, r->obs[i].predicted_pct);
    mn__buf_textf(&b, "\nProjection (improvement, %% of baseline severity):\n");
    if (r->has_peak)
        mn__buf_textf(&b, "  peak about %.0f %% around day %d (range %.0f-%.0f %%)\n", r->peak_pct,
                      r->peak_day, r->peak_low_pct, r->peak_high_pct);
    if (!strcmp(r->band_source, "plan"))
        mn__buf_textf(&b,
                      "  range: the plan's own 10-90 %% range, as %s gives it (no score used "
                      "yet)\n",
                      mn__store_words_say(words, MN__SAY_PLAN_RANGE, NULL, next, sizeof next));
    else
        mn__buf_textf(&b,
                      "  range: the plan's 10-90 %% range, recentred on this client's response "
                      "gain and narrowed as its range narrowed with %d score%s\n",
                      r->n_obs, r->n_obs == 1 ? "" : "s");
    int last_day = -1000;
    for (int i = 0; i < r->n_samples; i++) {
        const mn_store_replan_sample *x = &r->samples[i];
        /* Every 12 weeks, and the last day. */
        if (x->day - last_day < 84 && i != r->n_samples - 1)
            continue;
        last_day = x->day;
        mn__buf_textf(&b, "  day %4d  this client %5.1f %% (%.1f-%.1f)  typical %5.1f %%\n", x->day,
                      shown(x->client_pct), shown(x->client_low_pct), shown(x->client_high_pct),
                      shown(x->population_pct));
    }
    {
        mn_validation_summary v;
        char said[400];
        if (replan_validation(ctx, r, &v) && mn__validation_sentence(&v, said, sizeof said)[0])
            mn__buf_textf(&b, "  %s\n", said);
    }
    if (r->has_maintenance)
        mn__buf_textf(&b, "\nMaintenance due %s (between %s and %s), every %d days (typical %d)\n",
                      mn_date_format(r->maintenance_due, d),
                      mn_date_format(r->maintenance_early, d2),
                      mn_date_format(r->maintenance_late, d3), r->client_interval_days,
                      r->population_interval_days);
    note_text(ctx, &b, r);
    return mn__buf_finish(ctx, &b, "replan", write, userdata);
}

/* iCalendar text value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped.
 * A calendar shows it to a reader, so it is text as every text writer shows it: a control
 * other than the newline, a bidirectional override, a byte that is not UTF-8 named
 * ("<U+001B>", mn__buf_textf); RFC 5545 allows none of them raw but the tab, and wants UTF-8. */
static void ics_text(mn__buf *b, const char *s)
{
    mn__buf named;
    mn__buf_init(&named);
    for (;;) {
        size_t len = strcspn(s, "\n");
        named.len = 0;
        mn__buf_textf(&named, "%.*s", (int)len, s);
        if (mn__buf_status(&named))
            b->failed = 1;
        for (size_t i = 0; i < named.len; i++) {
            char c = named.data[i];
            if (c == '\\' || c == ';' || c == ',')
                mn__buf_printf(b, "\\%c", c);
            else
                mn__buf_append(b, &c, 1);
        }
        if (!s[len])
            break;
        mn__buf_printf(b, "\\n");
        s += len + 1;
    }
    mn__buf_release(&named);
}

/* Appends one content line, folded at 75 octets (RFC 5545 3.1) without splitting a UTF-8
 * character, ended by CRLF. */
static void ics_line(mn__buf *out, const mn__buf *line)
{
    size_t col = 0;
    for (size_t i = 0; i < line->len; i++) {
        unsigned char c = (unsigned char)line->data[i];
        size_t clen = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (col + clen > 75) {
            mn__buf_append(out, "\r\n ", 3);
            col = 1;
        }
        mn__buf_append(out, line->data + i, clen);
        col += clen;
        i += clen - 1;
    }
    mn__buf_append(out, "\r\n", 2);
}

typedef struct {
    mn__buf out, line;
} ics;

static void ics_begin(ics *c)
{
    mn__buf_init(&c->out);
    mn__buf_init(&c->line);
    mn__buf_printf(&c->out,
                   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mneedle//mneedle %s//EN\r\n"
                   "CALSCALE:GREGORIAN\r\n",
                   mn_version());
}

static void ics_event(ics *c, const char *uid, mn_date date, mn_date stamp, const char *summary,
                      const char *description)
{
    char d[16], ymd[9], st[9];
    mn_date_format(date, d);
    snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", d, d + 5, d + 8);
    mn_date_format(stamp, d);
    snprintf(st, sizeof st, "%.4s%.2s%.2s", d, d + 5, d + 8);
    char end[16], ymd_end[9];
    mn_date_format(date + 1, end);
    snprintf(ymd_end, sizeof ymd_end, "%.4s%.2s%.2s", end, end + 5, end + 8);
    mn__buf_printf(&c->out, "BEGIN:VEVENT\r\n");
    c->line.len = 0;
    mn__buf_printf(&c->line, "UID:%s", uid);
    ics_line(&c->out, &c->line);
    mn__buf_printf(&c->out,
                   "DTSTAMP:%sT000000Z\r\nDTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:%s\r\n", st,
                   ymd, ymd_end);
    c->line.len = 0;
    mn__buf_printf(&c->line, "SUMMARY:");
    ics_text(&c->line, summary);
    ics_line(&c->out, &c->line);
    c->line.len = 0;
    mn__buf_printf(&c->line, "DESCRIPTION:");
    ics_text(&c->line, description);
    ics_line(&c->out, &c->line);
    mn__buf_printf(&c->out, "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n");
}

static mn_status ics_finish(mn_ctx *ctx, ics *c, const char *what, mn_writer write, void *ud)
{
    mn__buf_printf(&c->out, "END:VCALENDAR\r\n");
    if (mn__buf_status(&c->line))
        c->out.failed = 1;
    mn__buf_release(&c->line);
    return mn__buf_finish(ctx, &c->out, what, write, ud);
}

/* The characters that make a spreadsheet take a cell for a formula when they begin it: OWASP's
 * "CSV Injection" page (https://owasp.org/www-community/attacks/CSV_Injection) lists '=', '+',
 * '-', '@', the tab and the carriage return. */
static const char csv_formula_start[] = "=+-@\t\r";

/* 1 when a text cell needs the formula guard: it begins with a formula character, or with one
 * or more single quotes and then one. The second case keeps the guard reversible: a reader
 * removes one leading quote from a cell that begins with quotes and then a formula character
 * and from no other, so a text that began "'=" (guarded as "''=") reads back as "'=", and
 * one that began "'x" (not guarded) as "'x" (docs/records.md, "Export"). */
static int csv_needs_guard(const char *s)
{
    s += strspn(s, "'");
    return *s && strchr(csv_formula_start, *s) != NULL;
}

/* CSV text field (RFC 4180): the exact text, as the JSON keeps it, for a program to read back;
 * quoted when it holds a comma, a quote or a line break, and also when it holds any other
 * character a text would name (a control, a line or paragraph separator, a bidirectional
 * override), so none of them stands outside quotes where a reader could take it for the end of
 * a row. A byte that is not UTF-8 is named ("<byte 0xFF>"): the file stays UTF-8, which a
 * strict reader needs to read any of it. A text a spreadsheet would run as a formula is
 * guarded as OWASP recommends, a single quote put before it inside the quotes (a number is
 * never written through here, so a negative one stays a number; nor is the header). */
static void csv_field(mn__buf *b, const char *s, int last)
{
    size_t len = strlen(s);
    size_t need = mn__escape(NULL, 0, s, len, MN__ESC_BYTES);
    char *kept = need == len ? NULL : mn__malloc(need + 1);
    if (kept) {
        mn__escape(kept, need + 1, s, len, MN__ESC_BYTES);
        s = kept;
    } else if (need != len) {
        b->failed = 1;
        return;
    }
    int guard = csv_needs_guard(s);
    if (guard || strpbrk(s, ",\"\r\n") ||
        mn__escape(NULL, 0, s, strlen(s), MN__ESC_TEXT) != strlen(s)) {
        mn__buf_append(b, guard ? "\"'" : "\"", guard ? 2 : 1);
        for (const char *c = s; *c; c++) {
            if (*c == '"')
                mn__buf_append(b, "\"", 1);
            mn__buf_append(b, c, 1);
        }
        mn__buf_append(b, "\"", 1);
    } else {
        mn__buf_append(b, s, strlen(s));
    }
    mn__buf_append(b, last ? "\n" : ",", 1);
    mn__free(kept);
}

/* A recall entry's questionnaire: out of date on the day the client would be seen (a flag to
 * filter on), and its day and age then. */
static void recall_questionnaire_json(mn__jout *j, json_t *o, const mn_store_recall *r)
{
    mn__jput_bool(j, o, "questionnaire_stale", r->questionnaire.out_of_date);
    questionnaire_json(j, o, &r->questionnaire);
}

mn_status mn_store_recall_write(mn_ctx *ctx, const mn_store_recall *list, int n,
                                mn_recall_format format, mn_date stamp, mn_writer write,
                                void *userdata)
{
    if ((!list && n) || !write)
        return mn__error(ctx, MN_EINVAL, "recall: nothing to write");
    char d[16], d2[16];
    if (format == MN_RECALL_JSON) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = json_object();
        mn__jput_str(&j, root, "version", mn_version());
        json_t *arr = mn__jput(&j, root, "due", json_array());
        json_t *held = mn__jput(&j, root, "on_hold", json_array());
        json_t *late = mn__jput(&j, root, "overdue", json_array());
        for (int i = 0; i < n; i++) {
            if (list[i].status == MN_STORE_RECALL_OVERDUE) {
                json_t *o = mn__jpush(&j, late, json_object());
                mn__jput_str(&j, o, "client", list[i].client);
                mn__jput_int(&j, o, "visit", list[i].visit_number);
                put_date(&j, o, "planned", list[i].due);
                mn__jput_int(&j, o, "days_overdue", list[i].days_overdue);
                mn__jput_int(&j, o, "course_visits_left", list[i].course_visits_left);
                if (list[i].has_last_session)
                    put_date(&j, o, "last_session", list[i].last_session);
                mn__jput_str(&j, o, "reason", list[i].reason);
                recall_questionnaire_json(&j, o, &list[i]);
                continue;
            }
            json_t *o =
                mn__jpush(&j, list[i].status == MN_STORE_RECALL_DUE ? arr : held, json_object());
            mn__jput_str(&j, o, "client", list[i].client);
            put_date(&j, o, "due", list[i].due);
            if (list[i].has_last_session)
                put_date(&j, o, "last_session", list[i].last_session);
            mn__jput_str(&j, o, "reason", list[i].reason);
            if (list[i].status == MN_STORE_RECALL_ON_HOLD) /* the plan is to be made again */
                mn__jput_bool(&j, o, "plan_stale", list[i].plan_stale);
            recall_questionnaire_json(&j, o, &list[i]);
        }
        return mn__json_finish(ctx, &j, root, "recall", write, userdata);
    }
    if (format == MN_RECALL_ICS) {
        ics c;
        ics_begin(&c);
        for (int i = 0; i < n; i++) {
            if (list[i].status != MN_STORE_RECALL_DUE)
                continue; /* not recalled while on hold */
            char uid[96], summary[96];
            snprintf(uid, sizeof uid, "recall-%s-%s@mneedle", list[i].client,
                     mn_date_format(list[i].due, d));
            /* Still called in, marked: the answers are taken again before booking. */
            snprintf(summary, sizeof summary, "Maintenance due%s: %s",
                     list[i].questionnaire.out_of_date ? ", re-screen first" : "", list[i].client);
            char desc[1400];
            snprintf(desc, sizeof desc, "%s%s%s", list[i].reason_text,
                     list[i].rescreen[0] ? "; " : "", list[i].rescreen);
            ics_event(&c, uid, list[i].due, stamp, summary, desc);
        }
        return ics_finish(ctx, &c, "recall", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    if (format == MN_RECALL_CSV)
        mn__buf_printf(&b, "client,due,last_session,reason,type\n");
    int n_due = 0, n_held = 0, n_late = 0, n_rescreen = 0;
    for (int i = 0; i < n; i++) {
        const mn_store_recall *r = &list[i];
        if (r->status != MN_STORE_RECALL_DUE) {
            n_held += r->status == MN_STORE_RECALL_ON_HOLD;
            n_late += r->status == MN_STORE_RECALL_OVERDUE;
            continue; /* listed apart below (text) or left out (CSV) */
        }
        n_due++;
        n_rescreen += r->questionnaire.out_of_date;
        if (format == MN_RECALL_CSV) {
            csv_field(&b, r->client, 0);
            csv_field(&b, mn_date_format(r->due, d), 0);
            csv_field(&b, r->has_last_session ? mn_date_format(r->last_session, d2) : "", 0);
            csv_field(&b, r->reason, 0);
            /* due-rescreen: call the client in, and take the questionnaire again first */
            csv_field(&b, r->questionnaire.out_of_date ? "due-rescreen" : "due", 1);
        } else {
            mn__buf_textf(&b, "%-14s due %s  last session %s  %s%s%s\n", r->client,
                          mn_date_format(r->due, d),
                          r->has_last_session ? mn_date_format(r->last_session, d2) : "-",
                          r->reason_text, r->rescreen[0] ? "; " : "", r->rescreen);
        }
    }
    if (format == MN_RECALL_TEXT) {
        mn__buf_textf(&b, "%d client%s due", n_due, n_due == 1 ? "" : "s");
        if (n_rescreen)
            mn__buf_textf(&b,
                          " (%d with the health questionnaire out of date: re-screen "
                          "before booking)",
                          n_rescreen);
        mn__buf_textf(&b, "\n");
        if (n_held) {
            mn__buf_textf(&b, "\nOn hold (due, but not to be recalled):\n");
            for (int i = 0; i < n; i++)
                if (list[i].status == MN_STORE_RECALL_ON_HOLD)
                    mn__buf_textf(&b, "%-14s due %s  %s%s%s\n", list[i].client,
                                  mn_date_format(list[i].due, d), list[i].reason_text,
                                  list[i].rescreen[0] ? "; " : "", list[i].rescreen);
            mn__buf_textf(&b, "%d client%s on hold\n", n_held, n_held == 1 ? "" : "s");
        }
        if (n_late) {
            mn__buf_textf(&b, "\nOverdue course visits (planned before today, not done):\n");
            for (int i = 0; i < n; i++)
                if (list[i].status == MN_STORE_RECALL_OVERDUE)
                    mn__buf_textf(
                        &b,
                        "%-14s visit %d planned %s  %d days overdue  last session %s  %d course "
                        "visits left%s%s\n",
                        list[i].client, list[i].visit_number, mn_date_format(list[i].due, d),
                        list[i].days_overdue,
                        list[i].has_last_session ? mn_date_format(list[i].last_session, d2) : "-",
                        list[i].course_visits_left, list[i].rescreen[0] ? "  " : "",
                        list[i].rescreen);
            mn__buf_textf(&b, "%d client%s with a course visit overdue\n", n_late,
                          n_late == 1 ? "" : "s");
        }
    }
    return mn__buf_finish(ctx, &b, "recall", write, userdata);
}

mn_status mn_store_ics_write(mn_ctx *ctx, mn_store_history *const *histories, int n, mn_date stamp,
                             mn_writer write, void *userdata)
{
    if ((!histories && n) || !write)
        return mn__error(ctx, MN_EINVAL, "export: nothing to write");
    ics c;
    ics_begin(&c);
    for (int i = 0; i < n; i++) {
        const mn_store_history *h = histories[i];
        /* A plan made from an earlier record of the client (stale): its visits are not the
         * current record's, so none of them goes into a calendar as an appointment to keep
         * (replan and record session hold on it; recall lists the client as to re-plan). */
        if (h->plan_stale == 1)
            continue;
        /* A client on hold (a screening that holds, an open adverse event that holds:
         * docs/records.md, "Holds"): a session would be refused, so none either. */
        if (h->held)
            continue;
        for (int k = h->n_sessions; k < h->n_planned; k++) {
            const mn_store_planned_visit *v = &h->planned[k];
            char uid[128], summary[128], desc[768], d[16];
            snprintf(uid, sizeof uid, "plan-%ld-visit-%d-%s@mneedle", h->plan_id, v->number,
                     h->client);
            /* The health questionnaire out of date by the visit: kept, as recall keeps a
             * client due then, and marked so the answers are taken again first. */
            snprintf(summary, sizeof summary, "Microneedling %s visit %d%s: %s",
                     v->maintenance ? "maintenance" : "course", v->number,
                     v->rescreen ? ", re-screen first" : "", h->client);
            size_t used =
                (size_t)snprintf(desc, sizeof desc, "Planned %s.", mn_date_format(v->date, d));
            for (int z = 0; z < v->n_settings && used < sizeof desc; z++)
                used += (size_t)snprintf(desc + used, sizeof desc - used, " %s %.2f mm x %g.",
                                         v->settings[z].zone, v->settings[z].depth_mm,
                                         v->settings[z].passes);
            if (v->rescreen && used < sizeof desc)
                snprintf(desc + used, sizeof desc - used,
                         " The health questionnaire will be out of date by then: re-screen "
                         "before this visit (the questionnaire is valid for %d months: the "
                         "screening rules).",
                         h->questionnaire.valid_months);
            ics_event(&c, uid, v->date, stamp, summary, desc);
        }
    }
    return ics_finish(ctx, &c, "export", write, userdata);
}

mn_status mn_store_csv_write(mn_ctx *ctx, mn_store_history *const *histories, int n,
                             mn_writer write, void *userdata)
{
    if ((!histories && n) || !write)
        return mn__error(ctx, MN_EINVAL, "export: nothing to write");
    mn__buf b;
    mn__buf_init(&b);
    /* rescreen (last, added after the others): "yes" on a planned visit not done that the
     * health questionnaire will be out of date by (re-screen first), "no" on the other visits
     * not done, empty on the rest. */
    mn__buf_printf(&b, "client,type,date,number,zone,depth_mm,passes,planned_depth_mm,scale,score,"
                       "rater,event,severity,device,resolved,rescreen\n");
    char d[16];
    for (int i = 0; i < n; i++) {
        const mn_store_history *h = histories[i];
        for (int k = 0; k < h->n_planned; k++) {
            const mn_store_planned_visit *v = &h->planned[k];
            /* A stale plan's visits not done, or a held client's, are not appointments: typed
             * apart ("-stale", "-held"), so a reader taking "planned" rows as bookings leaves
             * them out. Both: "-held" (the hold is cleared first: a plan made again while the
             * client is held books nothing). */
            const char *apart = k < h->n_sessions    ? ""
                                : h->held            ? "-held"
                                : h->plan_stale == 1 ? "-stale"
                                                     : "";
            for (int z = 0; z < v->n_settings; z++) {
                csv_field(&b, h->client, 0);
                mn__buf_printf(&b, "%s%s,%s,%d,",
                               v->maintenance ? "planned-maintenance" : "planned", apart,
                               mn_date_format(v->date, d), v->number);
                csv_field(&b, v->settings[z].zone, 0);
                /* device: the one the plan was made for (its depths are that device's). */
                mn__buf_printf(&b, "%g,%g,,,,,,,", v->settings[z].depth_mm, v->settings[z].passes);
                csv_field(&b, h->plan_device, 0);
                mn__buf_printf(&b, ",%s\n", k < h->n_sessions ? "" : v->rescreen ? "yes" : "no");
            }
        }
        for (int k = 0; k < h->n_sessions; k++) {
            const mn_store_session *x = &h->sessions[k];
            for (int z = 0; z < x->n_zones; z++) {
                const mn_store_setting *s = &x->zones[z];
                csv_field(&b, h->client, 0);
                mn__buf_printf(&b, "session,%s,%d,", mn_date_format(x->date, d), k + 1);
                csv_field(&b, s->zone, 0);
                mn__buf_printf(&b, "%g,%g,", s->depth_mm, s->passes);
                if (s->has_planned)
                    mn__buf_printf(&b, "%g", s->planned_depth_mm);
                mn__buf_printf(&b, ",,,,,,");
                csv_field(&b, x->device, 0);
                mn__buf_printf(&b, ",\n");
            }
            /* The zones its visit set that it left out, after its zones done: typed apart
             * ("not-done"), nothing done (depth and passes empty), the plan's depth, so no
             * reader takes the zone as treated and none loses it. */
            for (int z = 0; z < x->n_not_done; z++) {
                const mn_store_setting *s = &x->not_done[z];
                csv_field(&b, h->client, 0);
                mn__buf_printf(&b, "not-done,%s,%d,", mn_date_format(x->date, d), k + 1);
                csv_field(&b, s->zone, 0);
                mn__buf_printf(&b, ",,%g,,,,,,", s->planned_depth_mm);
                csv_field(&b, x->device, 0);
                mn__buf_printf(&b, ",\n");
            }
        }
        for (int k = 0; k < h->n_assessments; k++) {
            const mn_store_assessment *a = &h->assessments[k];
            csv_field(&b, h->client, 0);
            mn__buf_printf(&b, "assessment,%s,,", mn_date_format(a->date, d));
            csv_field(&b, a->zone, 0);
            mn__buf_printf(&b, ",,,");
            csv_field(&b, a->scale, 0);
            mn__buf_printf(&b, "%g,", a->score);
            csv_field(&b, a->rater, 0);
            mn__buf_printf(&b, ",,,,\n");
        }
        for (int k = 0; k < h->n_events; k++) {
            const mn_store_adverse_event *e = &h->events[k];
            csv_field(&b, h->client, 0);
            mn__buf_printf(&b, "adverse_event,%s,", mn_date_format(e->date, d));
            if (e->session_number)
                mn__buf_printf(&b, "%d", e->session_number);
            mn__buf_printf(&b, ",,,,,,,,");
            csv_field(&b, e->event, 0);
            csv_field(&b, e->severity, 0);
            mn__buf_printf(&b, ",%s,\n", e->resolved ? mn_date_format(e->resolved_date, d) : "");
        }
    }
    return mn__buf_finish(ctx, &b, "export", write, userdata);
}

static json_t *fhir_ref(mn__jout *j, const char *type, const char *id)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s/%s", type, id);
    json_t *o = json_object();
    mn__jput_str(j, o, "reference", buf);
    return o;
}

static json_t *fhir_text(mn__jout *j, const char *text)
{
    json_t *o = json_object();
    mn__jput_str(j, o, "text", text);
    return o;
}

static json_t *fhir_entry(mn__jout *j, json_t *entries, const char *type, const char *id)
{
    json_t *e = mn__jpush(j, entries, json_object());
    json_t *r = mn__jput(j, e, "resource", json_object());
    mn__jput_str(j, r, "resourceType", type);
    mn__jput_str(j, r, "id", id);
    return r;
}

/* A session's Procedure code, done or not done: text only (no code system the bundle names). */
#define FHIR_PROCEDURE_TEXT "Microneedling (percutaneous collagen induction)"

/* Each zone session @p k's visit set that it left out: a Procedure with status not-done (FHIR
 * R4 Procedure.status), partOf the session's Procedure (procedure-ID), based on the CarePlan
 * @p plan_id, the zone its bodySite, the plan's setting as a note. No performed[x] and no
 * focalDevice: nothing was done to the zone, and the session's Procedure dates it. */
static void fhir_not_done(mn__jout *j, json_t *entries, const mn_store_history *h, int k,
                          const char *plan_id)
{
    const mn_store_session *x = &h->sessions[k];
    char proc_id[48], id[64], text[256], d[16];
    snprintf(proc_id, sizeof proc_id, "procedure-%ld", x->id);
    for (int z = 0; x->planned >= 0 && z < x->n_not_done; z++) {
        const mn_store_setting *s = &x->not_done[z];
        snprintf(id, sizeof id, "procedure-%ld-not-done-%d", x->id, z + 1);
        json_t *r = fhir_entry(j, entries, "Procedure", id);
        if (plan_id[0])
            mn__jpush(j, mn__jput(j, r, "basedOn", json_array()), fhir_ref(j, "CarePlan", plan_id));
        mn__jpush(j, mn__jput(j, r, "partOf", json_array()), fhir_ref(j, "Procedure", proc_id));
        mn__jput_str(j, r, "status", "not-done");
        snprintf(text, sizeof text, "Planned for visit %d, not done at its session (%s)",
                 h->planned[x->planned].number, mn_date_format(x->date, d));
        mn__jput(j, r, "statusReason", fhir_text(j, text));
        mn__jput(j, r, "code", fhir_text(j, FHIR_PROCEDURE_TEXT));
        mn__jput(j, r, "subject", fhir_ref(j, "Patient", h->client));
        mn__jpush(j, mn__jput(j, r, "bodySite", json_array()), fhir_text(j, s->zone));
        snprintf(text, sizeof text, "%s: planned %.2f mm, %g passes; not done", s->zone,
                 s->planned_depth_mm, s->planned_passes);
        mn__jpush(j, mn__jput(j, r, "note", json_array()), fhir_text(j, text));
    }
}

mn_status mn_store_fhir_write(mn_ctx *ctx, mn_store_history *const *histories, int n,
                              mn_writer write, void *userdata)
{
    if ((!histories && n) || !write)
        return mn__error(ctx, MN_EINVAL, "export: nothing to write");
    mn__jout j;
    mn__jout_init(&j);
    json_t *root = json_object();
    mn__jput_str(&j, root, "resourceType", "Bundle");
    mn__jput_str(&j, root, "type", "collection");
    json_t *entries = mn__jput(&j, root, "entry", json_array());
    /* Devices once each, by catalogue id. */
    json_t *devices_seen = json_object();
    char d[16], id[128], text[512];
    for (int i = 0; i < n; i++) {
        const mn_store_history *h = histories[i];
        json_t *p = fhir_entry(&j, entries, "Patient", h->client);
        json_t *ident = mn__jpush(&j, mn__jput(&j, p, "identifier", json_array()), json_object());
        mn__jput_str(&j, ident, "system", "urn:mneedle:client");
        mn__jput_str(&j, ident, "value", h->client);
        for (int k = 0; k < h->n_sessions; k++) {
            const char *dev = h->sessions[k].device;
            if (json_object_get(devices_seen, dev))
                continue;
            json_object_set_new(devices_seen, dev, json_true());
            snprintf(id, sizeof id, "device-%s", dev);
            json_t *r = fhir_entry(&j, entries, "Device", id);
            json_t *name =
                mn__jpush(&j, mn__jput(&j, r, "deviceName", json_array()), json_object());
            mn__jput_str(&j, name, "name", dev);
            mn__jput_str(&j, name, "type", "model-name");
        }
        char plan_id[64] = "";
        if (h->plan_id) {
            snprintf(plan_id, sizeof plan_id, "careplan-%ld", h->plan_id);
            json_t *cp = fhir_entry(&j, entries, "CarePlan", plan_id);
            /* A stale plan (made from an earlier record of the client) is on hold, and so are
             * its visits not done, until the plan is made again (docs/records.md, Export). */
            int stale = h->plan_stale == 1 || h->held;
            mn__jput_str(&j, cp, "status", stale ? "on-hold" : "active");
            mn__jput_str(&j, cp, "intent", "plan");
            mn__jput_str(&j, cp, "title", "Microneedling course and maintenance");
            mn__jput(&j, cp, "subject", fhir_ref(&j, "Patient", h->client));
            mn__jput_str(&j, cp, "created", h->plan_created);
            /* The device its depths are settings of (a depth on a pen is not one on a roller). */
            if (h->plan_device[0])
                snprintf(text, sizeof text, "Depths planned for the device %s.", h->plan_device);
            else
                snprintf(text, sizeof text,
                         "The device the depths were planned for is not "
                         "recorded.");
            mn__jput_str(&j, cp, "description", text);
            json_t *notes = stale ? mn__jput(&j, cp, "note", json_array()) : NULL;
            /* A client on hold (docs/records.md, "Holds"): why, in words, and what clears it. */
            if (h->held) {
                char hold[sizeof h->hold_reason_text + 160];
                snprintf(hold, sizeof hold, "On hold: %s. %s", h->hold_reason_text,
                         h->held == 1 ? "Screen the client again, and book its visits only once "
                                        "the screening no longer holds treatment."
                                      : "Record the adverse event's resolved date before booking "
                                        "its visits.");
                mn__jpush(&j, notes, fhir_text(&j, hold));
            }
            if (h->plan_stale == 1)
                mn__jpush(&j, notes,
                          fhir_text(&j, "Made from an earlier record of the client, edited "
                                        "since: plan again before booking its visits."));
            json_t *acts = mn__jput(&j, cp, "activity", json_array());
            for (int k = 0; k < h->n_planned; k++) {
                const mn_store_planned_visit *v = &h->planned[k];
                json_t *detail =
                    mn__jput(&j, mn__jpush(&j, acts, json_object()), "detail", json_object());
                mn__jput_str(&j, detail, "status",
                             k < h->n_sessions ? "completed"
                             : stale           ? "on-hold"
                                               : "scheduled");
                mn__jput_str(&j, detail, "scheduledString", mn_date_format(v->date, d));
                size_t used = (size_t)snprintf(
                    text, sizeof text, "%s visit %d:", v->maintenance ? "maintenance" : "course",
                    v->number);
                for (int z = 0; z < v->n_settings && used < sizeof text; z++)
                    used += (size_t)snprintf(text + used, sizeof text - used, " %s %.2f mm x %g;",
                                             v->settings[z].zone, v->settings[z].depth_mm,
                                             v->settings[z].passes);
                /* A visit done is completed, but not every zone it set need have been: those
                 * its session left out, named (each a not-done Procedure below). */
                const mn_store_session *x = k < h->n_sessions ? &h->sessions[k] : NULL;
                for (int z = 0; x && z < x->n_not_done && used < sizeof text; z++)
                    used += (size_t)snprintf(
                        text + used, sizeof text - used, "%s%s",
                        z ? ", " : " not done at its session: ", x->not_done[z].zone);
                mn__jput_str(&j, detail, "description", text);
            }
        }
        for (int k = 0; k < h->n_sessions; k++) {
            const mn_store_session *x = &h->sessions[k];
            snprintf(id, sizeof id, "procedure-%ld", x->id);
            json_t *r = fhir_entry(&j, entries, "Procedure", id);
            if (plan_id[0])
                mn__jpush(&j, mn__jput(&j, r, "basedOn", json_array()),
                          fhir_ref(&j, "CarePlan", plan_id));
            mn__jput_str(&j, r, "status", "completed");
            mn__jput(&j, r, "code", fhir_text(&j, FHIR_PROCEDURE_TEXT));
            mn__jput(&j, r, "subject", fhir_ref(&j, "Patient", h->client));
            mn__jput_str(&j, r, "performedDateTime", mn_date_format(x->date, d));
            json_t *sites = mn__jput(&j, r, "bodySite", json_array());
            json_t *notes = mn__jput(&j, r, "note", json_array());
            for (int z = 0; z < x->n_zones; z++) {
                mn__jpush(&j, sites, fhir_text(&j, x->zones[z].zone));
                snprintf(text, sizeof text, "%s: %.2f mm, %g passes", x->zones[z].zone,
                         x->zones[z].depth_mm, x->zones[z].passes);
                mn__jpush(&j, notes, fhir_text(&j, text));
            }
            if (x->serum[0]) {
                /* Room for both fields whole, so the text is never cut (mid-character). */
                char
                    serum[sizeof "serum " + sizeof x->serum + sizeof " lot " + sizeof x->serum_lot];
                snprintf(serum, sizeof serum, "serum %s%s%s", x->serum,
                         x->serum_lot[0] ? " lot " : "", x->serum_lot);
                mn__jpush(&j, notes, fhir_text(&j, serum));
            }
            char dev_id[64];
            snprintf(dev_id, sizeof dev_id, "device-%s", x->device);
            json_t *fd = mn__jpush(&j, mn__jput(&j, r, "focalDevice", json_array()), json_object());
            mn__jput(&j, fd, "manipulated", fhir_ref(&j, "Device", dev_id));
            fhir_not_done(&j, entries, h, k, plan_id);
        }
        for (int k = 0; k < h->n_assessments; k++) {
            const mn_store_assessment *a = &h->assessments[k];
            snprintf(id, sizeof id, "observation-%ld", a->id);
            json_t *r = fhir_entry(&j, entries, "Observation", id);
            mn__jput_str(&j, r, "status", "final");
            json_t *code = mn__jput(&j, r, "code", json_object());
            json_t *coding =
                mn__jpush(&j, mn__jput(&j, code, "coding", json_array()), json_object());
            mn__jput_str(&j, coding, "system", "urn:mneedle:scale");
            mn__jput_str(&j, coding, "code", a->scale);
            mn__jput_str(&j, coding, "version", a->scale_version);
            mn__jput_str(&j, code, "text", a->scale);
            mn__jput(&j, r, "subject", fhir_ref(&j, "Patient", h->client));
            mn__jput_str(&j, r, "effectiveDateTime", mn_date_format(a->date, d));
            json_t *q = mn__jput(&j, r, "valueQuantity", json_object());
            mn__jput_num(&j, q, "value", a->score);
            if (a->zone[0])
                mn__jput(&j, r, "bodySite", fhir_text(&j, a->zone));
        }
        for (int k = 0; k < h->n_events; k++) {
            const mn_store_adverse_event *e = &h->events[k];
            if (!strcmp(e->event, "none"))
                continue; /* "none" stays in the CSV and the record: FHIR has no empty event */
            snprintf(id, sizeof id, "adverse-event-%ld", e->id);
            json_t *r = fhir_entry(&j, entries, "AdverseEvent", id);
            mn__jput_str(&j, r, "actuality", "actual");
            json_t *what =
                mn__jput(&j, r, "event", fhir_text(&j, e->kind_name[0] ? e->kind_name : e->event));
            if (e->kind_name[0]) {
                json_t *c =
                    mn__jpush(&j, mn__jput(&j, what, "coding", json_array()), json_object());
                mn__jput_str(&j, c, "system", "urn:mneedle:adverse-event");
                mn__jput_str(&j, c, "code", e->event);
                mn__jput_str(&j, c, "display", e->kind_name);
            }
            mn__jput(&j, r, "subject", fhir_ref(&j, "Patient", h->client));
            mn__jput_str(&j, r, "date", mn_date_format(e->date, d));
            if (e->resolved) {
                /* R4 has no resolution date, only the outcome's code. */
                json_t *out = mn__jput(&j, r, "outcome", json_object());
                json_t *c = mn__jpush(&j, mn__jput(&j, out, "coding", json_array()), json_object());
                mn__jput_str(&j, c, "system",
                             "http://terminology.hl7.org/CodeSystem/adverse-event-outcome");
                mn__jput_str(&j, c, "code", "resolved");
            }
            if (e->session_number > 0 && e->session_number <= h->n_sessions) {
                /* The session it followed: the suspected cause. */
                char proc[48];
                snprintf(proc, sizeof proc, "procedure-%ld", h->sessions[e->session_number - 1].id);
                json_t *se =
                    mn__jpush(&j, mn__jput(&j, r, "suspectEntity", json_array()), json_object());
                mn__jput(&j, se, "instance", fhir_ref(&j, "Procedure", proc));
            }
            if (e->severity[0]) {
                json_t *sev = mn__jput(&j, r, "severity", json_object());
                json_t *c = mn__jpush(&j, mn__jput(&j, sev, "coding", json_array()), json_object());
                mn__jput_str(&j, c, "system",
                             "http://terminology.hl7.org/CodeSystem/adverse-event-severity");
                mn__jput_str(&j, c, "code", e->severity);
            }
        }
    }
    json_decref(devices_seen);
    return mn__json_finish(ctx, &j, root, "export", write, userdata);
}
