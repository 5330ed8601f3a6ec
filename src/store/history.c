/*
 * A client's timeline: the latest stored plan's visits, the sessions done matched to them (the
 * k-th session done stands for the k-th planned visit; its date shift and each zone's planned
 * setting beside the one used), the scores, and the adverse events.
 */
#include <stdio.h>
#include <string.h>

#include "mneedle/clinic.h"
#include "store/store_internal.h"

/* Grows *arr (of elem bytes) to hold n + 1; returns the new last element, zeroed, or NULL. */
static void *grow(void **arr, int *n, size_t elem)
{
    char *p = mn__realloc(*arr, (size_t)(*n + 1) * elem);
    if (!p)
        return NULL;
    *arr = p;
    memset(p + (size_t)*n * elem, 0, elem);
    return p + (size_t)(*n)++ * elem;
}

double mn__store_plan_rise_mm(const mn_catalog *cat, double stored, const char *concern)
{
    if (stored > 0)
        return stored;
    const mn_concern *c = concern ? mn_catalog_find_concern(cat, concern) : NULL;
    return c && c->gentle_rise ? MN_PLAN_RISE_GENTLE_MM : MN_PLAN_RISE_MM;
}

/* The rise per visit of each zone the plan books (the smallest where a site is listed for two
 * concerns): mn_store_rise_max reads it. */
static mn_status read_rises(mn_ctx *ctx, json_t *plan, mn_store_history *h)
{
    json_t *zones = json_object_get(plan, "zones");
    for (size_t i = 0; i < json_array_size(zones); i++) {
        json_t *z = json_array_get(zones, i);
        const char *zone = json_string_value(json_object_get(z, "zone"));
        json_t *booked = json_object_get(z, "booked");
        if (!zone || !json_object_get(z, "depth_mm") || json_is_false(booked))
            continue; /* not booked, or a declined plan's zone without depths */
        double rise = mn__store_plan_rise_mm(
            mn_ctx_catalog(ctx), json_number_value(json_object_get(z, "rise_per_visit_mm")),
            json_string_value(json_object_get(z, "concern")));
        mn_store_zone_rise *r = NULL;
        for (int k = 0; k < h->n_rises; k++)
            if (!strcmp(h->rises[k].zone, zone))
                r = &h->rises[k];
        if (r) {
            if (rise < r->rise_mm)
                r->rise_mm = rise;
            continue;
        }
        if (!(r = grow((void **)&h->rises, &h->n_rises, sizeof *r)))
            return mn__error(ctx, MN_ENOMEM, "history: out of memory");
        snprintf(r->zone, sizeof r->zone, "%s", zone);
        r->rise_mm = rise;
    }
    return MN_OK;
}

