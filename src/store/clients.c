/*
 * Clients: the pseudonymous record (an id and the planning input without the name), the
 * identifying details in a table of their own (so exports and the audit log can leave them
 * out), consents, and erasure.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_in.h"
#include "mneedle/clinic.h"
#include "store/store_internal.h"
#include "store/words.h"

/* Longest identity detail other than the name (email, phone, address), bytes: an address of
 * three lines of 40. The name's limit is the client file's (MN_CLIENT_NAME_LEN). */
#define MAX_IDENTITY_TEXT 120

/* ---- small helpers shared with records.c ---- */

mn_status mn__store_today(mn_ctx *ctx, mn_date *out)
{
    return mn_date_today(ctx, out);
}

/* 1 when id is a client id: a letter, then letters, digits and '-', shorter than
 * MN_STORE_ID_LEN. */
int mn__store_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= MN_STORE_ID_LEN)
        return 0;
    if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return 0;
    }
    return 1;
}

/* The client's row number, or MN_ENOTFOUND naming the id. */
mn_status mn__store_client_num(mn_ctx *ctx, mn_store *s, const char *id, sqlite3_int64 *num)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare_kept(ctx, s, "SELECT num FROM clients WHERE id = ?", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *num = sqlite3_column_int64(q, 0);
    else if (rc == SQLITE_DONE)
        st = mn__error(ctx, MN_ENOTFOUND, "%s: no client \"%.40s\"", s->path, id);
    else
        st = mn__store_fail(ctx, s, "cannot find the client");
    mn__store_done(s, q);
    return st;
}

/* Binds text or NULL for "". */
static void bind_opt(sqlite3_stmt *q, int i, const char *v)
{
    if (v && v[0])
        sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

/* Runs a prepared INSERT/UPDATE/DELETE to completion and finalizes it. */
mn_status mn__store_run(mn_ctx *ctx, mn_store *s, sqlite3_stmt *q, const char *what)
{
    int rc = sqlite3_step(q);
    mn__store_done(s, q);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return mn__error(ctx, MN_EINVAL, "%s: %s: a record with that key exists", s->path,
                             what);
        return mn__error(ctx, MN_EIO, "%s: %s: %s", s->path, what, sqlite3_errstr(rc));
    }
    return MN_OK;
}

/* ---- reading a client record ---- */

typedef struct {
    json_t *root;     /* the whole record */
    json_t *planning; /* the client file part (NULL when the record has none) */
    json_t *identity; /* NULL when absent */
    json_t *consents; /* NULL when absent */
    json_t *withdraw; /* NULL when absent */
    const char *name; /* client.name, moved to the identity */
} record;

static void record_release(record *r)
{
    json_decref(r->root);
    json_decref(r->planning);
}

static const char *const planning_keys[] = {"client",    "concerns", "history",
                                            "lifestyle", "clinic",   NULL};

/* The catalogue names a planning input gives (each concern, its zones, the device), checked
 * before the loader reads it so that an unknown one is refused saying where the known ones are
 * listed in the caller's words (words.h: the command's catalog listing, or the workstation's
 * Catalogues page), as record session names them. What is not a name in its place (a number, a
 * missing field) is left to the loader, which names it. */
static mn_status known_names(mn_ctx *ctx, mn_store_words words, const char *src, json_t *planning)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    char where[200];
    json_t *concerns = json_object_get(planning, "concerns");
    for (size_t i = 0; i < json_array_size(concerns); i++) {
        json_t *c = json_array_get(concerns, i);
        const char *name = json_string_value(json_object_get(c, "concern"));
        if (name && !mn_catalog_find_concern(cat, name))
            return mn__error(
                ctx, MN_ENOTFOUND,
                "%s: $.concerns[%zu].concern: unknown concern "
                "\"%.40s\" (%s)",
                src, i, name,
                mn__store_words_say(words, MN__SAY_CONCERNS, NULL, where, sizeof where));
        json_t *zones = json_object_get(c, "zones");
        for (size_t z = 0; z < json_array_size(zones); z++) {
            const char *zone = json_string_value(json_array_get(zones, z));
            if (zone && !mn_catalog_find_site(cat, zone))
                return mn__error(
                    ctx, MN_ENOTFOUND,
                    "%s: $.concerns[%zu].zones[%zu]: unknown zone \"%.40s\" (%s)", src, i, z, zone,
                    mn__store_words_say(words, MN__SAY_SITES, NULL, where, sizeof where));
        }
    }
    const char *device =
        json_string_value(json_object_get(json_object_get(planning, "clinic"), "device"));
    if (device && !mn_catalog_find_device(cat, device))
        return mn__error(ctx, MN_ENOTFOUND, "%s: $.clinic.device: unknown device \"%.40s\" (%s)",
                         src, device,
                         mn__store_words_say(words, MN__SAY_DEVICES, NULL, where, sizeof where));
    return MN_OK;
}

/* Parses and validates a client record; @p need_planning: the client file part must be
 * there (add) or may be absent (update). Refusals in @p words. */
