/*
 * Plans as produced, sessions as done, follow-up assessments and adverse events: each file of
 * records is read whole, checked against the client's latest stored plan and the catalogues,
 * and stored in one transaction, or refused with the file and the place and nothing stored.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_in.h"
#include "mneedle/catalog.h"
#include "mneedle/clinic.h"
#include "store/store_internal.h"
#include "store/words.h"

/* Largest needle setting and passes a session record may state before the plan is even
 * consulted: no device in data/devices.json is longer than 3 mm, and clinics work in 1 to 8
 * passes (docs/clinic.md); these only catch typing errors (25 for 2.5). */
#define MAX_RECORD_DEPTH_MM 5.0
#define MAX_RECORD_PASSES   20.0
/* Longest free text of a record field (serial, lot, endpoint, reactions, event): store.h. */
#define MAX_TEXT MN_STORE_MAX_TEXT

char *mn__store_dump(const json_t *v)
{
    size_t need = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *out = need ? mn__malloc(need + 1) : NULL;
    if (!out)
        return NULL;
    json_dumpb(v, out, need, JSON_COMPACT | JSON_PRESERVE_ORDER);
    out[need] = '\0';
    return out;
}

/* ---- CSV ---- */

/* A field's text must be UTF-8 without a NUL byte, as a JSON string of the same text must
 * be: anything else is refused by its place, never dropped or cut short. */
static mn_status csv_text(mn_ctx *ctx, const char *src, const char *where, const mn__buf *field)
{
    size_t good = mn__utf8_valid_prefix(field->data, field->len);
    const char *nul = memchr(field->data, '\0', good);
    if (nul)
        return mn__error(ctx, MN_EPARSE,
                         "%s: %s: a NUL byte at byte %zu of the field; expected text", src, where,
                         (size_t)(nul - field->data) + 1);
    if (good < field->len)
        return mn__error(ctx, MN_EPARSE,
                         "%s: %s: byte 0x%02X at byte %zu of the field is not UTF-8; expected "
                         "UTF-8 text (save the file as UTF-8)",
                         src, where, (unsigned char)field->data[good], good + 1);
    return MN_OK;
}

mn_status mn__store_csv(mn_ctx *ctx, const char *src, const char *text, size_t len,
                        const char *const *numeric, json_t **out)
{
    *out = NULL;
    if (len > MN_MAX_INPUT_BYTES)
        return mn__error(ctx, MN_ELIMIT, "%s: input is %zu bytes; the limit is %u bytes", src, len,
                         MN_MAX_INPUT_BYTES);
    json_t *rows = json_array(), *header = json_array(), *row = NULL;
    mn__buf field;
    mn__buf_init(&field);
    mn_status st = MN_OK;
    size_t i = 0, col = 0;
    int line = 1, row_line = 1, in_header = 1;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i <= len && !st) {
        /* One field. */
        field.len = 0;
        int quoted = 0;
        if (i < len && text[i] == '"') {
            quoted = 1;
            i++;
            for (;;) {
                if (i >= len) {
                    st = mn__error(ctx, MN_EPARSE, "%s:%d: a quoted field is not closed", src,
                                   row_line);
                    break;
                }
                if (text[i] == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        mn__buf_append(&field, "\"", 1);
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (text[i] == '\n')
                    line++;
                mn__buf_append(&field, text + i, 1);
                i++;
            }
            if (st)
                break;
        } else {
            while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                mn__buf_append(&field, text + i++, 1);
        }
        if (mn__buf_status(&field)) {
            st = mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
            break;
        }
        mn__buf_append(&field, "", 1); /* NUL */
        field.len--;
        int end_of_row = i >= len || text[i] == '\n' || text[i] == '\r';
        if (!end_of_row && text[i] != ',') {
            st = mn__error(ctx, MN_EPARSE, "%s:%d: text after a closing quote", src, line);
            break;
        }
        if (in_header) {
            if (field.len == 0 && !(end_of_row && col == 0)) {
                st = mn__error(ctx, MN_EPARSE, "%s:1: column %zu of the header is empty", src,
                               col + 1);
                break;
            }
            char where[64];
            snprintf(where, sizeof where, "line 1, column %zu of the header", col + 1);
            if ((st = csv_text(ctx, src, where, &field)))
                break;
            if (field.len)
                json_array_append_new(header, json_string(field.data));
        } else if (col == 0 && end_of_row && field.len == 0 && !quoted) {
            /* A blank line. */
        } else {
            if (!row) {
                row = json_object();
                json_object_set_new(row, "_line", json_integer(row_line));
            }
            if (col >= json_array_size(header)) {
                st = mn__error(ctx, MN_EPARSE, "%s:%d: more fields than the header's %zu", src,
                               row_line, json_array_size(header));
                break;
            }
            const char *name = json_string_value(json_array_get(header, col));
            /* The name as a message shows it (cut with "..." when long): the column's number
             * after it is kept. */
            char shown[MN__NAME_SHOWN_SIZE], where[MN__NAME_SHOWN_SIZE + 64];
            snprintf(where, sizeof where, "line %d.%s (column %zu)", row_line,
                     mn__name_shown(shown, name), col + 1);
            if ((st = csv_text(ctx, src, where, &field)))
                break;
            if (field.len) {
                int is_num = 0;
                for (int k = 0; numeric && numeric[k]; k++)
                    is_num |= !strcmp(numeric[k], name);
                char *end;
                errno = 0;
                double v = is_num ? strtod(field.data, &end) : 0;
                if (is_num && !errno && end != field.data && !*end && isfinite(v))
                    json_object_set_new(row, name, json_real(v));
                else
                    json_object_set_new(row, name, json_string(field.data));
            }
        }
        if (!end_of_row) {
            i++;
            col++;
            continue;
        }
        /* End of a row. */
        if (in_header) {
            if (json_array_size(header) == 0) {
                st = mn__error(ctx, MN_EPARSE, "%s:1: expected a header row naming the columns",
                               src);
                break;
            }
            in_header = 0;
        } else if (row) {
            json_array_append_new(rows, row);
            row = NULL;
        }
        col = 0;
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        line++;
        row_line = line;
        if (i >= len)
            break;
    }
    json_decref(row);
    json_decref(header);
    mn__buf_release(&field);
    if (!st && json_array_size(rows) == 0)
        st = mn__error(ctx, MN_EPARSE, "%s: no rows after the header", src);
    if (st) {
        json_decref(rows);
        return st;
    }
    *out = rows;
    return MN_OK;
}

/* JSON (an object or an array of them) or CSV, told apart by the first character. Each
 * element gets its place for messages: "$[i]" / "$" for JSON, "line N" for CSV. */
static mn_status read_records(mn_ctx *ctx, const char *src, const char *text, size_t len,
                              const char *const *numeric, json_t **out, int *csv)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    *csv = !(i < len && (text[i] == '{' || text[i] == '['));
    if (*csv)
        return mn__store_csv(ctx, src, text, len, numeric, out);
    if (len > MN_MAX_INPUT_BYTES)
        return mn__error(ctx, MN_ELIMIT, "%s: input is %zu bytes; the limit is %u bytes", src, len,
                         MN_MAX_INPUT_BYTES);
    /* mn__json_parse takes objects only; a file of records may be an array of them. */
    json_error_t err;
    unsigned long guard = mn__json_parse_begin();
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (mn__json_parse_end(guard)) {
        json_decref(root);
        return mn__error(ctx, MN_ENOMEM, "%s: out of memory while parsing", src);
    }
    if (!root)
        return mn__error(ctx, MN_EPARSE, "%s:%d:%d: malformed JSON: %s", src, err.line, err.column,
                         err.text);
    if (json_is_object(root)) {
        json_t *arr = json_array();
        json_array_append_new(arr, root);
        root = arr;
    } else if (json_array_size(root) == 0) {
        json_decref(root);
        return mn__error(ctx, MN_EPARSE, "%s: $: expected an object or a non-empty array", src);
    }
    *out = root;
    return MN_OK;
}

static void place_of(json_t *records, size_t i, int csv, char *out, size_t size)
{
    if (csv)
        snprintf(
            out, size, "line %lld",
            (long long)json_integer_value(json_object_get(json_array_get(records, i), "_line")));
    else if (json_array_size(records) == 1)
        snprintf(out, size, "$");
    else
        snprintf(out, size, "$[%zu]", i);
}

/* Prefixes the context's last message with "src: place.key: " (for errors from helpers
 * that do not know the place). */
static mn_status at_place(mn_ctx *ctx, mn_status st, const char *src, const char *place,
                          const char *key)
{
    char msg[sizeof((struct mn_ctx *)0)->errmsg];
    snprintf(msg, sizeof msg, "%s", mn_ctx_errmsg(ctx));
    return mn__error(ctx, st, "%s: %s.%s: %s", src, place, key, msg);
}

static mn_status text_field(const mn__jin *in, json_t *o, const char *place, const char *key,
                            int required, const char **out)
{
    int present = 0;
    *out = NULL;
    mn_status st = mn__jstr(in, o, place, key, required, out, &present);
    if (st)
        return st;
    if (present && strlen(*out) > MAX_TEXT)
        return mn__error(in->ctx, MN_ELIMIT, "%s: %s.%s: at most %d bytes", in->src, place, key,
                         MAX_TEXT);
    return MN_OK;
}

/* A record's date: a real date, not after today. */
static mn_status past_date(const mn__jin *in, json_t *o, const char *place, mn_date today,
                           mn_date *out)
{
    mn_status st = mn__jdate(in, o, place, "date", 1, out, NULL);
    if (!st && *out > today) {
        char d[16];
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.date: %s is in the future; record what was done", in->src, place,
                         mn_date_format(*out, d));
    }
    return st;
}

/* ---- plans ---- */

/* The zones of a stored plan: zone id, its maximum needle length, and the minimum interval
 * between sessions there: the largest min_interval_days (data/concerns.json) of the concerns
 * the plan treats at the site, as the planner keeps to (plan.c), with the concern setting it. */
typedef struct {
    char zone[32];
    double max_mm;
    int min_interval_days;
    char min_interval_concern[96]; /* the concern's name, as the plan prints it */
    double rise_mm;                /* the plan's rise per visit there (mn__store_plan_rise_mm) */
    /* 0 when every concern the plan lists at the site is not booked there (plan zones[].booked
     * false: its deepest setting is under half the needle length any study of the concern
     * used, plan.c), with the first such concern and the plan's reason; a plan stored before
     * zones carried "booked" books them all. */
    int booked;
    char not_booked_concern[32];
    char not_booked_why[320];
} plan_zone;