static mn_status read_plan(mn_ctx *ctx, mn_store *s, sqlite3_int64 client, mn_store_history *h)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(ctx, s,
                                     "SELECT id, created, mneedle_version, catalogue_hash, "
                                     "plan_json, input_hash FROM plans WHERE client = ? ORDER "
                                     "BY id DESC LIMIT 1",
                                     &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, client);
    if (sqlite3_step(q) != SQLITE_ROW) {
        mn__store_done(s, q);
        return MN_OK;
    }
    h->plan_id = (long)sqlite3_column_int64(q, 0);
    mn__store_col_text(q, 1, h->plan_created, sizeof h->plan_created);
    mn__store_col_text(q, 2, h->plan_version, sizeof h->plan_version);
    /* The stored hash under its own definition, and whether today's catalogues match it. */
    char stored[MN__STORE_CATALOGUE_STAMP_LEN], now[65];
    mn__store_col_text(q, 3, stored, sizeof stored);
    h->catalogue_hash_version = mn__store_catalogue_stamp_read(stored, h->catalogue_hash);
    h->catalogue_current = -1;
    if (h->catalogue_hash_version >= 1 && h->catalogue_hash_version <= MN__CATALOG_HASH_VERSION) {
        mn__store_catalogue_hash(ctx, h->catalogue_hash_version, now);
        h->catalogue_current = strcmp(now, h->catalogue_hash) == 0;
    }
    mn__store_col_text(q, 5, h->input_hash, sizeof h->input_hash);
    const char *text = (const char *)sqlite3_column_text(q, 4);
    json_error_t err;
    json_t *plan = text ? json_loads(text, 0, &err) : NULL;
    mn__store_done(s, q);
    if (!plan)
        return mn__error(ctx, MN_EPARSE, "%s: stored plan %ld cannot be read", s->path, h->plan_id);
    /* The planning input it was made from, against the client's current one. */
    mn__store_plan_input pin;
    if ((st = mn__store_plan_input_get(ctx, s, client, &pin))) {
        json_decref(plan);
        return st;
    }
    h->plan_stale = pin.stale;
    /* The device its depths are settings of, as the plan recorded it. */
    const char *device =
        json_string_value(json_object_get(json_object_get(plan, "client"), "device"));
    snprintf(h->plan_device, sizeof h->plan_device, "%s", device ? device : "");
    st = read_rises(ctx, plan, h);
    json_t *sessions = json_object_get(plan, "sessions");
    for (size_t i = 0; !st && i < json_array_size(sessions); i++) {
        json_t *v = json_array_get(sessions, i);
        mn_store_planned_visit *p = grow((void **)&h->planned, &h->n_planned, sizeof *h->planned);
        if (!p) {
            st = mn__error(ctx, MN_ENOMEM, "history: out of memory");
            break;
        }
        p->number = (int)json_integer_value(json_object_get(v, "number"));
        const char *date = json_string_value(json_object_get(v, "date"));
        if (!date || mn_date_parse(date, &p->date)) {
            st = mn__error(ctx, MN_EPARSE, "%s: stored plan %ld: sessions[%zu] has no date",
                           s->path, h->plan_id, i);
            break;
        }
        const char *phase = json_string_value(json_object_get(v, "phase"));
        p->maintenance = phase && !strcmp(phase, "maintenance");
        json_t *settings = json_object_get(v, "settings");
        for (size_t k = 0; k < json_array_size(settings); k++) {
            json_t *z = json_array_get(settings, k);
            mn_store_setting *set = grow((void **)&p->settings, &p->n_settings, sizeof *set);
            if (!set) {
                st = mn__error(ctx, MN_ENOMEM, "history: out of memory");
                break;
            }
            const char *zone = json_string_value(json_object_get(z, "zone"));
            snprintf(set->zone, sizeof set->zone, "%s", zone ? zone : "");
            set->depth_mm = json_number_value(json_object_get(z, "depth_mm"));
            set->passes = json_number_value(json_object_get(z, "passes"));
        }
    }
    json_decref(plan);
    return st;
}