static mn_status read_record(mn_ctx *ctx, mn_store_words words, const char *src, const char *text,
                             size_t len, int need_planning, record *r)
{
    memset(r, 0, sizeof *r);
    mn__jin in = {ctx, src};
    mn_status st = mn__json_parse(ctx, src, text, len, &r->root);
    if (st)
        return st;
    if ((st = mn__jis_object(&in, r->root, "$")))
        return st;
    static const char *const keys[] = {"client",   "concerns", "history",  "lifestyle", "clinic",
                                       "identity", "consents", "withdraw", NULL};
    if ((st = mn__jkeys(&in, r->root, "$", keys)))
        return st;
    int has_planning = 0;
    for (int i = 0; planning_keys[i]; i++)
        has_planning |= json_object_get(r->root, planning_keys[i]) != NULL;
    if (need_planning && !has_planning)
        return mn__error(ctx, MN_EINVAL,
                         "%s: $: expected a client file (client, concerns, clinic, ...)", src);
    if (has_planning) {
        r->planning = json_object();
        for (int i = 0; planning_keys[i]; i++) {
            json_t *v = json_object_get(r->root, planning_keys[i]);
            if (v)
                json_object_set_new(r->planning, planning_keys[i], json_deep_copy(v));
        }
        json_t *c = json_object_get(r->planning, "client");
        json_t *name = c ? json_object_get(c, "name") : NULL;
        if (name && json_is_string(name))
            r->name =
                json_string_value(json_object_get(json_object_get(r->root, "client"), "name"));
        /* The name is kept with the identity, whole: refused here, as plan refuses it, when
         * longer than a client file may hold. */
        if (r->name && strlen(r->name) >= MN_CLIENT_NAME_LEN)
            return mn__error(ctx, MN_ELIMIT, "%s: $.client.name: at most %d bytes, got %zu", src,
                             MN_CLIENT_NAME_LEN - 1, strlen(r->name));
        if (c && json_is_object(c))
            json_object_del(c, "name");
        if ((st = known_names(ctx, words, src, r->planning)))
            return st;
        /* Validate as `mneedle plan` would, so a stored client can always be planned. */
        char *dump = mn__store_dump(r->planning);
        if (!dump)
            return mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
        mn_client *client = mn__malloc(sizeof *client);
        st = client ? mn_client_parse(ctx, src, dump, strlen(dump), client)
                    : mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
        if (!st)
            st = mn_plan_client_check(ctx, client);
        mn__free(client);
        mn__free(dump);
        if (st)
            return st;
    }
    int present;
    if ((st = mn__jobj(&in, r->root, "$", "identity", 0, &r->identity, &present)))
        return st;
    if (r->identity) {
        static const char *const id_keys[] = {"name",       "email",   "phone",
                                              "birth_date", "address", NULL};
        if ((st = mn__jkeys(&in, r->identity, "$.identity", id_keys)))
            return st;
        for (int i = 0; id_keys[i]; i++) {
            const char *v;
            if ((st = mn__jstr(&in, r->identity, "$.identity", id_keys[i], 0, &v, &present)))
                return st;
            size_t most = strcmp(id_keys[i], "name") ? MAX_IDENTITY_TEXT : MN_CLIENT_NAME_LEN - 1;
            if (present && strlen(v) > most)
                return mn__error(ctx, MN_ELIMIT, "%s: $.identity.%s: at most %zu bytes, got %zu",
                                 src, id_keys[i], most, strlen(v));
        }
        mn_date d;
        if ((st = mn__jdate(&in, r->identity, "$.identity", "birth_date", 0, &d, &present)))
            return st;
    }
    if ((st = mn__jarr(&in, r->root, "$", "consents", 0, 0, 64, &r->consents, &present)))
        return st;
    for (size_t i = 0; r->consents && i < json_array_size(r->consents); i++) {
        char path[48];
        mn__jpath_index(path, sizeof path, "$.consents", i);
        json_t *c = json_array_get(r->consents, i);
        static const char *const c_keys[] = {"what", "version", "date", NULL};
        const char *what, *version;
        mn_date d;
        if ((st = mn__jis_object(&in, c, path)) || (st = mn__jkeys(&in, c, path, c_keys)) ||
            (st = mn__jstr(&in, c, path, "what", 1, &what, NULL)) ||
            (st = mn__jstr(&in, c, path, "version", 1, &version, NULL)) ||
            (st = mn__jdate(&in, c, path, "date", 1, &d, NULL)))
            return st;
        if (!what[0] || strlen(what) > 63 || !version[0] || strlen(version) > 31)
            return mn__error(ctx, MN_ERANGE,
                             "%s: %s: what (1-63 bytes) and version (1-31 bytes) are required", src,
                             path);
    }
    if ((st = mn__jarr(&in, r->root, "$", "withdraw", 0, 1, 64, &r->withdraw, &present)))
        return st;
    for (size_t i = 0; r->withdraw && i < json_array_size(r->withdraw); i++) {
        char path[48];
        mn__jpath_index(path, sizeof path, "$.withdraw", i);
        double v;
        if ((st = mn__jnum_value(&in, json_array_get(r->withdraw, i), path, 1, 1e15, &v)))
            return st;
    }
    return MN_OK;
}

/* Writes the identity row (insert or replace) from the record; name may come from
 * client.name. */
