/* Writers of the clinic record (store.h): the database check, clients, the history. */
#include <string.h>

#include "core/json_out.h"
#include "mneedle/report.h"

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
    mn__buf_printf(&b, "schema version   %d\n", r->schema_version);
    mn__buf_printf(&b, "integrity        %s\n", r->integrity_ok ? "ok" : "FAILED");
    mn__buf_printf(&b, "foreign keys     %s\n", r->foreign_keys_ok ? "ok" : "FAILED");
    mn__buf_printf(&b, "audit chain      %s (%ld entries, %ld rows compared)\n",
                   r->audit_ok ? "ok" : "FAILED", r->audit_entries, r->rows_checked);
    if (r->problem[0])
        mn__buf_printf(&b, "problem          %s\n", r->problem);
    mn__buf_printf(&b, "%s\n", ok ? "database ok" : "database FAILED the check");
    return mn__buf_finish(ctx, &b, "check", write, userdata);
}

static void put_date(mn__jout *j, json_t *o, const char *key, mn_date d)
{
    char buf[16];
    mn__jput_str(j, o, key, mn_date_format(d, buf));
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
        return mn__json_finish(ctx, &j, root, "client", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_printf(&b, "client %s (created %s)\n", c->id, mn_date_format(c->created, d));
    if (identity) {
        const char *keys[] = {"name", "email", "phone", "birth date", "address"};
        const char *vals[] = {c->name, c->email, c->phone, c->birth_date, c->address};
        for (int i = 0; i < 5; i++)
            if (vals[i][0])
                mn__buf_printf(&b, "  %-12s %s\n", keys[i], vals[i]);
    }
    mn__buf_printf(&b, "  plans %ld, sessions %ld, assessments %ld, adverse events %ld\n",
                   c->n_plans, c->n_sessions, c->n_assessments, c->n_adverse_events);
    if (c->has_last_session)
        mn__buf_printf(&b, "  last session %s\n", mn_date_format(c->last_session, d));
    if (c->has_maintenance_due)
        mn__buf_printf(&b, "  maintenance due %s (%s)\n", mn_date_format(c->maintenance_due, d),
                       c->maintenance_reason);
    for (int i = 0; i < c->n_consents; i++) {
        const mn_store_consent *k = &c->consents[i];
        mn__buf_printf(&b, "  consent %ld: %s, version %s, given %s", k->id, k->what, k->version,
                       mn_date_format(k->date, d));
        if (k->withdrawn)
            mn__buf_printf(&b, ", withdrawn %s", mn_date_format(k->withdrawn_date, d));
        mn__buf_printf(&b, "\n");
    }
    if (c->client_json)
        mn__buf_printf(&b, "  planning input: %s\n", c->client_json);
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
    mn__buf_printf(&b, "%-14s %-10s %8s %-10s %-10s%s\n", "id", "created", "sessions", "last",
                   "maint. due", identity ? " name" : "");
    for (int i = 0; i < n; i++) {
        const mn_store_client *c = &list[i];
        char d1[16], d2[16] = "-", d3[16] = "-";
        if (c->has_last_session)
            mn_date_format(c->last_session, d2);
        if (c->has_maintenance_due)
            mn_date_format(c->maintenance_due, d3);
        mn__buf_printf(&b, "%-14s %-10s %8ld %-10s %-10s%s%s\n", c->id,
                       mn_date_format(c->created, d1), c->n_sessions, d2, d3, identity ? " " : "",
                       identity ? c->name : "");
    }
    mn__buf_printf(&b, "%d client%s\n", n, n == 1 ? "" : "s");
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
    } else {
        mn__jput(&j, root, "plan", json_null());
    }
    if (h->has_maintenance_due)
        put_date(&j, root, "maintenance_due", h->maintenance_due);
    json_t *arr = mn__jput(&j, root, "planned", json_array());
    for (int i = 0; i < h->n_planned; i++) {
        const mn_store_planned_visit *v = &h->planned[i];
        json_t *o = mn__jpush(&j, arr, json_object());
        mn__jput_int(&j, o, "number", v->number);
        put_date(&j, o, "date", v->date);
        mn__jput_str(&j, o, "phase", v->maintenance ? "maintenance" : "course");
        json_t *set = mn__jput(&j, o, "settings", json_array());
        for (int k = 0; k < v->n_settings; k++)
            setting_json(&j, mn__jpush(&j, set, json_object()), &v->settings[k], 0);
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
    for (int i = 0; i < h->n_events; i++) {
        const mn_store_adverse_event *e = &h->events[i];
        json_t *o = mn__jpush(&j, arr, json_object());
        put_date(&j, o, "date", e->date);
        if (e->session_number)
            mn__jput_int(&j, o, "session", e->session_number);
        mn__jput_str(&j, o, "event", e->event);
        if (e->severity[0])
            mn__jput_str(&j, o, "severity", e->severity);
        if (e->resolved)
            put_date(&j, o, "resolved", e->resolved_date);
    }
    return mn__json_finish(ctx, &j, root, "history", write, userdata);
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
    mn__buf_printf(&b, "History of %s\n", h->client);
    if (h->plan_id)
        mn__buf_printf(&b, "Plan %ld made %s with mneedle %s (catalogues %.12s)\n", h->plan_id,
                       h->plan_created, h->plan_version, h->catalogue_hash);
    else
        mn__buf_printf(&b, "No plan stored ('mneedle plan CLIENT --save').\n");
    mn__buf_printf(&b, "\nVisits, planned against done:\n");
    int rows = h->n_planned > h->n_sessions ? h->n_planned : h->n_sessions;
    for (int i = 0; i < rows; i++) {
        const mn_store_planned_visit *v = i < h->n_planned ? &h->planned[i] : NULL;
        const mn_store_session *x = i < h->n_sessions ? &h->sessions[i] : NULL;
        if (v)
            mn__buf_printf(&b, "  %2d %-11s planned %s", v->number,
                           v->maintenance ? "maintenance" : "course", mn_date_format(v->date, d1));
        else
            mn__buf_printf(&b, "  %2s %-11s beyond the plan   ", "-", "");
        if (!x) {
            mn__buf_printf(&b, "  not done yet\n");
            continue;
        }
        mn__buf_printf(&b, "  done %s", mn_date_format(x->date, d2));
        if (v && x->date_shift_days)
            mn__buf_printf(&b, " (%+d days)", x->date_shift_days);
        mn__buf_printf(&b, " with %s\n", x->device);
        for (int k = 0; k < x->n_zones; k++) {
            const mn_store_setting *z = &x->zones[k];
            mn__buf_printf(&b, "       %-12s %.2f mm x %g passes", z->zone, z->depth_mm, z->passes);
            if (z->has_planned)
                mn__buf_printf(&b, "  (plan %.2f mm x %g%s)", z->planned_depth_mm,
                               z->planned_passes,
                               z->depth_mm > z->planned_depth_mm + 1e-9   ? ", deeper"
                               : z->depth_mm < z->planned_depth_mm - 1e-9 ? ", shallower"
                                                                          : "");
            else if (v)
                mn__buf_printf(&b, "  (not planned at this visit)");
            mn__buf_printf(&b, "\n");
        }
        if (x->serum[0])
            mn__buf_printf(&b, "       serum %s%s%s\n", x->serum, x->serum_lot[0] ? " lot " : "",
                           x->serum_lot);
        if (x->endpoint[0])
            mn__buf_printf(&b, "       endpoint: %s\n", x->endpoint);
        if (x->reactions[0])
            mn__buf_printf(&b, "       reactions: %s\n", x->reactions);
        if (x->override_reason[0])
            mn__buf_printf(&b, "       outside the plan, overridden: %s\n", x->override_reason);
    }
    mn__buf_printf(&b, "\nScores:\n");
    if (!h->n_assessments)
        mn__buf_printf(&b, "  none recorded\n");
    for (int i = 0; i < h->n_assessments; i++) {
        const mn_store_assessment *a = &h->assessments[i];
        mn__buf_printf(&b, "  %s  %-26s %6g  %s%s%s", mn_date_format(a->date, d1), a->scale,
                       a->score, a->rater, a->zone[0] ? ", " : "", a->zone);
        if (a->n_photos)
            mn__buf_printf(&b, ", %d photo%s", a->n_photos, a->n_photos == 1 ? "" : "s");
        mn__buf_printf(&b, "\n");
    }
    mn__buf_printf(&b, "\nAdverse events:\n");
    if (!h->n_events)
        mn__buf_printf(&b, "  nothing recorded\n");
    for (int i = 0; i < h->n_events; i++) {
        const mn_store_adverse_event *e = &h->events[i];
        mn__buf_printf(&b, "  %s  %s%s%s%s", mn_date_format(e->date, d1), e->event,
                       e->severity[0] ? " (" : "", e->severity, e->severity[0] ? ")" : "");
        if (e->session_number)
            mn__buf_printf(&b, " after session %d", e->session_number);
        if (e->resolved)
            mn__buf_printf(&b, ", resolved %s", mn_date_format(e->resolved_date, d2));
        mn__buf_printf(&b, "\n");
    }
    if (h->has_maintenance_due)
        mn__buf_printf(&b, "\nMaintenance due %s\n", mn_date_format(h->maintenance_due, d1));
    return mn__buf_finish(ctx, &b, "history", write, userdata);
}