static mn_status read_sessions(mn_ctx *ctx, mn_store *s, sqlite3_int64 client, mn_store_history *h)
{
    sqlite3_stmt *q, *zq;
    mn_status st = mn__store_prepare(ctx, s,
                                     "SELECT id, date, device, serial, cartridge_lot, serum, "
                                     "serum_lot, endpoint, reactions, override_reason FROM "
                                     "sessions WHERE client = ? ORDER BY date, id",
                                     &q);
    if (st)
        return st;
    if ((st = mn__store_prepare(ctx, s,
                                "SELECT zone, depth_mm, passes FROM session_zones WHERE "
                                "session = ? ORDER BY id",
                                &zq))) {
        mn__store_done(s, q);
        return st;
    }
    sqlite3_bind_int64(q, 1, client);
    while (!st && sqlite3_step(q) == SQLITE_ROW) {
        mn_store_session *x = grow((void **)&h->sessions, &h->n_sessions, sizeof *x);
        if (!x) {
            st = mn__error(ctx, MN_ENOMEM, "history: out of memory");
            break;
        }
        x->id = (long)sqlite3_column_int64(q, 0);
        x->date = mn__store_col_date(q, 1, NULL);
        mn__store_col_text(q, 2, x->device, sizeof x->device);
        mn__store_col_text(q, 3, x->serial, sizeof x->serial);
        mn__store_col_text(q, 4, x->cartridge_lot, sizeof x->cartridge_lot);
        mn__store_col_text(q, 5, x->serum, sizeof x->serum);
        mn__store_col_text(q, 6, x->serum_lot, sizeof x->serum_lot);
        mn__store_col_text(q, 7, x->endpoint, sizeof x->endpoint);
        mn__store_col_text(q, 8, x->reactions, sizeof x->reactions);
        mn__store_col_text(q, 9, x->override_reason, sizeof x->override_reason);
        int k = h->n_sessions - 1;
        x->planned = k < h->n_planned ? k : -1;
        const mn_store_planned_visit *pv = x->planned >= 0 ? &h->planned[x->planned] : NULL;
        if (pv)
            x->date_shift_days = (int)(x->date - pv->date);
        sqlite3_reset(zq);
        sqlite3_bind_int64(zq, 1, x->id);
        while (sqlite3_step(zq) == SQLITE_ROW) {
            mn_store_setting *z = grow((void **)&x->zones, &x->n_zones, sizeof *z);
            if (!z) {
                st = mn__error(ctx, MN_ENOMEM, "history: out of memory");
                break;
            }
            mn__store_col_text(zq, 0, z->zone, sizeof z->zone);
            z->depth_mm = sqlite3_column_double(zq, 1);
            z->passes = sqlite3_column_double(zq, 2);
            for (int j = 0; pv && j < pv->n_settings; j++)
                if (!strcmp(pv->settings[j].zone, z->zone)) {
                    z->has_planned = 1;
                    z->planned_depth_mm = pv->settings[j].depth_mm;
                    z->planned_passes = pv->settings[j].passes;
                }
        }
        /* The zones its visit sets that it left out: planned that day, not done. */
        for (int j = 0; !st && pv && j < pv->n_settings; j++) {
            int done = 0;
            for (int m = 0; m < x->n_zones && !done; m++)
                done = !strcmp(x->zones[m].zone, pv->settings[j].zone);
            if (done)
                continue;
            mn_store_setting *z = grow((void **)&x->not_done, &x->n_not_done, sizeof *z);
            if (!z) {
                st = mn__error(ctx, MN_ENOMEM, "history: out of memory");
                break;
            }
            snprintf(z->zone, sizeof z->zone, "%s", pv->settings[j].zone);
            z->has_planned = 1;
            z->planned_depth_mm = pv->settings[j].depth_mm;
            z->planned_passes = pv->settings[j].passes;
        }
    }
    mn__store_done(s, zq);
    mn__store_done(s, q);
    return st;
}