static mn_status put_identity(mn_ctx *ctx, mn_store *s, sqlite3_int64 num, const record *r,
                              int replace)
{
    if (!r->identity && !r->name)
        return MN_OK;
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(
        ctx, s,
        "INSERT OR REPLACE INTO identities(client, name, email, phone, birth_date, address) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, num);
    const char *name = r->identity ? json_string_value(json_object_get(r->identity, "name")) : NULL;
    bind_opt(q, 2, name ? name : r->name);
    static const char *const cols[] = {"email", "phone", "birth_date", "address"};
    for (int i = 0; i < 4; i++)
        bind_opt(q, 3 + i,
                 r->identity ? json_string_value(json_object_get(r->identity, cols[i])) : NULL);
    if ((st = mn__store_run(ctx, s, q, "identity")))
        return st;
    return mn__store_audit(ctx, s, replace ? "update" : "insert", "identities", num,
                           replace ? "name, email, phone, birth_date, address" : NULL);
}

static mn_status put_consents(mn_ctx *ctx, mn_store *s, sqlite3_int64 num, const record *r)
{
    for (size_t i = 0; r->consents && i < json_array_size(r->consents); i++) {
        json_t *c = json_array_get(r->consents, i);
        sqlite3_stmt *q;
        mn_status st = mn__store_prepare(
            ctx, s, "INSERT INTO consents(client, what, version, date) VALUES (?, ?, ?, ?)", &q);
        if (st)
            return st;
        sqlite3_bind_int64(q, 1, num);
        sqlite3_bind_text(q, 2, json_string_value(json_object_get(c, "what")), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, json_string_value(json_object_get(c, "version")), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, json_string_value(json_object_get(c, "date")), -1,
                          SQLITE_TRANSIENT);
        if ((st = mn__store_run(ctx, s, q, "consent")) ||
            (st = mn__store_audit(ctx, s, "insert", "consents", sqlite3_last_insert_rowid(s->db),
                                  NULL)))
            return st;
    }
    return MN_OK;
}

static void new_id(char *out)
{
    /* 10 symbols of 32: 50 bits, so ids of 10,000 clients collide with odds ~1e-8 (and a
     * collision is refused by the UNIQUE constraint, not merged). */
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    strcpy(out, "c-");
    for (int i = 0; i < 10; i++)
        out[2 + i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[12] = '\0';
}

/* Adds a client; inside the caller's transaction when @p in_tx, else in one of its own. */
static mn_status client_add(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                            size_t len, const char *id, char *id_out, int in_tx)
{
    if (id && !mn__store_id_ok(id))
        return mn__error(ctx, MN_EINVAL,
                         "client id \"%.40s\": expected a letter, then letters, digits and '-' "
                         "(at most %d)",
                         id, MN_STORE_ID_LEN - 1);
    record r;
    mn_status st = read_record(ctx, store->words, src, text, len, 1, &r);
    if (st) {
        record_release(&r);
        return st;
    }
    if (r.withdraw) {
        record_release(&r);
        return mn__error(ctx, MN_EINVAL, "%s: $.withdraw: only for client update", src);
    }
    char cid[MN_STORE_ID_LEN];
    if (id)
        snprintf(cid, sizeof cid, "%s", id);
    else
        new_id(cid);
    mn_date today;
    char day[16];
    if ((st = mn__store_today(ctx, &today))) {
        record_release(&r);
        return st;
    }
    mn_date_format(today, day);
    char *planning = mn__store_dump(r.planning);
    if (!planning) {
        record_release(&r);
        return mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
    }
    unsigned char salt[MN__STORE_SALT_BYTES];
    randombytes_buf(salt, sizeof salt);
    if (!in_tx && (st = mn__store_begin(ctx, store)))
        goto out;
    sqlite3_stmt *q;
    if (!(st = mn__store_prepare(ctx, store,
                                 "INSERT INTO clients(id, salt, created, client_json) "
                                 "VALUES (?, ?, ?, ?)",
                                 &q))) {
        sqlite3_bind_text(q, 1, cid, -1, SQLITE_STATIC);
        sqlite3_bind_blob(q, 2, salt, sizeof salt, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, day, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, planning, -1, SQLITE_STATIC);
        st = mn__store_run(ctx, store, q, "client");
        if (st == MN_EINVAL)
            st = mn__error(ctx, MN_EINVAL, "%s: client id \"%s\" is in use", src, cid);
    }
    sqlite3_int64 num = sqlite3_last_insert_rowid(store->db);
    if (!st)
        st = mn__store_audit(ctx, store, "insert", "clients", num, NULL);
    if (!st)
        st = put_identity(ctx, store, num, &r, 0);
    if (!st)
        st = put_consents(ctx, store, num, &r);
    if (!in_tx)
        st = mn__store_end(ctx, store, st);
    if (!st)
        snprintf(id_out, MN_STORE_ID_LEN, "%s", cid);
out:
    sodium_memzero(salt, sizeof salt);
    mn__free(planning);
    record_release(&r);
    return st;
}

mn_status mn_store_client_add(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                              size_t len, const char *id, char *id_out)
{
    if (!store || !src || !text || !id_out)
        return mn__error(ctx, MN_EINVAL, "client add: missing argument");
    return client_add(ctx, store, src, text, len, id, id_out, 0);
}

/* ---- import of a CSV client list ---- */

static const char *const import_cols[] = {
    "id",    "name",     "email",  "phone", "birth_date", "age", "sex",   "fitzpatrick", "concern",
    "zones", "severity", "device", "start", "smoker",     "sun", "_line", NULL};

/* A row with both a birth date and an age: the age must be the one the birth date gives on the
 * day of the import, give or take the year around a birthday (an age written down a little
 * before or after it). A birth date that is not a date is left to the identity's own check. */
static mn_status age_agrees(mn_ctx *ctx, const char *src, const char *place, json_t *r)
{
    const char *birth = json_string_value(json_object_get(r, "birth_date"));
    json_t *age = json_object_get(r, "age");
    mn_date born, today;
    if (!birth || !json_is_number(age) || mn_date_parse(birth, &born))
        return MN_OK;
    mn_status st = mn__store_today(ctx, &today);
    if (st)
        return st;
    char now[16];
    mn_date_format(today, now);
    int by, bm, bd, ty, tm, td;
    if (sscanf(birth, "%d-%d-%d", &by, &bm, &bd) != 3 ||
        sscanf(now, "%d-%d-%d", &ty, &tm, &td) != 3)
        return MN_OK;
    int years = ty - by - (tm < bm || (tm == bm && td < bd));
    double given = json_number_value(age);
    if (fabs(given - years) <= 1)
        return MN_OK;
    return mn__error(ctx, MN_EINVAL,
                     "%s: %s.age: %g does not agree with birth_date %s (age %d on %s, the day of "
                     "the import)",
                     src, place, given, birth, years, now);
}

mn_status mn_store_import_clients(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                                  size_t len, int dry_run, mn_store_import_row **out, int *n_out)
{
    if (!store || !src || !text || !out || !n_out)
        return mn__error(ctx, MN_EINVAL, "import: missing argument");
    *out = NULL;
    *n_out = 0;
    static const char *const numeric[] = {"age", "fitzpatrick", NULL};
    json_t *rows;
    mn_status st = mn__store_csv(ctx, src, text, len, numeric, &rows);
    if (st)
        return st;
    mn__jin in = {ctx, src};
    /* Rows sharing an id are one client with several concerns. */
    json_t *clients = json_array(), *by_id = json_object();
    for (size_t i = 0; !st && i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        char place[32];
        snprintf(place, sizeof place, "line %lld",
                 (long long)json_integer_value(json_object_get(r, "_line")));
        if ((st = mn__jkeys(&in, r, place, import_cols)))
            break;
        if ((st = age_agrees(ctx, src, place, r)))
            break;
        const char *id = json_string_value(json_object_get(r, "id"));
        json_t *rec = id ? json_object_get(by_id, id) : NULL;
        if (!rec) {
            rec = json_object();
            json_array_append_new(clients, rec);
            if (id)
                json_object_set(by_id, id, rec);
            json_object_set_new(rec, "_line", json_deep_copy(json_object_get(r, "_line")));
            if (id)
                json_object_set_new(rec, "_id", json_string(id));
            json_t *c = json_object(), *identity = json_object(), *clinic = json_object(),
                   *life = json_object();
            static const char *const client_keys[] = {"age", "sex", "fitzpatrick"};
            for (int k = 0; k < 3; k++)
                if (json_object_get(r, client_keys[k]))
                    json_object_set(c, client_keys[k], json_object_get(r, client_keys[k]));
            static const char *const id_keys[] = {"name", "email", "phone", "birth_date"};
            for (int k = 0; k < 4; k++)
                if (json_object_get(r, id_keys[k]))
                    json_object_set(identity, id_keys[k], json_object_get(r, id_keys[k]));
            if (json_object_get(r, "device"))
                json_object_set(clinic, "device", json_object_get(r, "device"));
            if (json_object_get(r, "start"))
                json_object_set(clinic, "start", json_object_get(r, "start"));
            const char *smoker = json_string_value(json_object_get(r, "smoker"));
            if (smoker)
                json_object_set_new(
                    life, "smoker",
                    json_boolean(!strcmp(smoker, "yes") || !strcmp(smoker, "true")));
            if (json_object_get(r, "sun"))
                json_object_set(life, "sun", json_object_get(r, "sun"));
            json_object_set_new(rec, "client", c);
            if (json_object_size(identity))
                json_object_set_new(rec, "identity", identity);
            else
                json_decref(identity);
            json_object_set_new(rec, "clinic", clinic);
            if (json_object_size(life))
                json_object_set_new(rec, "lifestyle", life);
            else
                json_decref(life);
            json_object_set_new(rec, "concerns", json_array());
        }
        json_t *concern = json_object();
        if (json_object_get(r, "concern"))
            json_object_set(concern, "concern", json_object_get(r, "concern"));
        const char *zones = json_string_value(json_object_get(r, "zones"));
        json_t *zl = json_array();
        /* zones: names separated by ';' or ' ' (a comma would split the CSV field). */
        for (const char *p = zones ? zones : ""; *p;) {
            size_t w = strcspn(p, "; ");
            if (w) {
                char z[64];
                snprintf(z, sizeof z, "%.*s", (int)(w < 63 ? w : 63), p);
                json_array_append_new(zl, json_string(z));
            }
            p += w;
            p += strspn(p, "; ");
        }
        json_object_set_new(concern, "zones", zl);
        if (json_object_get(r, "severity"))
            json_object_set(concern, "severity", json_object_get(r, "severity"));
        json_array_append_new(json_object_get(rec, "concerns"), concern);
    }
    json_decref(by_id);
    json_decref(rows);
    mn_store_import_row *res = NULL;
    int n = 0;
    if (!st)
        st = mn__store_begin(ctx, store);
    for (size_t i = 0; !st && i < json_array_size(clients); i++) {
        json_t *rec = json_array_get(clients, i);
        long long line = json_integer_value(json_object_get(rec, "_line"));
        char *id = NULL;
        const char *given = json_string_value(json_object_get(rec, "_id"));
        if (given)
            id = mn__strdup(given);
        json_object_del(rec, "_id");
        json_object_del(rec, "_line");
        char *dump = mn__store_dump(rec);
        char where[300];
        snprintf(where, sizeof where, "%s line %lld", src, line);
        mn_store_import_row *grown = mn__realloc(res, (size_t)(n + 1) * sizeof *grown);
        if (!dump || (given && !id) || !grown) {
            st = mn__error(ctx, MN_ENOMEM, "import: out of memory");
        } else {
            res = grown;
            memset(&res[n], 0, sizeof res[n]);
            res[n].line = (int)line;
            res[n].concerns = (int)json_array_size(json_object_get(rec, "concerns"));
            st = client_add(ctx, store, where, dump, strlen(dump), id, res[n].id, 1);
            n++;
        }
        mn__free(dump);
        mn__free(id);
    }
    json_decref(clients);
    /* A dry run checks everything an import would, ids in use included, then changes nothing. */
    if (dry_run && !st)
        mn__store_end(ctx, store, MN_EINVAL); /* any failure status rolls back */
    else
        st = mn__store_end(ctx, store, st);
    if (st) {
        mn__free(res);
        return st;
    }
    *out = res;
    *n_out = n;
    return MN_OK;
}

void mn_store_import_free(mn_store_import_row *rows)
{
    mn__free(rows);
}

mn_status mn_store_client_update(mn_ctx *ctx, mn_store *store, const char *id, const char *src,
                                 const char *text, size_t len)
{
    if (!store || !id || !src || !text)
        return mn__error(ctx, MN_EINVAL, "client update: missing argument");
    record r;
    mn_status st = read_record(ctx, store->words, src, text, len, 0, &r);
    if (st) {
        record_release(&r);
        return st;
    }
    sqlite3_int64 num;
    if ((st = mn__store_begin(ctx, store)))
        goto out;
    st = mn__store_client_num(ctx, store, id, &num);
    if (!st && r.planning) {
        char *planning = mn__store_dump(r.planning);
        sqlite3_stmt *q;
        if (!(st = mn__store_prepare(ctx, store, "UPDATE clients SET client_json = ? WHERE num = ?",
                                     &q))) {
            sqlite3_bind_text(q, 1, planning, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 2, num);
            st = mn__store_run(ctx, store, q, "client");
        }
        mn__free(planning);
        if (!st)
            st = mn__store_audit(ctx, store, "update", "clients", num, "client_json");
    }
    if (!st)
        st = put_identity(ctx, store, num, &r, 1);
    if (!st)
        st = put_consents(ctx, store, num, &r);
    for (size_t i = 0; !st && r.withdraw && i < json_array_size(r.withdraw); i++) {
        sqlite3_int64 cid = (sqlite3_int64)json_number_value(json_array_get(r.withdraw, i));
        mn_date today;
        char day[16];
        if ((st = mn__store_today(ctx, &today)))
            break;
        mn_date_format(today, day);
        sqlite3_stmt *q;
        if ((st = mn__store_prepare(ctx, store,
                                    "UPDATE consents SET withdrawn = ? WHERE id = ? AND "
                                    "client = ? AND withdrawn IS NULL",
                                    &q)))
            break;
        sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, cid);
        sqlite3_bind_int64(q, 3, num);
        if ((st = mn__store_run(ctx, store, q, "consent")))
            break;
        if (sqlite3_changes(store->db) != 1) {
            st = mn__error(ctx, MN_ENOTFOUND,
                           "%s: $.withdraw[%zu]: no consent %lld of this client still in force",
                           src, i, (long long)cid);
            break;
        }
        st = mn__store_audit(ctx, store, "update", "consents", cid, "withdrawn");
    }
    st = mn__store_end(ctx, store, st);
out:
    record_release(&r);
    return st;
}

/* ---- erasure ---- */

mn_status mn_store_client_erase(mn_ctx *ctx, mn_store *store, const char *id)
{
    if (!store || !id)
        return mn__error(ctx, MN_EINVAL, "client erase: no id");
    /* Children before parents; each table's rows of this client, by the row's number. */
    static const struct {
        const char *table, *rows;
    } parts[] = {
        {"photos", "SELECT p.id FROM photos p JOIN assessments a ON a.id = p.assessment "
                   "WHERE a.client = ?"},
        {"assessments", "SELECT id FROM assessments WHERE client = ?"},
        {"adverse_events", "SELECT id FROM adverse_events WHERE client = ?"},
        {"session_zones", "SELECT z.id FROM session_zones z JOIN sessions s ON s.id = z.session "
                          "WHERE s.client = ?"},
        {"sessions", "SELECT id FROM sessions WHERE client = ?"},
        {"plans", "SELECT id FROM plans WHERE client = ?"},
        {"consents", "SELECT id FROM consents WHERE client = ?"},
        {"identities", "SELECT client FROM identities WHERE client = ?"},
        {"clients", "SELECT num FROM clients WHERE num = ?"},
    };
    sqlite3_int64 num;
    mn_status st = mn__store_begin(ctx, store);
    if (st)
        return st;
    st = mn__store_client_num(ctx, store, id, &num);
    for (size_t p = 0; !st && p < sizeof parts / sizeof parts[0]; p++) {
        sqlite3_stmt *q;
        if ((st = mn__store_prepare(ctx, store, parts[p].rows, &q)))
            break;
        sqlite3_bind_int64(q, 1, num);
        /* Collect first: deleting while stepping the same table is undefined for SQLite. */
        sqlite3_int64 *ids = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                sqlite3_int64 *grown = mn__realloc(ids, cap * sizeof *ids);
                if (!grown) {
                    st = mn__error(ctx, MN_ENOMEM, "client erase: out of memory");
                    break;
                }
                ids = grown;
            }
            ids[n++] = sqlite3_column_int64(q, 0);
        }
        mn__store_done(store, q);
        if (!st && rc != SQLITE_DONE)
            st = mn__store_fail(ctx, store, "cannot read the client's rows");
        char sql[96];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE rowid = ?", parts[p].table);
        for (size_t i = 0; !st && i < n; i++) {
            if ((st = mn__store_prepare(ctx, store, sql, &q)))
                break;
            sqlite3_bind_int64(q, 1, ids[i]);
            if (!(st = mn__store_run(ctx, store, q, "erase")))
                st = mn__store_audit(ctx, store, "erase", parts[p].table, ids[i], NULL);
        }
        mn__free(ids);
    }
    st = mn__store_end(ctx, store, st);
    /* The old pages of the erased rows are still in the write-ahead log until a checkpoint
     * copies the log back and truncates it; do it now (best effort: a reader holding an old
     * snapshot makes it wait for a later one). */
    if (!st)
        sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    return st;
}