typedef struct {
    sqlite3_int64 client; /* whose plan this is (0: none read yet) */
    sqlite3_int64 id;     /* 0: no plan */
    plan_zone zones[MN_MAX_ZONES];
    int n_zones;
    char device[32];
    mn_store_screening screening;  /* the client's current stored record, screened again on
                                      the day of screened_on's session */
    sqlite3_int64 screened_client; /* whose record screening is (0: none yet) */
    mn_date screened_on;
    mn__store_plan_input input; /* the plan against the client's current planning input */
} plan_caps;

/* The zones and device of the client's latest plan, read with SQLite's JSON functions: only
 * the zones' ids and maxima are wanted, and building the whole plan (about 20 KiB of JSON) as
 * objects cost more than the rest of a record's checks (bench/bench_store). */
static mn_status latest_plan(mn_ctx *ctx, mn_store *s, sqlite3_int64 client, plan_caps *out)
{
    memset(out, 0, sizeof *out);
    out->client = client;
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare_kept(
        ctx, s,
        "SELECT p.id, p.device, json_extract(z.value, '$.zone'),"
        " json_extract(z.value, '$.depth_mm.max'), json_extract(z.value, '$.concern'),"
        " json_extract(z.value, '$.booked'), json_extract(z.value, '$.why'),"
        " json_extract(z.value, '$.rise_per_visit_mm')"
        " FROM (SELECT id, plan_json, json_extract(plan_json, '$.device.id') AS device"
        " FROM plans WHERE client = ?1 ORDER BY id DESC LIMIT 1) p"
        " LEFT JOIN json_each(p.plan_json, '$.zones') z",
        &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, client);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        out->id = sqlite3_column_int64(q, 0);
        const char *dev = (const char *)sqlite3_column_text(q, 1);
        if (dev)
            snprintf(out->device, sizeof out->device, "%s", dev);
        const char *zone = (const char *)sqlite3_column_text(q, 2);
        int type = sqlite3_column_type(q, 3);
        if (!zone || (type != SQLITE_INTEGER && type != SQLITE_FLOAT))
            continue; /* a declined plan lists zones without depths: nothing to allow */
        double max = sqlite3_column_double(q, 3);
        const char *concern_id = (const char *)sqlite3_column_text(q, 4);
        const mn_concern *concern =
            concern_id ? mn_catalog_find_concern(mn_ctx_catalog(ctx), concern_id) : NULL;
        int booked = sqlite3_column_type(q, 5) == SQLITE_NULL || sqlite3_column_int(q, 5) != 0;
        plan_zone *pz = NULL;
        for (int k = 0; k < out->n_zones; k++)
            if (!strcmp(out->zones[k].zone, zone))
                pz = &out->zones[k];
        if (!pz) {
            if (out->n_zones == MN_MAX_ZONES)
                continue;
            pz = &out->zones[out->n_zones++];
            snprintf(pz->zone, sizeof pz->zone, "%s", zone);
            pz->max_mm = max;
            pz->booked = booked;
        }
        /* A concern not booked at the site sets nothing there: no setting, no interval; the
         * site is refused only when no concern is booked there (check_session). */
        if (!booked) {
            if (!pz->not_booked_concern[0] && concern_id) {
                snprintf(pz->not_booked_concern, sizeof pz->not_booked_concern, "%s", concern_id);
                const char *why = (const char *)sqlite3_column_text(q, 6);
                snprintf(pz->not_booked_why, sizeof pz->not_booked_why, "%s", why ? why : "");
            }
            continue;
        }
        double rise =
            mn__store_plan_rise_mm(mn_ctx_catalog(ctx), sqlite3_column_double(q, 7), concern_id);
        if (!pz->booked) { /* the first concern booked here, after one that is not */
            pz->booked = 1;
            pz->max_mm = max;
            pz->rise_mm = 0;
        }
        if (pz->rise_mm <= 0 || rise < pz->rise_mm) /* 0: none read yet */
            pz->rise_mm = rise;
        /* A site listed for two concerns: the smaller maximum is the site's, the longer
         * minimum interval too (plan.c). */
        if (max < pz->max_mm)
            pz->max_mm = max;
        if (concern && concern->min_interval_days > pz->min_interval_days) {
            pz->min_interval_days = concern->min_interval_days;
            snprintf(pz->min_interval_concern, sizeof pz->min_interval_concern, "%s",
                     concern->name ? concern->name : concern->id);
        }
    }
    if (rc != SQLITE_DONE)
        st = mn__error(ctx, MN_EPARSE,
                       "%s: the latest stored plan of client %lld cannot be read (%s)", s->path,
                       (long long)client, sqlite3_errmsg(s->db));
    mn__store_done(s, q);
    return st;
}

/* The planning input of client @p num as stored, hashed (mn__store_input_hash). */
static mn_status stored_input_hash(mn_ctx *ctx, mn_store *s, sqlite3_int64 num, char out[65])
{
    sqlite3_stmt *q;
    mn_status st =
        mn__store_prepare_kept(ctx, s, "SELECT client_json FROM clients WHERE num = ?", &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, num);
    out[0] = '\0';
    if (sqlite3_step(q) == SQLITE_ROW)
        mn__store_input_hash((const char *)sqlite3_column_text(q, 0), out);
    mn__store_done(s, q);
    if (!out[0])
        return mn__error(ctx, MN_EIO, "%s: the client's stored input cannot be read", s->path);
    return MN_OK;
}

mn_status mn_store_plan_save(mn_ctx *ctx, mn_store *store, const char *client_id,
                             const char *plan_json, size_t len, long *plan_id)
{
    return mn_store_plan_save_input(ctx, store, client_id, plan_json, len, NULL, plan_id);
}

mn_status mn_store_plan_save_input(mn_ctx *ctx, mn_store *store, const char *client_id,
                                   const char *plan_json, size_t len, const char *input,
                                   long *plan_id)
{
    if (!store || !client_id || !plan_json)
        return mn__error(ctx, MN_EINVAL, "plan save: missing argument");
    json_t *plan;
    mn_status st = mn__json_parse(ctx, "plan", plan_json, len, &plan);
    if (st)
        return st;
    int is_plan = json_is_object(plan) && json_object_get(plan, "screening") &&
                  json_is_array(json_object_get(plan, "zones"));
    /* The plan's first maintenance visit: when recall looks for the client until a replan
     * times it from their own response. */
    char due[16] = "";
    json_t *visits = json_object_get(plan, "sessions");
    for (size_t i = 0; i < json_array_size(visits) && !due[0]; i++) {
        json_t *v = json_array_get(visits, i);
        const char *phase = json_string_value(json_object_get(v, "phase"));
        const char *date = json_string_value(json_object_get(v, "date"));
        mn_date d;
        if (phase && date && !strcmp(phase, "maintenance") && !mn_date_parse(date, &d))
            snprintf(due, sizeof due, "%s", date);
    }
    json_decref(plan);
    if (!is_plan)
        return mn__error(ctx, MN_EPARSE, "plan save: not a plan's JSON (screening, zones)");
    char hash[MN__STORE_CATALOGUE_STAMP_LEN], day[16], made_from[65] = "";
    mn__store_catalogue_stamp(ctx, hash);
    if (input && !mn__store_input_hash(input, made_from))
        return mn__error(ctx, MN_EPARSE, "plan save: the planning input given is not JSON");
    mn_date today;
    if ((st = mn__store_today(ctx, &today)))
        return st;
    mn_date_format(today, day);
    sqlite3_int64 num;
    if ((st = mn__store_begin(ctx, store)))
        return st;
    st = mn__store_client_num(ctx, store, client_id, &num);
    /* The input it was made from: the one given, else the client's as stored now (read in this
     * transaction, so no edit comes between). */
    if (!st && !made_from[0])
        st = stored_input_hash(ctx, store, num, made_from);
    sqlite3_stmt *q;
    if (!st &&
        !(st = mn__store_prepare_kept(ctx, store,
                                      "INSERT INTO plans(client, created, mneedle_version, "
                                      "catalogue_hash, plan_json, input_hash) VALUES (?, ?, ?, "
                                      "?, ?, ?)",
                                      &q))) {
        sqlite3_bind_int64(q, 1, num);
        sqlite3_bind_text(q, 2, day, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, mn_version(), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, plan_json, (int)len, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, made_from, -1, SQLITE_STATIC);
        st = mn__store_run(ctx, store, q, "plan");
    }
    sqlite3_int64 id = sqlite3_last_insert_rowid(store->db);
    if (!st)
        st = mn__store_audit(ctx, store, "insert", "plans", id, NULL);
    if (!st) {
        char reason[96];
        snprintf(reason, sizeof reason, "plan %lld: maintenance timed for the typical response",
                 (long long)id);
        st =
            mn__store_set_maintenance(ctx, store, num, due[0] ? due : NULL, due[0] ? reason : NULL);
    }
    st = mn__store_end(ctx, store, st);
    if (!st && plan_id)
        *plan_id = (long)id;
    return st;
}

/* ---- sessions ---- */

static const char *const session_numeric[] = {"depth_mm", "passes", NULL};

/* CSV rows (one per zone) grouped into session objects: consecutive rows with the same
 * client and date are one session, its zones from each row and the rest from the first. */