static mn_status read_scores(mn_ctx *ctx, mn_store *s, sqlite3_int64 client, mn_store_history *h)
{
    sqlite3_stmt *q;
    mn_status st =
        mn__store_prepare(ctx, s,
                          "SELECT a.id, a.date, a.scale, a.scale_version, a.zone, a.rater, a.score,"
                          " (SELECT count(*) FROM photos p WHERE p.assessment = a.id)"
                          " FROM assessments a WHERE a.client = ? ORDER BY a.date, a.id",
                          &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, client);
    while (sqlite3_step(q) == SQLITE_ROW) {
        mn_store_assessment *a = grow((void **)&h->assessments, &h->n_assessments, sizeof *a);
        if (!a) {
            st = mn__error(ctx, MN_ENOMEM, "history: out of memory");
            break;
        }
        a->id = (long)sqlite3_column_int64(q, 0);
        a->date = mn__store_col_date(q, 1, NULL);
        mn__store_col_text(q, 2, a->scale, sizeof a->scale);
        mn__store_col_text(q, 3, a->scale_version, sizeof a->scale_version);
        mn__store_col_text(q, 4, a->zone, sizeof a->zone);
        mn__store_col_text(q, 5, a->rater, sizeof a->rater);
        a->score = sqlite3_column_double(q, 6);
        a->n_photos = sqlite3_column_int(q, 7);
    }
    mn__store_done(s, q);
    if (st)
        return st;
    /* The catalogue's kinds, read once: an event that is a kind's id is shown with its name. */
    mn_adverse_kind *kinds = NULL, *kind;
    int n_kinds = 0;
    while ((kind = grow((void **)&kinds, &n_kinds, sizeof *kinds)) != NULL &&
           (st = mn_store_adverse_kind_at(ctx, n_kinds - 1, kind)) == MN_OK)
        ;
    if (!kind)
        st = mn__error(ctx, MN_ENOMEM, "history: out of memory");
    else
        n_kinds--; /* the last one grown is past the catalogue's end */
    if (st == MN_ENOTFOUND)
        st = MN_OK;
    if (!st)
        st = mn__store_prepare(ctx, s,
                               "SELECT e.id, e.date, e.event, e.severity, e.resolved, e.session"
                               " FROM adverse_events e WHERE e.client = ? ORDER BY e.date, e.id",
                               &q);
    if (st) {
        mn__free(kinds);
        return st;
    }
    sqlite3_bind_int64(q, 1, client);
    while (sqlite3_step(q) == SQLITE_ROW) {
        mn_store_adverse_event *e = grow((void **)&h->events, &h->n_events, sizeof *e);
        if (!e) {
            st = mn__error(ctx, MN_ENOMEM, "history: out of memory");
            break;
        }
        e->id = (long)sqlite3_column_int64(q, 0);
        e->date = mn__store_col_date(q, 1, NULL);
        mn__store_col_text(q, 2, e->event, sizeof e->event);
        mn__store_col_text(q, 3, e->severity, sizeof e->severity);
        e->resolved_date = mn__store_col_date(q, 4, &e->resolved);
        for (int k = 0; k < n_kinds; k++)
            if (!strcmp(kinds[k].id, e->event))
                snprintf(e->kind_name, sizeof e->kind_name, "%s", kinds[k].name);
        long sid = (long)sqlite3_column_int64(q, 5);
        for (int k = 0; k < h->n_sessions; k++)
            if (h->sessions[k].id == sid)
                e->session_number = k + 1;
    }
    mn__store_done(s, q);
    mn__free(kinds);
    return st;
}

/* The maintenance visits not done yet are dated as recall will date them (MN__STORE_DUE_CTE),
 * so every view of the record, and every export, gives one calendar: the first on the client's
 * due date (the plan's, a replan's, or one interval after a maintenance visit done), each later
 * one the client's interval after the one before, the interval recall counts from a visit done
 * (the due date less the last session before it: after a replan, the client's own interval).
 * Until the course is done that interval is not known yet (the last session before the due date
 * is not the course's end) and the later visits keep the plan's spacing. The course visits stay
 * the stored plan's: a replan stores only the maintenance date. */
static void date_maintenance(mn_store_history *h, int interval_days)
{
    if (!h->has_maintenance_due)
        return;
    int course = 0;
    for (int k = 0; k < h->n_planned; k++)
        course += !h->planned[k].maintenance;
    int spaced = interval_days > 0 && h->n_sessions >= course;
    long shift = 0;
    int first = 1;
    mn_date prev = 0;
    for (int k = h->n_sessions; k < h->n_planned; k++) {
        mn_store_planned_visit *v = &h->planned[k];
        if (!v->maintenance)
            continue;
        if (first)
            shift = (long)(h->maintenance_due - v->date);
        v->date = spaced && !first ? (mn_date)(prev + interval_days) : (mn_date)(v->date + shift);
        prev = v->date;
        first = 0;
    }
}

/* Marks the planned visits not done whose date (today for one already past) the client's
 * health questionnaire is out of date on, by the rule's own finding on that day
 * (mn_store_client_screen_on, as recall screens a client on the day they are due). The answers
 * only grow older, so once out of date on a day they are on every later one: the latest date is
 * screened first, then the first such visit is found by halving. */
static int out_of_date_on(mn_ctx *ctx, mn_store *s, const mn_store_history *h, int k)
{
    mn_date on = h->planned[k].date > h->today ? h->planned[k].date : h->today;
    if (on == h->today)
        return h->questionnaire.out_of_date;
    mn_store_screening sc;
    if (mn_store_client_screen_on(ctx, s, h->client, on, &sc)) {
        mn_ctx_clear_error(ctx);
        return -1;
    }
    return sc.questionnaire.out_of_date;
}