mn_status mn__store_set_maintenance(mn_ctx *ctx, mn_store *s, sqlite3_int64 num, const char *due,
                                    const char *reason)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(
        ctx, s, "UPDATE clients SET maintenance_due = ?, maintenance_reason = ? WHERE num = ?", &q);
    if (st)
        return st;
    if (due)
        sqlite3_bind_text(q, 1, due, -1, SQLITE_STATIC);
    if (reason)
        sqlite3_bind_text(q, 2, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, num);
    if ((st = mn__store_run(ctx, s, q, "client")))
        return st;
    return mn__store_audit(ctx, s, "update", "clients", num, "maintenance_due, maintenance_reason");
}

/* ---- the planning input a plan was made from ---- */

/* A number with no fraction as an integer, throughout @p v (in place). */
static void integral_numbers(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (json_is_real(x) && fabs(json_real_value(x)) < 9e15 &&
                json_real_value(x) == floor(json_real_value(x)))
                json_object_set_new(v, k, json_integer((json_int_t)json_real_value(x)));
            else
                integral_numbers(x);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            if (json_is_real(x) && fabs(json_real_value(x)) < 9e15 &&
                json_real_value(x) == floor(json_real_value(x)))
                json_array_set_new(v, i, json_integer((json_int_t)json_real_value(x)));
            else
                integral_numbers(x);
        }
    }
}