static mn_status group_csv_sessions(mn_ctx *ctx, const char *src, json_t *rows, json_t **out)
{
    static const char *const session_cols[] = {"client",
                                               "date",
                                               "device",
                                               "serial",
                                               "cartridge_lot",
                                               "serum",
                                               "serum_lot",
                                               "endpoint",
                                               "reactions",
                                               "adverse_event",
                                               "adverse_severity",
                                               "zone",
                                               "depth_mm",
                                               "passes",
                                               "_line",
                                               NULL};
    json_t *sessions = json_array();
    json_t *cur = NULL;
    const char *cur_client = NULL, *cur_date = NULL;
    mn__jin in = {ctx, src};
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        char place[32];
        place_of(rows, i, 1, place, sizeof place);
        mn_status st = mn__jkeys(&in, r, place, session_cols);
        if (st) {
            json_decref(sessions);
            return st;
        }
        const char *client = json_string_value(json_object_get(r, "client"));
        const char *date = json_string_value(json_object_get(r, "date"));
        int same = cur && client && date && cur_client && cur_date && !strcmp(client, cur_client) &&
                   !strcmp(date, cur_date);
        if (!same) {
            cur = json_object();
            json_array_append_new(sessions, cur);
            const char *k;
            json_t *v;
            json_object_foreach(r, k, v)
            {
                if (strcmp(k, "zone") && strcmp(k, "depth_mm") && strcmp(k, "passes") &&
                    strcmp(k, "adverse_event") && strcmp(k, "adverse_severity"))
                    json_object_set(cur, k, v);
            }
            json_object_set_new(cur, "zones", json_array());
            json_object_set_new(cur, "adverse_events", json_array());
            cur_client = client;
            cur_date = date;
        }
        json_t *z = json_object();
        json_object_set_new(z, "_line", json_deep_copy(json_object_get(r, "_line")));
        static const char *const zk[] = {"zone", "depth_mm", "passes"};
        for (int k = 0; k < 3; k++) {
            json_t *v = json_object_get(r, zk[k]);
            if (v)
                json_object_set(z, zk[k], v);
        }
        json_array_append_new(json_object_get(cur, "zones"), z);
        json_t *ae = json_object_get(r, "adverse_event");
        if (ae) {
            json_t *aes = json_object_get(cur, "adverse_events");
            if (json_is_string(ae) && !strcmp(json_string_value(ae), "none")) {
                json_array_append_new(aes, json_string("none"));
            } else {
                json_t *e = json_object();
                json_object_set(e, "event", ae);
                json_t *sev = json_object_get(r, "adverse_severity");
                if (sev)
                    json_object_set(e, "severity", sev);
                json_array_append_new(aes, e);
            }
        }
    }
    /* A CSV session with no adverse_event column at all has an empty list: the validator
     * asks for an explicit "none". */
    *out = sessions;
    return MN_OK;
}

/* One checked session, ready to store. */
typedef struct {
    sqlite3_int64 client;
    sqlite3_int64 plan; /* 0: none */
    mn_date date;
    const char *device, *serial, *lot, *serum, *serum_lot, *endpoint, *reactions;
    struct {
        const char *zone;
        double depth_mm, passes;
        int min_interval_days;         /* the plan's concerns' minimum there; 0: not known */
        char min_interval_concern[96]; /* the concern's name, as the plan prints it */
    } zones[MN_MAX_ZONES];
    int n_zones;
    json_t *events; /* the adverse_events array */
    char violations[1024];
    char rules[256]; /* the rules those break, by name ("depth-beyond-plan, interval"): the log's */
    int visit;       /* the planned visit it stands for (1-based), 0 when beyond the plan */
    char lighter[512]; /* zones done lighter than that visit's setting ("" when none) */
    size_t lighter_end[MN_MAX_ZONES]; /* where each whole entry of lighter ends */
    int n_lighter_kept, n_lighter;    /* entries whole in lighter; all the lighter zones */
    int stepped;   /* 1 when a zone is held below the plan by a step down after an event */
    int rise_held; /* 1 when a lighter zone holds the next visit below the plan by the rise */
} checked_session;

/* Appends one reason a session is outside its plan or device ("; " between them), and the
 * name of the rule it breaks to cs->rules (each name once): the audit log names the rules an
 * override went past, never the values or the reason, which stay in the session's rows and
 * leave with them when the client is erased (docs/records.md, "The audit log"). */