static void mark_rescreen(mn_ctx *ctx, mn_store *s, mn_store_history *h)
{
    if (!h->questionnaire.screened || !h->questionnaire.taken || h->n_sessions >= h->n_planned)
        return;
    int last = h->n_planned - 1;
    if (out_of_date_on(ctx, s, h, last) != 1)
        return;                        /* the latest first: most clients have nothing to mark */
    int lo = h->n_sessions, hi = last; /* the first marked lies in [lo, hi] */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2, out = out_of_date_on(ctx, s, h, mid);
        if (out < 0)
            return; /* not screened: nothing marked */
        if (out)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (int k = lo; k <= last; k++)
        h->planned[k].rescreen = 1;
}

mn_status mn_store_history_get(mn_ctx *ctx, mn_store *store, const char *client_id,
                               mn_store_history **out)
{
    if (!store || !client_id || !out)
        return mn__error(ctx, MN_EINVAL, "history: missing argument");
    *out = NULL;
    mn_store_history *h = mn__calloc(1, sizeof *h);
    if (!h)
        return mn__error(ctx, MN_ENOMEM, "history: out of memory");
    snprintf(h->client, sizeof h->client, "%s", client_id);
    /* One read transaction: the timeline is one state of the record. Inside a transaction
     * already (record session reads it to check a session against), that one. */
    int own = sqlite3_get_autocommit(store->db) != 0;
    mn_status st = own ? mn__store_exec(ctx, store, "BEGIN") : MN_OK;
    if (st) {
        mn__free(h);
        return st;
    }
    sqlite3_int64 num;
    sqlite3_stmt *q;
    int interval_days = 0;
    st = mn__store_client_num(ctx, store, client_id, &num);
    if (!st &&
        !(st = mn__store_prepare(
              ctx, store, MN__STORE_DUE_CTE "SELECT due, iv FROM mn_due WHERE num = ?", &q))) {
        sqlite3_bind_int64(q, 1, num);
        if (sqlite3_step(q) == SQLITE_ROW) {
            h->maintenance_due = mn__store_col_date(q, 0, &h->has_maintenance_due);
            if (sqlite3_column_type(q, 1) == SQLITE_INTEGER)
                interval_days = sqlite3_column_int(q, 1);
        }
        mn__store_done(store, q);
    }
    if (!st)
        st = read_plan(ctx, store, num, h);
    if (!st)
        st = read_sessions(ctx, store, num, h);
    if (!st)
        st = read_scores(ctx, store, num, h);
    if (!st)
        date_maintenance(h, interval_days);
    if (!st)
        st = mn__store_today(ctx, &h->today);
    if (!st)
        mn__store_questionnaire_today(ctx, store, client_id, &h->questionnaire);
    if (!st)
        mark_rescreen(ctx, store, h);
    /* On hold on today (the export leaves a held client's visits out as a stale plan's): the
     * rule recall uses, screened on today with undated answers counted from the plan's day. */
    if (!st) {
        mn_date asked = h->today;
        if (h->plan_id && mn_date_parse(h->plan_created, &asked))
            asked = h->today;
        char why[256];
        st =
            mn__store_client_hold(ctx, store, client_id, h->today, asked, &h->held, why, sizeof why,
                                  h->hold_reason_text, sizeof h->hold_reason_text, NULL);
    }
    if (own)
        sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);
    if (st) {
        mn_store_history_free(h);
        return st;
    }
    *out = h;
    return MN_OK;
}

void mn__store_planned_free(mn_store_planned_visit *visits, int n)
{
    for (int i = 0; visits && i < n; i++)
        mn__free(visits[i].settings);
    mn__free(visits);
}

void mn_store_history_free(mn_store_history *h)
{
    if (!h)
        return;
    mn__store_planned_free(h->planned, h->n_planned);
    for (int i = 0; i < h->n_sessions; i++) {
        mn__free(h->sessions[i].zones);
        mn__free(h->sessions[i].not_done);
    }
    mn__free(h->sessions);
    mn__free(h->assessments);
    mn__free(h->events);
    mn__free(h->rises);
    mn__free(h);
}