int mn__store_input_hash(const char *client_json, char out[65])
{
    out[0] = '\0';
    json_error_t err;
    json_t *v = client_json ? json_loads(client_json, 0, &err) : NULL;
    if (!v)
        return 0;
    integral_numbers(v);
    size_t need = json_dumpb(v, NULL, 0, JSON_SORT_KEYS | JSON_COMPACT);
    char *text = need ? mn__malloc(need) : NULL;
    int whole = text && json_dumpb(v, text, need, JSON_SORT_KEYS | JSON_COMPACT) == need;
    json_decref(v);
    if (!whole) {
        mn__free(text);
        return 0;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)text, need);
    mn__free(text);
    mn__hex(digest, sizeof digest, out);
    return 1;
}

mn_status mn__store_plan_input_get(mn_ctx *ctx, mn_store *s, sqlite3_int64 client,
                                   mn__store_plan_input *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare_kept(
        ctx, s,
        "SELECT p.id, p.created, p.input_hash, c.client_json FROM clients c"
        " JOIN plans p ON p.id = (SELECT max(id) FROM plans WHERE client = c.num)"
        " WHERE c.num = ?",
        &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, client);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->plan = sqlite3_column_int64(q, 0);
        mn__store_col_text(q, 1, out->created, sizeof out->created);
        const char *made = (const char *)sqlite3_column_text(q, 2);
        char now[65];
        if (!made || !mn__store_input_hash((const char *)sqlite3_column_text(q, 3), now))
            out->stale = -1;
        else
            out->stale = strcmp(made, now) != 0;
    } else if (rc != SQLITE_DONE) {
        st = mn__store_fail(ctx, s, "cannot read the client's latest plan");
    }
    mn__store_done(s, q);
    return st;
}