static void violation(checked_session *cs, size_t *used, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void violation(checked_session *cs, size_t *used, const char *rule, const char *fmt, ...)
{
    size_t rl = strlen(cs->rules), k = strlen(rule);
    int named = 0;
    for (const char *p = cs->rules; (p = strstr(p, rule)); p += k)
        named |= (p == cs->rules || p[-1] == ' ') && (p[k] == ',' || p[k] == '\0');
    if (!named && rl + k + 3 < sizeof cs->rules)
        snprintf(cs->rules + rl, sizeof cs->rules - rl, "%s%s", rl ? ", " : "", rule);
    char *buf = cs->violations;
    size_t size = sizeof cs->violations;
    if (*used + 2 >= size)
        return;
    if (*used) {
        memcpy(buf + *used, "; ", 3);
        *used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n < size - *used ? (size_t)n : size - *used - 1;
}

/* The plan's reason a zone is not booked (plan zones[].why: "Not booked: " and its first
 * sentence, then what it means for the client), as its first sentence without the prefix. */
static void not_booked_reason(const char *why, char *out, size_t size)
{
    static const char prefix[] = "Not booked: ";
    if (!strncmp(why, prefix, sizeof prefix - 1))
        why += sizeof prefix - 1;
    const char *end = strstr(why, ". ");
    size_t n = end ? (size_t)(end - why) : strlen(why);
    if (n && why[n - 1] == '.')
        n--;
    if (!n) {
        snprintf(out, size, "the plan lists it as not booked");
        return;
    }
    snprintf(out, size, "%.*s", (int)n, why);
}

/* The settings the latest stored plan @p plan gives planned visit @p k (0-based) for @p zone:
 * 1 when it treats the zone at that visit (a site listed for two concerns: the lighter of
 * the two), 0 when not or when the plan has no such visit. */
static mn_status planned_setting(mn_ctx *ctx, mn_store *s, sqlite3_int64 plan, int k,
                                 const char *zone, int *found, double *depth, double *passes)
{
    *found = 0;
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare_kept(
        ctx, s,
        "SELECT min(json_extract(z.value, '$.depth_mm')), min(json_extract(z.value, '$.passes')),"
        " count(*) FROM plans p, json_each(p.plan_json, '$.sessions[' || ?2 || '].settings') z"
        " WHERE p.id = ?1 AND json_extract(z.value, '$.zone') = ?3",
        &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, plan);
    sqlite3_bind_int(q, 2, k);
    sqlite3_bind_text(q, 3, zone, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_int(q, 2) > 0 &&
        sqlite3_column_type(q, 0) != SQLITE_NULL) {
        *found = 1;
        *depth = sqlite3_column_double(q, 0);
        *passes = sqlite3_column_double(q, 1);
    }
    mn__store_done(s, q);
    if (rc != SQLITE_ROW)
        return mn__store_fail(ctx, s, "cannot read the stored plan's visits");
    return MN_OK;
}

/* How many of the client's sessions are dated on or before @p day: the session recorded for
 * that day stands for the planned visit of that number + 1 (the k-th session done is the k-th
 * planned visit, history.c). */
static mn_status sessions_before(mn_ctx *ctx, mn_store *s, sqlite3_int64 client, const char *day,
                                 int *n)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare_kept(
        ctx, s, "SELECT count(*) FROM sessions WHERE client = ? AND date <= ?", &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, client);
    sqlite3_bind_text(q, 2, day, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    mn__store_done(s, q);
    if (rc != SQLITE_ROW)
        return mn__store_fail(ctx, s, "cannot count the client's sessions");
    return MN_OK;
}

/* The client's nearest session on @p zone before (@p after 0) or after (@p after 1) @p day:
 * its date (0 when there is none) and the depth used there. A zone is treated once a day
 * (refuse_duplicate), so the nearest is one session; the id orders the rows of an older
 * record that holds two all the same. */
static mn_status neighbour_on_zone(mn_ctx *ctx, mn_store *s, sqlite3_int64 client, const char *zone,
                                   const char *day, int after, mn_date *date, double *depth_mm)
{
    *date = 0;
    *depth_mm = 0;
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare_kept(
        ctx, s,
        after
            ? "SELECT x.date, z.depth_mm FROM sessions x JOIN session_zones z ON z.session = x.id "
              "WHERE x.client = ? AND z.zone = ? AND x.date > ? ORDER BY x.date, x.id LIMIT 1"
            : "SELECT x.date, z.depth_mm FROM sessions x JOIN session_zones z ON z.session = x.id "
              "WHERE x.client = ? AND z.zone = ? AND x.date < ? "
              "ORDER BY x.date DESC, x.id DESC LIMIT 1",
        &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, client);
    sqlite3_bind_text(q, 2, zone, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, day, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *date = mn__store_col_date(q, 0, NULL);
        *depth_mm = sqlite3_column_double(q, 1);
    }
    mn__store_done(s, q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return mn__store_fail(ctx, s, "cannot look up the client's sessions");
    return MN_OK;
}

/* For each zone of the session, the client's session before (near[i][0]) and after
 * (near[i][1]) it on that zone when closer than the zone's minimum interval; 0 otherwise. */
static mn_status close_sessions(mn_ctx *ctx, mn_store *s, const checked_session *cs,
                                mn_date near[][2])
{
    char day[16];
    mn_date_format(cs->date, day);
    for (int i = 0; i < cs->n_zones; i++)
        for (int after = 0; after < 2; after++) {
            near[i][after] = 0;
            int min = cs->zones[i].min_interval_days;
            if (min <= 0)
                continue;
            mn_date d;
            double depth_mm;
            mn_status st =
                neighbour_on_zone(ctx, s, cs->client, cs->zones[i].zone, day, after, &d, &depth_mm);
            if (st)
                return st;
            long gap = after ? (long)(d - cs->date) : (long)(cs->date - d);
            if (d && gap < min)
                near[i][after] = d;
        }
    return MN_OK;
}

/* The zones of session @p cs done deeper than the step down after an adverse event allows
 * (mn__store_step_down, replan.c: post-inflammatory hyperpigmentation resolved, the next visit
 * on a zone one device setting below the depth before it, the visits after rising from there by
 * the plan's own steps), each a reason to refuse without --override. The client's history is
 * read only when an event of such a kind began on or before the session's date. */
static mn_status step_down_violations(mn_ctx *ctx, mn_store *s, const char *client,
                                      checked_session *cs, json_t *zones, const char *place,
                                      int csv, size_t *used)
{
    sqlite3_stmt *q;
    char day[16];
    mn_date_format(cs->date, day);
    mn_status st =
        mn__store_prepare_kept(ctx, s,
                               "SELECT DISTINCT event FROM adverse_events WHERE client = "
                               "?1 AND date <= ?2 AND event <> 'none'",
                               &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, cs->client);
    sqlite3_bind_text(q, 2, day, -1, SQLITE_TRANSIENT);
    int rc, any = 0;
    while (!any && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const mn_adverse_event_kind *k = mn_catalog_find_adverse_event(
            mn_ctx_catalog(ctx), (const char *)sqlite3_column_text(q, 0));
        any = k && k->step_down_after;
    }
    if (!any && rc != SQLITE_DONE)
        st = mn__store_fail(ctx, s, "cannot read adverse events");
    mn__store_done(s, q);
    if (st || !any)
        return st;
    mn_store_history *h = NULL;
    if ((st = mn_store_history_get(ctx, s, client, &h)))
        return st;
    /* One clause per zone, then why, once for the zones that share it. */
    char clauses[640] = "", why[240] = "", next[240];
    for (int i = 0; i <= cs->n_zones; i++) {
        mn__store_step sd;
        int held = i < cs->n_zones &&
                   mn__store_step_down(ctx, h, cs->zones[i].zone, cs->visit - 1, cs->date, &sd);
        cs->stepped |= held;
        int deeper = held && cs->zones[i].depth_mm > sd.max_mm + 1e-6; /* the checks' slack */
        next[0] = '\0';
        if (deeper) {
            char since[16], how[160];
            if (!sd.at_first)
                snprintf(how, sizeof how,
                         "stepped down at visit %d one setting below session %d, and rising "
                         "since by the plan's own steps",
                         sd.first_visit, sd.session);
            else if (sd.shortest)
                snprintf(how, sizeof how,
                         "no deeper than session %d, already at its device's shortest setting",
                         sd.session);
            else
                snprintf(how, sizeof how, "one setting below session %d", sd.session);
            snprintf(next, sizeof next, "after the %s recorded on %s: %s", sd.kind_name,
                     mn_date_format(sd.event_date, since), how);
        }
        if (clauses[0] && (i == cs->n_zones || strcmp(next, why))) {
            violation(cs, used, "step-down-after-adverse-event",
                      "%s, %s (a judgement of the adverse-event catalogue)", clauses, why);
            clauses[0] = '\0';
        }
        if (!deeper)
            continue;
        char zp[64];
        if (csv)
            snprintf(zp, sizeof zp, "line %lld",
                     (long long)json_integer_value(
                         json_object_get(json_array_get(zones, (size_t)i), "_line")));
        else
            snprintf(zp, sizeof zp, "%s.zones[%d]", place, i);
        size_t n = strlen(clauses);
        snprintf(clauses + n, sizeof clauses - n,
                 "%s%s %.2f mm is deeper than the %.2f mm allowed at visit %d (%s.depth_mm)",
                 n ? ", " : "", cs->zones[i].zone, cs->zones[i].depth_mm, sd.max_mm, cs->visit, zp);
        memcpy(why, next, sizeof why);
    }
    mn_store_history_free(h);
    return MN_OK;
}

static mn_status check_session(mn_ctx *ctx, mn_store *s, const char *src, json_t *o,
                               const char *place, int csv, mn_date today, plan_caps *cache,
                               checked_session *cs)
{
    memset(cs, 0, sizeof *cs);
    mn__jin in = {ctx, src};
    static const char *const keys[] = {"client",        "date",  "device",         "serial",
                                       "cartridge_lot", "serum", "serum_lot",      "endpoint",
                                       "reactions",     "zones", "adverse_events", NULL};
    const char *client;
    mn_status st;
    if ((st = mn__jis_object(&in, o, place)) || (st = mn__jkeys(&in, o, place, keys)) ||
        (st = text_field(&in, o, place, "client", 1, &client)))
        return st;
    if ((st = mn__store_client_num(ctx, s, client, &cs->client)))
        return at_place(ctx, st, src, place, "client");
    if ((st = past_date(&in, o, place, today, &cs->date)) ||
        (st = text_field(&in, o, place, "device", 1, &cs->device)) ||
        (st = text_field(&in, o, place, "serial", 0, &cs->serial)) ||
        (st = text_field(&in, o, place, "cartridge_lot", 0, &cs->lot)) ||
        (st = text_field(&in, o, place, "serum", 0, &cs->serum)) ||
        (st = text_field(&in, o, place, "serum_lot", 0, &cs->serum_lot)) ||
        (st = text_field(&in, o, place, "endpoint", 0, &cs->endpoint)) ||
        (st = text_field(&in, o, place, "reactions", 0, &cs->reactions)))
        return st;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const mn_device *dev = mn_catalog_find_device(cat, cs->device);
    char next[200]; /* what to do next, in the handle's words (words.h) */
    if (!dev)
        return mn__error(ctx, MN_ENOTFOUND, "%s: %s.device: unknown device \"%.40s\" (%s)", src,
                         place, cs->device,
                         mn__store_words_say(s->words, MN__SAY_DEVICES, NULL, next, sizeof next));
    cs->device = dev->id;
    /* The client's latest plan, read once per client in a file of records (the file's own
     * records never add a plan). */
    if (cache->client != cs->client) {
        if ((st = latest_plan(ctx, s, cs->client, cache)) ||
            (st = mn__store_plan_input_get(ctx, s, cs->client, &cache->input)))
            return st;
    }
    /* The record screened on the session's day, so the questionnaire's age on that day
     * counts (rules.json's history_older_months rule; undated answers from the day the plan
     * was saved, as replan counts them): once per client and day in a file of records. */
    if (cache->screened_client != cs->client || cache->screened_on != cs->date) {
        if ((st = mn_store_client_screen_on(ctx, s, client, cs->date, &cache->screening)))
            return st;
        cache->screened_client = cs->client;
        cache->screened_on = cs->date;
    }
    const plan_caps caps = *cache;
    cs->plan = caps.id;
    if (caps.id) {
        char day[16];
        int before;
        if ((st = sessions_before(ctx, s, cs->client, mn_date_format(cs->date, day), &before)))
            return st;
        cs->visit = before + 1; /* checked against the plan's visits: none beyond them */
    }
    size_t used = 0;
#define VIOLATION(rule, ...) violation(cs, &used, rule, __VA_ARGS__)
    if (!caps.id)
        VIOLATION("no-plan", "no plan is stored for this client");
    /* The plan was made from an earlier record (a phototype, a concern, a zone or a
     * contraindication edited since): its depths, zones and spacing are not the current
     * record's, so nothing is checked against it as if they were. A plan stored before plans
     * kept their input's hash cannot tell, and is used as before (history and replan say so). */
    if (caps.id && caps.input.plan == caps.id && caps.input.stale == 1)
        VIOLATION("stale-plan",
                  "the stored plan (plan %lld, saved %s) was made from an earlier record of "
                  "client %s: the record has been edited since; %s (%s.client)",
                  (long long)caps.id, caps.input.created, client,
                  mn__store_words_say(s->words, MN__SAY_STALE_SESSION, client, next, sizeof next),
                  place);
    /* The record as it is now, not as it was when the plan was saved: a pregnancy or a
     * recent isotretinoin course recorded since defers the client as the plan would. */
    if (caps.screening.decision_besides_age >= MN_DECISION_DEFER)
        VIOLATION(
            "screening", "screening of the client's current record gives %s (%s; %s) (%s.client)",
            mn_decision_name(caps.screening.decision_besides_age), caps.screening.names_besides_age,
            mn__store_words_say(s->words, MN__SAY_SCREENING, NULL, next, sizeof next), place);
    /* The health questionnaire older than its validity on the session's day (the rule's own
     * finding): the answers were not the client's of that day. */
    if (caps.screening.questionnaire.out_of_date) {
        char words[256], renew[200];
        VIOLATION(
            "questionnaire-out-of-date",
            "client %s: the health questionnaire was out of date on the day of this "
            "session: %s; take the questionnaire again (re-screen the client), %s, and %s "
            "(%s.date)",
            client,
            mn_store_questionnaire_words(&caps.screening.questionnaire, words, sizeof words),
            mn__store_words_say(s->words, MN__SAY_NEW_QUESTIONNAIRE, client, renew, sizeof renew),
            mn__store_words_say(s->words, MN__SAY_STALE_SESSION, client, next, sizeof next), place);
    }
    json_t *zones;
    if ((st = mn__jarr(&in, o, place, "zones", 1, 1, MN_MAX_ZONES, &zones, NULL)))
        return st;
    for (size_t i = 0; i < json_array_size(zones); i++) {
        json_t *z = json_array_get(zones, i);
        char zp[64];
        if (csv)
            snprintf(zp, sizeof zp, "line %lld",
                     (long long)json_integer_value(json_object_get(z, "_line")));
        else
            snprintf(zp, sizeof zp, "%s.zones[%zu]", place, i);
        static const char *const zkeys[] = {"zone", "depth_mm", "passes", NULL};
        const char *zone;
        double depth, passes;
        if ((st = mn__jis_object(&in, z, zp)) || (st = mn__jkeys(&in, z, zp, zkeys)) ||
            (st = mn__jstr(&in, z, zp, "zone", 1, &zone, NULL)) ||
            (st = mn__jnum(&in, z, zp, "depth_mm", 1, 0.01, MAX_RECORD_DEPTH_MM, &depth, NULL)) ||
            (st = mn__jnum(&in, z, zp, "passes", 1, 1, MAX_RECORD_PASSES, &passes, NULL)))
            return st;
        if (passes != floor(passes)) /* a pass is one sweep over the zone: none is done by half */
            return mn__error(ctx, MN_ETYPE,
                             "%s: %s.passes: expected a whole number of passes, got %g", src, zp,
                             passes);
        const mn_site *site = mn_catalog_find_site(cat, zone);
        if (!site)
            return mn__error(ctx, MN_ENOTFOUND, "%s: %s.zone: unknown zone \"%.40s\" (%s)", src, zp,
                             zone,
                             mn__store_words_say(s->words, MN__SAY_SITES, NULL, next, sizeof next));
        for (int k = 0; k < cs->n_zones; k++)
            if (!strcmp(cs->zones[k].zone, site->id))
                return mn__error(ctx, MN_EINVAL, "%s: %s.zone: %s is listed twice", src, zp,
                                 site->id);
        cs->zones[cs->n_zones].zone = site->id;
        cs->zones[cs->n_zones].depth_mm = depth;
        cs->zones[cs->n_zones].passes = passes;
        cs->n_zones++;
        /* Against the device and the plan. A little slack for decimal input (1.5 typed
         * against a 1.4999999 computed cap). */
        const double slack = 1e-6;
        if (depth < dev->depth_min_mm - slack || depth > dev->depth_max_mm + slack)
            VIOLATION("device-range",
                      "%s %.2f mm is outside the %s's range %.2f-%.2f mm (%s.depth_mm)", site->id,
                      depth, dev->id, dev->depth_min_mm, dev->depth_max_mm, zp);
        else if (!mn_device_needle_offered(dev, depth)) {
            char offered[200];
            mn_device_needle_describe(dev, offered, sizeof offered);
            VIOLATION("needle-length",
                      "%s %.2f mm is not a length the %s is made in (%s) (%s.depth_mm)", site->id,
                      depth, dev->id, offered, zp);
        }
        if (caps.id) {
            const plan_zone *pz = NULL;
            for (int k = 0; k < caps.n_zones; k++)
                if (!strcmp(caps.zones[k].zone, site->id))
                    pz = &caps.zones[k];
            if (pz && pz->min_interval_days > 0) {
                cs->zones[cs->n_zones - 1].min_interval_days = pz->min_interval_days;
                memcpy(cs->zones[cs->n_zones - 1].min_interval_concern, pz->min_interval_concern,
                       sizeof pz->min_interval_concern);
            }
            if (!pz)
                VIOLATION("zone-not-in-plan", "%s is not in the plan (%s.zone)", site->id, zp);
            else if (!pz->booked) {
                /* Listed but not booked: the plan found needling there cannot be expected to
                 * help (plan.c), so a session there is a departure to state, not "not
                 * planned". */
                char why[sizeof pz->not_booked_why];
                not_booked_reason(pz->not_booked_why, why, sizeof why);
                VIOLATION("zone-not-booked",
                          "%s is not booked in the stored plan (plan %lld) for %s: %s "
                          "(%s.zone)",
                          site->id, (long long)caps.id,
                          pz->not_booked_concern[0] ? pz->not_booked_concern : "its concerns", why,
                          zp);
            } else if (depth > pz->max_mm + slack)
                VIOLATION("depth-beyond-plan",
                          "%s %.2f mm is beyond the plan's %.2f mm (%s.depth_mm)", site->id, depth,
                          pz->max_mm, zp);
            /* Against the setting of the visit it stands for: heavier (deeper, or more passes)
             * is off the plan's titration and needs --override; lighter is recorded with a
             * warning (docs/records.md, "Off-protocol sessions"). */
            int planned = 0;
            double pdepth = 0, ppasses = 0;
            if (pz && cs->visit &&
                (st = planned_setting(ctx, s, caps.id, cs->visit - 1, site->id, &planned, &pdepth,
                                      &ppasses)))
                return st;
            if (planned && depth > pdepth + slack && depth <= pz->max_mm + slack)
                VIOLATION("depth-beyond-visit",
                          "%s %.2f mm is deeper than the %.2f mm the plan sets for visit %d "
                          "(%s.depth_mm)",
                          site->id, depth, pdepth, cs->visit, zp);
            if (planned && passes > ppasses + slack)
                VIOLATION("passes-beyond-visit",
                          "%s %g passes are more than the %g the plan sets for visit %d "
                          "(%s.passes)",
                          site->id, passes, ppasses, cs->visit, zp);
            if (planned && (depth < pdepth - slack || passes < ppasses - slack)) {
                size_t l = strlen(cs->lighter);
                int w =
                    snprintf(cs->lighter + l, sizeof cs->lighter - l,
                             "%s%s %.2f mm x %g is lighter than the plan's %.2f mm x %g for "
                             "visit %d",
                             l ? "; " : "", site->id, depth, passes, pdepth, ppasses, cs->visit);
                if (w > 0 && (size_t)w < sizeof cs->lighter - l &&
                    cs->n_lighter_kept == cs->n_lighter)
                    cs->lighter_end[cs->n_lighter_kept++] = l + (size_t)w;
                else
                    cs->lighter[l] = '\0'; /* counted, not listed (fit_list) */
                cs->n_lighter++;
                /* The next visit's setting more than one rise above this depth: replan holds
                 * it to the rise (mn_store_rise_max). */
                int treated_next = 0;
                double ndepth = 0, npasses = 0;
                if (pz && pz->rise_mm > 0 &&
                    (st = planned_setting(ctx, s, caps.id, cs->visit, site->id, &treated_next,
                                          &ndepth, &npasses)))
                    return st;
                cs->rise_held |= treated_next && ndepth > depth + pz->rise_mm + slack;
            }
            /* No more than the plan's rise per visit above the depth of the last session on
             * the zone: the planner never rises faster (mneedle/clinic.h MN_PLAN_RISE_MM, or
             * the gentler MN_PLAN_RISE_GENTLE_MM where the plan applies it), and a session
             * lighter than planned, or a visit without the zone, leaves the plan's setting
             * for this visit more than that above what the skin last took. A session charted
             * late, dated between two recorded ones, is the last before the one after it
             * too: that one's depth may be no more than a rise above this one's. */
            mn_date last = 0, next_date = 0;
            double last_mm = 0, next_mm = 0;
            char day[16], on[16];
            mn_date_format(cs->date, day);
            if (pz && pz->booked && pz->rise_mm > 0 &&
                ((st = neighbour_on_zone(ctx, s, cs->client, site->id, day, 0, &last, &last_mm)) ||
                 (st = neighbour_on_zone(ctx, s, cs->client, site->id, day, 1, &next_date,
                                         &next_mm))))
                return st;
            if (next_date && next_mm > depth + pz->rise_mm + slack)
                VIOLATION("rise-per-visit",
                          "%s %.2f mm is more than %.2f mm below the %.2f mm of the session of "
                          "%s on it after this one (%s.depth_mm): that session would have risen "
                          "more than the plan's %srise per visit above this one (a judgement)",
                          site->id, depth, pz->rise_mm, next_mm, mn_date_format(next_date, on), zp,
                          pz->rise_mm < MN_PLAN_RISE_MM - slack ? "gentler " : "");
            /* One bound per zone's depth: the rise where it is the tighter one (a bound the
             * plan sets for the visit, or its maximum, already named otherwise). */
            double named = pz && !pz->booked                   ? 0
                           : pz && depth > pz->max_mm + slack  ? pz->max_mm
                           : planned && depth > pdepth + slack ? pdepth
                                                               : -1;
            if (last && depth > last_mm + pz->rise_mm + slack &&
                (named < 0 || named > last_mm + pz->rise_mm + slack))
                VIOLATION("rise-per-visit",
                          "%s %.2f mm is deeper than the %.2f mm allowed after the session of %s "
                          "on it (%s.depth_mm): at most %.2f mm above its %.2f mm, the plan's "
                          "%srise per visit (a judgement)",
                          site->id, depth, last_mm + pz->rise_mm, mn_date_format(last, on), zp,
                          pz->rise_mm, last_mm,
                          pz->rise_mm < MN_PLAN_RISE_MM - slack ? "gentler " : "");
        }
    }
    /* Sooner than the minimum interval of the plan's concerns on a zone, before or after
     * another session there: the planner never books it, so it needs --override (recorded
     * then with the warning below, as done). */
    if (caps.id) {
        mn_date near[MN_MAX_ZONES][2];
        char other[16];
        if ((st = close_sessions(ctx, s, cs, near)))
            return st;
        for (int after = 0; after < 2; after++)
            for (int i = 0; i < cs->n_zones; i++) {
                if (!near[i][after])
                    continue;
                /* Zones with the same neighbour and minimum in one reason. */
                char names[MN_MAX_ZONES * 34] = "";
                size_t zu = 0;
                for (int k = i; k < cs->n_zones; k++) {
                    if (near[k][after] != near[i][after] ||
                        cs->zones[k].min_interval_days != cs->zones[i].min_interval_days ||
                        strcmp(cs->zones[k].min_interval_concern,
                               cs->zones[i].min_interval_concern))
                        continue;
                    int n = snprintf(names + zu, sizeof names - zu, "%s%s", zu ? ", " : "",
                                     cs->zones[k].zone);
                    if (n > 0 && (size_t)n < sizeof names - zu)
                        zu += (size_t)n;
                    if (k > i)
                        near[k][after] = 0;
                }
                long gap =
                    after ? (long)(near[i][after] - cs->date) : (long)(cs->date - near[i][after]);
                char on[16];
                VIOLATION("interval-below-minimum",
                          "%s: %s is %ld day%s %s the session of %s that treated %s, sooner "
                          "than the minimum interval of %d days for %s (the concern catalogue) "
                          "(%s.date)",
                          names, mn_date_format(cs->date, on), gap, gap == 1 ? "" : "s",
                          after ? "before" : "after", mn_date_format(near[i][after], other),
                          strchr(names, ',') ? "them" : "it", cs->zones[i].min_interval_days,
                          cs->zones[i].min_interval_concern, place);
            }
    }
    /* An adverse event still open on the session's date that holds (a severe one, or one of a
     * kind that holds whatever its grade) holds the client's visits (replan.c states the rule). */
    int holding;
    char why[320], why_text[320], day[16];
    if ((st = mn__store_open_holding(ctx, s, cs->client, mn_date_format(cs->date, day), &holding,
                                     why, sizeof why, why_text, sizeof why_text)))
        return st;
    if (holding)
        VIOLATION("adverse-event-open", "%s, with no resolved date (%s) (%s.date)", why_text,
                  mn__store_words_say(s->words, MN__SAY_RESOLVED, NULL, next, sizeof next), place);
    /* Deeper than the step down after an adverse event allows (post-inflammatory
     * hyperpigmentation): the setting replan gives the visit, not the stored plan's. */
    if (caps.id && cs->visit &&
        (st = step_down_violations(ctx, s, client, cs, zones, place, csv, &used)))
        return st;
#undef VIOLATION
    /* Adverse events: an explicit list; ["none"] is a record that there were none. */
    if ((st = mn__jarr(&in, o, place, "adverse_events", 1, 0, 32, &cs->events, NULL)))
        return st;
    size_t n_ev = json_array_size(cs->events);
    if (n_ev == 0)
        return mn__error(ctx, MN_EINVAL,
                         "%s: %s.adverse_events: expected [\"none\"] or the events; an empty "
                         "list does not say there were none%s",
                         src, place, csv ? " (CSV: an adverse_event column)" : "");
    for (size_t i = 0; i < n_ev; i++) {
        json_t *e = json_array_get(cs->events, i);
        char ep[80];
        snprintf(ep, sizeof ep, "%s.adverse_events[%zu]", place, i);
        if (json_is_string(e) && !strcmp(json_string_value(e), "none")) {
            if (n_ev > 1)
                return mn__error(ctx, MN_EINVAL, "%s: %s: \"none\" beside other events", src, ep);
            continue;
        }
        static const char *const ekeys[] = {"event", "severity", "resolved", NULL};
        const char *event, *sev = NULL;
        int has_sev;
        mn_date resolved;
        if ((st = mn__jis_object(&in, e, ep)) || (st = mn__jkeys(&in, e, ep, ekeys)) ||
            (st = text_field(&in, e, ep, "event", 1, &event)) ||
            (st = mn__jstr(&in, e, ep, "severity", 0, &sev, &has_sev)) ||
            (st = mn__jdate(&in, e, ep, "resolved", 0, &resolved, NULL)))
            return st;
        if (!strcmp(event, "none") || !event[0])
            return mn__error(ctx, MN_EINVAL, "%s: %s.event: name the event", src, ep);
        if (has_sev && strcmp(sev, "mild") && strcmp(sev, "moderate") && strcmp(sev, "severe"))
            return mn__error(ctx, MN_ERANGE,
                             "%s: %s.severity: expected mild, moderate or severe, got \"%.20s\"",
                             src, ep, sev);
    }
    return MN_OK;
}

/* A session of the same client on the same date treating a zone already recorded for that
 * date is the same session recorded twice (a file sent again, a form submitted twice): refused,
 * since no zone is needled twice in one day's visit. */
static mn_status refuse_duplicate(mn_ctx *ctx, mn_store *s, const char *src, const char *place,
                                  const checked_session *cs)
{
    char day[16];
    mn_date_format(cs->date, day);
    for (int i = 0; i < cs->n_zones; i++) {
        sqlite3_stmt *q;
        mn_status st = mn__store_prepare_kept(
            ctx, s,
            "SELECT 1 FROM sessions x JOIN session_zones z ON z.session = x.id "
            "WHERE x.client = ? AND x.date = ? AND z.zone = ? LIMIT 1",
            &q);
        if (st)
            return st;
        sqlite3_bind_int64(q, 1, cs->client);
        sqlite3_bind_text(q, 2, day, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, cs->zones[i].zone, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        mn__store_done(s, q);
        if (rc == SQLITE_ROW)
            return mn__error(ctx, MN_EINVAL,
                             "%s: %s: a session on %s treating %s is already recorded for this "
                             "client; nothing was recorded",
                             src, place, day, cs->zones[i].zone);
        if (rc != SQLITE_DONE)
            return mn__store_fail(ctx, s, "cannot look up the client's sessions");
    }
    return MN_OK;
}

/* A warning's list of zones (or of what was done on them) at most @p room bytes long, so that
 * the warning is never cut: @p list holds @p n_kept items joined by @p sep, item k ending at
 * @p ends[k], of @p n_all in all (those past n_kept were not kept). As many as fit are written
 * to @p out, then "and N more zones" with N exact ("N zones" when none fits). */
static void fit_list(char *out, size_t cap, size_t room, const char *list, const size_t *ends,
                     int n_kept, int n_all, const char *sep, const char *also)
{
    if (n_kept == n_all && (n_all == 0 || ends[n_all - 1] <= room)) {
        snprintf(out, cap, "%s", list);
        return;
    }
    for (int m = n_kept < n_all ? n_kept : n_all - 1; m >= 0; m--) {
        char more[96];
        int left = n_all - m;
        size_t used = m ? ends[m - 1] : 0;
        int w = snprintf(more, sizeof more, "%s%s%d %szone%s%s", m ? sep : "", m ? "and " : "",
                         left, m ? "more " : "", left == 1 ? "" : "s", also);
        if (m == 0 || (w > 0 && used + (size_t)w <= room)) {
            snprintf(out, cap, "%.*s%s", (int)used, list, more);
            return;
        }
    }
}

/* A session is a fact and is recorded however close it came to the one before or after it on
 * the same zone; when closer than the minimum interval of the concerns the plan treats there
 * (the planner never books that: data/concerns.json's min_interval_days, from the clinical
 * protocols each concern cites), it is recorded with a warning naming the zone, the two dates,
 * the gap and the minimum. The simulator warns of the same with the same code (scenario.c). */
static mn_status warn_close_sessions(mn_ctx *ctx, mn_store *s, const char *src, const char *place,
                                     const checked_session *cs, mn_warnings *warnings)
{
    if (!warnings)
        return MN_OK;
    /* Each zone's neighbours first; zones with the same neighbour and minimum share a warning. */
    mn_date near[MN_MAX_ZONES][2];
    char day[16], other[16], path[48];
    mn_date_format(cs->date, day);
    snprintf(path, sizeof path, "%s.date", place);
    mn_status st = close_sessions(ctx, s, cs, near);
    if (st)
        return st;
    for (int after = 0; after < 2; after++)
        for (int i = 0; i < cs->n_zones; i++) {
            if (!near[i][after])
                continue;
            char zones[MN_MAX_ZONES * 34] = "", named[sizeof zones];
            size_t ends[MN_MAX_ZONES], used = 0;
            int n_named = 0, n_kept = 0;
            for (int k = i; k < cs->n_zones; k++) {
                if (near[k][after] != near[i][after] ||
                    cs->zones[k].min_interval_days != cs->zones[i].min_interval_days ||
                    strcmp(cs->zones[k].min_interval_concern, cs->zones[i].min_interval_concern))
                    continue;
                int n = snprintf(zones + used, sizeof zones - used, "%s%s", used ? ", " : "",
                                 cs->zones[k].zone);
                if (n > 0 && (size_t)n < sizeof zones - used && n_kept == n_named) {
                    used += (size_t)n;
                    ends[n_kept++] = used;
                } else {
                    zones[used] = '\0';
                }
                n_named++;
                if (k > i)
                    near[k][after] = 0; /* named in this warning */
            }
            long gap =
                after ? (long)(near[i][after] - cs->date) : (long)(cs->date - near[i][after]);
            /* What follows the zones first: they take the room it leaves. */
            char rest[sizeof((mn_warning *)NULL)->message];
            int n_rest =
                snprintf(rest, sizeof rest,
                         ": %s is %ld day%s %s the session of %s that treated %s, closer than "
                         "the minimum interval of %d days for %s (the concern catalogue; the "
                         "planner never books it); recorded, as done",
                         day, gap, gap == 1 ? "" : "s", after ? "before" : "after",
                         mn_date_format(near[i][after], other), n_named > 1 ? "them" : "it",
                         cs->zones[i].min_interval_days, cs->zones[i].min_interval_concern);
            size_t room =
                n_rest > 0 && (size_t)n_rest < sizeof rest ? sizeof rest - 1 - (size_t)n_rest : 0;
            fit_list(named, sizeof named, room, zones, ends, n_kept, n_named, ", ", "");
            mn__warn(warnings, "interval_below_concern_minimum", src, path, "%s%s", named, rest);
        }
    return MN_OK;
}

static mn_status store_session(mn_ctx *ctx, mn_store *s, const checked_session *cs,
                               const char *override_reason)
{
    sqlite3_stmt *q;
    char day[16];
    mn_date_format(cs->date, day);
    mn_status st = mn__store_prepare_kept(
        ctx, s,
        "INSERT INTO sessions(client, plan, date, device, serial, cartridge_lot, serum, "
        "serum_lot, endpoint, reactions, override_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, cs->client);
    if (cs->plan)
        sqlite3_bind_int64(q, 2, cs->plan);
    sqlite3_bind_text(q, 3, day, -1, SQLITE_TRANSIENT);
    const char *texts[] = {cs->device,    cs->serial,   cs->lot,      cs->serum,
                           cs->serum_lot, cs->endpoint, cs->reactions};
    for (int i = 0; i < 7; i++)
        if (texts[i])
            sqlite3_bind_text(q, 4 + i, texts[i], -1, SQLITE_STATIC);
    int over = cs->violations[0] != '\0';
    if (over)
        sqlite3_bind_text(q, 11, override_reason, -1, SQLITE_STATIC);
    if ((st = mn__store_run(ctx, s, q, "session")))
        return st;
    sqlite3_int64 sid = sqlite3_last_insert_rowid(s->db);
    if (over) {
        /* The log names the rules overridden and nothing else: the values (depths, dates,
         * findings) and the clinician's reason are the session's own, in its rows, and leave
         * the database with them when the client is erased. */
        char detail[sizeof cs->rules + 16];
        snprintf(detail, sizeof detail, "override: %s", cs->rules);
        st = mn__store_audit(ctx, s, "override", "sessions", sid, detail);
    } else {
        st = mn__store_audit(ctx, s, "insert", "sessions", sid, NULL);
    }
    for (int i = 0; !st && i < cs->n_zones; i++) {
        if ((st = mn__store_prepare_kept(
                 ctx, s,
                 "INSERT INTO session_zones(session, zone, depth_mm, passes) "
                 "VALUES (?, ?, ?, ?)",
                 &q)))
            break;
        sqlite3_bind_int64(q, 1, sid);
        sqlite3_bind_text(q, 2, cs->zones[i].zone, -1, SQLITE_STATIC);
        sqlite3_bind_double(q, 3, cs->zones[i].depth_mm);
        sqlite3_bind_double(q, 4, cs->zones[i].passes);
        if (!(st = mn__store_run(ctx, s, q, "session zone")))
            st = mn__store_audit(ctx, s, "insert", "session_zones",
                                 sqlite3_last_insert_rowid(s->db), NULL);
    }
    for (size_t i = 0; !st && i < json_array_size(cs->events); i++) {
        json_t *e = json_array_get(cs->events, i);
        if ((st = mn__store_prepare_kept(ctx, s,
                                         "INSERT INTO adverse_events(client, session, date, event, "
                                         "severity, resolved) VALUES (?, ?, ?, ?, ?, ?)",
                                         &q)))
            break;
        sqlite3_bind_int64(q, 1, cs->client);
        sqlite3_bind_int64(q, 2, sid);
        sqlite3_bind_text(q, 3, day, -1, SQLITE_TRANSIENT);
        if (json_is_string(e)) {
            sqlite3_bind_text(q, 4, "none", -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_text(q, 4, json_string_value(json_object_get(e, "event")), -1,
                              SQLITE_STATIC);
            const char *sev = json_string_value(json_object_get(e, "severity"));
            const char *res = json_string_value(json_object_get(e, "resolved"));
            if (sev)
                sqlite3_bind_text(q, 5, sev, -1, SQLITE_STATIC);
            if (res)
                sqlite3_bind_text(q, 6, res, -1, SQLITE_STATIC);
        }
        if (!(st = mn__store_run(ctx, s, q, "adverse event")))
            st = mn__store_audit(ctx, s, "insert", "adverse_events",
                                 sqlite3_last_insert_rowid(s->db), NULL);
    }
    return st;
}

mn_status mn_store_record_sessions(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                                   size_t len, const char *override_reason, int *n_recorded)
{
    return mn_store_record_sessions_warn(ctx, store, src, text, len, override_reason, n_recorded,
                                         NULL);
}

mn_status mn_store_record_sessions_warn(mn_ctx *ctx, mn_store *store, const char *src,
                                        const char *text, size_t len, const char *override_reason,
                                        int *n_recorded, mn_warnings *warnings)
{
    if (warnings)
        memset(warnings, 0, sizeof *warnings);
    if (!store || !src || !text)
        return mn__error(ctx, MN_EINVAL, "record session: missing argument");
    char next[200]; /* what to do next, in the handle's words (words.h) */
    if (override_reason && (!override_reason[0] || strlen(override_reason) > MAX_TEXT))
        return mn__error(
            ctx, MN_EINVAL, "%s: give a reason of 1 to %d bytes",
            mn__store_words_say(store->words, MN__SAY_OVERRIDE_NAME, NULL, next, sizeof next),
            MAX_TEXT);
    if (n_recorded)
        *n_recorded = 0;
    json_t *records = NULL, *rows = NULL;
    int csv;
    mn_status st = read_records(ctx, src, text, len, session_numeric, &rows, &csv);
    if (st)
        return st;
    if (csv) {
        st = group_csv_sessions(ctx, src, rows, &records);
        json_decref(rows);
        if (st)
            return st;
    } else {
        records = rows;
    }
    mn_date today;
    if ((st = mn__store_today(ctx, &today)))
        goto out;
    if ((st = mn__store_begin(ctx, store)))
        goto out;
    plan_caps cache;
    cache.client = 0;
    for (size_t i = 0; !st && i < json_array_size(records); i++) {
        char place[32];
        place_of(records, i, csv, place, sizeof place);
        checked_session cs;
        st = check_session(ctx, store, src, json_array_get(records, i), place, csv, today, &cache,
                           &cs);
        if (!st && cs.violations[0] && !override_reason)
            st = mn__error(
                ctx, MN_ERANGE, "%s: %s: %s; nothing was recorded (%s)", src, place, cs.violations,
                mn__store_words_say(store->words, MN__SAY_OVERRIDE, NULL, next, sizeof next));
        if (!st)
            st = refuse_duplicate(ctx, store, src, place, &cs);
        if (!st)
            st = store_session(ctx, store, &cs, override_reason);
        /* A reason given for a session that breaks no rule overrides nothing: the session is
         * recorded as within the plan, and the reason is not stored (stored, it would mark the
         * session off protocol for replan and history). Said, never dropped unseen. */
        if (!st && override_reason && !cs.violations[0])
            mn__warn(
                warnings, "override_not_needed", src, place,
                "%s given, but this session breaks no rule of the plan, so there was "
                "nothing to override; recorded as within the plan, and the reason was "
                "not stored",
                mn__store_words_say(store->words, MN__SAY_OVERRIDE_NAME, NULL, next, sizeof next));
        if (!st)
            st = warn_close_sessions(ctx, store, src, place, &cs, warnings);
        if (!st && cs.lighter[0] && warnings) {
            char path[48];
            snprintf(path, sizeof path, "%s.zones", place);
            /* What follows the list first: the list takes the room it leaves. */
            char rest[sizeof((mn_warning *)NULL)->message], lighter[sizeof cs.lighter];
            int n_rest = snprintf(
                rest, sizeof rest, "; recorded, as done (%s; %s)",
                mn__store_words_say(store->words, MN__SAY_LIGHTER, NULL, next, sizeof next),
                cs.stepped     ? "replan keeps the step down"
                : cs.rise_held ? "replan holds the next visit to the plan's rise per visit "
                                 "above it"
                               : "replan keeps the plan's settings for the next visit");
            size_t room =
                n_rest > 0 && (size_t)n_rest < sizeof rest ? sizeof rest - 1 - (size_t)n_rest : 0;
            fit_list(lighter, sizeof lighter, room, cs.lighter, cs.lighter_end, cs.n_lighter_kept,
                     cs.n_lighter, "; ", " lighter than the plan");
            mn__warn(warnings, "settings_below_plan", src, path, "%s%s", lighter, rest);
        }
    }
    st = mn__store_end(ctx, store, st);
    if (!st && n_recorded)
        *n_recorded = (int)json_array_size(records);
    if (st && warnings)
        memset(warnings, 0, sizeof *warnings); /* nothing was recorded: nothing to warn of */
out:
    json_decref(records);
    return st;
}

/* ---- assessments ---- */

static const char *const assessment_numeric[] = {"score", "photo_consent", "session", NULL};

static int is_sha256(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* A photo reference: a photos consent of this client in force on the date. */
static mn_status check_photo(mn_ctx *ctx, mn_store *s, const char *src, const char *pp,
                             sqlite3_int64 client, double consent, const char *sha,
                             const char *date)
{
    if (!is_sha256(sha))
        return mn__error(ctx, MN_EPARSE,
                         "%s: %s.sha256: expected the image's SHA-256 as 64 lower-case hex "
                         "digits",
                         src, pp);
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare_kept(
        ctx, s, "SELECT what, date, withdrawn FROM consents WHERE id = ? AND client = ?", &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)consent);
    sqlite3_bind_int64(q, 2, client);
    if (sqlite3_step(q) != SQLITE_ROW) {
        st = mn__error(ctx, MN_ENOTFOUND, "%s: %s.consent: no consent %.0f of this client", src, pp,
                       consent);
    } else {
        const char *what = (const char *)sqlite3_column_text(q, 0);
        const char *given = (const char *)sqlite3_column_text(q, 1);
        const char *withdrawn = (const char *)sqlite3_column_text(q, 2);
        if (!what || strcmp(what, "photos"))
            st = mn__error(ctx, MN_EINVAL, "%s: %s.consent: consent %.0f is for \"%s\", not photos",
                           src, pp, consent, what ? what : "");
        else if (given && strcmp(date, given) < 0)
            st = mn__error(ctx, MN_EINVAL, "%s: %s.consent: consent %.0f was given after %s", src,
                           pp, consent, date);
        else if (withdrawn && strcmp(date, withdrawn) >= 0)
            st = mn__error(ctx, MN_EINVAL, "%s: %s.consent: consent %.0f was withdrawn on %s", src,
                           pp, consent, withdrawn);
    }
    mn__store_done(s, q);
    return st;
}

/* The id (and date, when @p date is not NULL) of the client's session number @p number (1-based,
 * in date order), as records name it; MN_ENOTFOUND naming the place when there is none. */
static mn_status session_by_number(mn_ctx *ctx, mn_store *s, const char *src, const char *place,
                                   sqlite3_int64 client, double number, sqlite3_int64 *sid,
                                   mn_date *date)
{
    sqlite3_stmt *q;
    *sid = 0;
    mn_status st = mn__store_prepare_kept(
        ctx, s, "SELECT id, date FROM sessions WHERE client = ? ORDER BY date, id LIMIT 1 OFFSET ?",
        &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, client);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)number - 1);
    if (sqlite3_step(q) == SQLITE_ROW) {
        *sid = sqlite3_column_int64(q, 0);
        if (date)
            *date = mn__store_col_date(q, 1, NULL);
    }
    mn__store_done(s, q);
    if (!*sid)
        return mn__error(ctx, MN_ENOTFOUND, "%s: %s.session: the client has no session %.0f", src,
                         place, number);
    return MN_OK;
}

static mn_status one_assessment(mn_ctx *ctx, mn_store *s, const char *src, json_t *o,
                                const char *place, int csv, mn_date today)
{
    mn__jin in = {ctx, src};
    static const char *const json_keys[] = {"client", "date",    "scale",  "score", "rater",
                                            "zone",   "session", "photos", "_line", NULL};
    static const char *const csv_keys[] = {"client",       "date",  "scale",   "score",
                                           "rater",        "zone",  "session", "photo_consent",
                                           "photo_sha256", "_line", NULL};
    const char *client, *scale_id, *rater, *zone = NULL;
    double score, session = 0;
    mn_date date;
    sqlite3_int64 num;
    mn_status st;
    int has_zone, has_session;
    if ((st = mn__jis_object(&in, o, place)) ||
        (st = mn__jkeys(&in, o, place, csv ? csv_keys : json_keys)) ||
        (st = text_field(&in, o, place, "client", 1, &client)))
        return st;
    if ((st = mn__store_client_num(ctx, s, client, &num)))
        return at_place(ctx, st, src, place, "client");
    if ((st = past_date(&in, o, place, today, &date)) ||
        (st = text_field(&in, o, place, "scale", 1, &scale_id)))
        return st;
    mn_scale scale;
    if ((st = mn_store_scale_find(ctx, scale_id, &scale)))
        return at_place(ctx, st, src, place, "scale");
    if ((st = mn__jnum(&in, o, place, "score", 1, scale.min, scale.max, &score, NULL)))
        return st;
    if (scale.step > 0) {
        double k = (score - scale.min) / scale.step;
        if (fabs(k - floor(k + 0.5)) > 1e-9)
            return mn__error(ctx, MN_ERANGE,
                             "%s: %s.score: %g is not a score of %s (steps of %g from %g)", src,
                             place, score, scale.id, scale.step, scale.min);
    }
    if ((st = text_field(&in, o, place, "rater", 1, &rater)) ||
        (st = text_field(&in, o, place, "zone", 0, &zone)) ||
        (st = mn__jnum(&in, o, place, "session", 0, 1, 1e6, &session, &has_session)))
        return st;
    has_zone = zone != NULL;
    if (has_zone) {
        const mn_site *site = mn_catalog_find_site(mn_ctx_catalog(ctx), zone);
        if (!site)
            return mn__error(ctx, MN_ENOTFOUND, "%s: %s.zone: unknown zone \"%.40s\"", src, place,
                             zone);
        zone = site->id;
    }
    /* The session the score follows, by its number among the client's sessions. */
    sqlite3_int64 sid = 0;
    sqlite3_stmt *q;
    if (has_session && (st = session_by_number(ctx, s, src, place, num, session, &sid, NULL)))
        return st;
    char day[16];
    mn_date_format(date, day);
    /* Photo references: JSON photos[] or the CSV's photo_consent and photo_sha256. */
    json_t *photos = NULL;
    int present;
    if (csv) {
        json_t *c = json_object_get(o, "photo_consent"), *h = json_object_get(o, "photo_sha256");
        if (c || h) {
            photos = json_array();
            json_t *p = json_object();
            if (c)
                json_object_set(p, "consent", c);
            if (h)
                json_object_set(p, "sha256", h);
            json_array_append_new(photos, p);
        }
    } else {
        if ((st = mn__jarr(&in, o, place, "photos", 0, 0, 64, &photos, &present)))
            return st;
        json_incref(photos);
    }
    for (size_t i = 0; !st && i < json_array_size(photos); i++) {
        char pp[80];
        if (csv)
            snprintf(pp, sizeof pp, "%s.photo", place);
        else
            snprintf(pp, sizeof pp, "%s.photos[%zu]", place, i);
        json_t *p = json_array_get(photos, i);
        static const char *const pkeys[] = {"consent", "sha256", NULL};
        double consent;
        const char *sha;
        if (!(st = mn__jis_object(&in, p, pp)) && !(st = mn__jkeys(&in, p, pp, pkeys)) &&
            !(st = mn__jnum(&in, p, pp, "consent", 1, 1, 1e15, &consent, NULL)) &&
            !(st = mn__jstr(&in, p, pp, "sha256", 1, &sha, NULL)))
            st = check_photo(ctx, s, src, pp, num, consent, sha, day);
    }
    if (!st &&
        !(st = mn__store_prepare_kept(ctx, s,
                                      "INSERT INTO assessments(client, session, date, scale, "
                                      "scale_version, zone, score, rater) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                      &q))) {
        sqlite3_bind_int64(q, 1, num);
        if (sid)
            sqlite3_bind_int64(q, 2, sid);
        sqlite3_bind_text(q, 3, day, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, scale.id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, scale.version, -1, SQLITE_TRANSIENT);
        if (zone)
            sqlite3_bind_text(q, 6, zone, -1, SQLITE_STATIC);
        sqlite3_bind_double(q, 7, score);
        sqlite3_bind_text(q, 8, rater, -1, SQLITE_STATIC);
        st = mn__store_run(ctx, s, q, "assessment");
    }
    sqlite3_int64 aid = sqlite3_last_insert_rowid(s->db);
    if (!st)
        st = mn__store_audit(ctx, s, "insert", "assessments", aid, NULL);
    for (size_t i = 0; !st && i < json_array_size(photos); i++) {
        json_t *p = json_array_get(photos, i);
        if ((st = mn__store_prepare_kept(
                 ctx, s, "INSERT INTO photos(assessment, consent, sha256) VALUES (?, ?, ?)", &q)))
            break;
        sqlite3_bind_int64(q, 1, aid);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)json_number_value(json_object_get(p, "consent")));
        sqlite3_bind_text(q, 3, json_string_value(json_object_get(p, "sha256")), -1, SQLITE_STATIC);
        if (!(st = mn__store_run(ctx, s, q, "photo")))
            st =
                mn__store_audit(ctx, s, "insert", "photos", sqlite3_last_insert_rowid(s->db), NULL);
    }
    json_decref(photos);
    return st;
}

/* One record of a file: checked and stored inside the file's transaction. */
typedef mn_status (*record_fn)(mn_ctx *ctx, mn_store *s, const char *src, json_t *o,
                               const char *place, int csv, mn_date today);

/* Reads a file of records (JSON or CSV) and stores each with @p one, in one transaction: all
 * of them or, at the first refused, none. */
static mn_status record_each(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                             size_t len, const char *const *numeric, record_fn one, int *n_recorded)
{
    if (n_recorded)
        *n_recorded = 0;
    json_t *records;
    int csv;
    mn_status st = read_records(ctx, src, text, len, numeric, &records, &csv);
    if (st)
        return st;
    mn_date today;
    if ((st = mn__store_today(ctx, &today)) || (st = mn__store_begin(ctx, store))) {
        json_decref(records);
        return st;
    }
    for (size_t i = 0; !st && i < json_array_size(records); i++) {
        char place[32];
        place_of(records, i, csv, place, sizeof place);
        st = one(ctx, store, src, json_array_get(records, i), place, csv, today);
    }
    st = mn__store_end(ctx, store, st);
    if (!st && n_recorded)
        *n_recorded = (int)json_array_size(records);
    json_decref(records);
    return st;
}

mn_status mn_store_record_assessments(mn_ctx *ctx, mn_store *store, const char *src,
                                      const char *text, size_t len, int *n_recorded)
{
    if (!store || !src || !text)
        return mn__error(ctx, MN_EINVAL, "record assessment: missing argument");
    return record_each(ctx, store, src, text, len, assessment_numeric, one_assessment, n_recorded);
}

/* ---- adverse events on their own ---- */

static const char *const adverse_numeric[] = {"session", NULL};

/* One adverse event record: checked, then stored with its audit entry. */
static mn_status one_adverse_event(mn_ctx *ctx, mn_store *s, const char *src, json_t *o,
                                   const char *place, int csv, mn_date today)
{
    mn__jin in = {ctx, src};
    static const char *const keys[] = {"client",   "date",     "session", "kind", "event",
                                       "severity", "resolved", "_line",   NULL};
    const char *client, *kind = NULL, *event = NULL, *severity = NULL;
    double session = 0;
    int has_session, has_resolved;
    mn_date date, resolved = 0;
    sqlite3_int64 num, sid = 0;
    mn_status st;
    (void)csv;
    if ((st = mn__jis_object(&in, o, place)) || (st = mn__jkeys(&in, o, place, keys)) ||
        (st = text_field(&in, o, place, "client", 1, &client)))
        return st;
    if ((st = mn__store_client_num(ctx, s, client, &num)))
        return at_place(ctx, st, src, place, "client");
    if ((st = past_date(&in, o, place, today, &date)) ||
        (st = mn__jnum(&in, o, place, "session", 0, 1, 1e6, &session, &has_session)) ||
        (st = text_field(&in, o, place, "kind", 0, &kind)) ||
        (st = text_field(&in, o, place, "event", 0, &event)) ||
        (st = text_field(&in, o, place, "severity", 0, &severity)) ||
        (st = mn__jdate(&in, o, place, "resolved", 0, &resolved, &has_resolved)))
        return st;
    char day[16], other[16];
    mn_date_format(date, day);
    if (has_session) {
        mn_date session_date = 0;
        if ((st = session_by_number(ctx, s, src, place, num, session, &sid, &session_date)))
            return st;
        if (session_date > date)
            return mn__error(ctx, MN_ERANGE,
                             "%s: %s.date: %s is before session %.0f (%s) that the event "
                             "followed",
                             src, place, day, session, mn_date_format(session_date, other));
    }
    /* What happened: a kind of the catalogue, free text, or "none". */
    if ((kind != NULL) == (event != NULL))
        return mn__error(ctx, MN_EINVAL,
                         "%s: %s: expected one of kind (see docs/records.md) or event (free "
                         "text, or \"none\")%s",
                         src, place, kind ? ", not both" : "");
    int none = event && !strcmp(event, "none");
    if (none) {
        if (severity || has_resolved)
            return mn__error(ctx, MN_EINVAL,
                             "%s: %s.%s: \"none\" records that there were no adverse events; "
                             "it has no %s",
                             src, place, severity ? "severity" : "resolved",
                             severity ? "severity" : "resolved date");
    } else {
        if (event && !event[0])
            return mn__error(ctx, MN_EINVAL, "%s: %s.event: name the event", src, place);
        if (kind) {
            mn_adverse_kind k;
            if ((st = mn_store_adverse_kind_find(ctx, kind, &k)))
                return at_place(ctx, st, src, place, "kind");
        }
        if (!severity)
            return mn__error(ctx, MN_EINVAL,
                             "%s: %s.severity: expected mild, moderate or severe (required for "
                             "an event)",
                             src, place);
        if (strcmp(severity, "mild") && strcmp(severity, "moderate") && strcmp(severity, "severe"))
            return mn__error(ctx, MN_ERANGE,
                             "%s: %s.severity: expected mild, moderate or severe, got \"%.20s\"",
                             src, place, severity);
        if (has_resolved && (resolved < date || resolved > today))
            return mn__error(ctx, MN_ERANGE, "%s: %s.resolved: %s is %s", src, place,
                             mn_date_format(resolved, other),
                             resolved < date ? "before the event's date" : "in the future");
    }
    sqlite3_stmt *q;
    if ((st = mn__store_prepare_kept(ctx, s,
                                     "INSERT INTO adverse_events(client, session, date, event, "
                                     "severity, resolved) VALUES (?, ?, ?, ?, ?, ?)",
                                     &q)))
        return st;
    sqlite3_bind_int64(q, 1, num);
    if (sid)
        sqlite3_bind_int64(q, 2, sid);
    sqlite3_bind_text(q, 3, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, kind ? kind : event, -1, SQLITE_STATIC);
    if (severity)
        sqlite3_bind_text(q, 5, severity, -1, SQLITE_STATIC);
    if (has_resolved)
        sqlite3_bind_text(q, 6, mn_date_format(resolved, other), -1, SQLITE_TRANSIENT);
    if ((st = mn__store_run(ctx, s, q, "adverse event")))
        return st;
    return mn__store_audit(ctx, s, "insert", "adverse_events", sqlite3_last_insert_rowid(s->db),
                           NULL);
}

mn_status mn_store_record_adverse_events(mn_ctx *ctx, mn_store *store, const char *src,
                                         const char *text, size_t len, int *n_recorded)
{
    if (!store || !src || !text)
        return mn__error(ctx, MN_EINVAL, "record adverse-event: missing argument");
    return record_each(ctx, store, src, text, len, adverse_numeric, one_adverse_event, n_recorded);
}