/* ---- reading ---- */

/* Summary columns of a client: shared by get and list; the maintenance date and reason are the
 * ones recall lists (MN__STORE_DUE_CTE), not the stored ones. */
#define CLIENT_SUMMARY_SQL                                                                         \
    MN__STORE_DUE_CTE                                                                              \
    "SELECT c.id, c.created, i.name, i.email, i.phone, i.birth_date, i.address,"                   \
    " (SELECT count(*) FROM plans WHERE client = c.num),"                                          \
    " (SELECT count(*) FROM sessions WHERE client = c.num),"                                       \
    " (SELECT count(*) FROM assessments WHERE client = c.num),"                                    \
    " (SELECT count(*) FROM adverse_events WHERE client = c.num AND event != 'none'),"             \
    " (SELECT max(date) FROM sessions WHERE client = c.num),"                                      \
    " d.due, d.why, c.client_json, c.num"                                                          \
    " FROM clients c LEFT JOIN identities i ON i.client = c.num LEFT JOIN mn_due d ON d.num "      \
    "= c.num"

static void read_summary(sqlite3_stmt *q, mn_store_client *c)
{
    memset(c, 0, sizeof *c);
    mn__store_col_text(q, 0, c->id, sizeof c->id);
    c->created = mn__store_col_date(q, 1, NULL);
    mn__store_col_text(q, 2, c->name, sizeof c->name);
    mn__store_col_text(q, 3, c->email, sizeof c->email);
    mn__store_col_text(q, 4, c->phone, sizeof c->phone);
    mn__store_col_text(q, 5, c->birth_date, sizeof c->birth_date);
    mn__store_col_text(q, 6, c->address, sizeof c->address);
    c->n_plans = (long)sqlite3_column_int64(q, 7);
    c->n_sessions = (long)sqlite3_column_int64(q, 8);
    c->n_assessments = (long)sqlite3_column_int64(q, 9);
    c->n_adverse_events = (long)sqlite3_column_int64(q, 10);
    c->last_session = mn__store_col_date(q, 11, &c->has_last_session);
    c->maintenance_due = mn__store_col_date(q, 12, &c->has_maintenance_due);
    mn__store_col_text(q, 13, c->maintenance_reason, sizeof c->maintenance_reason);
}

mn_status mn_store_client_get(mn_ctx *ctx, mn_store *store, const char *id, mn_store_client *out)
{
    if (!store || !id || !out)
        return mn__error(ctx, MN_EINVAL, "client: missing argument");
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(ctx, store, CLIENT_SUMMARY_SQL " WHERE c.id = ?", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_int64 num = 0;
    if (rc == SQLITE_ROW) {
        read_summary(q, out);
        const char *json = (const char *)sqlite3_column_text(q, 14);
        out->client_json = mn__strdup(json ? json : "{}");
        num = sqlite3_column_int64(q, 15);
        if (!out->client_json)
            st = mn__error(ctx, MN_ENOMEM, "client: out of memory");
    } else if (rc == SQLITE_DONE) {
        st = mn__error(ctx, MN_ENOTFOUND, "%s: no client \"%.40s\"", store->path, id);
    } else {
        st = mn__store_fail(ctx, store, "cannot read the client");
    }
    mn__store_done(store, q);
    mn__store_plan_input pin;
    if (!st && !(st = mn__store_plan_input_get(ctx, store, num, &pin)))
        out->plan_stale = pin.stale;
    /* The device the latest plan was made for, as its JSON records it (client.device). */
    if (!st && pin.plan &&
        !(st = mn__store_prepare(ctx, store,
                                 "SELECT json_extract(plan_json, '$.client.device') FROM plans "
                                 "WHERE id = ?",
                                 &q))) {
        sqlite3_bind_int64(q, 1, pin.plan);
        if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_TEXT)
            mn__store_col_text(q, 0, out->plan_device, sizeof out->plan_device);
        mn__store_done(store, q);
    }
    if (!st)
        mn__store_questionnaire_today(ctx, store, id, &out->questionnaire);
    if (st) {
        mn_store_client_release(out);
        return st;
    }
    if ((st = mn__store_prepare(ctx, store,
                                "SELECT id, what, version, date, withdrawn FROM consents "
                                "WHERE client = ? ORDER BY id",
                                &q)))
        return st;
    sqlite3_bind_int64(q, 1, num);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        mn_store_consent *grown =
            mn__realloc(out->consents, (size_t)(out->n_consents + 1) * sizeof *grown);
        if (!grown) {
            st = mn__error(ctx, MN_ENOMEM, "client: out of memory");
            break;
        }
        out->consents = grown;
        mn_store_consent *c = &out->consents[out->n_consents++];
        memset(c, 0, sizeof *c);
        c->id = (long)sqlite3_column_int64(q, 0);
        mn__store_col_text(q, 1, c->what, sizeof c->what);
        mn__store_col_text(q, 2, c->version, sizeof c->version);
        c->date = mn__store_col_date(q, 3, NULL);
        c->withdrawn_date = mn__store_col_date(q, 4, &c->withdrawn);
    }
    mn__store_done(store, q);
    if (st)
        mn_store_client_release(out);
    return st;
}

void mn_store_client_release(mn_store_client *c)
{
    if (!c)
        return;
    mn__free(c->client_json);
    mn__free(c->consents);
    c->client_json = NULL;
    c->consents = NULL;
    c->n_consents = 0;
}

mn_status mn_store_client_list(mn_ctx *ctx, mn_store *store, mn_store_client **out, int *n)
{
    if (!store || !out || !n)
        return mn__error(ctx, MN_EINVAL, "client list: missing argument");
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(ctx, store, CLIENT_SUMMARY_SQL " ORDER BY c.id", &q);
    if (st)
        return st;
    int rc, cap = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            mn_store_client *grown = mn__realloc(*out, (size_t)cap * sizeof *grown);
            if (!grown) {
                st = mn__error(ctx, MN_ENOMEM, "client list: out of memory");
                break;
            }
            *out = grown;
        }
        read_summary(q, &(*out)[(*n)++]);
    }
    mn__store_done(store, q);
    if (!st && rc != SQLITE_DONE)
        st = mn__store_fail(ctx, store, "cannot list clients");
    if (st) {
        mn__free(*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void mn_store_client_list_free(mn_store_client *list, int n)
{
    for (int i = 0; list && i < n; i++)
        mn_store_client_release(&list[i]);
    mn__free(list);
}

mn_status mn_store_client_input(mn_ctx *ctx, mn_store *store, const char *id, char **out)
{
    if (!store || !id || !out)
        return mn__error(ctx, MN_EINVAL, "client: missing argument");
    *out = NULL;
    sqlite3_stmt *q;
    mn_status st =
        mn__store_prepare(ctx, store, "SELECT client_json FROM clients WHERE id = ?", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        *out = t ? strdup(t) : NULL;
        if (!*out)
            st = mn__error(ctx, MN_ENOMEM, "client: out of memory");
    } else {
        st = mn__error(ctx, MN_ENOTFOUND, "%s: no client \"%.40s\"", store->path, id);
    }
    mn__store_done(store, q);
    return st;
}

static mn_status client_screen(mn_ctx *ctx, mn_store *store, const char *id, const mn_date *day,
                               mn_date asked, mn_store_screening *out);

/* What a text says for finding @p f: its rule's name ("pregnancy"); for a rule without one (a
 * --data catalogue of the clinic's own), the message up to its first stop, cut at a word to
 * fit, never the code. */
static void finding_name(const mn_finding *f, char *out, size_t size)
{
    const char *name = f->rule && f->rule->name ? f->rule->name : NULL;
    if (name) {
        snprintf(out, size, "%s", name);
        return;
    }
    const char *m = f->message ? f->message : "";
    size_t n = strcspn(m, ".:;");
    if (n >= size) {
        n = size - 1;
        while (n > 0 && m[n] != ' ')
            n--;
    }
    snprintf(out, size, "%.*s", (int)n, m);
}

/* Appends @p name to the "; "-joined @p list (of @p size), whole or not at all. */
static void append_name(char *list, size_t size, const char *name)
{
    size_t used = strlen(list), n = strlen(name) + (used ? 2 : 0);
    if (used + n < size)
        snprintf(list + used, size - used, "%s%s", used ? "; " : "", name);
}

mn_status mn_store_client_screen(mn_ctx *ctx, mn_store *store, const char *id,
                                 mn_store_screening *out)
{
    return client_screen(ctx, store, id, NULL, 0, out);
}

mn_status mn__store_client_screen_on(mn_ctx *ctx, mn_store *store, const char *id, mn_date day,
                                     mn_date asked, mn_store_screening *out)
{
    return client_screen(ctx, store, id, &day, asked, out);
}

mn_status mn_store_client_screen_on(mn_ctx *ctx, mn_store *store, const char *id, mn_date day,
                                    mn_store_screening *out)
{
    if (!store || !id || !out)
        return mn__error(ctx, MN_EINVAL, "screen: missing argument");
    /* Undated answers count from the day the latest plan was saved, as replan counts them. */
    sqlite3_int64 num = 0;
    mn__store_plan_input pin;
    mn_status st = mn__store_client_num(ctx, store, id, &num);
    if (!st)
        st = mn__store_plan_input_get(ctx, store, num, &pin);
    if (st)
        return st;
    mn_date asked = day;
    if (pin.plan && mn_date_parse(pin.created, &asked))
        asked = day;
    return client_screen(ctx, store, id, &day, asked, out);
}

void mn__store_questionnaire_today(mn_ctx *ctx, mn_store *s, const char *id,
                                   mn_store_questionnaire *out)
{
    memset(out, 0, sizeof *out);
    mn_date today;
    mn_store_screening sc;
    if (mn__store_today(ctx, &today) || mn_store_client_screen_on(ctx, s, id, today, &sc)) {
        mn_ctx_clear_error(ctx);
        return;
    }
    *out = sc.questionnaire;
}

char *mn_store_questionnaire_words(const mn_store_questionnaire *q, char *buf, size_t size)
{
    if (!buf || !size)
        return buf;
    buf[0] = '\0';
    if (!q || !q->screened || !q->taken)
        return buf;
    char d[16], on[16], months[32] = "", days[32] = "";
    if (q->age_months)
        snprintf(months, sizeof months, "%d month%s", q->age_months, q->age_months == 1 ? "" : "s");
    if (q->age_rest_days || !q->age_months)
        snprintf(days, sizeof days, "%d day%s", q->age_rest_days, q->age_rest_days == 1 ? "" : "s");
    size_t used = (size_t)snprintf(
        buf, size, "%s %s: %s%s%s old on %s",
        q->dated ? "answered" : "not dated, so counted from the day the plan was saved,",
        mn_date_format(q->day, d), months, months[0] && days[0] ? " and " : "", days,
        mn_date_format(q->on, on));
    if (q->out_of_date && q->valid_months && used < size)
        snprintf(buf + used, size - used,
                 "; the questionnaire is valid for %d month%s (the screening rules)",
                 q->valid_months, q->valid_months == 1 ? "" : "s");
    return buf;
}

static mn_status client_screen(mn_ctx *ctx, mn_store *store, const char *id, const mn_date *day,
                               mn_date asked, mn_store_screening *out)
{
    if (!store || !id || !out)
        return mn__error(ctx, MN_EINVAL, "screen: missing argument");
    memset(out, 0, sizeof *out);
    char *text = NULL;
    mn_status st = mn_store_client_input(ctx, store, id, &text);
    if (st)
        return st;
    mn_client *client = mn__calloc(1, sizeof *client);
    mn_screening *s = mn__calloc(1, sizeof *s);
    char src[MN_STORE_ID_LEN + 32];
    snprintf(src, sizeof src, "client %s (stored)", id);
    if (!client || !s)
        st = mn__error(ctx, MN_ENOMEM, "screen: out of memory");
    if (!st)
        st = mn_client_parse(ctx, src, text, strlen(text), client);
    /* On a screening day the answers' age counts (rules.json's history_older_months rule):
     * from history.date, else from @p asked. A history.date after the day (a record dated
     * ahead of it) is not aged: it is no older than the validity. */
    mn_store_questionnaire *qn = &out->questionnaire;
    if (!st && day) {
        qn->screened = 1;
        qn->on = *day;
        qn->taken = client->has_history;
        qn->dated = client->has_history_date;
        if (!client->has_history_date) {
            client->history_date = asked;
            client->has_history_date = 1;
        }
        qn->day = client->history_date;
        if (qn->day < *day) {
            qn->age_days = (int)(*day - qn->day);
            while (mn_date_add_months(qn->day, qn->age_months + 1) <= *day)
                qn->age_months++;
            qn->age_rest_days = (int)(*day - mn_date_add_months(qn->day, qn->age_months));
        }
        const mn_catalog *cat = mn_ctx_catalog(ctx);
        for (size_t i = 0; i < mn_catalog_rule_count(cat) && !qn->valid_months; i++)
            if (mn_catalog_rule_at(cat, i)->kind == MN_RULE_HISTORY_OLDER_MONTHS)
                qn->valid_months = (int)mn_catalog_rule_at(cat, i)->threshold;
        if (client->history_date <= *day) {
            client->screen_date = *day;
            client->has_screen_date = 1;
        }
    }
    if (!st)
        st = mn_screen(ctx, client, s);
    if (!st) {
        out->decision = s->decision;
        out->decision_besides_age = MN_DECISION_PROCEED;
        size_t used = 0, used_besides = 0;
        for (int i = 0; i < s->n_findings; i++) {
            const mn_finding *f = &s->findings[i];
            /* The questionnaire's age is this rule's finding, whatever its code or number. */
            int age = f->rule && f->rule->kind == MN_RULE_HISTORY_OLDER_MONTHS;
            mn_decision d = f->severity == MN_SEVERITY_DECLINE ? MN_DECISION_DECLINE
                            : f->severity == MN_SEVERITY_DEFER ? MN_DECISION_DEFER
                                                               : MN_DECISION_CAUTION;
            if (age && d >= MN_DECISION_DEFER) {
                qn->out_of_date = 1;
                qn->valid_months = (int)f->rule->threshold;
            }
            if (!age && d > out->decision_besides_age)
                out->decision_besides_age = d;
            if (f->severity != MN_SEVERITY_DEFER && f->severity != MN_SEVERITY_DECLINE)
                continue;
            char name[MN_RULE_NAME_MAX + 1];
            finding_name(f, name, sizeof name);
            if (used < sizeof out->codes) {
                used += (size_t)snprintf(out->codes + used, sizeof out->codes - used, "%s%s",
                                         used ? ", " : "", f->code);
                append_name(out->names, sizeof out->names, name);
            }
            if (!age && used_besides < sizeof out->codes_besides_age) {
                used_besides += (size_t)snprintf(out->codes_besides_age + used_besides,
                                                 sizeof out->codes_besides_age - used_besides,
                                                 "%s%s", used_besides ? ", " : "", f->code);
                append_name(out->names_besides_age, sizeof out->names_besides_age, name);
            }
            if (out->n_findings == MN_STORE_MAX_HOLD_FINDINGS)
                continue;
            mn_store_finding *o = &out->findings[out->n_findings++];
            snprintf(o->code, sizeof o->code, "%s", f->code);
            snprintf(o->severity, sizeof o->severity, "%s", mn_severity_name(f->severity));
            snprintf(o->message, sizeof o->message, "%s", f->message ? f->message : "");
            snprintf(o->name, sizeof o->name, "%s", name);
        }
    }
    free(text);
    mn__free(client);
    mn__free(s);
    return st;
}
